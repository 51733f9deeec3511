"""Admin: listing and searching users, invitations, roles, (de)activation, audit log."""

from __future__ import annotations

import re
import uuid
from collections.abc import Callable

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import func, select, update
from sqlalchemy.exc import IntegrityError

from orientamento.admin import queries as admin_queries
from orientamento.auth.models import AuditEntry, Role, User
from orientamento.extensions import db
from orientamento.orgs.models import Provider
from orientamento.support.models import OrganisationKind, SupportOrganisation
from tests.conftest import log_in


@pytest.fixture
def admin(client: FlaskClient, make_user: Callable[..., User]) -> User:
    return log_in_admin(client, make_user)


def log_in_admin(client: FlaskClient, make_user: Callable[..., User]) -> User:
    user = make_user(Role.ADMIN, display_name="Admin Zero")
    log_in(client, user)
    return user


def test_search_users_by_text_and_role_with_pagination(
    client: FlaskClient, admin: User, make_user: Callable[..., User]
) -> None:
    for n in range(30):
        make_user(Role.STUDENT, display_name=f"Xeno {n:02d}")
    make_user(Role.OUTREACH, display_name="Olga Operatrice", email="olga@comune.example.org")
    page = client.get("/admin/users?q=olga").get_data(as_text=True)
    assert "Olga Operatrice" in page and "Xeno" not in page
    page = client.get("/admin/users?role=outreach").get_data(as_text=True)
    assert "Olga Operatrice" in page and "Xeno 01" not in page
    first = client.get("/admin/users?role=student").get_data(as_text=True)
    second = client.get("/admin/users?role=student&page=2").get_data(as_text=True)
    assert first.count("Xeno ") == 25 and second.count("Xeno ") == 5
    assert "page=2" in first
    empty = client.get("/admin/users?q=nessuno-si-chiama-cosi")
    assert empty.status_code == 200 and "<table" not in empty.get_data(as_text=True)


def test_long_lists_count_their_matches_only_up_to_a_cap(
    client: FlaskClient, admin: User, make_user: Callable[..., User],
    monkeypatch: pytest.MonkeyPatch
) -> None:
    """The users and the audit log grow with the city: a page counts past its start only up
    to ``COUNT_CAP`` and says "more than" beyond it."""
    monkeypatch.setattr(admin_queries, "COUNT_CAP", 10)
    for n in range(60):
        make_user(Role.STUDENT, display_name=f"Xeno {n:02d}")
    english = {"Accept-Language": "en"}
    first = client.get("/admin/users?role=student", headers=english).get_data(as_text=True)
    assert first.count("Xeno ") == 25
    assert "Page 1 of more than 1, more than 10 results" in first and "page=2" in first
    # Further on the cap counts from the page's start: the last page is exact.
    last = client.get("/admin/users?role=student&page=3", headers=english).get_data(
        as_text=True)
    assert last.count("Xeno ") == 10 and "more than" not in last
    assert client.get("/admin/users?role=student&page=9").status_code == 200
    for n in range(12):
        db.session.add(AuditEntry(action="login", actor_id=admin.id, details={"n": n}))
    db.session.commit()
    audit = client.get("/admin/audit", headers=english).get_data(as_text=True)
    assert "more than" in audit


def test_search_treats_percent_and_underscore_as_text(
        client: FlaskClient, admin: User, make_user: Callable[..., User]) -> None:
    make_user(Role.STUDENT, display_name="Anna 100% presente")
    make_user(Role.STUDENT, display_name="Bruno Bianchi")
    percent = client.get("/admin/users?q=%25").get_data(as_text=True)
    assert "Anna 100% presente" in percent and "Bruno Bianchi" not in percent
    underscore = client.get("/admin/users?q=_").get_data(as_text=True)  # no name has one
    assert "Bruno Bianchi" not in underscore and "Anna" not in underscore


def test_an_invalid_search_is_a_400_that_says_why(client: FlaskClient, admin: User) -> None:
    for query in ({"q": "x" * 101}, {"role": "emperor"}):
        response = client.get("/admin/users", query_string=query,
                              headers={"Accept-Language": "en"})
        assert response.status_code == 400, query
        page = response.get_data(as_text=True)
        assert "invalid-feedback" in page and "<table" not in page, query


@pytest.mark.parametrize("role, extra, field", [
    ("counsellor", {}, "school_id"),
    ("provider", {}, "provider_id"),
    ("outreach", {}, "municipi"),
    ("service_operator", {}, "support_organisation_id"),
    ("student", {}, "role"),
])
def test_an_invitation_needs_what_the_role_needs(
    client: FlaskClient, admin: User, role: str, extra: dict[str, str], field: str
) -> None:
    response = client.post("/admin/users/invite", data={
        "display_name": "Nuova Persona", "email": "nuova@example.org", "role": role,
        "school_id": "0", "provider_id": "0", **extra,
    })
    assert response.status_code == 400
    assert f'id="{field}-error"' in response.get_data(as_text=True)
    assert db.session.scalar(select(User).where(User.email == "nuova@example.org")) is None


def test_invite_an_outreach_worker_for_two_municipi(client: FlaskClient, admin: User) -> None:
    response = client.post("/admin/users/invite", data={
        "display_name": "Omar", "email": "omar@comune.example.org", "role": "outreach",
        "school_id": "0", "provider_id": "0", "municipi": ["3", "8"],
    })
    assert response.status_code == 302
    user = db.session.scalar(select(User).where(User.email == "omar@comune.example.org"))
    assert user is not None and [m.municipio for m in user.municipi] == [3, 8]
    actions = db.session.scalars(select(AuditEntry.action).where(AuditEntry.subject_id == user.id)).all()
    assert actions == ["invitation_sent"]


def _organisation(name: str = "Informagiovani Centro") -> SupportOrganisation:
    organisation = SupportOrganisation(uid=str(uuid.uuid4()), name=name,
                                       kind=OrganisationKind.INFORMAGIOVANI)
    db.session.add(organisation)
    db.session.commit()
    return organisation


def test_invite_a_service_operator_of_an_organisation(client: FlaskClient, admin: User) -> None:
    organisation = _organisation()
    response = client.post("/admin/users/invite", data={
        "display_name": "Sofia", "email": "sofia@informagiovani.example.org",
        "role": "service_operator", "school_id": "0", "provider_id": "0",
        "support_organisation_id": str(organisation.id),
    })
    assert response.status_code == 302
    user = db.session.scalar(select(User).where(User.email == "sofia@informagiovani.example.org"))
    assert user is not None and user.support_organisation_id == organisation.id


def test_a_service_operator_given_another_role_leaves_the_organisation(
        client: FlaskClient, admin: User, make_user: Callable[..., User]) -> None:
    organisation = _organisation()
    operator = make_user(Role.SERVICE_OPERATOR, support_organisation_id=organisation.id)
    response = client.post(f"/admin/users/{operator.id}/role", data={
        "role": "admin", "school_id": "0", "provider_id": "0",
        "support_organisation_id": str(organisation.id)})
    assert response.status_code == 302
    db.session.refresh(operator)
    assert operator.role == Role.ADMIN and operator.support_organisation_id is None


def test_the_database_refuses_an_operator_without_organisation_and_a_stray_link(
        app: Flask, make_user: Callable[..., User]) -> None:
    organisation = _organisation()
    for role, link in ((Role.SERVICE_OPERATOR, None), (Role.OUTREACH, organisation.id)):
        user = make_user(Role.ADMIN)
        with pytest.raises(IntegrityError, match="support_org_operator"):
            db.session.execute(update(User).where(User.id == user.id).values(
                role=role, support_organisation_id=link))
        db.session.rollback()


def test_inviting_an_existing_address_is_refused(
    client: FlaskClient, admin: User, make_user: Callable[..., User]
) -> None:
    make_user(email="taken@example.org")
    response = client.post("/admin/users/invite", data={
        "display_name": "X", "email": "TAKEN@example.org", "role": "admin",
        "school_id": "0", "provider_id": "0",
    })
    assert response.status_code == 409


def test_change_role_moves_organisation_and_ends_sessions(
    client: FlaskClient, admin: User, make_user: Callable[..., User],
    make_provider: Callable[..., Provider],
) -> None:
    counsellor = make_user(Role.COUNSELLOR)
    other = client.application.test_client()
    log_in(other, counsellor)
    provider = make_provider()
    response = client.post(f"/admin/users/{counsellor.id}/role", data={
        "role": "provider", "school_id": "0", "provider_id": str(provider.id),
    })
    assert response.status_code == 302
    db.session.refresh(counsellor)
    assert counsellor.role == "provider"
    assert counsellor.school_id is None and counsellor.provider_id == provider.id
    assert other.get("/account/").status_code == 302
    entry = db.session.scalar(select(AuditEntry).where(AuditEntry.action == "role_changed"))
    assert entry is not None and entry.details == {"old": "counsellor", "new": "provider"}
    assert entry.actor_id == admin.id


def test_staff_cannot_be_turned_into_students_and_the_last_admin_stays(
    client: FlaskClient, admin: User, make_user: Callable[..., User]
) -> None:
    outreach = make_user(Role.OUTREACH)
    response = client.post(f"/admin/users/{outreach.id}/role", data={
        "role": "student", "school_id": "0", "provider_id": "0",
    })
    assert response.status_code == 400
    response = client.post(f"/admin/users/{admin.id}/role", data={
        "role": "outreach", "school_id": "0", "provider_id": "0", "municipi": ["1"],
    })
    assert response.status_code == 400
    db.session.refresh(admin)
    assert admin.role == "admin"


def test_deactivate_and_reactivate(
    client: FlaskClient, admin: User, make_user: Callable[..., User]
) -> None:
    user = make_user()
    client.post(f"/admin/users/{user.id}/active", data={"active": "0"})
    db.session.refresh(user)
    assert not user.active
    client.post(f"/admin/users/{user.id}/active", data={"active": "1"})
    db.session.refresh(user)
    assert user.active
    actions = db.session.scalars(
        select(AuditEntry.action).where(AuditEntry.subject_id == user.id).order_by(AuditEntry.id)
    ).all()
    assert actions == ["deactivated", "reactivated"]
    assert client.post(f"/admin/users/{admin.id}/active", data={"active": "0"}).status_code == 409


def test_resend_invitation_only_while_no_password(
    client: FlaskClient, admin: User, make_user: Callable[..., User]
) -> None:
    invited = make_user(Role.OUTREACH, password=None)
    assert client.post(f"/admin/users/{invited.id}/invitation").status_code == 302
    assert client.post(f"/admin/users/{admin.id}/invitation").status_code == 409


def test_audit_log_lists_and_filters_events(
    client: FlaskClient, admin: User, make_user: Callable[..., User]
) -> None:
    user = make_user()
    client.post(f"/admin/users/{user.id}/active", data={"active": "0"})
    page = client.get("/admin/audit").get_data(as_text=True)
    assert "Admin Zero" in page and user.display_name in page
    filtered = client.get("/admin/audit?action=login").get_data(as_text=True)
    assert user.display_name not in filtered
    assert client.get("/admin/audit?action=bogus").status_code == 200
    count = db.session.scalar(select(func.count()).select_from(AuditEntry))
    assert count and count >= 2


def test_user_page_shows_role_form(client: FlaskClient, admin: User,
                                   make_user: Callable[..., User]) -> None:
    counsellor = make_user(Role.COUNSELLOR)
    page = client.get(f"/admin/users/{counsellor.id}").get_data(as_text=True)
    assert re.search(rf'<option selected value="{counsellor.school_id}">', page)
    assert client.get("/admin/users/999999").status_code == 404


def test_the_first_administrator_is_created_from_the_command_line(
    app: object, runner: object
) -> None:
    result = runner.invoke(args=["admin", "create", "Capo@Comune.example.org",  # type: ignore[attr-defined]
                                 "--name", "Capo Servizio"])
    assert result.exit_code == 0, result.output
    link = result.output.strip().splitlines()[-1]
    assert link.startswith("https://orientamento.test/account/invitation/")
    user = db.session.scalar(select(User).where(User.email == "capo@comune.example.org"))
    assert user is not None and user.role == "admin" and user.password_hash is None
    client = app.test_client()  # type: ignore[attr-defined]
    path = link.removeprefix("https://orientamento.test")
    response = client.post(path, data={"password": "Prima-password-sicura", "confirm": "Prima-password-sicura"})
    assert response.status_code == 302
    assert client.get("/admin/users").status_code == 200
    again = runner.invoke(args=["admin", "create", "capo@comune.example.org", "--name", "X"])  # type: ignore[attr-defined]
    assert again.exit_code != 0
