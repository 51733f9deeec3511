"""Security headers, cookies, error pages and configuration safety."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from flask import Flask
from flask.testing import FlaskClient

from orientamento.auth.models import User
from orientamento.config import DEFAULT_AUDIT_PSEUDONYM_KEY, DEFAULT_SECRET_KEY, ConfigError
from tests.conftest import PASSWORD, log_in, make_app

# Keys good enough for production, so each refusal below has one cause only.
PRODUCTION_KEYS = {"SECRET_KEY": "x" * 40, "AUDIT_PSEUDONYM_KEY": "a" * 40}


def test_strict_content_security_policy(client: FlaskClient) -> None:
    policy = client.get("/account/login").headers["Content-Security-Policy"]
    directives = dict(part.strip().split(" ", 1) for part in policy.split(";"))
    assert directives["object-src"] == "'none'"
    assert directives["base-uri"] == "'none'"
    assert directives["frame-ancestors"] == "'none'"
    assert directives["default-src"] == "'self'"
    assert "'nonce-" in directives["script-src"]
    assert directives["font-src"] == "'self' data:"
    assert "unsafe-inline" not in policy and "unsafe-eval" not in policy


def test_other_security_headers(client: FlaskClient) -> None:
    headers = client.get("/").headers
    assert headers["X-Content-Type-Options"] == "nosniff"
    assert headers["Referrer-Policy"] == "strict-origin-when-cross-origin"
    assert headers["X-Frame-Options"] == "DENY"


def test_personal_pages_are_not_stored(
    client: FlaskClient, make_user: Callable[..., User]
) -> None:
    assert client.get("/").headers["Cache-Control"] != "no-store"
    log_in(client, make_user())
    assert client.get("/account/").headers["Cache-Control"] == "no-store"
    assert client.get("/").headers["Cache-Control"] == "no-store"


def test_session_cookie_flags(client: FlaskClient, make_user: Callable[..., User]) -> None:
    user = make_user()
    response = client.post("/account/login", data={"login": user.login_name, "password": PASSWORD})
    cookie = response.headers["Set-Cookie"]
    assert "HttpOnly" in cookie and "SameSite=Lax" in cookie


def test_cookies_are_secure_and_https_enforced_in_production(
    database_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    app = make_app(database_url, ENV_NAME="production", **PRODUCTION_KEYS)
    assert app.config["SESSION_COOKIE_SECURE"] is True
    response = app.test_client().get("/healthz")
    assert response.status_code == 302 and response.headers["Location"].startswith("https://")
    secure = app.test_client().get("/healthz", base_url="https://localhost")
    assert "max-age=" in secure.headers["Strict-Transport-Security"]


@pytest.mark.parametrize("key", [DEFAULT_SECRET_KEY, "", "too-short"])
def test_production_refuses_a_weak_secret_key(database_url: str, key: str) -> None:
    with pytest.raises(ConfigError, match="ORIENTAMENTO_SECRET_KEY"):
        make_app(database_url, ENV_NAME="production", **{**PRODUCTION_KEYS, "SECRET_KEY": key})


@pytest.mark.parametrize("key", [DEFAULT_AUDIT_PSEUDONYM_KEY, "", "too-short"])
def test_production_refuses_a_weak_audit_pseudonym_key(database_url: str, key: str) -> None:
    with pytest.raises(ConfigError, match="ORIENTAMENTO_AUDIT_PSEUDONYM_KEY"):
        make_app(database_url, ENV_NAME="production",
                 **{**PRODUCTION_KEYS, "AUDIT_PSEUDONYM_KEY": key})


def test_production_refuses_to_start_without_an_audit_pseudonym_key(
    database_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    # As deployed: the settings come from the environment, and this one is missing.
    monkeypatch.delenv("ORIENTAMENTO_AUDIT_PSEUDONYM_KEY", raising=False)
    with pytest.raises(ConfigError, match="ORIENTAMENTO_AUDIT_PSEUDONYM_KEY"):
        make_app(database_url, ENV_NAME="production", SECRET_KEY="x" * 40)
    monkeypatch.setenv("ORIENTAMENTO_AUDIT_PSEUDONYM_KEY", "k" * 40)
    app = make_app(database_url, ENV_NAME="production", SECRET_KEY="x" * 40)
    assert app.config["AUDIT_PSEUDONYM_KEY"] == "k" * 40


def test_production_refuses_debug(database_url: str) -> None:
    with pytest.raises(ConfigError, match="Debug"):
        make_app(database_url, ENV_NAME="production", DEBUG=True, **PRODUCTION_KEYS)


def test_development_accepts_the_default_key(database_url: str) -> None:
    app = make_app(database_url, ENV_NAME="development", SECRET_KEY=DEFAULT_SECRET_KEY)
    assert app.config["SESSION_COOKIE_SECURE"] is False


def test_errors_are_localized_pages_without_traces(app: Flask, client: FlaskClient) -> None:
    @app.get("/boom")
    def boom() -> str:
        raise RuntimeError("secret internals")

    response = client.get("/boom")
    assert response.status_code == 500
    body = response.get_data(as_text=True)
    assert "secret internals" not in body and "Traceback" not in body
    assert 'lang="it"' in body
    missing = client.get("/nowhere")
    assert missing.status_code == 404 and "Pagina non trovata" in missing.get_data(as_text=True)
    assert client.post("/").status_code == 405


def test_static_assets_are_self_hosted(client: FlaskClient) -> None:
    page = client.get("/").get_data(as_text=True)
    assert "http://" not in page.replace("http://www.w3.org", "")
    assert "https://" not in page
