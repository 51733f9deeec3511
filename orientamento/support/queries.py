"""Reading the catalogue: the public list of services by need, language and municipio, and
the admin lists."""

from __future__ import annotations

from dataclasses import dataclass

from babel import Locale
from flask import abort
from flask_sqlalchemy.pagination import Pagination
from sqlalchemy import Select, exists, func, or_, select
from sqlalchemy.orm import selectinload

from orientamento.auth.models import Role, User
from orientamento.core.pagination import paginate
from orientamento.extensions import db
from orientamento.support.models import (
    HelpKind,
    ServiceHelp,
    ServiceLanguage,
    SupportLocation,
    SupportOrganisation,
    SupportService,
    SupportSite,
)

#: The ages the public page is for: a service for none of them is not listed there.
YOUTH_AGES = (16, 29)


@dataclass(frozen=True)
class HelpFilters:
    """What the public page is filtered by (None: any)."""

    need: HelpKind | None = None
    language: str | None = None
    municipio: int | None = None


def _service_details(query: Select[SupportService]) -> Select[SupportService]:
    return query.options(
        selectinload(SupportService.organisation), selectinload(SupportService.help_rows),
        selectinload(SupportService.status_rows), selectinload(SupportService.language_rows),
        selectinload(SupportService.sites).selectinload(SupportSite.hours),
        selectinload(SupportService.sites).selectinload(SupportSite.location))


def find_services(filters: HelpFilters) -> Pagination:
    """One page of the services for young people that match ``filters``, by name."""
    youngest, oldest = YOUTH_AGES
    query = select(SupportService).where(
        or_(SupportService.min_age.is_(None), SupportService.min_age <= oldest),
        or_(SupportService.max_age.is_(None), SupportService.max_age >= youngest))
    if filters.need is not None:
        query = query.where(exists().where(ServiceHelp.service_id == SupportService.id,
                                           ServiceHelp.kind == filters.need))
    if filters.language is not None:
        query = query.where(exists().where(ServiceLanguage.service_id == SupportService.id,
                                           ServiceLanguage.code == filters.language))
    if filters.municipio is not None:
        query = query.where(exists().where(
            SupportSite.service_id == SupportService.id,
            SupportSite.location_id == SupportLocation.id,
            SupportLocation.municipio == filters.municipio))
    return paginate(_service_details(query.order_by(SupportService.name, SupportService.id)))


def spoken_languages(locale: str) -> list[tuple[str, str]]:
    """(code, name in ``locale``) of the languages some service speaks, by name."""
    names = Locale.parse(locale).languages
    codes = db.session.scalars(select(ServiceLanguage.code).distinct())
    return sorted(((code, names.get(code, code)) for code in codes), key=lambda c: c[1])


def organisations_page(text: str) -> Pagination:
    """A page of organisations by name, optionally those whose name contains ``text``."""
    query = select(SupportOrganisation).order_by(SupportOrganisation.name,
                                                 SupportOrganisation.id)
    if text:
        query = query.where(func.lower(SupportOrganisation.name).contains(
            text.lower(), autoescape=True))  # % and _ are searched for, not wildcards
    return paginate(query)


def service_counts(organisation_ids: list[int]) -> dict[int, int]:
    """How many services each of the organisations offers."""
    if not organisation_ids:
        return {}
    rows = db.session.execute(
        select(SupportService.organisation_id, func.count()).where(
            SupportService.organisation_id.in_(organisation_ids))
        .group_by(SupportService.organisation_id))
    return {organisation_id: count for organisation_id, count in rows}


def organisation_or_404(organisation_id: int) -> SupportOrganisation:
    """An organisation with its services and locations, or 404."""
    return db.get_or_404(SupportOrganisation, organisation_id, options=[
        selectinload(SupportOrganisation.services),
        selectinload(SupportOrganisation.locations)])


def service_or_404(service_id: int) -> SupportService:
    """A service with everything its page shows, or 404."""
    found = db.session.scalar(_service_details(
        select(SupportService).where(SupportService.id == service_id)))
    if found is None:
        abort(404)
    return found


def check_editor(user: User, organisation_id: int) -> None:
    """404 unless ``user`` may edit the organisation's entries: an admin any organisation's,
    a service operator only their own (another's is not shown to exist)."""
    if user.role != Role.ADMIN and user.support_organisation_id != organisation_id:
        abort(404)
