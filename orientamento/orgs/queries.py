"""Organisations read side: the admin's lists of schools and providers."""

from __future__ import annotations

from typing import Any

from sqlalchemy import Select, func, select

from orientamento.orgs.models import Provider, School


def organisations(model: type[School] | type[Provider], text: str = "") -> Select[Any]:
    """Schools or providers by name, those whose name or code contains ``text`` (any case)."""
    query = select(model).order_by(model.name)
    wanted = text.strip().lower()
    if wanted:
        query = query.where(func.lower(model.name).contains(wanted)
                            | func.lower(model.code).contains(wanted))
    return query
