"""Counsellors assign instruments, follow completion, read the class profile and CSV."""

from __future__ import annotations

import csv
import io
from collections.abc import Callable
from datetime import timedelta

from flask.testing import FlaskClient
from sqlalchemy import select

from orientamento.assessments.models import Assignment, Response
from orientamento.assessments.scoring import score
from orientamento.assessments.services import registry
from orientamento.auth.models import Role, User
from orientamento.classes.models import SchoolClass
from orientamento.core import clock
from orientamento.core.spreadsheet import escape_cell
from orientamento.extensions import db
from tests.conftest import log_in


def _submitted(student: User, value: int) -> Response:
    questionnaire = registry().latest("interests")
    assert questionnaire is not None
    answers = {item.id: value for item in questionnaire.items}
    scores = {k: v.as_dict() for k, v in score(questionnaire, answers).items()}
    response = Response(student_id=student.id, questionnaire_id="interests",
                        version=questionnaire.version, status="submitted", answers=answers,
                        scores=scores, submitted_at=clock.now())
    db.session.add(response)
    db.session.commit()
    return response


def test_assign_follow_completion_profile_and_csv(
    client: FlaskClient, make_user: Callable[..., User], make_class: Callable[..., SchoolClass],
) -> None:
    counsellor = make_user(Role.COUNSELLOR)
    done_a = make_user(Role.STUDENT, display_name="Anna")
    done_b = make_user(Role.STUDENT, display_name="=HYPERLINK(\"x\")")
    waiting = make_user(Role.STUDENT, display_name="Bruno")
    school_class = make_class(counsellor, pupils=(done_a, done_b, waiting))
    log_in(client, counsellor)
    due = clock.today() + timedelta(days=30)
    response = client.post(f"/assessments/classes/{school_class.id}/assign",
                           data={"questionnaire_id": "interests", "due_on": due.isoformat()})
    assert response.status_code == 302
    assignment = db.session.scalar(select(Assignment))
    assert assignment is not None and assignment.due_on == due
    assert client.post(f"/assessments/classes/{school_class.id}/assign",
                       data={"questionnaire_id": "nope"}).status_code == 400
    _submitted(done_a, 5)
    _submitted(done_b, 1)
    page = client.get(f"/assessments/classes/{school_class.id}").get_data(as_text=True)
    assert "2" in page and "Bruno" in page
    assert page.count("/assessments/responses/") == 2
    assert ">50.0<" in page  # class average of 100 and 0 on every scale
    download = client.get(f"/assessments/classes/{school_class.id}/results/interests.csv")
    assert download.status_code == 200 and download.mimetype == "text/csv"
    rows = list(csv.reader(io.StringIO(download.get_data(as_text=True))))
    assert len(rows) == 4
    by_name = {row[1]: row for row in rows[1:]}
    assert by_name["Anna"][5] == "submitted" and by_name["Anna"][7] == "100.0"
    assert by_name["Bruno"][5] == "not_started"
    assert "'=HYPERLINK(\"x\")" in by_name  # formula neutralised


def test_a_counsellor_reads_a_pupils_result_but_not_another_schools(
    client: FlaskClient, make_user: Callable[..., User], make_class: Callable[..., SchoolClass],
) -> None:
    counsellor = make_user(Role.COUNSELLOR)
    mine, theirs = make_user(Role.STUDENT), make_user(Role.STUDENT)
    make_class(counsellor, pupils=(mine,))
    make_class(pupils=(theirs,))
    own, foreign = _submitted(mine, 4), _submitted(theirs, 4)
    log_in(client, counsellor)
    assert client.get(f"/assessments/responses/{own.id}").status_code == 200
    assert client.get(f"/assessments/responses/{foreign.id}").status_code == 404
    assert client.get("/assessments/classes/999/results/interests.csv").status_code == 404


def test_withdrawing_an_assignment_keeps_answers(
    client: FlaskClient, make_user: Callable[..., User], make_class: Callable[..., SchoolClass],
) -> None:
    counsellor = make_user(Role.COUNSELLOR)
    pupil = make_user(Role.STUDENT)
    school_class = make_class(counsellor, pupils=(pupil,))
    log_in(client, counsellor)
    client.post(f"/assessments/classes/{school_class.id}/assign",
                data={"questionnaire_id": "interests"})
    response = _submitted(pupil, 3)
    assignment = db.session.scalar(select(Assignment))
    assert assignment is not None
    url = f"/assessments/classes/{school_class.id}/assignments/{assignment.id}/delete"
    assert client.post(url).status_code == 302
    assert db.session.scalar(select(Assignment)) is None
    assert db.session.get(Response, response.id) is not None


def test_cells_that_look_like_formulas_are_escaped() -> None:
    assert escape_cell("=1+1") == "'=1+1"
    assert escape_cell("@SUM(A1)") == "'@SUM(A1)"
    assert escape_cell("Anna") == "Anna"
    assert escape_cell(None) == ""


def test_the_results_open_in_italian_excel_and_the_profile_is_a_chart(
    client: FlaskClient, make_user: Callable[..., User], make_class: Callable[..., SchoolClass],
) -> None:
    counsellor = make_user(Role.COUNSELLOR)
    anna, bruno = make_user(Role.STUDENT, display_name="Anna"), make_user(Role.STUDENT,
                                                                          display_name="Bruno")
    school_class = make_class(counsellor, name="3ª B", pupils=(anna, bruno))
    log_in(client, counsellor)
    client.post(f"/assessments/classes/{school_class.id}/assign",
                data={"questionnaire_id": "interests"})
    _submitted(anna, 5)
    _submitted(bruno, 2)  # 25 on every scale: the class average is 62.5
    page = client.get(f"/assessments/classes/{school_class.id}",
                      headers={"Accept-Language": "en"}).get_data(as_text=True)
    url = f"/assessments/classes/{school_class.id}/results/interests.csv"
    assert f'href="{url}"' in page and f'href="{url}?excel=1"' in page

    # The chart: an image with a title and a description, one bar per scale, beside the table.
    questionnaire = registry().latest("interests")
    assert questionnaire is not None
    chart = page.split('<svg class="result-chart"')[1].split("</svg>")[0]
    assert 'role="img"' in chart and "<title" in chart and "<desc" in chart
    assert chart.count('class="bar"') == len(questionnaire.scales)
    assert chart.count('width="325.0"') == len(questionnaire.scales)  # 62.5% of 520
    assert "<table" in page.split('<svg class="result-chart"')[1]  # the table stays

    plain = client.get(url)
    assert plain.headers["Content-Type"] == "text/csv; charset=utf-8"
    rows = list(csv.reader(io.StringIO(plain.get_data(as_text=True))))
    assert rows[1][7] == "100.0"
    excel = client.get(url, query_string={"excel": "1"})
    assert excel.status_code == 200
    assert excel.headers["Content-Type"] == "text/csv; charset=utf-8"
    assert "filename*=UTF-8''3%C2%AA%20B-interests.csv" in excel.headers["Content-Disposition"]
    data = excel.get_data()
    assert data.startswith(b"\xef\xbb\xbf")
    excel_rows = list(csv.reader(io.StringIO(data.decode("utf-8-sig")), delimiter=";"))
    assert excel_rows[0] == rows[0]
    by_name = {row[1]: row for row in excel_rows[1:]}
    assert by_name["Anna"][7] == "100,0" and by_name["Bruno"][7] == "25,0"
    assert client.get(url, query_string={"excel": "yes"}).status_code == 400


def test_class_responses_keep_each_pupils_latest_submitted_else_in_progress(
    app: object, make_user: Callable[..., User], make_class: Callable[..., SchoolClass],
) -> None:
    from orientamento.assessments.queries import class_responses

    counsellor = make_user(Role.COUNSELLOR)
    resubmitted, retaking, starting, outsider = (make_user(Role.STUDENT) for _ in range(4))
    school_class = make_class(counsellor, pupils=(resubmitted, retaking, starting))
    make_class(counsellor, pupils=(outsider,))
    first = _submitted(resubmitted, 1)
    second = _submitted(resubmitted, 5)
    second.started_at = first.started_at + timedelta(minutes=5)
    kept = _submitted(retaking, 3)
    newer_draft = Response(student_id=retaking.id, questionnaire_id="interests", version=1,
                           started_at=kept.started_at + timedelta(hours=1))
    only_draft = Response(student_id=starting.id, questionnaire_id="interests", version=1)
    other_instrument = Response(student_id=starting.id, questionnaire_id="values", version=1,
                                status="submitted", submitted_at=clock.now())
    db.session.add_all([newer_draft, only_draft, other_instrument])
    _submitted(outsider, 2)
    db.session.commit()

    latest = class_responses(school_class, "interests")

    assert {student: response.id for student, response in latest.items()} == {
        resubmitted.id: second.id, retaking.id: kept.id, starting.id: only_draft.id}
