"""The suggestions page: one card per programme, variety across areas, reasons of their own,
and a locked questionnaire explained instead of linked."""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Callable

import pytest
from flask.testing import FlaskClient
from hypothesis import given
from hypothesis import strategies as st

from orientamento.assessments.models import Assignment, Response
from orientamento.auth.models import Role, User
from orientamento.classes.models import SchoolClass
from orientamento.core import clock
from orientamento.courses.models import Course
from orientamento.courses.recommendations import Candidate, rank
from orientamento.courses.suggestions import programme_key
from orientamento.extensions import db
from orientamento.orgs.models import Provider
from tests.conftest import born_years_ago, log_in

LETTERS = "RIASEC"
ENGLISH = {"Accept-Language": "en"}
profiles = st.fixed_dictionaries({k: st.floats(0, 1, allow_nan=False) for k in LETTERS})
#: A mechatronics profile (R, then I) and a student who likes exactly that.
MECH = {"riasec_r": "0.9", "riasec_i": "0.8", "riasec_a": "0.1", "riasec_s": "0.2",
        "riasec_e": "0.3", "riasec_c": "0.4"}
STUDENT = {"R": 90.0, "I": 85.0, "A": 10.0, "S": 20.0, "E": 30.0, "C": 40.0}


def _riasec(*weights: float) -> dict[str, str]:
    return {f"riasec_{k.lower()}": f"{w:.2f}" for k, w in zip(LETTERS, weights, strict=True)}


def _interests(student: User, scores: dict[str, float] = STUDENT) -> None:
    db.session.add(Response(
        student_id=student.id, questionnaire_id="interests", version=1, status="submitted",
        answers={}, submitted_at=clock.now(),
        scores={k: {"value": v / 25 + 1, "percent": v, "answered": 8, "items": 8,
                    "band": "high"} for k, v in scores.items()}))
    db.session.commit()


def _main(page: str) -> str:
    return page[page.index('<main'):page.index('</main>')]


def _cards(page: str) -> list[str]:
    """The card titles of the page, in order."""
    return re.findall(r'<h3 class="h5" id="course-\d+-title"><a href="[^"]+">([^<]+)</a>', page)


def _reasons(page: str) -> list[str]:
    return re.findall(r"<strong>Why:</strong> (.*?)</p>", page, flags=re.S)


# The ranking (pure) -------------------------------------------------------------------------

@given(profiles, st.lists(st.tuples(profiles, st.integers(0, 4)), min_size=1, max_size=30),
       st.lists(st.integers(0, 3), min_size=5, max_size=5), st.integers(1, 3))
def test_one_suggestion_per_programme_and_a_cap_per_area(
        student: dict[str, float], specs: list[tuple[dict[str, float], int]],
        area_of_programme: list[int], per_area: int) -> None:
    # A programme belongs to one area wherever it is taught.
    candidates = [Candidate(n, p, f"programme-{g}", f"area-{area_of_programme[g]}")
                  for n, (p, g) in enumerate(specs)]
    ranked = rank(student, candidates, limit=4, broaden=2, per_area=per_area)
    group_of = {c.id: c.group for c in candidates}
    area_of = {c.id: c.area for c in candidates}
    shown = [s.id for s in ranked]
    # Every programme once: as a suggestion or listed on the one suggestion of its programme.
    assert len({group_of[i] for i in shown}) == len(shown)
    listed = [i for s in ranked for i in (s.id, *s.others)]
    assert sorted(i for i in listed) == sorted(
        c.id for c in candidates if group_of[c.id] in {group_of[i] for i in shown})
    for s in ranked:
        assert all(group_of[o] == group_of[s.id] for o in s.others)
    # The cap: an area goes over it only when no programme of an area under it was left out.
    best = [s.id for s in ranked if not s.broadening]
    counts = Counter(area_of[i] for i in best)
    left_out = {c.group for c in candidates} - {group_of[i] for i in shown}
    if any(n > per_area for n in counts.values()):
        for group in left_out:
            members = [c for c in candidates if c.group == group]
            assert all(counts[c.area] >= per_area for c in members)


def test_the_best_of_an_area_come_first_and_the_others_fill_in_after() -> None:
    strong = {"R": 90.0, "I": 80.0, "A": 10.0, "S": 20.0, "E": 30.0, "C": 40.0}
    near = {"R": 0.9, "I": 0.8, "A": 0.1, "S": 0.2, "E": 0.3, "C": 0.4}
    less = {"R": 0.8, "I": 0.5, "A": 0.1, "S": 0.3, "E": 0.3, "C": 0.6}
    candidates = [Candidate(n, near, area="mech") for n in range(1, 5)]
    candidates.append(Candidate(9, less, area="energy"))
    order = [s.id for s in rank(strong, candidates, limit=5, broaden=0, per_area=2)]
    assert order == [1, 2, 9, 3, 4]  # energy fits worse but comes before a third mechatronics
    assert [s.id for s in rank(strong, candidates, limit=5, broaden=0)] == [1, 2, 3, 4, 9]


def test_programme_key_folds_case_accents_and_spaces() -> None:
    assert programme_key("its", "Tecnico  superiore per l'Energia") == \
        programme_key("its", "tecnico superiore per l'energia ")
    assert programme_key("its", "Qualità") == programme_key("its", "qualita")
    assert programme_key("its", "Meccanica") != programme_key("ifts", "Meccanica")


# The page -----------------------------------------------------------------------------------

def test_one_card_per_programme_listing_its_other_sites(
        client: FlaskClient, make_course: Callable[..., Course],
        make_provider: Callable[..., Provider], make_user: Callable[..., User]) -> None:
    home, other = make_provider(name="Fondazione Uno"), make_provider(name="Fondazione Due")
    title = "Tecnico superiore per la robotica"
    make_course(home, title=title, **MECH)
    make_course(home, title=title, site_place_codes="015146-3", **MECH)  # same provider
    make_course(other, title=title.upper(), site_place_codes="015002", **MECH)  # Abbiategrasso
    make_course(other, title="Tecnico superiore per la manutenzione", **MECH)
    student = make_user(Role.STUDENT)
    _interests(student)
    log_in(client, student)
    page = client.get("/courses/suggestions?education=diploma", headers=ENGLISH)
    html = page.get_data(as_text=True)
    cards = _cards(html)
    assert sorted(c.casefold() for c in cards) == sorted(
        [title.casefold(), "tecnico superiore per la manutenzione"])
    assert html.count("Also offered by") == 1
    listed = html[html.index("Also offered by"):]
    listed = listed[:listed.index("</ul>")]
    assert listed.count("<li>") == 2 and "Abbiategrasso" in listed


def test_the_first_cards_come_from_several_areas(
        client: FlaskClient, make_course: Callable[..., Course],
        make_user: Callable[..., User]) -> None:
    for n in range(4):
        make_course(title=f"Meccatronica {n}", area="mechatronics", **MECH)
    make_course(title="Energia", area="energy", **_riasec(0.8, 0.5, 0.1, 0.3, 0.3, 0.6))
    student = make_user(Role.STUDENT)
    _interests(student)
    log_in(client, student)
    cards = _cards(client.get("/courses/suggestions?education=diploma").get_data(as_text=True))
    assert cards.index("Energia") == 2  # after two of mechatronics, before the others
    assert len(cards) == 5


def test_reasons_say_what_matched_and_differ_from_card_to_card(
        client: FlaskClient, make_course: Callable[..., Course],
        make_user: Callable[..., User]) -> None:
    make_course(title="Automazione", area="mechatronics", occupation_codes="3.1.4.1.5", **MECH)
    make_course(title="Elettronica", area="mechatronics", occupation_codes="3.1.3.4.0", **MECH)
    make_course(title="Reti", area="ict_data", occupation_codes="3.1.2.5.0",
                **_riasec(0.6, 0.9, 0.2, 0.2, 0.2, 0.6))
    make_course(title="Energia", area="energy", **_riasec(0.8, 0.6, 0.2, 0.25, 0.35, 0.5))
    student = make_user(Role.STUDENT)
    _interests(student)
    log_in(client, student)
    html = client.get("/courses/suggestions?education=diploma", headers=ENGLISH).get_data(
        as_text=True)
    reasons = _reasons(html)
    assert len(reasons) == 4 and len(set(reasons)) == 4
    by_title = dict(zip(_cards(html), reasons, strict=True))
    assert by_title["Reti"].startswith("Mainly Investigative and Realistic activities: your "
                                       "scores there are 85 and 90 out of 100.")
    assert "Network and systems technician" in by_title["Reti"]
    assert "Industrial automation technician" in by_title["Automazione"]
    assert "Electronics technician" in by_title["Elettronica"]
    assert "It leads to" not in by_title["Energia"]  # no occupation recorded: none claimed


def test_a_pupil_whose_questionnaires_are_locked_is_told_why_and_what_to_do(
        client: FlaskClient, make_course: Callable[..., Course],
        make_user: Callable[..., User]) -> None:
    make_course(**MECH)
    pupil = make_user(Role.STUDENT, date_of_birth=born_years_ago(12))
    log_in(client, pupil)
    page = client.get("/courses/suggestions", headers=ENGLISH)
    assert page.status_code == 200
    main = _main(page.get_data(as_text=True))
    assert "Your suggestions are not ready yet" in main
    assert "parents" in main and "orientation teacher" in main
    assert 'href="/assessments/' not in main and "/start" not in main
    assert "Go to the assessments" not in main
    assert 'href="/courses/"' in main  # something they can do now
    assert "<form" not in main  # nothing to update until there are suggestions


@pytest.mark.parametrize("opened_by", ["assignment", "consent"])
def test_an_assignment_or_consent_opens_the_questionnaire_again(
        client: FlaskClient, make_user: Callable[..., User],
        make_class: Callable[..., SchoolClass], opened_by: str) -> None:
    pupil = make_user(Role.STUDENT, date_of_birth=born_years_ago(12))
    counsellor = make_user(Role.COUNSELLOR)
    school_class = make_class(counsellor, pupils=(pupil,))
    if opened_by == "assignment":
        db.session.add(Assignment(class_id=school_class.id, questionnaire_id="interests",
                                  assigned_by_id=counsellor.id))
    else:
        pupil.parental_consent_at = clock.now()
        pupil.parental_consent_by_id = counsellor.id
    db.session.commit()
    log_in(client, pupil)
    main = _main(client.get("/courses/suggestions", headers=ENGLISH).get_data(as_text=True))
    assert "not ready yet" not in main
    assert "Go to the assessments" in main


def test_a_locked_pupil_with_a_result_from_school_still_gets_suggestions(
        client: FlaskClient, make_course: Callable[..., Course],
        make_user: Callable[..., User]) -> None:
    """A result taken when the school assigned it stays the pupil's, and so do suggestions."""
    make_course(title="Meccatronica", **MECH)
    pupil = make_user(Role.STUDENT, date_of_birth=born_years_ago(12))
    _interests(pupil)
    log_in(client, pupil)
    main = _main(client.get("/courses/suggestions?education=lower_secondary_in_progress",
                            headers=ENGLISH).get_data(as_text=True))
    assert "not ready yet" not in main and "Your interest profile" in main
