"""Downloads name their charset once: `text/csv; charset=utf-8`, never the charset twice."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from flask import Flask

from orientamento.auth.models import Role, User
from tests.conftest import log_in


@pytest.mark.parametrize(("path", "content_type"), [
    ("/courses/export.csv", "text/csv; charset=utf-8"),
    ("/courses/export.json", "application/json; charset=utf-8"),
])
def test_catalogue_downloads_name_one_charset(app: Flask, make_user: Callable[..., User],
                                              path: str, content_type: str) -> None:
    client = app.test_client()
    log_in(client, make_user(Role.ADMIN))
    response = client.get(path)
    assert response.status_code == 200
    assert response.headers["Content-Type"] == content_type
