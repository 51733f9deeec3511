"""The POST idiom in one call (``submitted``), buttons (``button_pressed``), forms whose refusal
is a message (``validated``) and refusals shown on one field."""

from __future__ import annotations

from typing import Any

import pytest
from flask import Flask, get_flashed_messages
from flask.typing import ResponseReturnValue
from sqlalchemy import select
from wtforms import StringField
from wtforms.validators import InputRequired

from orientamento.auth.models import Role, User
from orientamento.core.errors import Conflict, DomainError
from orientamento.core.forms import (
    Form,
    button_pressed,
    form_status,
    refusal_shown_on,
    submitted,
    validated,
)
from orientamento.extensions import db


class _Named(Form):
    class Meta:
        csrf = False

    name = StringField("Name", validators=[InputRequired()])


def _page(status: int) -> ResponseReturnValue:
    return "the form again", status


def _rename(user: User, name: str) -> str:
    user.display_name = name
    db.session.flush()
    return "Renamed."


def _name_of(user_id: int) -> str | None:
    return db.session.scalar(select(User.display_name).where(User.id == user_id))


def test_a_valid_submission_commits_flashes_and_redirects(app: Flask, make_user: Any) -> None:
    user = make_user(Role.STUDENT, display_name="Before")
    with app.test_request_context(method="POST", data={"name": "After"}):
        form = _Named()
        response: Any = submitted(form, lambda: _rename(user, form.name.data), "/done", _page)
        assert response.status_code == 302 and response.location == "/done"
        assert get_flashed_messages(with_categories=True) == [("success", "Renamed.")]
    db.session.rollback()  # what was committed stays
    assert _name_of(user.id) == "After"


def test_a_refused_submission_is_rolled_back_and_shown_with_its_status(
        app: Flask, make_user: Any) -> None:
    user = make_user(Role.STUDENT, display_name="Before")

    def refused() -> str:
        _rename(user, "Half-written")
        raise Conflict("Someone else answered first.")

    with app.test_request_context(method="POST", data={"name": "After"}):
        form = _Named()
        assert submitted(form, refused, "/done", _page) == ("the form again", 409)
        assert form.form_errors == ["Someone else answered first."]
        assert get_flashed_messages() == []
    assert _name_of(user.id) == "Before"


def test_an_invalid_submission_runs_nothing_and_shows_the_errors(app: Flask) -> None:
    def never() -> str:
        raise AssertionError("the service ran")

    with app.test_request_context(method="POST", data={"name": ""}):
        assert submitted(_Named(), never, "/done", _page) == ("the form again", 400)
    with app.test_request_context(method="GET"):
        assert submitted(_Named(), never, "/done", _page) == ("the form again", 200)


def test_a_refusal_on_a_field_is_that_fields_error_with_status_400(
        app: Flask, make_user: Any) -> None:
    user = make_user(Role.STUDENT, display_name="Before")
    with app.test_request_context(method="POST", data={"name": "After"}):
        form = _Named()
        assert form.validate()
        with refusal_shown_on(form, form.name):
            _rename(user, "Half-written")
            raise Conflict("This name is taken.")
        assert form.name.errors == ["This name is taken."]
        assert form.form_errors == [] and form_status(form) == 400
    assert _name_of(user.id) == "Before"


def test_a_button_runs_its_service_only_when_posted(app: Flask, make_user: Any) -> None:
    user = make_user(Role.STUDENT, display_name="Before")
    with app.test_request_context(method="GET"):
        response: Any = button_pressed(lambda: _rename(user, "Too early"), "Done.", "/back")
        assert response.status_code == 302 and get_flashed_messages() == []
    db.session.rollback()
    assert _name_of(user.id) == "Before"
    with app.test_request_context(method="POST"):
        response = button_pressed(lambda: _rename(user, "After"), "Done.", "/back")
        assert response.location == "/back" and get_flashed_messages() == ["Done."]
    db.session.rollback()
    assert _name_of(user.id) == "After"


def test_validated_gives_the_form_or_refuses_with_the_message(app: Flask) -> None:
    with app.test_request_context(method="POST", data={"name": "Giulia"},
                                  headers={"Accept-Language": "en"}):
        form = _Named()
        assert validated(form, "Give a name.") is form
    with app.test_request_context(method="POST", data={"name": ""},
                                  headers={"Accept-Language": "en"}):
        with pytest.raises(DomainError) as refused:
            validated(_Named(), "Give a name.")
        assert str(refused.value.message) == "Give a name."
        with pytest.raises(DomainError) as expired:
            validated(_Named())
        assert "expired" in str(expired.value.message)
