"""School and provider use cases."""

from __future__ import annotations

from typing import Any

from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError

from orientamento.auth.models import User
from orientamento.core import clock
from orientamento.core.errors import Conflict
from orientamento.core.i18n import lazy_gettext as _l
from orientamento.extensions import db
from orientamento.orgs.models import Provider, School


def _check_unique_code(model: type[School] | type[Provider], code: str, own_id: int | None) -> None:
    found = db.session.scalar(select(model.id).where(model.code == code))
    if found is not None and found != own_id:
        raise Conflict(_l("Another organisation already uses this code."))


def save_school(school: School | None, **fields: Any) -> School:
    """Create a school, or update one."""
    _check_unique_code(School, fields["code"], school.id if school else None)
    school = school or School()
    for key, value in fields.items():
        setattr(school, key, value)
    db.session.add(school)
    db.session.flush()
    return school


def save_provider(provider: Provider | None, **fields: Any) -> Provider:
    """Create a provider, or update one."""
    _check_unique_code(Provider, fields["code"], provider.id if provider else None)
    provider = provider or Provider()
    for key, value in fields.items():
        setattr(provider, key, value)
    provider.updated_at = clock.now()
    db.session.add(provider)
    db.session.flush()
    return provider


def delete_school(school: School) -> None:
    """Delete a school that no counsellor belongs to (its classes go with it)."""
    staff = db.session.scalar(select(func.count()).where(User.school_id == school.id))
    if staff:
        raise Conflict(_l("Move or remove this school's counsellors before deleting it."))
    db.session.delete(school)


def delete_provider(provider: Provider) -> None:
    """Delete a provider that no member of staff, course or event belongs to."""
    staff = db.session.scalar(select(func.count()).where(User.provider_id == provider.id))
    if staff:
        raise Conflict(_l("Move or remove this provider's staff before deleting it."))
    # Its courses and events hold it through RESTRICT foreign keys: the database refuses,
    # so the catalogue and the events, which sit above organisations, need not be asked.
    try:
        with db.session.begin_nested():
            db.session.delete(provider)
            db.session.flush()
    except IntegrityError:
        raise Conflict(_l("This provider still has courses or events: archive or move them "
                          "instead.")) from None
