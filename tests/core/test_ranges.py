"""Dates and whole numbers out of any sensible range are a 400 with a message, never a 500."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import func, select
from werkzeug.datastructures import MultiDict
from wtforms import Form

from orientamento.auth.models import Role, User
from orientamento.core.forms import LARGEST_INTEGER, DayField, WholeNumberField
from orientamento.events.models import Event
from orientamento.extensions import db
from tests.conftest import log_in

EN = {"Accept-Language": "en"}


class _Probe(Form):
    day = DayField()
    number = WholeNumberField()


@pytest.mark.parametrize(("day", "accepted"), [
    ("0001-01-01", False), ("1899-12-31", False), ("1900-01-01", True),
    ("2099-12-31", True), ("2100-01-01", False), ("9999-12-31", False),
])
def test_a_day_field_takes_the_platforms_range(app: Flask, day: str, accepted: bool) -> None:
    with app.test_request_context(headers=EN):
        form = _Probe(formdata=MultiDict({"day": day}))
        assert form.validate() is accepted
        if not accepted:
            assert form.day.data is None  # no later check computes with it
            assert "Give a date between" in form.day.errors[0]


@pytest.mark.parametrize(("number", "accepted"), [
    (str(LARGEST_INTEGER), True), (str(LARGEST_INTEGER + 1), False),
    (str(-LARGEST_INTEGER - 1), False), ("99999999999999999999", False), ("12", True),
])
def test_a_whole_number_field_takes_what_a_column_holds(app: Flask, number: str,
                                                        accepted: bool) -> None:
    with app.test_request_context(headers=EN):
        form = _Probe(formdata=MultiDict({"number": number}))
        assert form.validate() is accepted
        if not accepted:
            assert form.number.errors == ["The number is too large."]


@pytest.mark.parametrize("query", ["from_day=0001-01-01", "from_day=9999-12-31",
                                   "course=99999999999999999999"])
def test_the_public_events_list_refuses_values_out_of_range(client: FlaskClient,
                                                            query: str) -> None:
    assert client.get(f"/events/?{query}", headers=EN).status_code == 400


def test_the_visit_search_refuses_a_day_out_of_range(
        client: FlaskClient, make_user: Callable[..., User]) -> None:
    log_in(client, make_user(Role.COUNSELLOR))
    response = client.get("/events/visits/browse?from_day=0001-01-01", headers=EN)
    assert response.status_code == 400
    assert "Give a date between" in response.get_data(as_text=True)


def test_an_event_form_with_a_day_out_of_range_writes_nothing(
        client: FlaskClient, make_user: Callable[..., User], reference_data: None) -> None:
    log_in(client, make_user(Role.PROVIDER))
    response = client.post("/events/new", headers=EN, data={
        "kind": "open_day", "title": "Open day", "day": "2027-05-12", "start": "10:00",
        "end": "12:00", "capacity": "20", "registration_opens": "0001-01-01",
        "address": "Via Roma 1", "place_code": "015146"})
    assert response.status_code == 400
    assert "Give a date between" in response.get_data(as_text=True)
    assert db.session.scalar(select(func.count()).select_from(Event)) == 0
