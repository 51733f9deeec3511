"""Events forms: listing filters, event editing, registration, check-in, reasons, attendance."""

from __future__ import annotations

from datetime import date, datetime, time
from typing import Any

from wtforms import (
    DateField,
    SelectField,
    StringField,
    TextAreaField,
    TimeField,
)
from wtforms.fields.choices import SelectChoice
from wtforms.validators import URL, DataRequired, InputRequired, Length, NumberRange, Optional

from orientamento.core import clock
from orientamento.core.forms import DayField, Form, MultiCheckboxField, QueryForm, WholeNumberField
from orientamento.core.i18n import lazy_gettext as _l
from orientamento.courses.forms import place_choices
from orientamento.courses.models import Place
from orientamento.events.models import OPEN_KINDS
from orientamento.events.services import EventData

SCHOOL_LEVEL_CHOICES = [
    SelectChoice("", _l("Everyone")),
    SelectChoice("lower_secondary", _l("Lower secondary school")),
    SelectChoice("upper_secondary", _l("Upper secondary school")),
]


def forget_bad_dates(form: Form) -> None:
    """Show invalid dates as empty (their error stays): ``<input type=date>`` takes no other."""
    for field in form:
        if isinstance(field, DateField) and field.errors:
            field.raw_data = []


def _kind_choices(empty: Any = None) -> list[SelectChoice]:
    choices = [SelectChoice(k.value, k.label) for k in OPEN_KINDS]
    return [SelectChoice("", empty), *choices] if empty else choices


class EventFilterForm(QueryForm):
    """Filters of the public event listing (query string)."""

    kind = SelectField(_l("Kind"), choices=_kind_choices(_l("Every kind")), default="")
    online = SelectField(_l("Where"), default="", choices=[
        SelectChoice("", _l("Anywhere")), SelectChoice("in_person", _l("In person")),
        SelectChoice("online", _l("Online"))])
    from_day = DayField(_l("From"), validators=[Optional()])
    course = WholeNumberField(_l("Course"), validators=[Optional(), NumberRange(min=1)])


class EventForm(Form):
    """An open day, webinar or workshop."""

    kind = SelectField(_l("Kind"), choices=_kind_choices())
    title = StringField(_l("Event title"), validators=[DataRequired(), Length(max=200)])
    description = TextAreaField(_l("Description"), validators=[Optional(), Length(max=5000)])
    day = DayField(_l("Day"), validators=[InputRequired()])
    start = TimeField(_l("Starts at"), validators=[InputRequired()])
    end = TimeField(_l("Ends at"), validators=[InputRequired()])
    capacity = WholeNumberField(_l("Places"), validators=[InputRequired(), NumberRange(1, 5000)])
    address = StringField(_l("Address"), validators=[Optional(), Length(max=300)],
                          description=_l("Leave empty for an online-only event."))
    place_code = SelectField(_l("Municipality"), validators=[Optional()])
    accessibility = TextAreaField(_l("Accessibility"), validators=[Optional(), Length(max=500)],
                                  description=_l("Step-free access, lifts, toilets, "
                                                 "sign language, how to ask for help."))
    online_url = StringField(_l("Online link"), validators=[Optional(), URL(), Length(max=500)],
                             description=_l("Shown only to people registered."))
    registration_opens = DayField(_l("Registration opens on"), validators=[Optional()])
    registration_closes = DayField(_l("Registration closes on"), validators=[Optional()],
                                    description=_l("Empty: open until the start."))
    min_age = WholeNumberField(_l("Minimum age"), validators=[Optional(), NumberRange(10, 99)])
    max_age = WholeNumberField(_l("Maximum age"), validators=[Optional(), NumberRange(10, 99)])
    school_level = SelectField(_l("School level"), choices=SCHOOL_LEVEL_CHOICES, default="")
    courses = MultiCheckboxField(_l("Courses presented"), coerce=int)

    def __init__(self, *args: Any, places: list[Place], courses: list[tuple[int, str]],
                 **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.place_code.choices = place_choices(places, _l("Choose a municipality"))
        self.courses.choices = [SelectChoice(cid, title) for cid, title in courses]

    def fill_from(self, event: Any) -> None:
        """Show an event's times as local days and clock times."""
        starts, ends = clock.rome_local(event.starts_at), clock.rome_local(event.ends_at)
        self.day.data, self.start.data, self.end.data = starts.date(), starts.time(), ends.time()
        self.courses.data = [c.id for c in event.courses]
        self.place_code.data = event.place_code or ""
        self.school_level.data = event.school_level or ""
        if event.registration_opens_at:
            self.registration_opens.data = clock.rome_local(event.registration_opens_at).date()
        if event.registration_closes_at:
            self.registration_closes.data = clock.rome_local(event.registration_closes_at).date()

    def _closes(self) -> datetime | None:
        """End of the closing day; on the event's own day, the start (the service refuses
        a later day)."""
        closes: date | None = self.registration_closes.data
        if closes is None:
            return None
        if closes == self.day.data:
            return clock.rome_datetime(closes, self.start.data)
        return clock.rome_datetime(closes, time(23, 59))

    def data_for_service(self) -> EventData:
        """The form as the service's input (local times converted to UTC)."""
        opens = self.registration_opens.data
        return EventData(
            kind=self.kind.data or "", title=(self.title.data or "").strip(),
            description=(self.description.data or "").strip(),
            starts_at=clock.rome_datetime(self.day.data, self.start.data),
            ends_at=clock.rome_datetime(self.day.data, self.end.data),
            capacity=self.capacity.data or 0, address=(self.address.data or "").strip() or None,
            place_code=self.place_code.data or None,
            accessibility=(self.accessibility.data or "").strip() or None,
            online_url=(self.online_url.data or "").strip() or None,
            registration_opens_at=clock.rome_datetime(opens, time(0)) if opens else None,
            registration_closes_at=self._closes(),
            min_age=self.min_age.data, max_age=self.max_age.data,
            school_level=self.school_level.data or None, course_ids=self.courses.data or [])


class GroupRegistrationForm(Form):
    """A counsellor registers one of their classes."""

    # Not checked against the choices: the view answers another school's class with a 404.
    school_class = SelectField(_l("Class"), coerce=int, validate_choice=False)
    seats = WholeNumberField(_l("People coming (pupils and teachers)"),
                         validators=[InputRequired(), NumberRange(1, 60)])


class ReasonForm(Form):
    """A reason, for declining or cancelling."""

    reason = TextAreaField(_l("Reason"), validators=[DataRequired(), Length(max=500)],
                           description=_l("Everyone involved reads it."))


class CheckInForm(Form):
    """A ticket code, typed or read from the QR code."""

    token = StringField(_l("Ticket code"), validators=[DataRequired(), Length(max=100)],
                        description=_l("Scan the QR code with the phone's camera, or type the "
                                       "code printed under it."))


def attendance_form(event: Any, formdata: Any = None) -> Form:
    """One "pupils present" field per class of a visit."""

    class AttendanceForm(Form):
        pass

    for row in event.classes:
        setattr(AttendanceForm, f"attended_{row.class_id}", WholeNumberField(
            row.school_class.name, default=row.attended,
            validators=[InputRequired(), NumberRange(0, row.pupils)]))
    return AttendanceForm(formdata=formdata)
