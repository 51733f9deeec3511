"""Configuration read from environment variables prefixed ``ORIENTAMENTO_``."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

PROJECT_ROOT = Path(__file__).resolve().parent.parent
TEMPLATES_DIR = PROJECT_ROOT / "templates"
TRANSLATIONS_DIR = PROJECT_ROOT / "translations"
QUESTIONNAIRES_DIR = PROJECT_ROOT / "questionnaires"
INSTANCE_DIR = PROJECT_ROOT / "instance"

DEFAULT_SECRET_KEY = "dev-only-insecure-secret-key"  # noqa: S105 - refused outside development
DEFAULT_AUDIT_PSEUDONYM_KEY = "dev-only-audit-pseudonym-key"  # refused outside development
MIN_KEY_LENGTH = 32
DEFAULT_DEMO_PASSWORD = "demo-Orientamento-2026"  # noqa: S105 - documented demo password
LOCALES = ("it", "en", "ar")
RTL_LOCALES = frozenset({"ar"})


class ConfigError(RuntimeError):
    """The configuration is unsafe or incomplete."""


def env(name: str, default: str | None = None) -> str | None:
    """Read ``ORIENTAMENTO_<name>`` from the environment."""
    return os.environ.get(f"ORIENTAMENTO_{name}", default)


def load_config(overrides: dict[str, Any] | None = None, *, check: bool = True
                ) -> dict[str, Any]:
    """Build the Flask configuration from the environment, then apply overrides.

    Unless ``check`` is false, refuse an unsafe production configuration (ConfigError).
    """
    environment = (overrides or {}).get("ENV_NAME") or env("ENV", "production") or "production"
    sqlite_path = INSTANCE_DIR / "orientamento.db"
    config: dict[str, Any] = {
        "ENV_NAME": environment,
        "SECRET_KEY": env("SECRET_KEY", DEFAULT_SECRET_KEY),
        "SQLALCHEMY_DATABASE_URI": env("DATABASE_URL", f"sqlite:///{sqlite_path}"),
        "SQLALCHEMY_ENGINE_OPTIONS": {},
        # A pooled database connection idle this long is checked before use
        # (database.ping_when_idle); one in steady use is not.
        "DATABASE_PING_AFTER_IDLE_SECONDS": float(
            env("DATABASE_PING_AFTER_IDLE_SECONDS", "10") or 10),
        # How long a SQLite writer waits for the write lock before the request gets a 503.
        "SQLITE_BUSY_TIMEOUT_MS": int(env("SQLITE_BUSY_TIMEOUT_MS", "15000") or 15000),
        "BABEL_DEFAULT_LOCALE": "it",
        "BABEL_DEFAULT_TIMEZONE": "Europe/Rome",
        "BABEL_TRANSLATION_DIRECTORIES": str(TRANSLATIONS_DIR),
        "LOCALES": LOCALES,
        "RATELIMIT_STORAGE_URI": env("RATELIMIT_STORAGE_URI", "memory://"),
        "RATELIMIT_HEADERS_ENABLED": True,
        # Largest request body: the catalogue import (5 MB) plus form overhead.
        "MAX_CONTENT_LENGTH": 6 * 1024 * 1024,
        "API_RATE_LIMIT": env("API_RATE_LIMIT", "300 per minute"),
        "LOGIN_RATE_LIMIT_IP": env("LOGIN_RATE_LIMIT_IP", "30 per minute"),
        "LOGIN_RATE_LIMIT_ACCOUNT": env("LOGIN_RATE_LIMIT_ACCOUNT", "10 per minute"),
        "LOGIN_LOCKOUT_THRESHOLD": 10,
        "LOGIN_LOCKOUT_MINUTES": 15,
        "PASSWORD_RESET_HOURS": 2,
        "INVITATION_DAYS": 7,
        "MAIL_BACKEND": env("MAIL_BACKEND", "console" if environment == "development" else "smtp"),
        "MAIL_SERVER": env("SMTP_HOST", "127.0.0.1"),
        "MAIL_PORT": int(env("SMTP_PORT", "25") or 25),
        "MAIL_USERNAME": env("SMTP_USERNAME"),
        "MAIL_PASSWORD": env("SMTP_PASSWORD"),
        "MAIL_USE_TLS": (env("SMTP_STARTTLS", "false") or "").lower() == "true",
        "MAIL_SENDER": env("MAIL_SENDER", "Orientamento Milano <noreply@orientamento.example.org>"),
        "MAIL_MAX_ATTEMPTS": 8,
        "PUBLIC_URL": env("PUBLIC_URL", "http://127.0.0.1:5000"),
        "DEMO_PASSWORD": env("DEMO_PASSWORD", DEFAULT_DEMO_PASSWORD),
        "SESSION_COOKIE_HTTPONLY": True,
        "SESSION_COOKIE_SAMESITE": "Lax",
        "SESSION_COOKIE_SECURE": environment not in ("development", "testing"),
        "SESSION_COOKIE_NAME": "orientamento_session",
        "PERMANENT_SESSION_LIFETIME": 8 * 3600,
        "WTF_CSRF_TIME_LIMIT": 8 * 3600,
        "FORCE_HTTPS": environment == "production"
        and (env("FORCE_HTTPS", "true") or "").lower() == "true",
        "PAGE_SIZE": 25,
        # Seconds a reverse proxy may serve an anonymous page it keeps (``core.http_cache``).
        "HTTP_CACHE_SHARED_MAX_AGE": int(env("HTTP_CACHE_SHARED_MAX_AGE", "60") or 60),
        "RISK_PSEUDONYM_KEY": env("RISK_PSEUDONYM_KEY"),
        # Its own key, not SECRET_KEY: rotating the session secret keeps the audit pseudonyms.
        "AUDIT_PSEUDONYM_KEY": env("AUDIT_PSEUDONYM_KEY", DEFAULT_AUDIT_PSEUDONYM_KEY),
        # Model flags raised per municipio at each scoring (the outreach teams' capacity).
        "OUTREACH_CAPACITY": int(env("OUTREACH_CAPACITY", "25") or 25),
        # "Contact me" requests accepted from one address (the public form has no account).
        "SELF_REFERRAL_RATE_LIMIT": env("SELF_REFERRAL_RATE_LIMIT", "5 per hour"),
        # Working days a service has to accept a referral before it comes back to the worker.
        "REFERRAL_ANSWER_WORKING_DAYS": int(env("REFERRAL_ANSWER_WORKING_DAYS", "5") or 5),
        # Retention (``flask admin retention``, listed in the privacy notice), in days.
        "RETENTION_SNAPSHOT_DAYS": int(env("RETENTION_SNAPSHOT_DAYS", "730") or 730),
        "RETENTION_CLOSED_FLAG_DAYS": int(env("RETENTION_CLOSED_FLAG_DAYS", "730") or 730),
        "RETENTION_AUDIT_DAYS": int(env("RETENTION_AUDIT_DAYS", "730") or 730),
        "RETENTION_OUTBOX_DAYS": int(env("RETENTION_OUTBOX_DAYS", "90") or 90),
    }
    if overrides:
        config.update(overrides)
    if config["ENV_NAME"] == "testing":
        config.setdefault("TESTING", True)
    if check:
        check_config(config)
    return config


def check_config(config: dict[str, Any]) -> None:
    """Refuse to start with settings that are only safe on a developer's machine."""
    if config["ENV_NAME"] in ("development", "testing"):
        return
    for name, default in (("SECRET_KEY", DEFAULT_SECRET_KEY),
                          ("AUDIT_PSEUDONYM_KEY", DEFAULT_AUDIT_PSEUDONYM_KEY)):
        value = config.get(name)
        if value in (default, "", None) or len(str(value)) < MIN_KEY_LENGTH:
            raise ConfigError(
                f"ORIENTAMENTO_{name} must be set to a random value of at least "
                f"{MIN_KEY_LENGTH} characters outside development and testing."
            )
    if config.get("DEBUG"):
        raise ConfigError("Debug mode is refused in production.")
    if config.get("MAIL_BACKEND") != "smtp":
        raise ConfigError("ORIENTAMENTO_MAIL_BACKEND must be smtp outside development and "
                          "testing: the console backend prints e-mail instead of sending it.")
