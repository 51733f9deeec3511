"""The password policy: length, the user's own names, zxcvbn's score and its feedback translated."""

from __future__ import annotations

import ast
import html
from collections.abc import Callable
from pathlib import Path

import pytest
import zxcvbn.feedback
from flask import Flask
from flask.testing import FlaskClient
from flask_babel import force_locale
from sqlalchemy import func, select

from orientamento.auth import passwords
from orientamento.auth.models import User
from orientamento.auth.passwords import (
    MAX_LENGTH,
    ZXCVBN_MESSAGES,
    common_passwords,
    password_problems,
)
from orientamento.extensions import db
from tests.conftest import PASSWORD, born_years_ago, log_in


def _register(client: FlaskClient, password: str, **overrides: str) -> tuple[int, str]:
    years_ago = born_years_ago(16)
    data = {
        "display_name": "Giulia", "email": "giulia.rossi@example.org",
        "date_of_birth": years_ago.isoformat(), "password": password, "confirm": password,
        "accept_privacy": "y", **overrides,
    }
    response = client.post("/account/register", data=data)
    return response.status_code, html.unescape(response.get_data(as_text=True))


def _user_count() -> int:
    return db.session.scalar(select(func.count()).select_from(User)) or 0


def _texts(problems: list[object]) -> list[str]:
    with force_locale("en"):
        return [str(problem) for problem in problems]


@pytest.mark.calendar  # registers someone aged 16 today
def test_a_weak_but_long_password_is_refused_with_zxcvbn_feedback(client: FlaskClient) -> None:
    client.post("/language", data={"language": "en"})
    status, page = _register(client, "passwordpassword")  # 16 characters, a repeated word
    assert status == 400
    assert ('Repeated groups such as "abcabcabc" are hardly harder to guess than "abc". '
            "Add another word or two: uncommon words are better. "
            "Avoid repeated words and characters.") in page
    assert _user_count() == 0


@pytest.mark.calendar  # registers someone aged 16 today
def test_the_feedback_is_in_italian_by_default(client: FlaskClient) -> None:
    status, page = _register(client, "iloveyou2024")
    assert status == 400
    assert ("È simile a una password molto usata. "
            "Aggiungi una o due parole, meglio se poco comuni.") in page
    assert "commonly used" not in page


@pytest.mark.calendar  # registers someone aged 16 today
def test_a_strong_password_is_accepted(client: FlaskClient) -> None:
    status, _ = _register(client, "Nebbia-sui-Navigli-all-alba")
    assert status == 302
    assert _user_count() == 1


@pytest.mark.calendar  # registers someone aged 16 today
def test_the_users_name_is_refused(client: FlaskClient) -> None:
    client.post("/language", data={"language": "en"})
    status, page = _register(client, "Giulia-Milano-2007!")
    assert status == 400
    assert "Do not use your name, username or e-mail in the password." in page
    assert _user_count() == 0


def test_the_users_names_count_among_the_words_a_guesser_tries() -> None:
    # A surname and a year: strong for anyone else, weak for Ada Brambilla, whose surname is
    # in her e-mail address (but not her whole address, which the substring rule checks).
    assert password_problems("Brambilla1987!", "ada.brambilla@example.org", "Ada")
    assert password_problems("Brambilla1987!", "giulia.rossi@example.org", "Giulia") == []
    # ... and a previous user's names do not stay in zxcvbn's dictionary.
    assert password_problems("Brambilla1987!") == []


def test_changing_the_password_checks_the_signed_in_users_names(
    client: FlaskClient, make_user: Callable[..., User]
) -> None:
    user = make_user(email="ada.brambilla@example.org", display_name="Ada")
    log_in(client, user)
    client.post("/language", data={"language": "en"})
    response = client.post("/account/password", data={
        "current": PASSWORD, "password": "Brambilla1987!", "confirm": "Brambilla1987!"})
    assert response.status_code == 400
    assert "Capital letters do not help much." in html.unescape(response.get_data(as_text=True))


def test_eight_characters_without_a_pattern_are_enough(app: Flask) -> None:
    # zxcvbn's score for these is 2 (10^8 + 1 guesses, its floor for 8 characters): the policy
    # counts that boundary as score 3, or no 8-character password could pass.
    assert password_problems("Qv7#nL2x") == []
    assert password_problems("zq8Kw3Tv") == []
    assert _texts(password_problems("12345678")) == [
        "This is one of the 10 most common passwords. "
        "Add another word or two: uncommon words are better."]


@pytest.mark.parametrize("length", [8, 64, 72, 100, MAX_LENGTH])
def test_long_passphrases_are_accepted_up_to_the_maximum(app: Flask, length: int) -> None:
    phrase = ("Nebbia sui Navigli, all'alba, e un tram arancione che passa piano "
              "davanti alla Darsena mentre il caffè si raffredda sul tavolino di marmo")
    password = phrase[:length] if length > 8 else "Qv7#nL2x"
    assert len(password) == length
    assert password_problems(password) == []


def test_too_short_and_too_long_passwords_are_refused(app: Flask) -> None:
    assert _texts(password_problems("Qv7#nL2")) == ["Use at least 8 characters."]
    assert _texts(password_problems("x" * (MAX_LENGTH + 1))) == [
        f"Use at most {MAX_LENGTH} characters."]


def test_common_passwords_are_refused(app: Flask) -> None:
    # Every 50th of the 30,000 most common passwords that are long enough to be tried at all.
    candidates = sorted(word for word in common_passwords() if len(word) >= 8)[::50]
    assert len(candidates) > 100
    accepted = [word for word in candidates if not password_problems(word)]
    assert accepted == []


def test_every_message_zxcvbn_can_give_has_our_translation() -> None:
    # The strings passed to _() in the installed zxcvbn's feedback module: if an upgrade adds
    # one, this fails, so the new one gets our own msgid (meanwhile a generic text is shown).
    tree = ast.parse(Path(zxcvbn.feedback.__file__).read_text(encoding="utf-8"))
    produced = {
        node.args[0].value for node in ast.walk(tree)
        if isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and node.func.id == "_"
        and node.args and isinstance(node.args[0], ast.Constant)
    }
    assert len(produced) == 27
    assert produced == set(ZXCVBN_MESSAGES)


def test_unknown_feedback_falls_back_to_a_generic_message(
    app: Flask, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(passwords, "_feedback", lambda password, personal: (
        1e4, "A warning from a newer zxcvbn.", ["A suggestion from a newer zxcvbn."]))
    assert _texts(password_problems("Nebbia-sui-Navigli")) == [
        "This password is too common or too easy to guess. "
        "Try a short sentence of uncommon words that you can remember."]
