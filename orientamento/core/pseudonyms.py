"""Keyed pseudonyms: HMAC-SHA256 of an identifier, so the identifier itself is never stored.

The audit log (user ids, unknown logins) and the risk records (source ids) both use this one
helper, each with its own key (``AUDIT_PSEUDONYM_KEY``, ``RISK_PSEUDONYM_KEY``) rather than the
session's ``SECRET_KEY``, so rotating the session secret leaves pseudonyms unchanged. The same
value always gives the same pseudonym under one key; without the key it cannot be reversed.
"""

from __future__ import annotations

import hashlib
import hmac

DIGEST_LENGTH = 64  # hex digits of a full SHA-256


def keyed_pseudonym(key: bytes, value: str, *, length: int = DIGEST_LENGTH) -> str:
    """Return the first ``length`` hex digits of HMAC-SHA256(key, value)."""
    if not key:
        raise ValueError("a pseudonym needs a non-empty key")
    if not 0 < length <= DIGEST_LENGTH:
        raise ValueError(f"length must lie between 1 and {DIGEST_LENGTH}")
    return hmac.new(key, value.encode("utf-8"), hashlib.sha256).hexdigest()[:length]
