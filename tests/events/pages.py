"""HTTP helpers shared by the events and peer-visit page tests: a client asking for English
pages, a page's text, row counts, providers' staff and school days ahead."""

from __future__ import annotations

import html
from collections.abc import Callable
from datetime import date, timedelta
from typing import Any

from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import func, select
from werkzeug.test import TestResponse

from orientamento.auth.models import Role, User
from orientamento.core import clock
from orientamento.extensions import db
from orientamento.orgs.models import Provider
from orientamento.outbox.models import OutboxMessage
from orientamento.visits.days import closed_days
from tests.conftest import log_in


def english_client(app: Flask, user: User | None = None) -> FlaskClient:
    """A client asking for English pages, logged in as ``user`` if given."""
    client = app.test_client()
    client.environ_base["HTTP_ACCEPT_LANGUAGE"] = "en"
    if user is not None:
        log_in(client, user)
    return client


def page_text(response: TestResponse) -> str:
    """The page's HTML with entities decoded."""
    return html.unescape(response.get_data(as_text=True))


def school_day_ahead(ahead: int = 20, weekday: int | None = None) -> date:
    """The first Monday-to-Friday (or ``weekday``) from ``ahead`` days on that is not closed."""
    day = clock.today() + timedelta(days=ahead)
    while (day.weekday() > 4 or (weekday is not None and day.weekday() != weekday)
           or day in closed_days(day, day)):
        day += timedelta(days=1)
    return day


def count_rows(model: Any, *where: Any) -> int:
    """How many rows of ``model`` match ``where``."""
    return db.session.scalar(select(func.count()).select_from(model).where(*where)) or 0


def outbox_to(*users: User) -> int:
    """How many e-mails are queued for these people."""
    return count_rows(OutboxMessage, OutboxMessage.to_address.in_([u.email for u in users]))


def provider_staff(make_user: Callable[..., User], provider: Provider | None = None,
                   **fields: Any) -> User:
    """A provider's staff member (of ``provider`` if given, else of a new one)."""
    if provider is not None:
        fields["provider"] = provider
    return make_user(Role.PROVIDER, **fields)
