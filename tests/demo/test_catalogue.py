"""The demo catalogue generator: deterministic, plentiful and consistent with the vocabularies."""

from __future__ import annotations

import re
from collections import Counter, defaultdict
from datetime import date, timedelta

from orientamento.courses.areas import (
    AREA_LABELS,
    IEFP_SECTORS,
    KIND_EQF_LEVELS,
    CourseKind,
    areas_for_kind,
)
from orientamento.demo.catalogue import DEMO_CATALOGUE_PROVIDERS, demo_course_rows

TODAY = date(2026, 3, 1)
KEYS = {
    "provider_code", "course_code", "kind", "area", "eqf_level", "title", "description",
    "title_en", "description_en", "title_ar", "description_ar", "hours", "semesters",
    "start_date", "application_deadline", "cost_eur", "admission", "language", "seats",
    "site_addresses", "site_place_codes", "site_latitudes", "site_longitudes",
    "occupation_codes", "riasec_r", "riasec_i", "riasec_a", "riasec_s", "riasec_e",
    "riasec_c", "contact_email", "contact_phone", "web_url", "status",
}
SITE_FIELDS = ("site_addresses", "site_place_codes", "site_latitudes", "site_longitudes")
RIASEC_FIELDS = tuple(f"riasec_{letter}" for letter in "riasec")
EMPTY_AREA = "iefp_sport"


def _places(municipalities: int = 120) -> dict[str, tuple[str, float, float]]:
    """Synthetic places: Milano with its nine municipi, Sesto and numbered municipalities."""
    places = {"015146": ("Milano", 45.4642, 9.1900), "015209": ("Sesto San Giovanni", 45.5350, 9.2300)}
    for n in range(1, 10):
        places[f"015146-{n}"] = (f"Milano - Municipio {n}", 45.44 + n * 0.005, 9.15 + n * 0.01)
    for n in range(municipalities):
        places[f"015{300 + n}"] = (f"Comune Finto {n}", 45.30 + n * 0.004, 8.80 + n * 0.006)
    return places


def _occupations() -> dict[str, list[str]]:
    """Three codes per area, unique to it, and none for one sector."""
    return {area: [] if area == EMPTY_AREA else [f"{i}.{j}.1.1.0" for j in range(1, 4)]
            for i, area in enumerate(sorted(AREA_LABELS), start=1)}


def _rows(places: dict[str, tuple[str, float, float]] | None = None,
          today: date = TODAY) -> list[dict[str, str]]:
    return demo_course_rows(_occupations(), _places() if places is None else places, today)


def test_same_arguments_give_the_same_rows() -> None:
    first, second = _rows(), _rows()
    assert first == second
    later = _rows(today=TODAY + timedelta(days=7))
    assert [row["start_date"] for row in later] != [row["start_date"] for row in first]


def test_catalogue_is_large_and_every_provider_teaches() -> None:
    rows = _rows()
    assert len(rows) >= 170
    codes = [provider["code"] for provider in DEMO_CATALOGUE_PROVIDERS]
    assert len(codes) == len(set(codes)) >= 22
    assert "DEMO-ITS-01" not in codes
    assert set(Counter(row["provider_code"] for row in rows)) == set(codes)


def test_providers_are_marked_as_demo() -> None:
    kinds = Counter(provider["kind"] for provider in DEMO_CATALOGUE_PROVIDERS)
    assert set(kinds) == {"its_foundation", "training_centre"}
    assert 6 <= kinds["its_foundation"] <= 10
    for provider in DEMO_CATALOGUE_PROVIDERS:
        assert set(provider) == {"code", "name", "kind", "municipality"}
        assert re.fullmatch(r"DEMO-[A-Z0-9-]+", provider["code"]) and len(provider["code"]) <= 20
        assert "Demo" in provider["name"]
        assert provider["municipality"]


def test_foundations_offer_its_and_centres_iefp_and_ifts() -> None:
    kind_of = {provider["code"]: provider["kind"] for provider in DEMO_CATALOGUE_PROVIDERS}
    offered: dict[str, set[str]] = defaultdict(set)
    for row in _rows():
        offered[kind_of[row["provider_code"]]].add(row["kind"])
    assert offered["its_foundation"] == {CourseKind.ITS.value}
    assert offered["training_centre"] == {
        CourseKind.IFTS.value, CourseKind.IEFP_QUALIFICA.value, CourseKind.IEFP_DIPLOMA.value}


def test_kind_level_area_and_duration_agree() -> None:
    rows = _rows()
    durations = {
        CourseKind.IFTS: (800, 1000, {"2"}),
        CourseKind.IEFP_QUALIFICA: (2970, 3168, {"6"}),
        CourseKind.IEFP_DIPLOMA: (990, 1056, {"2"}),
    }
    for row in rows:
        kind = CourseKind(row["kind"])
        level, hours = int(row["eqf_level"]), int(row["hours"])
        assert level in KIND_EQF_LEVELS[kind]
        assert row["area"] in areas_for_kind(kind)
        if kind == CourseKind.ITS:
            expected = (1800, 2000, {"4"}) if level == 5 else (2700, 3000, {"6"})
        else:
            expected = durations[kind]
        assert expected[0] <= hours <= expected[1] and row["semesters"] in expected[2]
    levels = Counter(row["eqf_level"] for row in rows if row["kind"] == CourseKind.ITS)
    assert 0 < levels["6"] < levels["5"]
    assert {row["area"] for row in rows if row["kind"] != CourseKind.ITS} >= set(IEFP_SECTORS)


def test_admission_matches_the_kind() -> None:
    for row in _rows():
        if row["kind"].startswith("iefp"):
            assert "licenza media" in row["admission"]
        else:
            assert "diploma" in row["admission"] and "licenza media" not in row["admission"]


def test_codes_and_titles_are_unique_within_a_provider() -> None:
    rows = _rows()
    assert len({(row["provider_code"], row["course_code"]) for row in rows}) == len(rows)
    assert len({(row["provider_code"], row["title"]) for row in rows}) == len(rows)
    for row in rows:
        assert re.fullmatch(r"[A-Z0-9-]{1,40}", row["course_code"])
        assert 0 < len(row["title"]) <= 200 and 0 < len(row["description"]) <= 1000
        slug = row["provider_code"].lower()
        assert row["web_url"] == f"https://{slug}.demo.example.org/corsi/{row['course_code'].lower()}"
        assert row["contact_email"] == f"orientamento@{slug}.demo.example.org"


def test_every_value_is_a_safe_string() -> None:
    for row in _rows():
        assert set(row) == KEYS
        for value in row.values():
            assert isinstance(value, str)
            assert not value.startswith(("=", "+", "-", "@"))


def test_sites_are_consistent_and_spread() -> None:
    places = _places()
    rows = _rows(places)
    municipalities = set()
    for row in rows:
        columns = [row[field].split("|") for field in SITE_FIELDS]
        assert len({len(column) for column in columns}) == 1
        addresses, codes, latitudes, longitudes = columns
        assert all(addresses)
        for code, latitude, longitude in zip(codes, latitudes, longitudes, strict=True):
            assert code in places
            assert re.fullmatch(r"\d+\.\d{5}", latitude) and re.fullmatch(r"\d+\.\d{5}", longitude)
            assert abs(float(latitude) - places[code][1]) < 0.01
            assert abs(float(longitude) - places[code][2]) < 0.01
            municipalities.add(code.split("-")[0])
    assert len(municipalities) >= 40
    assert any("|" in row["site_place_codes"] for row in rows)
    assert any(row["site_place_codes"].startswith("015146-") for row in rows)


def test_few_places_still_give_valid_sites() -> None:
    places = {"015146": ("Milano", 45.46, 9.19), "015002": ("Abbiategrasso", 45.40, 8.92)}
    rows = _rows(places)
    assert len(rows) >= 170
    assert {code for row in rows for code in row["site_place_codes"].split("|")} == set(places)


def test_occupations_come_from_the_course_area() -> None:
    occupations = _occupations()
    for row in _rows():
        codes = row["occupation_codes"].split("|") if row["occupation_codes"] else []
        if row["area"] == EMPTY_AREA:
            assert codes == []
        else:
            assert 1 <= len(codes) <= 4 and len(set(codes)) == len(codes)
            assert set(codes) <= set(occupations[row["area"]])


def test_dates_are_relative_to_today() -> None:
    rows = _rows()
    without_deadline = 0
    for row in rows:
        start = date.fromisoformat(row["start_date"])
        assert TODAY - timedelta(days=30) <= start <= TODAY + timedelta(days=300)
        if not row["application_deadline"]:
            without_deadline += 1
            continue
        gap = (start - date.fromisoformat(row["application_deadline"])).days
        assert 10 <= gap <= 60
    assert 0 < without_deadline < len(rows) // 5
    assert len({row["start_date"] for row in rows}) > 50


def test_riasec_profiles_have_a_stable_top_letter() -> None:
    tops: dict[str, set[str]] = defaultdict(set)
    profiles: dict[str, set[tuple[str, ...]]] = defaultdict(set)
    rows = _rows()
    counts = Counter(row["area"] for row in rows)
    for row in rows:
        values = [row[field] for field in RIASEC_FIELDS]
        assert all(re.fullmatch(r"[01]\.\d\d", value) and float(value) <= 1 for value in values)
        scores = [float(value) for value in values]
        assert scores.count(max(scores)) == 1
        tops[row["area"]].add(RIASEC_FIELDS[scores.index(max(scores))])
        profiles[row["area"]].add(tuple(values))
    assert all(len(letters) == 1 for letters in tops.values())
    assert len({next(iter(letters)) for letters in tops.values()}) >= 5
    # Deterministic jitter: courses of one area do not all share one profile.
    assert all(len(variants) > 1 for area, variants in profiles.items() if counts[area] >= 3)


def test_languages_translations_costs_and_status() -> None:
    rows = _rows()
    english = [row for row in rows if row["language"] == "en"]
    assert 3 <= len(english) <= 5 and all(row["kind"] == CourseKind.ITS for row in english)
    assert all(row["title_en"] and row["description_en"] for row in english)
    assert {row["language"] for row in rows} == {"it", "en"}
    untranslated = [row for row in rows if not row["title_en"]]
    assert all(not row["description_en"] for row in untranslated)
    assert 0.1 * len(rows) <= len(untranslated) <= 0.3 * len(rows)
    assert all(not row["title_ar"] and not row["description_ar"] for row in rows)
    assert 3 <= sum(row["status"] == "archived" for row in rows) <= 5
    assert {row["status"] for row in rows} == {"active", "archived"}
    costs = Counter(row["cost_eur"] for row in rows)
    assert set(costs) <= {"0", "150.00", "250.00", "400.00"} and costs["0"] > len(rows) / 2
    seats = [row["seats"] for row in rows]
    assert 0 < seats.count("") < len(rows) // 10
    assert all(20 <= int(value) <= 30 for value in seats if value)
    assert len({row["description"] for row in rows}) > 0.9 * len(rows)
