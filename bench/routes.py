"""The pages the benchmark measures: append a RouteSpec to measure one more."""

from __future__ import annotations

from dataclasses import dataclass

DEMO_ADMIN = "admin@demo.example.org"


@dataclass(frozen=True)
class RouteSpec:
    """One row of the table: a GET path, optionally fetched as a logged-in demo account."""

    name: str
    path: str
    login: str | None = None


#: The trivial route every page is compared with (ratio 1.00).
FLOOR = RouteSpec("floor /healthz", "/healthz")

ROUTES: tuple[RouteSpec, ...] = (
    FLOOR,
    RouteSpec("home /", "/"),
    RouteSpec("login page", "/account/login"),
    RouteSpec("admin users list", "/admin/users", login=DEMO_ADMIN),
)
