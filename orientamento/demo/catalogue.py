"""A fictitious demo catalogue of ITS Academy, IFTS and IeFP courses around Milan.

Pure and deterministic: no database, no app. Providers, titles and descriptions are
invented for the demo; rows use the course import format, every value a string.
"""

from __future__ import annotations

import csv
import itertools
import random
from collections.abc import Mapping, Sequence
from datetime import date, timedelta
from pathlib import Path
from typing import NamedTuple

from orientamento.courses.areas import IEFP_SECTORS, KIND_EQF_LEVELS, CourseKind
from orientamento.courses.models import CourseStatus
from orientamento.demo.catalogue_texts import (
    ADMISSION,
    AREA_FOCUS,
    CLOSERS,
    ENGLISH_SENTENCE,
    IEFP_TITLES,
    ITS_SPECIALISATIONS,
    KIND_SENTENCES,
    OPENERS,
    THREE_YEAR_SENTENCE,
)
from orientamento.orgs.models import ProviderKind

SEED = 20260901
MILANO = "015146"


class _Provider(NamedTuple):
    code: str
    name: str
    kind: ProviderKind
    municipality: str
    areas: tuple[str, ...]  # ITS areas (ITS or IFTS courses) and IeFP sectors


class _Course(NamedTuple):
    provider: int
    kind: CourseKind
    area: str
    title: str
    title_en: str


DATA_DIR = Path(__file__).parent / "data"
_CENTRE = ProviderKind.TRAINING_CENTRE


def _read(name: str) -> list[dict[str, str]]:
    with (DATA_DIR / name).open(encoding="utf-8") as file:
        return list(csv.DictReader(file))


#: The demo providers (``data/providers.csv``); ``areas`` are separated by "|".
_PROVIDERS = tuple(_Provider(row["code"], row["name"], ProviderKind(row["kind"]),
                             row["municipality"], tuple(row["areas"].split("|")))
                   for row in _read("providers.csv"))

DEMO_CATALOGUE_PROVIDERS: tuple[dict[str, str], ...] = tuple(
    {"code": p.code, "name": p.name, "kind": p.kind, "municipality": p.municipality}
    for p in _PROVIDERS
)

#: Typical interest profile (R, I, A, S, E, C) per area, from ``data/area_riasec.csv``; the
#: top letter leads by >= 0.10.
AREA_RIASEC: dict[str, tuple[float, float, float, float, float, float]] = {
    row["area"]: (float(row["r"]), float(row["i"]), float(row["a"]), float(row["s"]),
                  float(row["e"]), float(row["c"]))
    for row in _read("area_riasec.csv")}

#: Specialisations per ITS area: "Tecnico superiore <it>" / "Higher technician <en>".
_HOURS = {CourseKind.IFTS: (800, 900, 1000), CourseKind.IEFP_QUALIFICA: (2970, 3168),
          CourseKind.IEFP_DIPLOMA: (990, 1056)}
_SEMESTERS = {CourseKind.IFTS: 2, CourseKind.IEFP_QUALIFICA: 6, CourseKind.IEFP_DIPLOMA: 2}
_CODE_PREFIX = {CourseKind.ITS: "ITS", CourseKind.IFTS: "IFTS",
                CourseKind.IEFP_QUALIFICA: "IEFP-Q", CourseKind.IEFP_DIPLOMA: "IEFP-D"}
_STREETS = ("Via Demo", "Viale Esempio", "Via dei Mestieri Demo", "Piazza Demo",
            "Via della Formazione Demo", "Corso Esempio", "Via delle Officine Demo")
_COSTS = {CourseKind.ITS: ((0.60, 0.15, 0.15, 0.10), ("0", "150.00", "250.00", "400.00")),
          CourseKind.IFTS: ((0.85, 0.15), ("0", "250.00")),
          CourseKind.IEFP_QUALIFICA: ((0.90, 0.10), ("0", "150.00")),
          CourseKind.IEFP_DIPLOMA: ((0.90, 0.10), ("0", "150.00"))}

Site = tuple[str, str, str, str]  # address, place code, latitude, longitude


def _course_specs(rng: random.Random) -> list[_Course]:
    """Every provider's courses: ITS for foundations, IeFP and some IFTS for centres."""
    courses: list[_Course] = []
    for index, provider in enumerate(_PROVIDERS):
        for position, area in enumerate(provider.areas):
            if area in IEFP_SECTORS:
                qualifiche, diplomi = IEFP_TITLES[area]
                courses += [_Course(index, CourseKind.IEFP_QUALIFICA, area, *t) for t in qualifiche]
                picked = rng.sample(diplomi, rng.randint(1, len(diplomi)))
                courses += [_Course(index, CourseKind.IEFP_DIPLOMA, area, *t) for t in picked]
            elif provider.kind == _CENTRE:
                for it, en in rng.sample(ITS_SPECIALISATIONS[area], 2):
                    courses.append(_Course(index, CourseKind.IFTS, area, "Tecniche " + it,
                                           "Specialist techniques " + en))
            else:
                count = 6 if len(provider.areas) == 1 else (5 if position == 0 else 4)
                for it, en in rng.sample(ITS_SPECIALISATIONS[area], count):
                    courses.append(_Course(index, CourseKind.ITS, area, "Tecnico superiore " + it,
                                           "Higher technician " + en))
    return courses


def _branches(places: Mapping[str, tuple[str, float, float]],
              rng: random.Random) -> list[list[Site]]:
    """Up to three sites per provider: its home (a municipio for Milan) and two others."""
    municipalities = sorted(code for code in places if "-" not in code) or sorted(places)
    by_name = {places[code][0]: code for code in municipalities}
    homes: list[str | None] = []
    for index, provider in enumerate(_PROVIDERS):
        home = by_name.get(provider.municipality)
        if home == MILANO and f"{MILANO}-{index % 9 + 1}" in places:
            home = f"{MILANO}-{index % 9 + 1}"
        homes.append(home)
    taken = {home.split("-")[0] for home in homes if home}
    pool = [code for code in municipalities if code not in taken] or list(municipalities)
    rng.shuffle(pool)
    draws = itertools.cycle(pool)
    branches: list[list[Site]] = []
    for home in homes:
        codes = [home or next(draws)]
        for _ in range(2):
            code = next(draws)
            if code not in codes:
                codes.append(code)
        sites = []
        for code in codes:
            _, latitude, longitude = places[code]
            sites.append((f"{rng.choice(_STREETS)} {rng.randint(1, 150)}", code,
                          f"{latitude + rng.uniform(-0.009, 0.009):.5f}",
                          f"{longitude + rng.uniform(-0.009, 0.009):.5f}"))
        branches.append(sites)
    return branches


def _riasec(area: str, rng: random.Random) -> dict[str, str]:
    """The area's profile with a small jitter, so the top letter stays the same."""
    return {f"riasec_{letter}": f"{min(1.0, max(0.0, base + rng.uniform(-0.04, 0.04))):.2f}"
            for letter, base in zip("riasec", AREA_RIASEC[area], strict=True)}


def _texts(course: _Course, three_year: bool, english: bool,
           rng: random.Random) -> dict[str, str]:
    """Title and a two or three sentence description, in Italian and English."""
    title, title_en = course.title, course.title_en
    if three_year:
        title = title.replace("Tecnico superiore", "Tecnico superiore specializzato")
        title_en = title_en.replace("Higher technician", "Specialised higher technician")
    opener, focus = rng.choice(OPENERS), rng.choice(AREA_FOCUS[course.area])
    middle = THREE_YEAR_SENTENCE if three_year else rng.choice(KIND_SENTENCES[course.kind])
    closer = ENGLISH_SENTENCE if english else rng.choice((*CLOSERS, None))
    parts = [(opener[0].format(focus[0]), opener[1].format(focus[1])), middle]
    parts += [closer] if closer else []
    description_en = " ".join(en for _, en in parts)
    if not english and rng.random() < 0.2:
        title_en = description_en = ""
    return {"title": title, "description": " ".join(it for it, _ in parts),
            "title_en": title_en, "description_en": description_en,
            "title_ar": "", "description_ar": ""}


def _sites(sites: list[Site], number: int, rng: random.Random) -> dict[str, str]:
    """The provider's sites in turn, with a second site for some courses."""
    chosen = [sites[(number - 1) % len(sites)]]
    if len(sites) > 1 and rng.random() < 0.15:
        chosen.append(sites[number % len(sites)])
    columns = ("site_addresses", "site_place_codes", "site_latitudes", "site_longitudes")
    return {column: "|".join(site[n] for site in chosen) for n, column in enumerate(columns)}


def demo_course_rows(occupations_by_area: Mapping[str, Sequence[str]],
                     places: Mapping[str, tuple[str, float, float]],
                     today: date) -> list[dict[str, str]]:
    """Return the demo catalogue as import rows (every value a string)."""
    if not places:
        raise ValueError("demo catalogue needs at least one place")
    rng = random.Random(SEED)  # noqa: S311 - reproducible demo data, not security
    courses = _course_specs(rng)
    branches = _branches(places, rng)
    its = [i for i, course in enumerate(courses) if course.kind == CourseKind.ITS]
    three_year = set(rng.sample(its, 5))
    english = set(rng.sample([i for i in its if i not in three_year], 4))
    numbers: dict[int, int] = {}
    rows: list[dict[str, str]] = []
    for i, course in enumerate(courses):
        provider = _PROVIDERS[course.provider]
        number = numbers[course.provider] = numbers.get(course.provider, 0) + 1
        kind, slug = course.kind, provider.code.lower()
        levels = KIND_EQF_LEVELS[kind]
        if kind == CourseKind.ITS:
            hours = rng.choice((2700, 2850, 3000) if i in three_year else (1800, 1900, 2000))
            semesters = 6 if i in three_year else 4
        else:
            hours, semesters = rng.choice(_HOURS[kind]), _SEMESTERS[kind]
        start = today + timedelta(days=rng.randint(-30, 300))
        deadline = start - timedelta(days=rng.randint(10, 60))
        abbreviation = course.area.removeprefix("iefp_")[:3].upper()
        code = f"{_CODE_PREFIX[kind]}-{abbreviation}-{start.year}-{number:02d}"
        pool = sorted(set(occupations_by_area.get(course.area, ())))
        occupations = sorted(rng.sample(pool, min(len(pool), rng.randint(1, 4))))
        weights, costs = _COSTS[kind]
        rows.append({
            "provider_code": provider.code, "course_code": code, "kind": str(kind),
            "area": course.area, "eqf_level": str(max(levels) if i in three_year else min(levels)),
            **_texts(course, i in three_year, i in english, rng),
            "hours": str(hours), "semesters": str(semesters), "start_date": start.isoformat(),
            "application_deadline": deadline.isoformat(),
            "cost_eur": rng.choices(costs, weights)[0],
            "admission": rng.choice(ADMISSION[kind]),
            "language": "en" if i in english else "it",
            "seats": str(rng.randint(20, 30)),
            **_sites(branches[course.provider], number, rng),
            "occupation_codes": "|".join(occupations),
            **_riasec(course.area, rng),
            "contact_email": f"orientamento@{slug}.demo.example.org",
            "contact_phone": f"02 0000 {101 + course.provider:04d}",
            "web_url": f"https://{slug}.demo.example.org/corsi/{code.lower()}",
            "status": str(CourseStatus.ACTIVE),
        })
    past = [row for row in rows if row["start_date"] < today.isoformat()]
    for row in rng.sample(past if len(past) >= 4 else rows, 4):
        row["status"] = str(CourseStatus.ARCHIVED)
    for row in rng.sample(rows, 8):
        row["application_deadline"] = ""
    for row in rng.sample(rows, 6):
        row["seats"] = ""
    return rows
