"""The start page: one address, a page per role."""

from __future__ import annotations

from flask import Blueprint, render_template
from flask.typing import ResponseReturnValue

from orientamento.auth.models import Role
from orientamento.core import clock
from orientamento.core.access import acting_user, login_required
from orientamento.core.i18n import current_language
from orientamento.core.school_year import school_year_of
from orientamento.start.queries import start_context

bp = Blueprint("start", __name__)


@bp.get("/")
@login_required
def index() -> ResponseReturnValue:
    """Show what the signed-in person has to do now, as their role sees it."""
    user = acting_user()
    today = clock.today()
    context = start_context(user, today, clock.now(), school_year_of(today))
    return render_template(f"start/{Role(user.role).value}.html", today=today,
                           locale=current_language(), **context)
