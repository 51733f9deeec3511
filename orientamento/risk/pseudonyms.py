"""Keyed pseudonyms of source ids: HMAC-SHA256 with a secret key, so raw ids are never stored.

The key is ``ORIENTAMENTO_RISK_PSEUDONYM_KEY``; without it, a key derived from the secret key
(so a deployment that rotates its secret key must set this one to keep pseudonyms stable).
The same source id always gives the same pseudonym under one key, which lets a later snapshot
and a data-subject request find the person again.
"""

from __future__ import annotations

import hashlib
import hmac

from flask import current_app

from orientamento.core.pseudonyms import keyed_pseudonym


def pseudonym_key() -> bytes:
    """The HMAC key for the current app."""
    configured = current_app.config.get("RISK_PSEUDONYM_KEY")
    if configured:
        return str(configured).encode("utf-8")
    secret = str(current_app.config["SECRET_KEY"]).encode("utf-8")
    return hmac.new(secret, b"orientamento-risk-pseudonym", hashlib.sha256).digest()


def pseudonymize(source_id: str, key: bytes | None = None) -> str:
    """The pseudonym of a source id (surrounding spaces and letter case do not matter)."""
    return keyed_pseudonym(key or pseudonym_key(), source_id.strip().upper())
