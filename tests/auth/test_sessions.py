"""A captured session cookie stops working after logout, password change or deactivation."""

from __future__ import annotations

from collections.abc import Callable

from flask.testing import FlaskClient

from orientamento.auth.models import Role, User
from tests.conftest import PASSWORD, log_in


def _cookie(client: FlaskClient) -> str:
    cookie = client.get_cookie("orientamento_session")
    assert cookie is not None
    return cookie.value


def _replay(client: FlaskClient, value: str) -> int:
    other = client.application.test_client()
    other.set_cookie("orientamento_session", value)
    return other.get("/account/").status_code


def test_logout_invalidates_a_captured_cookie(
    client: FlaskClient, make_user: Callable[..., User]
) -> None:
    log_in(client, make_user())
    captured = _cookie(client)
    assert _replay(client, captured) == 200
    client.post("/account/logout")
    assert _replay(client, captured) == 302


def test_password_change_ends_other_sessions_but_keeps_this_one(
    client: FlaskClient, make_user: Callable[..., User]
) -> None:
    user = make_user()
    log_in(client, user)
    other_device = client.application.test_client()
    log_in(other_device, user)
    response = client.post("/account/password", data={
        "current": PASSWORD, "password": "Nuova-frase-segreta-7", "confirm": "Nuova-frase-segreta-7",
    })
    assert response.status_code == 302
    assert client.get("/account/").status_code == 200
    assert other_device.get("/account/").status_code == 302
    fresh = client.application.test_client()
    log_in(fresh, user, "Nuova-frase-segreta-7")


def test_password_change_needs_the_current_password(
    client: FlaskClient, make_user: Callable[..., User]
) -> None:
    user = make_user()
    log_in(client, user)
    response = client.post("/account/password", data={
        "current": "wrong", "password": "Nuova-frase-segreta-7", "confirm": "Nuova-frase-segreta-7",
    })
    assert response.status_code == 400
    log_in(client.application.test_client(), user)  # old password still works


def test_deactivation_ends_the_session(
    client: FlaskClient, make_user: Callable[..., User]
) -> None:
    admin = make_user(Role.ADMIN)
    user = make_user()
    log_in(client, user)
    admin_client = client.application.test_client()
    log_in(admin_client, admin)
    assert admin_client.post(f"/admin/users/{user.id}/active", data={"active": "0"}).status_code == 302
    assert client.get("/account/").status_code == 302
    # and the person cannot log in again
    assert client.post("/account/login", data={"login": user.login_name, "password": PASSWORD}
                       ).status_code == 401
