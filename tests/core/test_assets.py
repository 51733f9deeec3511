"""Built assets: hashed URLs in templates, cached for good, sent precompressed.

The app serves a static folder made here, with a manifest and files written like
assets/build.mjs writes them, so the tests do not depend on a build of the real assets.
"""

from __future__ import annotations

import gzip
import json
import os
import re
from pathlib import Path

import pytest
from flask import Flask
from flask.testing import FlaskClient

from orientamento.core.assets import IMMUTABLE, Manifest, asset_url

CSS = b"body{color:#000}"
HASHED = {
    "css/bootstrap-italia.min.css": "css/bootstrap-italia.min.0123456789ab.css",
    "css/app.css": "css/app.abcdef012345.css",
    "js/site.js": "js/site.5a5a5a5a5a5a.js",
    "svg/sprites.svg": "svg/sprites.bbbbbbbbbbbb.svg",
}


def _write(folder: Path, name: str, body: bytes) -> None:
    path = folder / "dist" / name
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(body)


@pytest.fixture
def static(app: Flask, tmp_path: Path) -> Path:
    """A built static folder: plain and hashed files, .gz and .br siblings, a manifest."""
    for plain, hashed in HASHED.items():
        for name in (plain, hashed):
            _write(tmp_path, name, CSS)
            _write(tmp_path, name + ".gz", gzip.compress(CSS, mtime=0))
            # Not real brotli: the test only checks which file was sent.
            _write(tmp_path, name + ".br", b"brotli:" + CSS)
    _write(tmp_path, "fonts/Lora/lora.0123456789ab.woff2", b"wOF2")
    _write(tmp_path, "manifest.json", json.dumps(HASHED).encode())
    app.static_folder = str(tmp_path)
    app.extensions["assets_manifest"] = Manifest(str(tmp_path))
    return tmp_path


def test_asset_url_names_the_hashed_file(app: Flask, static: Path) -> None:
    with app.test_request_context():
        assert asset_url("css/app.css") == "/static/dist/css/app.abcdef012345.css"
        # Not in the manifest: the plain name, which the build also writes.
        assert asset_url("css/other.css") == "/static/dist/css/other.css"


def test_asset_url_reads_a_new_manifest_after_a_build(app: Flask, static: Path) -> None:
    with app.test_request_context():
        assert asset_url("js/site.js") == "/static/dist/js/site.5a5a5a5a5a5a.js"
        replacement = static / "dist" / "manifest.new"
        replacement.write_text(json.dumps({"js/site.js": "js/site.cccccccccccc.js"}))
        os.replace(replacement, static / "dist" / "manifest.json")  # as a build swaps
        assert asset_url("js/site.js") == "/static/dist/js/site.cccccccccccc.js"


def test_asset_url_without_a_build_falls_back_to_plain_names(app: Flask,
                                                             tmp_path: Path) -> None:
    app.extensions["assets_manifest"] = Manifest(str(tmp_path))
    with app.test_request_context():
        assert asset_url("css/app.css") == "/static/dist/css/app.css"


def test_pages_link_the_hashed_assets(client: FlaskClient, static: Path) -> None:
    page = client.get("/").get_data(as_text=True)
    links = set(re.findall(r'(?:href|src)="/static/([^"#]+)', page))
    assert links == {f"dist/{name}" for name in HASHED.values()}, links


def test_hashed_files_are_cached_for_a_year_as_immutable(client: FlaskClient,
                                                         static: Path) -> None:
    for name in [*HASHED.values(), "fonts/Lora/lora.0123456789ab.woff2"]:
        response = client.get(f"/static/dist/{name}")
        assert response.status_code == 200, name
        assert response.headers["Cache-Control"] == IMMUTABLE, name


def test_plain_names_keep_working_with_a_short_cache(client: FlaskClient,
                                                     static: Path) -> None:
    response = client.get("/static/dist/css/app.css", headers={"Accept-Encoding": "identity"})
    assert response.status_code == 200
    assert response.data == CSS
    assert response.headers["Cache-Control"] == "public, max-age=300"
    assert "immutable" not in response.headers["Cache-Control"]


def test_static_files_do_not_vary_on_the_session_cookie(client: FlaskClient,
                                                        static: Path) -> None:
    # A visitor with a session cookie (a CSRF token, a login): the cookie changes as the
    # session does, and varying on it would defeat the year-long cache.
    with client.session_transaction() as session:
        session["csrf_token"] = "token"
    response = client.get(f"/static/dist/{HASHED['css/app.css']}")
    assert "Cookie" not in response.vary
    assert response.headers.get("Set-Cookie") is None


@pytest.mark.parametrize(("accept", "encoding", "body"), [
    ("br, gzip, deflate", "br", b"brotli:" + CSS),
    ("gzip, deflate", "gzip", gzip.compress(CSS, mtime=0)),
    ("br;q=0, gzip", "gzip", gzip.compress(CSS, mtime=0)),
    ("identity", None, CSS),
])
def test_the_precompressed_file_the_client_accepts_is_sent(
        client: FlaskClient, static: Path, accept: str, encoding: str | None,
        body: bytes) -> None:
    response = client.get(f"/static/dist/{HASHED['css/app.css']}",
                          headers={"Accept-Encoding": accept})
    assert response.status_code == 200
    assert response.headers.get("Content-Encoding") == encoding
    assert response.data == body
    assert response.mimetype == "text/css"
    assert "Accept-Encoding" in response.vary
    assert response.headers["Cache-Control"] == IMMUTABLE


def test_files_without_a_compressed_sibling_do_not_vary(client: FlaskClient,
                                                        static: Path) -> None:
    response = client.get("/static/dist/fonts/Lora/lora.0123456789ab.woff2",
                          headers={"Accept-Encoding": "br, gzip"})
    assert response.headers.get("Content-Encoding") is None
    assert "Accept-Encoding" not in response.vary


def test_paths_outside_the_static_folder_are_not_found(client: FlaskClient,
                                                       static: Path) -> None:
    (static.parent / "secret.txt").write_text("secret")
    (static.parent / "secret.txt.br").write_text("secret")
    for path in ("/static/dist/../../secret.txt", "/static/dist/css/../../../secret.txt"):
        response = client.get(path, headers={"Accept-Encoding": "br"})
        assert response.status_code == 404, path
        assert b"secret" not in response.data
