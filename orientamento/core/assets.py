"""The built front-end: hashed asset URLs for templates, and how static files are served.

``make assets`` (assets/build.mjs) writes every file of ``static/dist`` twice: under its
plain name and under a content-hashed one (``css/app.css`` and ``css/app.<hash>.css``),
listed in ``dist/manifest.json``; text files also get ``.gz`` and ``.br`` siblings.

- ``asset_url("css/app.css")`` in a template gives the hashed file's URL; a name the
  manifest does not list (or no manifest, before a build) falls back to the plain name.
- Hashed files never change, so they are cached for a year as ``immutable``: a repeat visit
  asks nothing. Plain names keep working with a short cache, and other static files with
  Flask's default (revalidated).
- A client that accepts brotli or gzip gets the precompressed sibling, with the matching
  ``Content-Encoding`` and ``Vary: Accept-Encoding``.
"""

from __future__ import annotations

import json
import mimetypes
import os
import re
from pathlib import Path

from flask import (
    Flask,
    Response,
    abort,
    current_app,
    request,
    send_from_directory,
    session,
    url_for,
)
from werkzeug.security import safe_join

DIST = "dist"
MANIFEST = "manifest.json"
#: ``name.<12 hex digits>.ext``, as assets/build.mjs names hashed files.
HASHED_NAME = re.compile(r"\.[0-9a-f]{12}\.[A-Za-z0-9]+$")
IMMUTABLE = "public, max-age=31536000, immutable"
#: Plain names of built files: cached briefly, as their contents change with each build.
SHORT_CACHE_SECONDS = 300
#: Encodings the build writes, in order of preference, with their file suffix.
ENCODINGS = (("br", ".br"), ("gzip", ".gz"))


class Manifest:
    """``dist/manifest.json``, read again whenever a build has replaced it."""

    def __init__(self, static_folder: str) -> None:
        self.path = Path(static_folder) / DIST / MANIFEST
        self._stamp: tuple[int, int] | None = None
        self._names: dict[str, str] = {}

    def names(self) -> dict[str, str]:
        """Plain name -> hashed name, e.g. ``css/app.css`` -> ``css/app.<hash>.css``."""
        try:
            stat = os.stat(self.path)
        except OSError:
            self._stamp, self._names = None, {}
            return self._names
        stamp = (stat.st_ino, stat.st_mtime_ns)
        if stamp != self._stamp:
            try:
                self._names = json.loads(self.path.read_text(encoding="utf-8"))
            except (OSError, ValueError):
                return self._names  # caught mid-swap: keep the names read last time
            self._stamp = stamp
        return self._names


def asset_url(name: str) -> str:
    """URL of the built asset ``name`` (a path under ``static/dist``), hashed when built."""
    manifest: Manifest = current_app.extensions["assets_manifest"]
    return url_for("static", filename=f"{DIST}/{manifest.names().get(name, name)}")


def _encoded_variant(path: str, filename: str) -> tuple[str, str] | None:
    """The precompressed sibling of ``filename`` (at ``path``) the client accepts, with its
    encoding."""
    accepted = request.accept_encodings
    for encoding, suffix in ENCODINGS:
        if accepted[encoding] and os.path.isfile(path + suffix):
            return encoding, filename + suffix
    return None


def send_static_file(filename: str) -> Response:
    """Serve a static file: long cache for hashed names, precompressed when accepted."""
    folder = str(current_app.static_folder)
    path = safe_join(folder, filename)
    if path is None:
        abort(404)
    built = filename.startswith(f"{DIST}/")
    hashed = built and HASHED_NAME.search(filename) is not None
    variant = _encoded_variant(path, filename) if built else None
    if variant is None:
        response = send_from_directory(folder, filename)
    else:
        encoding, encoded_name = variant
        mimetype = mimetypes.guess_type(filename)[0] or "application/octet-stream"
        response = send_from_directory(folder, encoded_name, mimetype=mimetype)
        response.headers["Content-Encoding"] = encoding
    if built:
        if any(os.path.isfile(path + suffix) for _, suffix in ENCODINGS):
            response.vary.add("Accept-Encoding")
        response.headers["Cache-Control"] = (
            IMMUTABLE if hashed else f"public, max-age={SHORT_CACHE_SECONDS}")
    return response


def init_assets(app: Flask) -> None:
    """Add ``asset_url`` to templates and serve ``/static`` with the rules above.

    Call it before Flask-Login's set-up: hooks run in the reverse order of registration,
    and ``_static_files_ignore_the_session`` must run after Flask-Login's, which reads the
    session on every response. A session read adds ``Vary: Cookie``, and a browser keeps
    such a file only until the session cookie changes (the first page sets it): a repeat
    visit would download every asset again.
    """
    app.extensions["assets_manifest"] = Manifest(str(app.static_folder))
    app.jinja_env.globals["asset_url"] = asset_url
    app.view_functions["static"] = send_static_file

    @app.after_request
    def _static_files_ignore_the_session(response: Response) -> Response:
        if request.endpoint == "static" and not session.modified:
            session.accessed = False
        return response
