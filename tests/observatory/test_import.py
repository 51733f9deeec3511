"""Importing labour demand: the canonical CSV, Excelsior-style headers and mappings, bad rows
refused all or nothing, on the admin page and with ``flask observatory import-demand``."""

from __future__ import annotations

import io
from collections.abc import Callable
from datetime import date
from pathlib import Path

import pytest
from flask.testing import FlaskClient, FlaskCliRunner
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import func, select

from orientamento.auth.models import Role, User
from orientamento.extensions import db
from orientamento.observatory.models import EducationAsked, LabourDemand
from orientamento.observatory.transfer import import_file
from tests.observatory.factories import demand_csv


def _count() -> int:
    return db.session.scalar(select(func.count()).select_from(LabourDemand)) or 0


def test_a_valid_file_is_stored_and_a_second_import_updates_by_key(app: object) -> None:
    rows = [("3.1.2", "015", "2026-01", 120, "55.5", "any"),
            ("3.1.2", "015", "2026-01", 40, "", "its"),
            ("5.2.2.1.0", "015146", "2026-02", 1300, "30%", "Diploma")]
    report = import_file(demand_csv(rows), source="test")
    assert report.ok and report.created == 3
    db.session.commit()
    stored = db.session.scalars(select(LabourDemand).order_by(LabourDemand.id)).all()
    assert [(r.occupation_code, r.period, r.education, r.hires, r.hard_to_fill_pct)
            for r in stored] == [
        ("3.1.2", date(2026, 1, 1), EducationAsked.ANY, 120, 55.5),
        ("3.1.2", date(2026, 1, 1), EducationAsked.ITS, 40, None),
        ("5.2.2.1.0", date(2026, 2, 1), EducationAsked.UPPER_SECONDARY, 1300, 30.0)]
    again = import_file(demand_csv([rows[0], ("3.1.2", "015", "2026-01", 45, "", "its")]))
    assert (again.created, again.updated, again.unchanged) == (0, 1, 1)
    db.session.commit()
    assert _count() == 3


def test_excelsior_headers_and_semicolons_are_recognised(app: object) -> None:
    text = ("Professione;Provincia;Mese;Entrate previste;Difficile reperimento (%);"
            "Titolo di studio\n"
            "6.2.3;015;03/2026;1.250;61,2;Qualifica o diploma professionale\n"
            "3.1.2;015;2026-03;830;;Laurea\n")
    report = import_file(text.encode())
    assert report.ok, report.errors
    assert report.created == 2
    db.session.commit()
    row = db.session.scalars(select(LabourDemand).where(
        LabourDemand.occupation_code == "6.2.3")).one()
    assert (row.hires, row.hard_to_fill_pct, row.education, row.period) == (
        1250, 61.2, EducationAsked.VOCATIONAL, date(2026, 3, 1))


def test_a_mapping_names_unknown_headers_and_a_default_territory_fills_in(app: object) -> None:
    text = "Gruppo CP;Anno-mese;Assunzioni totali\n3.1.3;2026-05;77\n"
    unmapped = import_file(text.encode())
    assert not unmapped.ok
    assert "occupation" in unmapped.errors[0].message
    report = import_file(text.encode(), mapping={"occupation": "gruppo cp",
                                                 "period": "Anno-mese",
                                                 "hires": "Assunzioni totali"},
                         territory="015146-3")
    assert report.ok, report.errors
    db.session.commit()
    assert db.session.scalars(select(LabourDemand.territory)).one() == "015146-3"


@pytest.mark.parametrize(("row", "column"), [
    (("3.1.x", "015", "2026-01", 1, "", "any"), "occupation"),
    (("3.1.2", "Milano", "2026-01", 1, "", "any"), "territory"),
    (("3.1.2", "015", "2026-13", 1, "", "any"), "period"),
    (("3.1.2", "015", "2026-01", -4, "", "any"), "hires"),
    (("3.1.2", "015", "2026-01", 1, "120", "any"), "hard_to_fill_pct"),
    (("3.1.2", "015", "2026-01", 1, "", "dottorato"), "education"),
])
def test_a_bad_cell_is_reported_by_row_and_column_and_nothing_is_written(
        app: object, row: tuple[str, str, str, int, str, str], column: str) -> None:
    good = ("5.2.2", "015", "2026-01", 10, "", "any")
    report = import_file(demand_csv([good, row]))
    assert not report.ok
    assert [(e.row, e.column) for e in report.errors] == [(3, column)]
    db.session.commit()
    assert _count() == 0


def test_a_duplicate_key_is_an_error(app: object) -> None:
    row = ("5.2.2", "015", "2026-01", 10, "", "any")
    report = import_file(demand_csv([row, row]))
    assert [e.row for e in report.errors] == [3]
    assert "riga 2" in report.errors[0].message  # Italian, the default language


@given(st.binary(max_size=400))
@settings(max_examples=60, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture])
def test_garbage_never_raises(app: object, data: bytes) -> None:
    report = import_file(b"occupation,period,hires\n" + data, dry_run=True)
    db.session.rollback()
    assert report.ok or report.errors


def test_the_admin_page_imports_and_refuses_with_422(
        client: FlaskClient, as_role: Callable[..., User]) -> None:
    as_role(Role.ADMIN)
    page = client.get("/observatory/admin/import")
    assert page.status_code == 200
    bad = demand_csv([("3.1.2", "015", "2026-01", 10, "", "any"),
                      ("3.1.2", "015", "2026-02", "molti", "", "any")])
    refused = client.post("/observatory/admin/import", data={
        "file": (io.BytesIO(bad), "demand.csv"), "territory": "015"},
        content_type="multipart/form-data")
    assert refused.status_code == 422
    assert _count() == 0
    good = demand_csv([("3.1.2", "015", "2026-01", 10, "", "any")])
    done = client.post("/observatory/admin/import", data={
        "file": (io.BytesIO(good), "demand.csv"), "territory": "015",
        "source": "Excelsior 2026"}, content_type="multipart/form-data")
    assert done.status_code == 200
    assert _count() == 1
    assert db.session.scalars(select(LabourDemand.source)).one() == "Excelsior 2026"


def test_a_bad_mapping_on_the_page_is_a_400(client: FlaskClient,
                                           as_role: Callable[..., User]) -> None:
    as_role(Role.ADMIN)
    response = client.post("/observatory/admin/import", data={
        "file": (io.BytesIO(b"a,b\n"), "demand.csv"), "territory": "015",
        "mapping": "salary=Stipendio"}, content_type="multipart/form-data")
    assert response.status_code == 400
    assert _count() == 0


@pytest.mark.parametrize("role", [Role.STUDENT, Role.COUNSELLOR, Role.OUTREACH])
def test_only_admins_import(client: FlaskClient, as_role: Callable[..., User],
                            role: Role) -> None:
    as_role(role)
    assert client.get("/observatory/admin/import").status_code == 403


def test_the_command_imports_with_a_mapping_and_refuses_bad_files(
        runner: FlaskCliRunner, tmp_path: Path) -> None:
    good = tmp_path / "excelsior.csv"
    good.write_text("Cod;Mese;Entrate previste\n3.1.2;2026-04;90\n3.1.3;2026-04;60\n",
                    encoding="utf-8")
    result = runner.invoke(args=["observatory", "import-demand", str(good),
                                 "--mapping", "occupation=Cod", "--synthetic"])
    assert result.exit_code == 0, result.output
    assert "2 rows: 2 were created" in result.output
    assert _count() == 2
    assert all(db.session.scalars(select(LabourDemand.synthetic)))
    bad = tmp_path / "bad.csv"
    bad.write_text("occupation,period,hires\n3.1.2,2026-05,1\n3.1.2,aprile,2\n",
                   encoding="utf-8")
    refused = runner.invoke(args=["observatory", "import-demand", str(bad)])
    assert refused.exit_code != 0
    assert "Riga 3, period" in refused.output  # the application's language, Italian by default
    assert _count() == 2
