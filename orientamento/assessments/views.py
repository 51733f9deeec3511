"""Students take assessments and read results; counsellors assign and follow them."""

from __future__ import annotations

from typing import Any

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _
from flask_login import current_user

from orientamento.assessments import queries, services
from orientamento.assessments.analysis import latest_run
from orientamento.assessments.forms import AssignForm
from orientamento.assessments.presentation import localized
from orientamento.assessments.reports import class_profile, results_csv
from orientamento.assessments.results import class_headlines, next_steps, result_context
from orientamento.auth.models import Role
from orientamento.classes.models import SchoolClass
from orientamento.classes.queries import class_for_counsellor_or_404
from orientamento.core import clock
from orientamento.core.access import acting_user, role_required
from orientamento.core.errors import DomainError
from orientamento.core.forms import EmptyForm, button_pressed, csv_flavour, submitted
from orientamento.core.i18n import current_language
from orientamento.core.spreadsheet import csv_download
from orientamento.extensions import db

bp = Blueprint("assessments", __name__)


@bp.get("/")
@role_required(Role.STUDENT)
def index() -> ResponseReturnValue:
    """The instruments a student can take, and their past results."""
    student = acting_user()
    today = clock.today()
    assigned = services.assignments_for(student)
    unfinished = services.responses_in_progress(student)
    rows = [
        (questionnaire, assigned.get(questionnaire.id), unfinished.get(questionnaire.id),
         services.may_take(student, questionnaire.id, today, assigned))
        for questionnaire in services.registry().current()
    ]
    return render_template("assessments/index.html", rows=rows, form=EmptyForm(), today=today,
                           history=queries.history(student), locale=current_language())


@bp.post("/<questionnaire_id>/start")
@role_required(Role.STUDENT)
def start(questionnaire_id: str) -> ResponseReturnValue:
    """Start an instrument, or resume it where the student stopped."""
    if not EmptyForm().validate_on_submit():
        abort(400)
    response = services.start_or_resume(acting_user(), questionnaire_id, current_language(),
                                        clock.today())
    db.session.commit()
    return redirect(url_for("assessments.answer", response_id=response.id, number=response.section))


@bp.route("/responses/<int:response_id>/sections/<int:number>", methods=["GET", "POST"])
@role_required(Role.STUDENT)
def answer(response_id: int, number: int) -> ResponseReturnValue:
    """One page of items; every change autosaves, the buttons save and move on."""
    response = queries.own_response_or_404(acting_user(), response_id)
    if response.is_submitted:
        return redirect(url_for("assessments.result", response_id=response.id))
    questionnaire = services.definition_of(response)
    if not 0 <= number < len(questionnaire.sections):
        abort(404)
    missing: list[str] = []
    move = request.form.get("move", "")
    if request.method == "POST":
        if not EmptyForm().validate_on_submit():
            abort(400)
        submitted = {name: request.form.getlist(name) for name in request.form}
        missing = services.save_section(response, questionnaire.sections[number], submitted)
        target = services.destination(questionnaire, number, move, missing)
        response.section = number if target is None else target
        db.session.commit()
        if request.form.get("autosave"):
            return render_template("assessments/_saved.html")
        if target is None:
            return redirect(url_for("assessments.review", response_id=response_id))
        if target != number:
            return redirect(url_for("assessments.answer", response_id=response_id, number=target))
    return render_template(
        "assessments/answer.html", response=response, questionnaire=questionnaire,
        section=questionnaire.sections[number], number=number, form=EmptyForm(),
        missing=missing if move == "next" else [], saved=move == "stay",
        locale=current_language(),
    ), 400 if missing and move == "next" else 200


@bp.get("/responses/<int:response_id>/review")
@role_required(Role.STUDENT)
def review(response_id: int) -> ResponseReturnValue:
    """Check that every page is complete, then submit."""
    response = queries.own_response_or_404(acting_user(), response_id)
    if response.is_submitted:
        return redirect(url_for("assessments.result", response_id=response.id))
    questionnaire = services.definition_of(response)
    return render_template(
        "assessments/review.html", response=response, questionnaire=questionnaire,
        missing=services.unanswered(questionnaire, response), form=EmptyForm(),
        locale=current_language(),
    )


@bp.post("/responses/<int:response_id>/submit")
@role_required(Role.STUDENT)
def submit(response_id: int) -> ResponseReturnValue:
    """Hand in the answers and see the results; a second submit changes nothing."""
    response = queries.own_response_or_404(acting_user(), response_id)
    if not EmptyForm().validate_on_submit():
        abort(400)
    if not response.is_submitted:
        try:
            services.submit(response)
        except DomainError as error:
            db.session.rollback()
            flash(str(error.message), "error")
            return redirect(url_for("assessments.review", response_id=response_id))
        db.session.commit()
    return redirect(url_for("assessments.result", response_id=response_id))


@bp.get("/responses/<int:response_id>")
@role_required(Role.STUDENT, Role.COUNSELLOR)
def result(response_id: int) -> ResponseReturnValue:
    """A result: headline, chart, table, explanations and next steps (the student, or their
    counsellor)."""
    viewer = acting_user()
    response = queries.visible_response_or_404(viewer, response_id)
    questionnaire = services.definition_of(response)
    return render_template(
        "assessments/result.html", **result_context(questionnaire, response, current_language()),
        next_steps=next_steps(questionnaire, response, viewer),
    )


@bp.get("/responses/<int:response_id>/print")
@role_required(Role.STUDENT, Role.COUNSELLOR)
def print_result(response_id: int) -> ResponseReturnValue:
    """A result on a page of its own for printing or saving as PDF: name, date, version."""
    response = queries.visible_response_or_404(acting_user(), response_id)
    questionnaire = services.definition_of(response)
    return render_template(
        "assessments/print.html", **result_context(questionnaire, response, current_language()),
        printed_at=clock.now(),
    )


def _questionnaire_choices(locale: str) -> list[tuple[str, str]]:
    return [(q.id, localized(q.title, locale)) for q in services.registry().current()]


@bp.get("/classes/<int:class_id>")
@role_required(Role.COUNSELLOR)
def class_overview(class_id: int) -> ResponseReturnValue:
    """Assign instruments to a class and follow completion and the class profile."""
    school_class = class_for_counsellor_or_404(current_user, class_id)
    return _class_page(school_class, _assign_form())


def _assign_form() -> AssignForm:
    return AssignForm(choices=_questionnaire_choices(current_language()))


def _class_page(school_class: SchoolClass, form: AssignForm,
                status: int = 200) -> ResponseReturnValue:
    """The class page with ``form`` (empty, or with its errors)."""
    return render_template("assessments/class.html",
                           **_class_context(school_class, current_language()),
                           form=form, action_form=EmptyForm()), status


def _class_context(school_class: SchoolClass, locale: str) -> dict[str, Any]:
    assignments = queries.class_assignments(school_class)
    sections = []
    for assignment in assignments:
        questionnaire = services.registry().latest(assignment.questionnaire_id)
        if questionnaire is None:
            continue
        responses = queries.class_responses(school_class, assignment.questionnaire_id)
        sections.append((assignment, questionnaire, responses,
                         class_profile(questionnaire, list(responses.values()), locale),
                         class_headlines(responses)))
    return {"school_class": school_class, "sections": sections, "locale": locale,
            "today": clock.today()}


@bp.post("/classes/<int:class_id>/assign")
@role_required(Role.COUNSELLOR)
def assign(class_id: int) -> ResponseReturnValue:
    """Assign an instrument to the class (or change its due date)."""
    school_class = class_for_counsellor_or_404(current_user, class_id)
    form = _assign_form()

    def act() -> str:
        services.assign(acting_user(), school_class, form.questionnaire_id.data or "",
                        form.due_on.data)
        return _("The questionnaire has been assigned to the class.")

    return submitted(form, act, url_for("assessments.class_overview", class_id=class_id),
                     lambda status: _class_page(school_class, form, status))


@bp.post("/classes/<int:class_id>/assignments/<int:assignment_id>/delete")
@role_required(Role.COUNSELLOR)
def unassign(class_id: int, assignment_id: int) -> ResponseReturnValue:
    """Withdraw an assignment; answers already given stay with the pupils."""
    school_class = class_for_counsellor_or_404(current_user, class_id)
    assignment = next((a for a in queries.class_assignments(school_class)
                       if a.id == assignment_id), None)
    if assignment is None:
        abort(404)
    return button_pressed(lambda: services.unassign(assignment),
                          _("The assignment has been withdrawn."),
                          url_for("assessments.class_overview", class_id=class_id))


@bp.get("/classes/<int:class_id>/results/<questionnaire_id>.csv")
@role_required(Role.COUNSELLOR)
def class_csv(class_id: int, questionnaire_id: str) -> ResponseReturnValue:
    """Download the class's results for one instrument as CSV."""
    school_class = class_for_counsellor_or_404(current_user, class_id)
    questionnaire = services.registry().latest(questionnaire_id)
    if questionnaire is None:
        abort(404)
    flavour = csv_flavour(request.args)
    responses = queries.class_responses(school_class, questionnaire_id)
    body = results_csv(school_class, questionnaire, responses, current_language(), flavour)
    return csv_download(body, f"{school_class.name}-{questionnaire_id}.csv")


@bp.get("/psychometrics")
@role_required(Role.ADMIN)
def psychometrics() -> ResponseReturnValue:
    """The last run of the live psychometrics."""
    return render_template("assessments/psychometrics.html", run=latest_run(),
                           registry=services.registry(), locale=current_language())
