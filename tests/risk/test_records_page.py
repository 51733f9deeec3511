"""The admin's records upload page: all rows or none, errors by row and column."""

from __future__ import annotations

import io
from collections.abc import Callable

from flask.testing import FlaskClient
from sqlalchemy import func, select

from orientamento.auth.models import Role, User
from orientamento.extensions import db
from orientamento.outreach.models import Flag
from orientamento.risk.models import RiskPerson, RiskSnapshot
from tests.conftest import log_in
from tests.risk.conftest import snapshot_csv


def _post(client: FlaskClient, content: bytes, name: str = "snapshot.csv") -> tuple[int, str]:
    response = client.post("/risk/records", data={"file": (io.BytesIO(content), name)},
                           content_type="multipart/form-data")
    return response.status_code, response.get_data(as_text=True)


def test_admin_imports_a_snapshot_and_sees_it_listed(
        client: FlaskClient, make_user: Callable[..., User]) -> None:
    log_in(client, make_user(Role.ADMIN))
    status, page = _post(client, snapshot_csv([
        {"source_id": "A1"}, {"source_id": "B2", "months_since_contract_end": "2",
                              "enrolled": "0"}]))
    assert status == 200
    assert db.session.scalar(select(func.count()).select_from(RiskPerson)) == 2
    assert db.session.scalar(select(func.count()).select_from(Flag)) == 1
    assert "snapshot.csv" in page


def test_a_bad_row_imports_nothing_and_names_row_and_column(
        client: FlaskClient, make_user: Callable[..., User]) -> None:
    log_in(client, make_user(Role.ADMIN))
    status, page = _post(client, snapshot_csv([{"source_id": "A1"},
                                               {"source_id": "B2", "municipio": "12"}]))
    assert status == 422
    assert db.session.scalar(select(func.count()).select_from(RiskSnapshot)) == 0
    assert db.session.scalar(select(func.count()).select_from(RiskPerson)) == 0
    assert "<td>3</td>" in page and "municipio" in page


def test_no_file_is_a_form_error_and_other_roles_are_refused(
        client: FlaskClient, make_user: Callable[..., User]) -> None:
    log_in(client, make_user(Role.OUTREACH))
    assert client.get("/risk/records").status_code == 403
    client.post("/account/logout")
    log_in(client, make_user(Role.ADMIN))
    assert client.post("/risk/records", data={}).status_code == 400
