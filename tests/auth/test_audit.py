"""Audit pseudonyms: keyed by their own setting, so rotating the session secret keeps them."""

from __future__ import annotations

import hashlib
import hmac

from orientamento.auth import audit
from tests.conftest import make_app


def _audit_pseudonym(database_url: str, user_id: int, **keys: str) -> str:
    app = make_app(database_url, **keys)
    with app.app_context():
        return audit.pseudonym(user_id)


def test_rotating_the_secret_key_leaves_audit_pseudonyms_unchanged(database_url: str) -> None:
    before = _audit_pseudonym(database_url, 7, SECRET_KEY="first-session-secret" * 2,
                              AUDIT_PSEUDONYM_KEY="audit-key-" * 4)
    after = _audit_pseudonym(database_url, 7, SECRET_KEY="second-session-secret" * 2,
                             AUDIT_PSEUDONYM_KEY="audit-key-" * 4)
    assert before == after


def test_the_audit_pseudonym_is_the_hmac_of_the_id_under_the_audit_key(database_url: str) -> None:
    # Computed here with the standard library, in the format of the entries already stored.
    expected = hmac.new(b"audit-key-" * 4, b"audit:7", hashlib.sha256).hexdigest()[:32]
    assert _audit_pseudonym(database_url, 7, AUDIT_PSEUDONYM_KEY="audit-key-" * 4) == expected
    other_key = _audit_pseudonym(database_url, 7, AUDIT_PSEUDONYM_KEY="another-audit-key" * 2)
    assert other_key != expected
    assert _audit_pseudonym(database_url, 8, AUDIT_PSEUDONYM_KEY="audit-key-" * 4) != expected


def test_an_upgrade_keeps_earlier_pseudonyms_with_the_former_secret_as_audit_key(
    database_url: str,
) -> None:
    # Before this setting existed, audit pseudonyms were keyed by SECRET_KEY: the README tells
    # an upgrading deployment to set the audit key to that value.
    former_secret = "the-secret-key-of-an-older-release"
    stored_before = hmac.new(former_secret.encode(), b"audit:42", hashlib.sha256).hexdigest()[:32]
    assert _audit_pseudonym(database_url, 42, SECRET_KEY="a-new-rotated-secret-key" * 2,
                            AUDIT_PSEUDONYM_KEY=former_secret) == stored_before
