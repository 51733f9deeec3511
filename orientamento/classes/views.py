"""Counsellors' classes and pupils joining them with a code."""

from __future__ import annotations

from collections.abc import Callable

import segno
from flask import Blueprint, flash, redirect, render_template, request, session, url_for
from flask.typing import ResponseReturnValue
from flask_babel import format_date
from flask_babel import gettext as _
from flask_login import current_user, login_user

from orientamento.auth.models import Role
from orientamento.classes import queries, services
from orientamento.classes.forms import (
    ClassForm,
    ConsentWithdrawalForm,
    JoinCodeForm,
    JoinWithCodeForm,
    ParentalConsentForm,
)
from orientamento.classes.models import SchoolClass
from orientamento.core import clock
from orientamento.core.access import acting_user, public, role_required
from orientamento.core.errors import DomainError
from orientamento.core.forms import (
    EmptyForm,
    button_pressed,
    form_status,
    refusal_shown_on,
    submitted,
)
from orientamento.core.links import absolute_url
from orientamento.core.school_year import school_year_of
from orientamento.extensions import db

bp = Blueprint("classes", __name__)


@bp.get("/")
@role_required(Role.COUNSELLOR)
def list_classes() -> ResponseReturnValue:
    """List the classes of the counsellor's school."""
    rows = db.session.execute(queries.classes_of_school(current_user.school_id)).all()
    return render_template("classes/list.html", rows=rows)


@bp.route("/new", methods=["GET", "POST"])
@role_required(Role.COUNSELLOR)
def create_class() -> ResponseReturnValue:
    """Create a class and show its join code."""
    form = ClassForm(school_year=school_year_of(clock.today()))
    if form.validate_on_submit():
        try:
            school_class = services.create_class(
                acting_user(), name=form.name.data or "", school_year=form.school_year.data or "",
                level=form.level.data or "", year=form.year.data or 0,
            )
        except DomainError as error:
            form.name.errors = [str(error.message)]
            return render_template("classes/new.html", form=form), error.status_code
        db.session.commit()
        flash(_("Class created. Give the pupils the code below."), "success")
        return redirect(url_for("classes.show_class", class_id=school_class.id))
    return render_template("classes/new.html", form=form), 400 if form.errors else 200


@bp.get("/<int:class_id>")
@role_required(Role.COUNSELLOR)
def show_class(class_id: int) -> ResponseReturnValue:
    """Show the roster, the join code and consent status."""
    school_class = queries.class_for_counsellor_or_404(current_user, class_id)
    return render_template(
        "classes/show.html", school_class=school_class, form=EmptyForm(), today=clock.today()
    )


@bp.post("/<int:class_id>/code")
@role_required(Role.COUNSELLOR)
def regenerate_code(class_id: int) -> ResponseReturnValue:
    """Replace the join code; the old one stops working."""
    return _class_button(class_id, services.regenerate_code,
                         _("A new code has been created. The old code no longer works."))


@bp.post("/<int:class_id>/close")
@role_required(Role.COUNSELLOR)
def close_code(class_id: int) -> ResponseReturnValue:
    """Stop pupils from joining with a code."""
    return _class_button(class_id, services.close_code,
                         _("The class is closed: nobody else can join with a code."))


def _class_button(class_id: int, act: Callable[[SchoolClass], object],
                  message: str) -> ResponseReturnValue:
    """A button on the counsellor's class page: ``act`` on the class, then back to it."""
    school_class = queries.class_for_counsellor_or_404(current_user, class_id)
    return button_pressed(lambda: act(school_class), message,
                          url_for("classes.show_class", class_id=class_id))


def _consent_form(class_id: int, student_id: int, withdraw: bool) -> ResponseReturnValue:
    """Show and handle the form recording a signed consent (or its withdrawal)."""
    school_class = queries.class_for_counsellor_or_404(current_user, class_id)
    pupil = queries.pupil_in_class_or_404(school_class, student_id)
    today = clock.today()
    if withdraw:
        form: ParentalConsentForm = ConsentWithdrawalForm(
            earliest=services.earliest_withdrawal(school_class, pupil), today=today)
    else:
        form = ParentalConsentForm(earliest=services.earliest_consent_form(school_class),
                                   today=today)

    def act() -> str:
        record = (services.withdraw_parental_consent if withdraw
                  else services.record_parental_consent)
        record(acting_user(), school_class, pupil, signed_on=form.signed_on.data,
               reference=form.reference.data or "", today=today)
        done = {"name": pupil.display_name, "reference": form.reference.data,
                "date": format_date(form.signed_on.data, "long")}
        return (_("Withdrawal of parental consent recorded for %(name)s: signed on "
                  "%(date)s, reference %(reference)s.", **done) if withdraw else
                _("Parental consent recorded for %(name)s: form signed on %(date)s, "
                  "reference %(reference)s.", **done))

    def page(status: int) -> ResponseReturnValue:
        can_act = pupil.parental_consent_at is not None if withdraw else \
            services.can_record_consent(pupil, today)
        return render_template("classes/consent.html", school_class=school_class, pupil=pupil,
                               form=form, withdraw=withdraw, can_act=can_act), status

    return submitted(form, act, url_for("classes.show_class", class_id=class_id), page)


@bp.route("/<int:class_id>/pupils/<int:student_id>/consent", methods=["GET", "POST"])
@role_required(Role.COUNSELLOR)
def record_consent(class_id: int, student_id: int) -> ResponseReturnValue:
    """Record a parent's signed consent form (date, reference) for a pupil under 14."""
    return _consent_form(class_id, student_id, withdraw=False)


@bp.route("/<int:class_id>/pupils/<int:student_id>/consent/withdraw", methods=["GET", "POST"])
@role_required(Role.COUNSELLOR)
def withdraw_consent(class_id: int, student_id: int) -> ResponseReturnValue:
    """Record a parent's signed withdrawal of consent (date, reference)."""
    return _consent_form(class_id, student_id, withdraw=True)


@bp.get("/<int:class_id>/handout")
@role_required(Role.COUNSELLOR)
def class_handout(class_id: int) -> ResponseReturnValue:
    """A page to print for the pupils: the join code, a QR code of the join page, the steps."""
    school_class = queries.class_for_counsellor_or_404(current_user, class_id)
    link = qr = None
    if school_class.join_code:
        link = absolute_url("classes.join", code=school_class.join_code)
        qr = segno.make(link, error="m").svg_inline(
            scale=6, border=2, dark="#000", light="#fff",
            title=_("QR code of the join page with the class code"))
    return render_template("classes/handout.html", school_class=school_class, link=link,
                           qr=qr)


@bp.post("/<int:class_id>/pupils/<int:student_id>/remove")
@role_required(Role.COUNSELLOR)
def remove_pupil(class_id: int, student_id: int) -> ResponseReturnValue:
    """Take a pupil off the roster."""
    school_class = queries.class_for_counsellor_or_404(current_user, class_id)
    pupil = queries.pupil_in_class_or_404(school_class, student_id)
    return button_pressed(lambda: services.remove_pupil(school_class, pupil),
                          _("%(name)s has been removed from the class.", name=pupil.display_name),
                          url_for("classes.show_class", class_id=class_id))


@bp.route("/join", methods=["GET", "POST"])
@public
def join() -> ResponseReturnValue:
    """Create a pupil account with a class code (no e-mail needed)."""
    code = (request.args.get("code") or "")[:20]  # the handout's QR code links here with it
    if current_user.is_authenticated:
        return redirect(url_for("classes.my_classes", code=code or None))
    form = JoinWithCodeForm(code=code)
    if form.validate_on_submit():
        with refusal_shown_on(form):
            pupil = services.register_pupil(
                code=form.code.data or "", username=form.username.data or "",
                display_name=form.display_name.data or "", password=form.password.data or "",
                date_of_birth=form.date_of_birth.data,
                locale=session.get("locale"), today=clock.today(),
            )
            db.session.commit()
            session.clear()
            login_user(pupil)
            flash(_("Welcome! You have joined your class."), "success")
            return redirect(url_for("start.index"))
    return render_template("classes/join.html", form=form), form_status(form)


@bp.route("/mine", methods=["GET", "POST"])
@role_required(Role.STUDENT)
def my_classes() -> ResponseReturnValue:
    """A student's classes, and joining another with a code."""
    form = JoinCodeForm(code=(request.args.get("code") or "")[:20])
    status = 200
    if form.validate_on_submit():
        try:
            school_class = services.open_class_by_code(form.code.data or "")
            services.join_class(acting_user(), school_class)
        except DomainError as error:
            db.session.rollback()
            form.code.errors = [str(error.message)]
            status = error.status_code
        else:
            db.session.commit()
            flash(_("You have joined %(name)s.", name=school_class.name), "success")
            return redirect(url_for("classes.my_classes"))
    elif form.errors:
        status = 400
    classes = queries.classes_of_student(current_user)
    return render_template("classes/mine.html", form=form, classes=classes), status
