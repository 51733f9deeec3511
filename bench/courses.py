"""The course directory in bulk: providers, courses, sites, occupations and the search index.

Everything goes through SQLAlchemy Core executemany in chunks, drawn from ``random.Random``
with a fixed seed, so a run with the same ``--courses`` builds the same catalogue. Titles and
descriptions are assembled from the demo catalogue's Italian and English word lists
(``orientamento.demo.catalogue``); places and occupations come from the reference tables that
``flask demo seed`` loaded. Each course's ``search_document`` is the text
``orientamento.courses.services.search_document`` would compute (checked on a sample after
seeding); the search backend indexes it (the FTS5 table on SQLite, the stored ``tsvector``
on PostgreSQL).
"""

from __future__ import annotations

import random
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from itertools import islice
from typing import Any

from sqlalchemy import Connection, Engine, func, insert, select, text

from bench.routes import COMMON_WORD, NEAR_KM, NEAR_PLACE, RARE_WORD
from bench.seed import BATCH_SIZE, SeededIds, SeedError

SEED = 2027
PROVIDERS = 200
#: Share of providers that are ITS foundations; the others are IeFP/IFTS training centres.
FOUNDATION_SHARE = 0.3
#: Share of courses archived (they leave search and the API, not the tables).
ARCHIVED_SHARE = 0.05
#: Courses whose stored search document is compared with the app's own computation.
CHECKED_DOCUMENTS = 50

STREETS = (
    "Via Roma", "Via Giuseppe Garibaldi", "Via Alessandro Manzoni", "Via Dante Alighieri",
    "Via Giuseppe Mazzini", "Corso Italia", "Viale Lombardia", "Via Giuseppe Verdi",
    "Via Cesare Battisti", "Via Vittorio Emanuele II", "Via dei Mille", "Via XX Settembre",
    "Via Leonardo da Vinci", "Viale Europa", "Via Milano", "Via per Monza", "Via Gramsci",
    "Via della Repubblica", "Piazza della Libertà", "Via San Francesco d'Assisi",
    "Via delle Industrie", "Via dell'Artigianato", "Via Enrico Fermi", "Via Galileo Galilei",
)
#: Words of provider names, by kind.
FOUNDATION_WORDS = (
    "Innovazione", "Tecnologia", "Futuro", "Lavoro", "Mestieri", "Competenze", "Impresa",
    "Sostenibilità", "Digitale", "Industria", "Territorio", "Talenti",
)
CENTRE_PREFIXES = (
    "Centro di Formazione Professionale", "Scuola Professionale", "Istituto di Formazione",
    "Agenzia Formativa", "Centro Servizi Formativi", "Scuola di Arti e Mestieri",
)
#: Second words of ITS titles ("Tecnico superiore ...", "Tecniche ...") besides the plain one.
TITLE_SUFFIXES = (
    "", "", "", "", " – percorso in apprendistato", " – indirizzo digitale",
    " – indirizzo sostenibilità", " – corso serale", " – percorso duale",
)


@dataclass(frozen=True)
class BulkProvider:
    """A bulk provider: its row id, name and where and what it teaches."""

    id: int
    name: str
    foundation: bool
    its_areas: tuple[str, ...]
    iefp_areas: tuple[str, ...]
    branches: tuple[tuple[str, str, float, float], ...]  # address, place code, lat, lon


@dataclass(frozen=True)
class Labels:
    """Translated labels the search document holds, computed once in the app."""

    area_it: dict[str, str]
    area_en: dict[str, str]
    kind_it: dict[str, str]


def app_for(url: str, env: Mapping[str, str]) -> Any:
    """The application on ``url`` (for labels in Italian and English and the checks)."""
    from orientamento import create_app

    return create_app({
        "SQLALCHEMY_DATABASE_URI": url,
        "SECRET_KEY": env.get("ORIENTAMENTO_SECRET_KEY", "x" * 32),
        "AUDIT_PSEUDONYM_KEY": env.get("ORIENTAMENTO_AUDIT_PSEUDONYM_KEY", "a" * 32),
    })


def labels() -> Labels:
    """Area and kind labels as ``search_document`` renders them (needs an app context)."""
    from flask_babel import force_locale

    from orientamento.courses.areas import AREA_LABELS, CourseKind

    with force_locale("it"):
        area_it = {k: str(v) for k, v in AREA_LABELS.items()}
        kind_it = {k.value: str(k.label) for k in CourseKind}
    with force_locale("en"):
        area_en = {k: str(v) for k, v in AREA_LABELS.items()}
    return Labels(area_it, area_en, kind_it)


def _places(connection: Connection) -> list[tuple[str, str, float, float]]:
    from orientamento.courses.models import Place

    rows = connection.execute(select(Place.code, Place.name, Place.latitude, Place.longitude)
                              .order_by(Place.code)).all()
    if not rows:
        raise SeedError("the places table is empty: `flask demo seed` loads it")
    return [tuple(row) for row in rows]  # type: ignore[misc]


def _occupations(connection: Connection) -> tuple[dict[int, tuple[str, str, str]],
                                                   dict[str, list[int]]]:
    """Occupations by id (code, Italian, English title) and occupation ids by area."""
    from orientamento.courses.models import Occupation

    rows = connection.execute(select(Occupation.id, Occupation.cp2021, Occupation.title_it,
                                     Occupation.title_en, Occupation.areas)).all()
    if not rows:
        raise SeedError("the occupations table is empty: `flask demo seed` loads it")
    by_id = {row.id: (row.cp2021, row.title_it, row.title_en) for row in rows}
    by_area: dict[str, list[int]] = {}
    for row in rows:
        for area in row.areas or ():
            by_area.setdefault(area, []).append(row.id)
    return by_id, by_area


def insert_providers(connection: Connection, rng: random.Random, count: int,
                     now: datetime) -> list[BulkProvider]:
    """Insert ``count`` providers with their areas and branches; return them."""
    from orientamento.courses.areas import IEFP_SECTORS, ITS_AREAS
    from orientamento.orgs.models import Provider

    places = _places(connection)
    municipalities = [p for p in places if "-" not in p[0]]
    rows, plans = [], []
    for n in range(1, count + 1):
        foundation = rng.random() < FOUNDATION_SHARE
        home = rng.choice(municipalities)
        if home[1] == "Milano":  # Milan's providers sit in one of its municipi
            home = rng.choice([p for p in places if p[0].startswith(f"{home[0]}-")] or [home])
        town = home[1].split(" - ")[0]
        if foundation:
            its = tuple(rng.sample(sorted(ITS_AREAS), rng.randint(1, 2)))
            iefp: tuple[str, ...] = ()
            name = f"Fondazione ITS {rng.choice(FOUNDATION_WORDS)} {town} {n:03d}"
        else:
            its = tuple(rng.sample(sorted(ITS_AREAS), 1))
            iefp = tuple(rng.sample(sorted(IEFP_SECTORS), rng.randint(2, 4)))
            name = f"{rng.choice(CENTRE_PREFIXES)} {town} {n:03d}"
        others = rng.sample(places, rng.randint(0, 2))
        branches = tuple(
            (f"{rng.choice(STREETS)} {rng.randint(1, 200)}", code,
             round(lat + rng.uniform(-0.01, 0.01), 5), round(lon + rng.uniform(-0.01, 0.01), 5))
            for code, _name, lat, lon in [home, *others])
        code = f"BENCH-{'ITS' if foundation else 'CFP'}-{n:04d}"
        rows.append({
            "code": code, "name": name,
            "kind": "its_foundation" if foundation else "training_centre",
            "municipality": town, "website": f"https://{code.lower()}.bench.example.org",
            "is_demo": False, "created_at": now, "updated_at": now,
        })
        plans.append((code, name, foundation, its, iefp, branches))
    connection.execute(insert(Provider), rows)
    ids = dict(connection.execute(select(Provider.code, Provider.id)
                                  .where(Provider.code.like("BENCH-%"))).all())
    return [BulkProvider(ids[code], name, foundation, its, iefp, branches)
            for code, name, foundation, its, iefp, branches in plans]


def _title(kind: str, area: str, rng: random.Random) -> tuple[str, str]:
    from orientamento.demo.catalogue import IEFP_TITLES, ITS_SPECIALISATIONS

    if kind in ("its", "ifts"):
        it, en = rng.choice(ITS_SPECIALISATIONS[area])
        suffix = rng.choice(TITLE_SUFFIXES)
        if kind == "its":
            return f"Tecnico superiore {it}{suffix}", f"Higher technician {en}"
        return f"Tecniche {it}{suffix}", f"Specialist techniques {en}"
    qualifiche, diplomi = IEFP_TITLES[area]
    return rng.choice(qualifiche if kind == "iefp_qualifica" else diplomi)


def _description(kind: str, area: str, english: bool,
                 rng: random.Random) -> tuple[str, str]:
    from orientamento.courses.areas import CourseKind
    from orientamento.demo.catalogue import (
        AREA_FOCUS,
        CLOSERS,
        ENGLISH_SENTENCE,
        KIND_SENTENCES,
        OPENERS,
    )

    opener, focus = rng.choice(OPENERS), rng.choice(AREA_FOCUS[area])
    parts = [(opener[0].format(focus[0]), opener[1].format(focus[1])),
             rng.choice(KIND_SENTENCES[CourseKind(kind)])]
    parts += rng.sample(CLOSERS, rng.randint(0, 2))
    if english:
        parts.append(ENGLISH_SENTENCE)
    return " ".join(it for it, _ in parts), " ".join(en for _, en in parts)


def course_rows(providers: list[BulkProvider], count: int, first_id: int,
                occupations: dict[str, list[int]], rng: random.Random, today: date,
                now: datetime) -> Iterator[tuple[dict[str, Any], list[dict[str, Any]], list[int]]]:
    """Yield ``count`` courses as (course row, site rows, occupation ids)."""
    from orientamento.courses.areas import CourseKind
    from orientamento.demo.catalogue import ADMISSION, AREA_RIASEC

    all_occupations = sorted({o for ids in occupations.values() for o in ids})
    for n in range(count):
        course_id = first_id + n
        provider = providers[n % len(providers)] if n < len(providers) else rng.choice(providers)
        if provider.foundation:
            kind, area = "its", rng.choice(provider.its_areas)
        else:
            kind = rng.choices(("iefp_qualifica", "iefp_diploma", "ifts"), (45, 30, 25))[0]
            area = rng.choice(provider.its_areas if kind == "ifts" else provider.iefp_areas)
        three_year = kind == "its" and rng.random() < 0.1
        english = kind == "its" and rng.random() < 0.04
        title, title_en = _title(kind, area, rng)
        if three_year:
            title = title.replace("Tecnico superiore", "Tecnico superiore specializzato", 1)
        description, description_en = _description(kind, area, english, rng)
        translations = ({"en": {"title": title_en, "description": description_en}}
                        if english or rng.random() < 0.7 else {})
        if kind == "its":
            hours = rng.choice((2700, 2850, 3000) if three_year else (1800, 1900, 2000))
            semesters = 6 if three_year else 4
        else:
            hours = rng.choice({"ifts": (800, 900, 1000), "iefp_qualifica": (2970, 3168),
                                "iefp_diploma": (990, 1056)}[kind])
            semesters = {"ifts": 2, "iefp_qualifica": 6, "iefp_diploma": 2}[kind]
        start = today + timedelta(days=rng.randint(-60, 330)) if rng.random() < 0.97 else None
        deadline = (start - timedelta(days=rng.randint(10, 60))
                    if start is not None and rng.random() < 0.9 else None)
        cost = 0 if rng.random() < (0.6 if kind == "its" else 0.85) else rng.choice(
            (15_000, 25_000, 40_000, 80_000))
        slug = f"c{course_id}"
        row = {
            "id": course_id, "provider_id": provider.id,
            "code": f"{kind.upper().replace('_', '-')}-{area.removeprefix('iefp_')[:3].upper()}"
                    f"-{n + 1:06d}",
            "kind": kind, "area": area,
            "eqf_level": {"its": 6 if three_year else 5, "ifts": 4, "iefp_qualifica": 3,
                          "iefp_diploma": 4}[kind],
            "title": title, "description": description, "translations": translations,
            "hours": hours, "semesters": semesters, "start_date": start,
            "application_deadline": deadline, "cost_cents": cost,
            "admission": rng.choice(ADMISSION[CourseKind(kind)]),
            "language": "en" if english else "it",
            "seats": rng.randint(15, 30) if rng.random() < 0.9 else None,
            **{f"riasec_{letter}": round(min(1.0, max(0.0, base + rng.uniform(-0.05, 0.05))), 2)
               for letter, base in zip("riasec", AREA_RIASEC[area], strict=True)},
            "contact_email": f"orientamento@{slug}.bench.example.org",
            "contact_phone": f"02 {rng.randint(1000, 9999)} {rng.randint(1000, 9999)}",
            "web_url": f"https://bench.example.org/corsi/{slug}",
            "status": "archived" if rng.random() < ARCHIVED_SHARE else "active",
            "is_demo": False,
            "created_at": now - timedelta(days=rng.randint(1, 700)),
            "updated_at": now - timedelta(minutes=rng.randint(1, 60 * 24 * 365)),
        }
        picked = [0] + ([1] if rng.random() < 0.2 else []) + ([2] if rng.random() < 0.05 else [])
        sites = []
        for position, branch in enumerate(provider.branches[i] for i in picked
                                          if i < len(provider.branches)):
            address, place_code, lat, lon = branch
            sites.append({"course_id": course_id, "position": position, "address": address,
                          "place_code": place_code, "latitude": lat, "longitude": lon})
        pool = occupations.get(area) or all_occupations
        jobs = sorted(rng.sample(pool, min(len(pool), rng.randint(1, 4)))) if pool else []
        yield row, sites, jobs


def document(row: Mapping[str, Any], provider_name: str, jobs: list[tuple[str, str, str]],
             names: Labels) -> str:
    """The folded search text of a course, as ``services.search_document`` builds it."""
    from orientamento.courses.search import fold

    parts = [row["title"], row["description"], names.area_it.get(row["area"], ""),
             names.kind_it[row["kind"]], names.area_en.get(row["area"], ""), provider_name]
    for translated in (row["translations"] or {}).values():
        parts += [translated.get("title", ""), translated.get("description", "")]
    for _code, title_it, title_en in sorted(jobs):  # the relationship orders them by CP2021
        parts += [title_it, title_en]
    return fold(" ".join(p for p in parts if p))


def insert_courses(connection: Connection, count: int, names: Labels,
                   seed: int = SEED) -> int:
    """Insert providers and ``count`` courses with sites, occupations and search index.

    Returns the id of the first bulk course.
    """
    from orientamento.courses.models import Course, CourseSite, course_occupations
    from orientamento.courses.search import backend_for

    rng = random.Random(seed)
    now = datetime.now(UTC)
    providers = insert_providers(connection, rng, PROVIDERS, now)
    names_by_id = {p.id: p.name for p in providers}
    occupation_titles, occupations = _occupations(connection)
    first_id = (connection.scalar(select(func.max(Course.id))) or 0) + 1
    backend = backend_for(connection.dialect.name)
    generated = course_rows(providers, count, first_id, occupations, rng, now.date(), now)
    while batch := list(islice(generated, BATCH_SIZE)):
        documents = {}
        for row, _sites, jobs in batch:
            row["search_document"] = document(
                row, names_by_id[row["provider_id"]], [occupation_titles[j] for j in jobs], names)
            documents[row["id"]] = row["search_document"]
        connection.execute(insert(Course), [row for row, _s, _j in batch])
        connection.execute(insert(CourseSite), [s for _r, sites, _j in batch for s in sites])
        links = [{"course_id": row["id"], "occupation_id": j} for row, _s, jobs in batch
                 for j in jobs]
        if links:
            connection.execute(insert(course_occupations), links)
        # FTS5 rows on SQLite; the stored tsvector on PostgreSQL (the app remembers each
        # word's stem, so the pure-Python stemmer runs once per distinct word).
        backend.refresh(connection, documents)
    if connection.dialect.name == "postgresql":  # explicit ids: move the sequence past them
        connection.execute(text(
            "SELECT setval(pg_get_serial_sequence('courses', 'id'), (SELECT max(id) FROM courses))"
        ))
    return first_id


def check_courses(app: Any, first_id: int, count: int) -> dict[str, int]:
    """Check the catalogue as the app sees it; return how many courses the searches match.

    Compares a sample of stored search documents with ``services.search_document``, runs
    the app's search for the rare word and the filters (each must find courses) and counts
    the index's matches of the common word (the app's search for it can take many seconds
    on SQLite, which the routes measure).
    """
    from orientamento.courses import queries, results
    from orientamento.courses.models import Course
    from orientamento.courses.search import backend_for
    from orientamento.courses.services import search_document
    from orientamento.extensions import db

    stats: dict[str, int] = {}
    with app.app_context():
        sample = range(first_id, first_id + count, max(1, count // CHECKED_DOCUMENTS))
        for course_id in sample:
            course = db.session.get(Course, course_id)
            if course is None or course.search_document != search_document(course):
                raise SeedError(f"course {course_id}: the stored search document differs from "
                                "services.search_document")
        searches = {
            "all": queries.CourseQuery(),
            RARE_WORD: queries.CourseQuery(q=RARE_WORD),
            "its_eqf5": queries.CourseQuery(kinds=("its",), eqf_levels=(5,)),
            "near": queries.CourseQuery(place=queries.place_or_none(NEAR_PLACE), km=NEAR_KM,
                                        sort="distance"),
        }
        for name, query in searches.items():
            total = results.search_courses(query).total
            if total == 0:
                raise SeedError(f"the search {name!r} found no course after seeding")
            stats[f"matches_{name}"] = total
        condition = backend_for(db.engine.dialect.name).condition(COMMON_WORD)
        if condition is None:
            raise SeedError(f"{COMMON_WORD!r} gives no full-text query")
        found: int | None = db.session.execute(
            select(func.count()).select_from(Course).where(condition)).scalar()
        stats[f"index_matches_{COMMON_WORD}"] = found or 0
        if not found:
            raise SeedError(f"the index finds no course for {COMMON_WORD!r} after seeding")
        db.session.remove()
        db.engine.dispose()
    return stats


def seed_courses(engine: Engine, url: str, count: int, env: Mapping[str, str]
                 ) -> tuple[SeededIds, dict[str, int]]:
    """Seed ``count`` courses and check them; return the routes' placeholders and counts."""
    from orientamento.courses.models import Course, CourseSite

    app = app_for(url, env)
    with app.app_context():
        names = labels()
    with engine.begin() as connection:
        first_id = insert_courses(connection, count, names)
        # A course page with a site in Milan: an active bulk course, the first such one.
        course = connection.scalar(
            select(Course.id).join(CourseSite, CourseSite.course_id == Course.id)
            .where(Course.id >= first_id, Course.status == "active",
                   CourseSite.place_code.like("015146%")).order_by(Course.id).limit(1))
        if course is None:
            raise SeedError("no active bulk course was seeded")
    stats = check_courses(app, first_id, count)
    stats["courses"] = count
    return {"course": int(course)}, stats
