"""Peer-visit forms: availability, blocked days, school holidays, browsing, requests, answers."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from flask_wtf.file import FileField, FileRequired
from wtforms import (
    Field,
    SelectField,
    SelectMultipleField,
    StringField,
    TextAreaField,
    TimeField,
)
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, InputRequired, Length, NumberRange, Optional

from orientamento.core import clock
from orientamento.core.forms import DayField, Form, MultiCheckboxField, QueryForm, WholeNumberField
from orientamento.core.i18n import lazy_gettext as _l
from orientamento.courses.areas import AREA_LABELS
from orientamento.courses.models import Place
from orientamento.visits.models import VisitMode, VisitWindow

WEEKDAY_LABELS = (_l("Monday"), _l("Tuesday"), _l("Wednesday"), _l("Thursday"), _l("Friday"),
                  _l("Saturday"))
WINDOW_MODE_CHOICES = [
    SelectChoice("both", _l("At the school or online")),
    SelectChoice("in_person", _l("At the school")),
    SelectChoice("online", _l("Online")),
]


class WindowForm(Form):
    """Visit availability, repeated on weekdays between two dates."""

    first_day = DayField(_l("From"), validators=[InputRequired()])
    last_day = DayField(_l("To"), validators=[InputRequired()])
    weekdays = MultiCheckboxField(_l("Weekdays"), coerce=int, validators=[DataRequired()],
                                  choices=[SelectChoice(n, label)
                                           for n, label in enumerate(WEEKDAY_LABELS)])
    start = TimeField(_l("From (time)"), validators=[InputRequired()])
    end = TimeField(_l("To (time)"), validators=[InputRequired()])
    mode = SelectField(_l("Visits"), choices=WINDOW_MODE_CHOICES)
    max_visits = WholeNumberField(_l("Visits per window"), default=1,
                              validators=[InputRequired(), NumberRange(1, 10)])
    ambassadors = MultiCheckboxField(_l("Ambassadors"), coerce=int, validators=[DataRequired()])
    courses = MultiCheckboxField(_l("Courses presented"), coerce=int)
    places = SelectMultipleField(_l("Area covered"), validators=[Optional()],
                                 description=_l("Municipalities or municipi you visit; none "
                                                "selected: anywhere. Hold Ctrl to pick several."))
    note = StringField(_l("Note for schools"), validators=[Optional(), Length(max=300)])

    def __init__(self, *args: Any, ambassadors: list[tuple[int, str]],
                 courses: list[tuple[int, str]], places: list[Place], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.ambassadors.choices = [SelectChoice(uid, name) for uid, name in ambassadors]
        self.courses.choices = [SelectChoice(cid, title) for cid, title in courses]
        self.places.choices = [SelectChoice(p.code, p.name) for p in places]


class BlockDayForm(Form):
    """A day without visits."""

    day = DayField(_l("Day"), validators=[InputRequired()])
    reason = StringField(_l("Reason"), validators=[Optional(), Length(max=200)])


class HolidayForm(Form):
    """A school holiday period (admin)."""

    name = StringField(_l("Name"), validators=[DataRequired(), Length(max=100)])
    first_day = DayField(_l("First day"), validators=[InputRequired()])
    last_day = DayField(_l("Last day"), validators=[InputRequired()])


class SchoolCalendarForm(Form):
    """Upload the regional school calendar (admin)."""

    file = FileField(_l("School calendar file (CSV or iCalendar)"), validators=[
        FileRequired(message=_l("Choose a file."))],
        description=_l("A UTF-8 CSV with the columns name, first_day and last_day, or an .ics "
                       "file; at most 1 MB."))


class WindowSearchForm(QueryForm):
    """What a counsellor looks for in the providers' availability (query string)."""

    area = SelectField(_l("Area of study"), default="", choices=[
        SelectChoice("", _l("Every area"))] + [SelectChoice(k, v) for k, v in AREA_LABELS.items()])
    mode = SelectField(_l("Visit"), default="", choices=[
        SelectChoice("", _l("At the school or online")),
        *VisitMode.choices()])
    from_day = DayField(_l("From"), validators=[Optional()])
    to_day = DayField(_l("To"), validators=[Optional()])
    km = WholeNumberField(_l("Provider within (km)"), validators=[Optional(), NumberRange(1, 200)])


class VisitRequestForm(Form):
    """A counsellor's request: time inside the window, pupils per class, a message."""

    mode = SelectField(_l("Visit"), choices=VisitMode.choices())
    start = TimeField(_l("Starts at"), validators=[InputRequired()])
    end = TimeField(_l("Ends at"), validators=[InputRequired()])
    message = TextAreaField(_l("Message"), validators=[Optional(), Length(max=1000)],
                            description=_l("What the pupils would like to know, the room, "
                                           "who to ask for at the entrance."))

    def pupil_fields(self) -> list[tuple[int, Field]]:
        """(class id, field) for every class of the school."""
        return [(int(name.removeprefix("pupils_")), field) for name, field in self._fields.items()
                if name.startswith("pupils_")]

    def pupils_by_class(self) -> dict[int, int]:
        """Pupils per class id (0 where the class does not take part)."""
        return {class_id: field.data or 0 for class_id, field in self.pupil_fields()}


def visit_request_form(classes: list[Any], window: VisitWindow,
                       formdata: Any = None) -> VisitRequestForm:
    """The request form with one "pupils" field per class of the school, starting from the
    window's times and offering only the ways of visiting the window offers."""

    class Form(VisitRequestForm):
        pass

    for school_class in classes:
        setattr(Form, f"pupils_{school_class.id}", WholeNumberField(
            school_class.name, default=0, validators=[Optional(), NumberRange(0, 60)]))
    form = Form(formdata=formdata, start=clock.rome_local(window.starts_at).time(),
                end=clock.rome_local(window.ends_at).time())
    form.mode.choices = [SelectChoice(mode.value, mode.label)
                         for mode in VisitMode if window.offers(mode)]
    return form


class ConfirmVisitForm(Form):
    """The provider confirms, naming who goes."""

    ambassadors = MultiCheckboxField(_l("Ambassadors"), coerce=int, validators=[DataRequired()])
    reply = TextAreaField(_l("Message to the school"), validators=[Optional(), Length(max=1000)])

    def __init__(self, *args: Any, ambassadors: list[tuple[int, str]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.ambassadors.choices = [SelectChoice(uid, name) for uid, name in ambassadors]


class ProposeTimeForm(Form):
    """Another time for a visit (the provider also names who would go)."""

    day = DayField(_l("Day"), validators=[InputRequired()])
    start = TimeField(_l("Starts at"), validators=[InputRequired()])
    end = TimeField(_l("Ends at"), validators=[InputRequired()])
    ambassadors = MultiCheckboxField(_l("Ambassadors"), coerce=int)
    reply = TextAreaField(_l("Message"), validators=[Optional(), Length(max=1000)])

    def __init__(self, *args: Any, ambassadors: list[tuple[int, str]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.ambassadors.choices = [SelectChoice(uid, name) for uid, name in ambassadors]

    def times(self) -> tuple[datetime, datetime]:
        """The proposed start and end in UTC."""
        day: date = self.day.data
        return clock.rome_datetime(day, self.start.data), clock.rome_datetime(day, self.end.data)
