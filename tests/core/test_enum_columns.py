"""Status and kind columns: enum members in Python, the same VARCHAR columns in the database."""

from __future__ import annotations

from collections.abc import Callable
from enum import StrEnum
from typing import Any

import pytest
from sqlalchemy import Column, Integer, MetaData, Table, select, text
from sqlalchemy.exc import StatementError

from orientamento.courses.models import Course, CourseStatus
from orientamento.database import StrEnumType
from orientamento.events.models import EventStatus, Registration, RegistrationStatus
from orientamento.extensions import db
from orientamento.orgs.models import Provider, ProviderKind

#: Every enum column with the length it had as a plain ``String``: the schema must not move.
ENUM_COLUMNS = {
    "risk_model_versions.status": 10,
    "providers.kind": 20,
    "outreach_flags.status": 10,
    "outreach_decisions.kind": 12,
    "outreach_contacts.decision_kind": 12,
    "outreach_contacts.outcome": 20,
    "events.kind": 20,
    "events.status": 20,
    "event_staff.status": 20,
    "event_classes.status": 20,
    "registrations.status": 20,
    "assessment_responses.status": 12,
    "places.kind": 10,
    "courses.kind": 20,
    "courses.status": 10,
    "outbox_messages.status": 10,
    "visit_requests.status": 20,
}


def _enum_columns() -> dict[str, Column[Any]]:
    return {f"{table.name}.{column.name}": column
            for table in db.metadata.sorted_tables for column in table.columns
            if isinstance(column.type, StrEnumType)}


def test_enum_columns_compile_to_the_varchar_they_were(app: Any) -> None:
    columns = _enum_columns()
    assert set(ENUM_COLUMNS) <= set(columns)
    for name, length in ENUM_COLUMNS.items():
        compiled = columns[name].type.compile(dialect=db.engine.dialect)
        assert compiled == f"VARCHAR({length})", name


def test_enum_columns_keep_their_check_constraints(app: Any) -> None:
    """The CHECK beside each model still lists the values (a sample: one per feature)."""
    for table, constraint in [("events", "ck_events_status_valid"),
                              ("courses", "ck_courses_status_valid"),
                              ("providers", "ck_providers_kind_valid"),
                              ("outreach_contacts", "ck_outreach_contacts_outcome_valid"),
                              ("visit_requests", "ck_visit_requests_status_valid")]:
        names = {c.name for c in db.metadata.tables[table].constraints}
        assert constraint in names, table


def test_a_loaded_row_holds_enum_members(make_provider: Callable[..., Provider],
                                         make_course: Callable[..., Course]) -> None:
    provider = make_provider(kind="its_foundation")
    course = make_course(provider)
    db.session.expire_all()
    loaded = db.session.scalars(
        select(Course).where(Course.status == CourseStatus.ACTIVE, Course.id == course.id)).one()
    assert type(loaded.status) is CourseStatus
    assert loaded.status is CourseStatus.ACTIVE
    assert type(loaded.provider.kind) is ProviderKind
    assert loaded.provider.kind is ProviderKind.ITS_FOUNDATION
    stored = db.session.execute(
        text("SELECT status FROM courses WHERE id = :id"), {"id": course.id}).scalar_one()
    assert type(stored) is str and stored == "active"


def test_a_plain_string_assigned_becomes_the_member_and_an_unknown_one_is_refused(
        app: Any) -> None:
    registration = Registration(status="waitlisted")
    assert registration.status is RegistrationStatus.WAITLISTED
    with pytest.raises(ValueError, match="RegistrationStatus"):
        registration.status = "booked"  # type: ignore[assignment]


class _Colour(StrEnum):
    RED = "red"


def test_an_unknown_stored_value_raises_a_clear_error_on_load(app: Any) -> None:
    """A value the enum does not know (a row written by hand, an older release) is named."""
    probe = Table("enum_column_probe", MetaData(),
                  Column("id", Integer, primary_key=True),
                  Column("colour", StrEnumType(_Colour, 10)))
    connection = db.session.connection()
    probe.create(connection)
    try:
        connection.execute(text("INSERT INTO enum_column_probe (id, colour) VALUES (1, 'blue')"))
        with pytest.raises(ValueError, match=r"unknown _Colour 'blue' stored in the database"):
            connection.execute(select(probe.c.colour)).scalar_one()
        with pytest.raises(StatementError, match="'green' is not a _Colour"):
            connection.execute(probe.insert(), {"id": 2, "colour": "green"})
    finally:
        db.session.rollback()
        probe.drop(db.session.connection(), checkfirst=True)
        db.session.commit()


def test_queries_bind_members_and_plain_values_alike(app: Any) -> None:
    """``Event.status == EventStatus.SCHEDULED`` binds the string the column stores."""
    column = db.metadata.tables["events"].c.status
    for value in (EventStatus.CANCELLED, "cancelled"):
        compiled = (column == value).compile(dialect=db.engine.dialect,
                                             compile_kwargs={"literal_binds": True})
        assert str(compiled) == "events.status = 'cancelled'"
