"""Events pages: listing, event page, registration, tickets, calendars, check-in, management,
a school visit's attendance and the school's orientation hours."""

from __future__ import annotations

import segno
from flask import Blueprint, Response, flash, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _
from flask_login import current_user

from orientamento.auth.models import Role, User
from orientamento.core import clock
from orientamento.core.access import acting_user, login_required, public, role_required
from orientamento.core.errors import DomainError, NotFound
from orientamento.core.forms import (
    EmptyForm,
    button_pressed,
    csv_flavour,
    form_status,
    refusal_shown_on,
    validated,
)
from orientamento.core.links import absolute_url
from orientamento.core.spreadsheet import csv_download
from orientamento.courses.queries import places
from orientamento.events import calendars, hours, queries, registrations, services
from orientamento.events.forms import (
    CheckInForm,
    EventFilterForm,
    EventForm,
    GroupRegistrationForm,
    ReasonForm,
    attendance_form,
    forget_bad_dates,
)
from orientamento.events.models import EventKind, RegistrationStatus
from orientamento.extensions import db

bp = Blueprint("events", __name__)

ICS_TYPE = "text/calendar; charset=utf-8"


@bp.get("/")
@public
def list_events() -> ResponseReturnValue:
    """Upcoming open days, webinars and workshops."""
    form = EventFilterForm(request.args)
    if not form.validate():
        forget_bad_dates(form)
        return render_template("events/list.html", form=form, page=None), 400
    kind = EventKind(form.kind.data) if form.kind.data else None
    filters = queries.EventFilter(kind=kind, online=form.online.data or "",
                                  from_day=form.from_day.data, course_id=form.course.data)
    return render_template("events/list.html", form=form,
                           page=queries.upcoming_events(filters, clock.now()))


def _viewer() -> User | None:
    return acting_user() if current_user.is_authenticated else None


def _group_form(event_id: int) -> GroupRegistrationForm | None:
    if not (current_user.is_authenticated and current_user.role == Role.COUNSELLOR):
        return None
    form = GroupRegistrationForm(prefix="group")
    form.school_class.choices = [(c.id, f"{c.name} ({c.school_year})")
                                 for c in queries.school_classes(current_user.school_id)]
    return form


@bp.get("/<int:event_id>")
@public
def show_event(event_id: int) -> ResponseReturnValue:
    """An event: what, when, where, seats, and the visitor's registration."""
    event = queries.event_or_404(event_id, _viewer())
    mine = (queries.my_event_registrations(current_user, event)
            if current_user.is_authenticated else [])
    manages = current_user.is_authenticated and services.can_manage(current_user, event)
    return render_template("events/show.html", event=event, mine=mine, manages=manages,
                           now=clock.now(), form=EmptyForm(), group_form=_group_form(event.id))


@bp.get("/<int:event_id>/calendar.ics")
@public
def event_calendar(event_id: int) -> ResponseReturnValue:
    """The event as an iCalendar file."""
    user = _viewer()
    event = queries.event_or_404(event_id, user)
    return Response(calendars.event_file(event, user), content_type=ICS_TYPE, headers={
        "Content-Disposition": f'attachment; filename="event-{event.id}.ics"'})


@bp.get("/feeds/<token>.ics")
@public
def calendar_feed(token: str) -> ResponseReturnValue:
    """A person's secret calendar feed."""
    owner = calendars.feed_owner(token)
    if owner is None:
        raise NotFound(_("This calendar address is not valid any more."))
    body = calendars.build_calendar(calendars.feed_items(owner), "Orientamento Milano")
    response = Response(body, content_type=ICS_TYPE)
    response.headers["Cache-Control"] = "no-store"
    return response


@bp.post("/<int:event_id>/register")
@role_required(Role.STUDENT, Role.COUNSELLOR)
def register(event_id: int) -> ResponseReturnValue:
    """Register oneself (student) or a class group (counsellor); twice makes one."""
    event = queries.event_or_404(event_id)
    user = acting_user()
    if user.role == Role.COUNSELLOR:
        form = _group_form(event.id)
        if form is None or not form.validate_on_submit():
            raise DomainError(_("Choose a class and how many people are coming."))
        school_class = next((c for c in queries.school_classes(user.school_id)
                             if c.id == form.school_class.data), None)
        if school_class is None:
            raise NotFound(_("Choose one of your school's classes."))
        registration = registrations.register(user, event, school_class=school_class,
                                              seats=form.seats.data or 0)
    else:
        validated(EmptyForm())
        registration = registrations.register(user, event)
    db.session.commit()
    if registration.status == RegistrationStatus.WAITLISTED:
        flash(_("The event is full: you are number %(position)s on the waiting list. We will "
                "write to you if a place frees up.",
                position=queries.waiting_rank(registration)), "warning")
    else:
        flash(_("You are registered. Your ticket is ready."), "success")
    return redirect(url_for("events.show_ticket", registration_id=registration.id))


@bp.post("/registrations/<int:registration_id>/cancel")
@role_required(Role.STUDENT, Role.COUNSELLOR)
def cancel_registration(registration_id: int) -> ResponseReturnValue:
    """Give up a seat or a place in the queue before the start."""
    registration = queries.registration_or_404(acting_user(), registration_id)
    return button_pressed(lambda: registrations.cancel_registration(acting_user(), registration),
                          _("Your registration is cancelled."),
                          url_for("events.show_event", event_id=registration.event_id))


@bp.get("/registrations/<int:registration_id>")
@role_required(Role.STUDENT, Role.COUNSELLOR)
def show_ticket(registration_id: int) -> ResponseReturnValue:
    """The ticket: status, QR code with the check-in link, the code to type."""
    registration = queries.registration_or_404(acting_user(), registration_id)
    qr = None
    if registration.status in (RegistrationStatus.CONFIRMED, RegistrationStatus.ATTENDED):
        link = absolute_url("events.check_in", event_id=registration.event_id,
                            token=registration.token)
        qr = segno.make(link, error="m").svg_inline(
            scale=5, title=_("Ticket QR code"), border=2, dark="#000", light="#fff")
    return render_template("events/ticket.html", registration=registration, qr=qr,
                           rank=queries.waiting_rank(registration), form=EmptyForm(),
                           now=clock.now())


@bp.get("/mine")
@login_required
def my_events() -> ResponseReturnValue:
    """The person's registrations and their calendar feed address."""
    user = acting_user()
    feed = queries.calendar_feed(user)
    now = clock.now()
    upcoming, past = queries.my_registrations(user, now)
    return render_template("events/mine.html", upcoming=upcoming, past=past,
                           feed=feed, form=EmptyForm(), now=now)


@bp.post("/mine/feed")
@login_required
def regenerate_feed() -> ResponseReturnValue:
    """Create the feed address, or replace it (the old one stops working)."""
    return button_pressed(
        lambda: calendars.regenerate_feed(acting_user()),
        _("Your calendar address is ready. Any older address no longer works."),
        url_for("events.my_events") + "#calendar")


@bp.post("/mine/feed/revoke")
@login_required
def revoke_feed() -> ResponseReturnValue:
    """Switch the feed off."""
    return button_pressed(lambda: calendars.revoke_feed(acting_user()),
                          _("Your calendar address is switched off."),
                          url_for("events.my_events") + "#calendar")


@bp.get("/manage")
@role_required(Role.PROVIDER, Role.ADMIN)
def manage_events() -> ResponseReturnValue:
    """The upcoming events the provider (or, for the admin, the city) runs."""
    now = clock.now()
    return render_template("events/manage.html", now=now, past=False,
                           page=queries.managed_events(acting_user(), now))


@bp.get("/manage/past")
@role_required(Role.PROVIDER, Role.ADMIN)
def past_events() -> ResponseReturnValue:
    """Events that have ended, latest first: for attendance and the record."""
    now = clock.now()
    return render_template("events/manage.html", now=now, past=True,
                           page=queries.managed_events(acting_user(), now, past=True))


def _event_form(event: object | None = None) -> EventForm:
    user = acting_user()
    provider_id = user.provider_id if user.role == Role.PROVIDER else None
    return EventForm(obj=event, places=places(),
                     courses=queries.provider_course_choices(provider_id))


@bp.route("/new", methods=["GET", "POST"])
@role_required(Role.PROVIDER, Role.ADMIN)
def new_event() -> ResponseReturnValue:
    """Create an open day, webinar or workshop."""
    form = _event_form()
    if form.validate_on_submit():
        with refusal_shown_on(form):
            event = services.create_event(acting_user(), form.data_for_service())
            db.session.commit()
            flash(_("Event published."), "success")
            return redirect(url_for("events.show_event", event_id=event.id))
    return render_template("events/edit.html", form=form, event=None), form_status(form)


@bp.route("/<int:event_id>/edit", methods=["GET", "POST"])
@role_required(Role.PROVIDER, Role.ADMIN)
def edit_event(event_id: int) -> ResponseReturnValue:
    """Change an event; people registered see the change in their calendars."""
    event = services.managed_event_or_404(acting_user(), event_id)
    form = _event_form(event)
    if request.method == "GET":
        form.fill_from(event)
    elif form.validate_on_submit():
        with refusal_shown_on(form):
            promoted = services.update_event(acting_user(), event, form.data_for_service())
            db.session.commit()
            flash(_("Event saved."), "success")
            if promoted:
                flash(_("%(count)s people moved from the waiting list to a seat.",
                        count=len(promoted)), "info")
            return redirect(url_for("events.show_event", event_id=event.id))
    status = form_status(form)
    return render_template("events/edit.html", form=form, event=event), status


@bp.route("/<int:event_id>/cancel", methods=["GET", "POST"])
@role_required(Role.PROVIDER, Role.ADMIN)
def cancel_event(event_id: int) -> ResponseReturnValue:
    """Confirm, with a reason, and cancel an event; everyone registered is told."""
    event = services.managed_event_or_404(acting_user(), event_id)
    form = ReasonForm()
    if form.validate_on_submit():
        told = services.cancel_event(acting_user(), event, form.reason.data or "")
        db.session.commit()
        flash(_("Event cancelled; %(count)s people notified.", count=told), "success")
        return redirect(url_for("events.manage_events"))
    status = 400 if form.errors else 200
    return render_template("events/cancel.html", form=form, event=event), status


@bp.get("/<int:event_id>/registrations")
@role_required(Role.PROVIDER, Role.ADMIN)
def event_registrations(event_id: int) -> ResponseReturnValue:
    """Who is coming, who is waiting, who came."""
    event = services.managed_event_or_404(acting_user(), event_id)
    return render_template("events/registrations.html", event=event,
                           registrations=queries.event_registrations(event))


@bp.route("/<int:event_id>/check-in", methods=["GET", "POST"])
@role_required(Role.PROVIDER, Role.ADMIN)
def check_in(event_id: int) -> ResponseReturnValue:
    """Check ticket holders in by code (the QR code opens this page with it filled in)."""
    event = services.managed_event_or_404(acting_user(), event_id)
    form = CheckInForm(data={"token": request.args.get("token", "")}
                       if request.method == "GET" else None)
    result, status = None, 200
    if request.method == "POST" and form.validate_on_submit():
        try:
            result = registrations.check_in(event, form.token.data or "")
        except DomainError as error:
            form.token.errors = [str(error.message)]
            status = error.status_code
        else:
            db.session.commit()
            form = CheckInForm(formdata=None)
    elif request.method == "POST":
        status = 400
    counts = queries.attendance_counts(event)
    return render_template("events/check_in.html", event=event, form=form, result=result,
                           counts=counts), status


@bp.route("/<int:event_id>/attendance", methods=["GET", "POST"])
@role_required(Role.PROVIDER)
def record_attendance(event_id: int) -> ResponseReturnValue:
    """Pupils present per class after a visit."""
    event = services.managed_event_or_404(acting_user(), event_id)
    if not event.classes:
        raise NotFound(_("This event has no classes."))
    form = attendance_form(event, request.form if request.method == "POST" else None)
    if form.validate_on_submit():
        counts = {row.class_id: form[f"attended_{row.class_id}"].data for row in event.classes}
        with refusal_shown_on(form):
            services.record_attendance(acting_user(), event, counts)
            db.session.commit()
            flash(_("Attendance saved: the school sees the hours."), "success")
            return redirect(url_for("events.show_event", event_id=event.id))
    return render_template("events/attendance.html", form=form, event=event), form_status(form)


@bp.get("/hours")
@role_required(Role.COUNSELLOR)
def orientation_hours() -> ResponseReturnValue:
    """Orientation hours per class and pupil at the counsellor's school."""
    year = request.args.get("year") or None
    return render_template("events/hours.html", rows=hours.school_hours(
        acting_user().school_id, year), year=year)


@bp.get("/hours.csv")
@role_required(Role.COUNSELLOR)
def export_hours() -> ResponseReturnValue:
    """The hours as CSV, one line per pupil and event."""
    year = request.args.get("year") or None
    flavour = csv_flavour(request.args)
    body = hours.hours_csv(hours.school_hours(acting_user().school_id, year), flavour)
    return csv_download(body, "orientation-hours.csv")
