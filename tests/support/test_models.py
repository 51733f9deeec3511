"""The catalogue's invariants live in the database: CHECK and UNIQUE constraints."""

from __future__ import annotations

from datetime import date, time
from typing import Any

import pytest
from flask import Flask
from sqlalchemy import text
from sqlalchemy.exc import IntegrityError

from orientamento.extensions import db
from orientamento.support.models import (
    AccessMode,
    OpeningHours,
    ServiceLanguage,
    SupportLocation,
    SupportService,
    SupportSite,
)
from tests.support.factories import small_catalogue, stored_ids, write


@pytest.fixture
def ids(app: Flask) -> dict[str, int]:
    write(small_catalogue())
    return stored_ids()


def _refused(row: Any) -> None:
    db.session.add(row)
    with pytest.raises(IntegrityError):
        db.session.flush()
    db.session.rollback()


def _update_refused(sql: str, **params: Any) -> None:
    with pytest.raises(IntegrityError):
        db.session.execute(text(sql), params)
    db.session.rollback()


def test_a_location_has_a_municipio_from_1_to_9(ids: dict[str, int]) -> None:
    for municipio in (0, 10):
        _update_refused("UPDATE support_locations SET municipio = :m", m=municipio)
    db.session.execute(text("UPDATE support_locations SET municipio = 9"))  # accepted


def test_a_location_has_a_five_digit_postal_code_and_paired_coordinates(
        ids: dict[str, int]) -> None:
    _update_refused("UPDATE support_locations SET postal_code = '2012'")
    _update_refused("UPDATE support_locations SET latitude = NULL WHERE id = :i",
                    i=ids["location_id"])
    _update_refused("UPDATE support_locations SET latitude = 91, longitude = 9")


def test_a_service_has_ages_in_range_and_in_order(ids: dict[str, int]) -> None:
    _update_refused("UPDATE support_services SET min_age = 30, max_age = 20")
    _update_refused("UPDATE support_services SET max_age = 121")
    _update_refused("UPDATE support_services SET min_age = -1")


@pytest.mark.parametrize(("table", "column"), [
    ("support_organisations", "kind"), ("support_services", "access"),
    ("support_services", "residence"), ("support_service_help", "kind"),
    ("support_service_statuses", "status")])
def test_typed_columns_refuse_unknown_values(ids: dict[str, int], table: str,
                                             column: str) -> None:
    _update_refused(f"UPDATE {table} SET {column} = 'nonsense'")  # noqa: S608 (fixed names)


def test_enum_columns_hold_members(ids: dict[str, int]) -> None:
    service = db.session.get(SupportService, ids["service_id"])
    assert service is not None
    service.access = "booking"  # type: ignore[assignment]
    assert service.access is AccessMode.BOOKING
    with pytest.raises(ValueError, match="AccessMode"):
        service.access = "teleport"  # type: ignore[assignment]


def test_a_language_is_two_lower_case_letters(ids: dict[str, int]) -> None:
    _refused(ServiceLanguage(service_id=ids["service_id"], code="EN"))
    _refused(ServiceLanguage(service_id=ids["service_id"], code="e"))


def test_opening_hours_are_on_a_weekday_and_close_after_opening(ids: dict[str, int]) -> None:
    site = ids["site_id"]
    _refused(OpeningHours(site_id=site, weekday=7, opens=time(9), closes=time(10)))
    _refused(OpeningHours(site_id=site, weekday=1, opens=time(10), closes=time(9)))
    _refused(OpeningHours(site_id=site, weekday=0, opens=time(9), closes=time(11)))  # twice


def test_a_site_is_unique_per_service_and_location_with_ordered_validity(
        ids: dict[str, int]) -> None:
    _refused(SupportSite(uid="55555555-5555-4555-8555-555555555555",
                         service_id=ids["service_id"], location_id=ids["location_id"]))
    _update_refused("UPDATE support_sites SET hours_valid_from = :a, hours_valid_to = :b",
                    a=date(2027, 6, 1), b=date(2027, 1, 1))


def test_uids_are_unique(ids: dict[str, int]) -> None:
    location = db.session.get(SupportLocation, ids["location_id"])
    assert location is not None
    _refused(SupportLocation(uid=location.uid, organisation_id=ids["organisation_id"],
                             address="Via Altra 1", postal_code="20100"))


def test_deleting_an_organisation_removes_everything_it_offers(ids: dict[str, int]) -> None:
    db.session.execute(text("DELETE FROM support_organisations"))
    for table in ("support_services", "support_locations", "support_sites",
                  "support_opening_hours", "support_service_help",
                  "support_service_languages"):
        assert db.session.scalar(text(f"SELECT count(*) FROM {table}")) == 0  # noqa: S608


def test_no_support_table_holds_personal_data(app: Flask) -> None:
    """Nothing here points at users: the data-subject export and erasure need no change."""
    for name, table in db.metadata.tables.items():
        if name.startswith("support_"):
            assert all(fk.column.table.name != "users" for fk in table.foreign_keys), name
