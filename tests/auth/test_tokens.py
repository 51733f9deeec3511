"""Password reset and staff invitation links: e-mailed, time-limited, single use."""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import timedelta

from flask.testing import FlaskClient
from sqlalchemy import select, update

from orientamento.auth.models import Role, User, UserToken
from orientamento.core import clock
from orientamento.extensions import db
from orientamento.outbox.models import OutboxMessage
from tests.conftest import PASSWORD, log_in

NEW_PASSWORD = "Una-nuova-password-lunga"


def _link(address: str) -> str:
    message = db.session.scalars(
        select(OutboxMessage).where(OutboxMessage.to_address == address)
        .order_by(OutboxMessage.id.desc())
    ).first()
    assert message is not None, f"no e-mail queued for {address}"
    match = re.search(r"https://orientamento\.test(/\S+)", message.body)
    assert match, message.body
    return match.group(1)


def _set(client: FlaskClient, path: str, password: str = NEW_PASSWORD) -> int:
    return client.post(path, data={"password": password, "confirm": password}).status_code


def test_reset_link_sets_a_new_password_once(
    client: FlaskClient, make_user: Callable[..., User]
) -> None:
    user = make_user(email="luca@example.org", locale="it")
    response = client.post("/account/forgot-password", data={"email": "luca@example.org"})
    assert response.status_code == 302
    message = db.session.scalar(select(OutboxMessage))
    assert message is not None and message.user_id == user.id
    assert "password" in message.subject.lower()
    path = _link("luca@example.org")
    raw = path.rsplit("/", 1)[1]
    # Only a hash of the token is stored.
    assert db.session.scalar(select(UserToken.token_hash)) != raw
    assert client.get(path).status_code == 200
    assert _set(client, path) == 302
    log_in(client.application.test_client(), user, NEW_PASSWORD)
    # single use
    assert client.application.test_client().get(path).status_code == 404
    assert _set(client.application.test_client(), path, "Ancora-un-altra-password") == 404


def test_unknown_address_gets_the_same_answer_and_no_mail(client: FlaskClient) -> None:
    response = client.post("/account/forgot-password", data={"email": "nobody@example.org"})
    assert response.status_code == 302
    assert db.session.scalar(select(OutboxMessage)) is None


def test_an_expired_reset_link_does_not_work(
    client: FlaskClient, make_user: Callable[..., User]
) -> None:
    user = make_user(email="ada@example.org")
    client.post("/account/forgot-password", data={"email": "ada@example.org"})
    path = _link("ada@example.org")
    db.session.execute(update(UserToken).values(expires_at=clock.now() - timedelta(minutes=1)))
    db.session.commit()
    assert client.get(path).status_code == 404
    assert _set(client, path) == 404
    log_in(client.application.test_client(), user, PASSWORD)


def test_a_new_reset_link_is_refused_for_a_weak_password_without_using_it(
    client: FlaskClient, make_user: Callable[..., User]
) -> None:
    make_user(email="bea@example.org")
    client.post("/account/forgot-password", data={"email": "bea@example.org"})
    path = _link("bea@example.org")
    assert _set(client, path, "12345678") == 400
    assert _set(client, path) == 302


def test_a_reset_ends_existing_sessions(
    client: FlaskClient, make_user: Callable[..., User]
) -> None:
    user = make_user(email="carla@example.org")
    log_in(client, user)
    other = client.application.test_client()
    other.post("/account/forgot-password", data={"email": "carla@example.org"})
    _set(other, _link("carla@example.org"))
    assert client.get("/account/").status_code == 302


def test_admin_invites_a_counsellor_who_sets_a_password(
    client: FlaskClient, make_user: Callable[..., User], make_school: Callable[..., object]
) -> None:
    school = make_school()
    log_in(client, make_user(Role.ADMIN))
    response = client.post("/admin/users/invite", data={
        "display_name": "Marta Bianchi", "email": "marta@scuola.example.org",
        "role": "counsellor", "school_id": str(school.id), "provider_id": "0",  # type: ignore[attr-defined]
    })
    assert response.status_code == 302, response.get_data(as_text=True)[:800]
    invited = db.session.scalar(select(User).where(User.email == "marta@scuola.example.org"))
    assert invited is not None and invited.password_hash is None
    assert invited.school_id == school.id  # type: ignore[attr-defined]
    anonymous = client.application.test_client()
    path = _link("marta@scuola.example.org")
    assert "/account/invitation/" in path
    assert anonymous.get(path).status_code == 200
    assert _set(anonymous, path) == 302
    assert anonymous.get("/classes/").status_code == 200  # logged in as counsellor
    assert anonymous.get(path).status_code == 404  # used up


def test_an_invited_account_cannot_log_in_before_setting_a_password(
    client: FlaskClient, make_user: Callable[..., User]
) -> None:
    invited = make_user(Role.OUTREACH, password=None)
    response = client.post("/account/login", data={"login": invited.login_name, "password": ""})
    assert response.status_code == 400
    response = client.post("/account/login", data={"login": invited.login_name, "password": "x"})
    assert response.status_code == 401
