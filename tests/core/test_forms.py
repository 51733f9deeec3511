"""The project's form base: every text field refuses control and text-direction characters."""

from __future__ import annotations

from typing import Any

from flask import Flask
from werkzeug.datastructures import MultiDict
from wtforms import HiddenField, PasswordField, StringField, TextAreaField

from orientamento.core.forms import Form


class _Sample(Form):
    class Meta:
        csrf = False

    name = StringField("Name")
    notes = TextAreaField("Notes")
    secret = PasswordField("Password")
    back = HiddenField("Back")


def _errors(**values: str) -> dict[str, list[str]]:
    form = _Sample(MultiDict(values))
    form.validate()
    return {name: list(errors) for name, errors in form.errors.items()}


def test_names_and_text_refuse_bidi_overrides_and_control_characters(app: Flask) -> None:
    with app.test_request_context(headers={"Accept-Language": "en"}):
        assert set(_errors(name="Gi\u202eulia", notes="ok")) == {"name"}
        assert set(_errors(name="ok", notes="una \u2067nota")) == {"notes"}
        assert set(_errors(name="Giulia\x1b[31m")) == {"name"}
        assert set(_errors(name="two\nlines")) == {"name"}
        assert "text-direction" in _errors(name="\u202e")["name"][0]


def test_text_areas_keep_their_lines_and_passwords_and_hidden_fields_are_left_alone(
        app: Flask) -> None:
    with app.test_request_context():
        assert _errors(name="Giulia", notes="one\r\ntwo\tthree") == {}
        assert _errors(secret="\u202eanything\x01", back="\u202e") == {}


def test_the_check_is_added_once_per_form_however_many_forms_are_made(app: Flask) -> None:
    with app.test_request_context():
        counts = {len(_Sample().name.validators) for _ in range(3)}
    assert counts == {1}


def test_a_refused_service_call_rolls_back_and_shows_its_message_and_status(
        app: Flask, make_user: Any) -> None:
    from sqlalchemy import select

    from orientamento.auth.models import Role, User
    from orientamento.core.errors import Conflict
    from orientamento.core.forms import form_status, refusal_shown_on
    from orientamento.extensions import db

    user = make_user(Role.STUDENT, display_name="Before")
    with app.test_request_context():
        form = _Sample(MultiDict({"name": "ok"}))
        assert form.validate() and form_status(form) == 200
        with refusal_shown_on(form):
            user.display_name = "Half-written"
            db.session.flush()
            raise Conflict("Someone else answered first.")
        assert form.form_errors == ["Someone else answered first."]
        assert form_status(form) == 409
    assert db.session.scalar(select(User.display_name).where(User.id == user.id)) == "Before"
