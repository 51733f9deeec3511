"""Redirect targets and the role-dependent main navigation."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit

from flask import request, url_for
from flask_login import current_user
from werkzeug.routing import IntegerConverter

from orientamento.core.i18n import lazy_gettext as _l


class DatabaseIdConverter(IntegerConverter):
    """``<int:...>`` limited to what an INTEGER column holds: larger ids are simply 404."""

    def __init__(self, map: Any, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("max", 2**31 - 1)
        super().__init__(map, *args, **kwargs)


def safe_next_url(target: str | None, default_endpoint: str = "core.home") -> str:
    """Return ``target`` if it is a local path, else the default page."""
    if target and target.startswith("/") and not target.startswith("//") and "\\" not in target:
        parts = urlsplit(target)
        if not parts.scheme and not parts.netloc:
            return target
    return url_for(default_endpoint)


@dataclass(frozen=True)
class NavItem:
    """A link in the main navigation."""

    endpoint: str
    label: object


NAVIGATION: dict[str, tuple[NavItem, ...]] = {
    "anonymous": (NavItem("core.home", _l("Home")), NavItem("courses.search", _l("Courses")),
                  NavItem("events.list_events", _l("Events")),
                  NavItem("support.find_help", _l("Services for young people"))),
    "student": (
        NavItem("start.index", _l("My page")),
        NavItem("assessments.index", _l("Assessments")),
        NavItem("courses.search", _l("Courses")),
        NavItem("courses.suggested", _l("Suggested for you")),
        NavItem("courses.saved_courses", _l("Saved courses")),
        NavItem("events.list_events", _l("Events")),
        NavItem("classes.my_classes", _l("My classes")),
    ),
    "counsellor": (
        NavItem("start.index", _l("My page")),
        NavItem("classes.list_classes", _l("Classes")),
        NavItem("courses.search", _l("Courses")),
        NavItem("visits.browse_windows", _l("Peer visits")),
        NavItem("events.list_events", _l("Events")),
        NavItem("events.orientation_hours", _l("Orientation hours")),
    ),
    "provider": (
        NavItem("start.index", _l("My page")),
        NavItem("courses.manage_courses", _l("Our courses")),
        NavItem("events.manage_events", _l("Our events")),
        NavItem("visits.list_visits", _l("Visit requests")),
        NavItem("visits.manage_availability", _l("Availability")),
    ),
    "ambassador": (NavItem("start.index", _l("My page")),
                   NavItem("events.list_events", _l("Events")),
                   NavItem("courses.search", _l("Courses"))),
    "outreach": (NavItem("start.index", _l("My page")),
                 NavItem("outreach.queue", _l("Outreach queue")),
                 NavItem("outreach.my_cases", _l("My cases")),
                 NavItem("outreach.call_list", _l("Calls today")),
                 NavItem("courses.search", _l("Courses")),
                 NavItem("events.list_events", _l("Events"))),
    "service_operator": (NavItem("start.index", _l("My page")),
                         NavItem("outreach.incoming_referrals", _l("Incoming referrals")),
                         NavItem("support.find_help", _l("Services for young people"))),
    "admin": (
        NavItem("start.index", _l("My page")),
        NavItem("admin.list_users", _l("Users")),
        NavItem("orgs.list_schools", _l("Schools")),
        NavItem("orgs.list_providers", _l("Providers")),
        NavItem("risk.list_versions", _l("Risk models")),
        NavItem("observatory.overview", _l("Observatory")),
        NavItem("admin.audit_log", _l("Audit log")),
    ),
}


def navigation_items() -> tuple[NavItem, ...]:
    """The main navigation for the current user's role."""
    if current_user.is_authenticated:
        return NAVIGATION.get(current_user.role, NAVIGATION["anonymous"])
    return NAVIGATION["anonymous"]


def return_path() -> str:
    """Where the language switch brings the person back: this page, as a GET.

    A page rendered by a POST (a form with errors) is shown again by a GET of its address when
    that address answers GET; a POST-only action returns to the page the form was on.
    """
    if request.method == "GET":
        return request.full_path.rstrip("?")
    rule = request.url_rule
    if rule is not None and rule.methods and "GET" in rule.methods:
        return request.path
    referrer = urlsplit(request.referrer or "")
    if referrer.netloc == request.host and referrer.path.startswith("/"):
        return referrer.path + (f"?{referrer.query}" if referrer.query else "")
    return url_for("core.home")
