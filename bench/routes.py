"""The requests the benchmark measures: append a RouteSpec to measure one more."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, replace

DEMO_ADMIN = "admin@demo.example.org"
DEMO_COUNSELLOR = "counsellor@demo.example.org"
DEMO_STUDENT = "student@demo.example.org"
DEMO_OUTREACH = "outreach@demo.example.org"
DEMO_PROVIDER = "provider@demo.example.org"
DEMO_AMBASSADOR = "ambassador@demo.example.org"
DEMO_OPERATOR = "operator@demo.example.org"


@dataclass(frozen=True)
class RouteSpec:
    """One row of the table: a request, optionally sent as a logged-in demo account.

    ``path``, ``csrf_from`` and the ``form`` fields may name rows the seeding created,
    as ``{name}`` placeholders filled from ``bench.seed.SeededIds`` (see ``resolve``).
    A route with a ``form`` sends it as an urlencoded body; with ``csrf_from``, the
    hidden ``csrf_token`` of that page (fetched once with the same session) goes first.
    """

    name: str
    path: str
    login: str | None = None
    method: str = "GET"
    form: tuple[tuple[str, str], ...] = ()
    headers: tuple[tuple[str, str], ...] = ()
    csrf_from: str | None = None
    #: Send it as a browser's revalidation: with the session cookie and the ``ETag`` a first
    #: request got (``If-None-Match``); a 304 is then the expected answer.
    revalidate: bool = False

    def resolve(self, ids: Mapping[str, object]) -> RouteSpec:
        """This route with its placeholders replaced by the seeded values."""
        return replace(
            self,
            path=self.path.format_map(ids),
            csrf_from=self.csrf_from.format_map(ids) if self.csrf_from else None,
            form=tuple((key.format_map(ids), value.format_map(ids)) for key, value in self.form),
        )


#: The trivial route every page is compared with (ratio 1.00).
FLOOR = RouteSpec("floor /healthz", "/healthz")

#: The demo student's page of the interests response in progress (``bench.seed``).
DRAFT_PAGE = "/assessments/responses/{draft_response}/sections/0"

ROUTES: tuple[RouteSpec, ...] = (
    FLOOR,
    RouteSpec("home /", "/"),
    RouteSpec("home / revalidated (304)", "/", revalidate=True),
    RouteSpec("login page", "/account/login"),
    RouteSpec("admin users list", "/admin/users", login=DEMO_ADMIN),
    RouteSpec("assessments list", "/assessments/", login=DEMO_STUDENT),
    RouteSpec("results page", "/assessments/responses/{result_response}", login=DEMO_STUDENT),
    # htmx's autosave of one answer: hx-post of the page's form with autosave=1.
    RouteSpec("answer page save", DRAFT_PAGE, login=DEMO_STUDENT, method="POST",
              form=(("autosave", "1"), ("{draft_item}", "4")),
              headers=(("HX-Request", "true"),), csrf_from=DRAFT_PAGE),
    RouteSpec("counsellor class assessments", "/assessments/classes/{demo_class}",
              login=DEMO_COUNSELLOR),
    RouteSpec("counsellor class page", "/classes/{demo_class}", login=DEMO_COUNSELLOR),
    # The start page of each role (one address, a page per role).
    RouteSpec("start page student", "/start/", login=DEMO_STUDENT),
    RouteSpec("start page counsellor", "/start/", login=DEMO_COUNSELLOR),
    RouteSpec("start page provider", "/start/", login=DEMO_PROVIDER),
    RouteSpec("start page ambassador", "/start/", login=DEMO_AMBASSADOR),
    RouteSpec("start page outreach", "/start/", login=DEMO_OUTREACH),
    RouteSpec("start page admin", "/start/", login=DEMO_ADMIN),
    RouteSpec("start page service operator", "/start/", login=DEMO_OPERATOR),
    # The events the demo seed schedules; ``{event}`` is its first upcoming one.
    RouteSpec("events list", "/events/"),
    RouteSpec("events list as student", "/events/", login=DEMO_STUDENT),
    RouteSpec("event page", "/events/{event}"),
    RouteSpec("event page as student", "/events/{event}", login=DEMO_STUDENT),
    # The admin's other lists.
    RouteSpec("admin audit list", "/admin/audit", login=DEMO_ADMIN),
    RouteSpec("admin schools list", "/admin/organisations/schools", login=DEMO_ADMIN),
    RouteSpec("admin providers list", "/admin/organisations/providers", login=DEMO_ADMIN),
)

#: Search words of the course routes: in most bulk courses ("tecnico", "tecniche" share
#: the stem), and in about 1% of them (``bench.courses`` prints how many each matches).
COMMON_WORD = "tecnico"
RARE_WORD = "aeromobili"
#: The rare word misspelt: the search finds nothing and suggests RARE_WORD ("did you mean"),
#: from the catalogue's vocabulary, built by the first such request and then cached.
MISSPELT_WORD = "aeromobbili"
#: Where the distance route searches from (Milano, Municipio 1) and how far, in km.
NEAR_PLACE = "015146-1"
NEAR_KM = 10

#: The course directory (anonymous): seeded by ``bench.courses`` unless ``--courses 0``.
COURSE_ROUTES: tuple[RouteSpec, ...] = (
    RouteSpec("courses search, no query", "/courses/"),
    RouteSpec("courses search q=common", f"/courses/?q={COMMON_WORD}"),
    RouteSpec("courses search q=rare", f"/courses/?q={RARE_WORD}"),
    RouteSpec("courses search q=misspelt (did you mean)", f"/courses/?q={MISSPELT_WORD}"),
    RouteSpec("courses search kind+eqf", "/courses/?kind=its&eqf=5"),
    RouteSpec("courses search near, by distance",
              f"/courses/?place={NEAR_PLACE}&km={NEAR_KM}&sort=distance"),
    RouteSpec("courses search free+q", f"/courses/?q={COMMON_WORD}&free=y"),
    RouteSpec("courses search q=common page 50", f"/courses/?q={COMMON_WORD}&page=50"),
    RouteSpec("courses search htmx fragment", f"/courses/?q={COMMON_WORD}",
              headers=(("HX-Request", "true"),)),
    RouteSpec("courses search q=common revalidated (304)", f"/courses/?q={COMMON_WORD}",
              revalidate=True),
    RouteSpec("course page", "/courses/{course}"),
    RouteSpec("api courses list", f"/api/v1/courses?q={COMMON_WORD}&per_page=20"),
    RouteSpec("api course detail", "/api/v1/courses/{course}"),
)

#: The outreach queue and the risk admin pages, over ``--risk-records`` scored records
#: (``bench.outreach``): ``{flag}`` is the demo worker's first open flag, ``{version}`` the
#: active model version. Opening a flag writes an audit entry, so that route writes too.
OUTREACH_ROUTES: tuple[RouteSpec, ...] = (
    RouteSpec("outreach queue", "/outreach/", login=DEMO_OUTREACH),
    RouteSpec("outreach queue, model flags, high band",
              "/outreach/?trigger=model&band=high", login=DEMO_OUTREACH),
    RouteSpec("outreach queue page 50", "/outreach/?page=50", login=DEMO_OUTREACH),
    RouteSpec("outreach flag page (audited)", "/outreach/flags/{flag}", login=DEMO_OUTREACH),
    RouteSpec("risk versions", "/risk/versions", login=DEMO_ADMIN),
    RouteSpec("risk model card", "/risk/versions/{version}", login=DEMO_ADMIN),
    RouteSpec("risk version overview", "/risk/versions/{version}/overview", login=DEMO_ADMIN),
)

ROUTES = ROUTES + COURSE_ROUTES + OUTREACH_ROUTES
