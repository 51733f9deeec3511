"""Directory forms: search (GET), the provider's course form, catalogue import, suggestions."""

from __future__ import annotations

from typing import Any

from flask_wtf.file import FileField, FileRequired
from wtforms import (
    BooleanField,
    SelectField,
    SelectMultipleField,
    StringField,
    TextAreaField,
)
from wtforms.fields.choices import SelectChoice
from wtforms.validators import AnyOf, Length, NumberRange, Optional

from orientamento.core.forms import DayField, Form, MultiCheckboxField, QueryForm, WholeNumberField
from orientamento.core.i18n import lazy_gettext as _l
from orientamento.core.spreadsheet import escape_cell, unescape_cell
from orientamento.courses.areas import AREA_LABELS, CourseKind
from orientamento.courses.models import Course, CourseStatus, Enrolment, Place
from orientamento.courses.queries import ENROLMENT_FILTERS
from orientamento.courses.recommendations import LETTER_LABELS
from orientamento.courses.records import LIST_SEPARATOR, format_record, record_of

SORT_LABELS = {
    "relevance": _l("Relevance"),
    "start": _l("Start date"),
    "distance": _l("Distance"),
}
LANGUAGE_LABELS = {"it": _l("Italian"), "en": _l("English")}
#: Sites a provider can enter on the form (the CSV import allows more).
FORM_SITES = 3


def place_choices(places: list[Place], empty_label: Any) -> list[SelectChoice]:
    """Options for a place select: an empty choice, then every place."""
    return [SelectChoice("", str(empty_label))] + [SelectChoice(p.code, p.name) for p in places]


class CourseSearchForm(QueryForm):
    """Search words and filters, read from the query string."""

    q = StringField(_l("Search"), validators=[Optional(), Length(max=200)],
                    description=_l("Words from the title, the subject, the provider or a job."))
    kind = MultiCheckboxField(_l("Kind of course"), choices=CourseKind.choices())
    area = MultiCheckboxField(_l("Area"), choices=[
        SelectChoice(key, label) for key, label in AREA_LABELS.items()])
    eqf = MultiCheckboxField(_l("EQF level"), coerce=int, choices=[
        SelectChoice(level, str(level)) for level in (3, 4, 5, 6)])
    language = SelectField(_l("Language of teaching"), choices=[
        SelectChoice("", _l("Any")), *(SelectChoice(k, v) for k, v in LANGUAGE_LABELS.items())],
        default="")
    place = SelectField(_l("Near"), default="")
    km = WholeNumberField(_l("Within (km)"), validators=[Optional(), NumberRange(min=1, max=100)])
    start_after = DayField(_l("Starting from"), validators=[Optional()])
    free = BooleanField(_l("Free courses only"))
    #: open (default), closed, started or any; the page's checkbox sends "any".
    enrolment = StringField(_l("Include courses closed for enrolment"),
                            default=Enrolment.OPEN.value,
                            validators=[AnyOf(ENROLMENT_FILTERS, message=_l(
                                "Choose one of: %(values)s."))])
    #: Empty ("Automatic"): by distance when a place is chosen, else by relevance.
    sort = SelectField(_l("Sort by"), choices=[
        SelectChoice("", _l("Automatic")), *(SelectChoice(k, v) for k, v in SORT_LABELS.items())],
        default="", description=_l("Automatic: nearest first when you choose a place, "
                                   "otherwise the best matches first."))

    def __init__(self, *args: Any, places: list[Place], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.place.choices = place_choices(places, _l("Anywhere"))

    @property
    def includes_closed(self) -> bool:
        """Whether the search is widened beyond courses open for enrolment (the checkbox)."""
        return self.enrolment.data != Enrolment.OPEN.value


class CourseForm(Form):
    """A provider's course; validated by the catalogue format's own parser."""

    course_code = StringField(_l("Course code"), validators=[Length(max=40)],
                              filters=[lambda v: v.strip().upper() if v else v],
                              description=_l("Your own code, unique among your courses."))
    kind = SelectField(_l("Kind of course"), choices=CourseKind.choices())
    area = SelectField(_l("Area"), choices=[
        SelectChoice(key, label) for key, label in AREA_LABELS.items()],
        description=_l("ITS areas for ITS and IFTS courses, sectors for IeFP courses."))
    eqf_level = SelectField(_l("EQF level"), default="5", choices=[
        SelectChoice(str(level), str(level)) for level in (3, 4, 5, 6)],
        description=_l("ITS 5 or 6, IFTS 4, IeFP qualification 3, IeFP diploma 4."))
    title = StringField(_l("Title (Italian)"), validators=[Length(max=200)])
    description = TextAreaField(_l("Description (Italian)"), validators=[Length(max=4000)])
    title_en = StringField(_l("Title (English, optional)"), validators=[Length(max=200)])
    description_en = TextAreaField(_l("Description (English, optional)"),
                                   validators=[Length(max=4000)])
    hours = StringField(_l("Duration in hours"))
    semesters = StringField(_l("Duration in semesters"))
    start_date = StringField(_l("Start date"), description=_l("As YYYY-MM-DD."),
                             render_kw={"type": "date"})
    application_deadline = StringField(_l("Application deadline"),
                                       description=_l("As YYYY-MM-DD. Optional."),
                                       render_kw={"type": "date"})
    cost_eur = StringField(_l("Cost in euros"), description=_l("0 when the course is free."))
    admission = TextAreaField(_l("Admission requirements"), validators=[Length(max=2000)])
    language = SelectField(_l("Language of teaching"), choices=[
        SelectChoice(k, v) for k, v in LANGUAGE_LABELS.items()])
    seats = StringField(_l("Seats"), description=_l("Optional."))
    occupation_codes = SelectMultipleField(
        _l("Occupations it leads to"), render_kw={"size": 8},
        description=_l("Hold Ctrl (or Cmd) to choose several."))
    contact_email = StringField(_l("Contact e-mail"), validators=[Length(max=254)])
    contact_phone = StringField(_l("Contact phone"), validators=[Length(max=40)])
    web_url = StringField(_l("Web page"), validators=[Length(max=300)])

    def __init__(self, *args: Any, places: list[Place],
                 occupations: list[tuple[str, str]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.places = {p.code: p for p in places}
        self.occupation_codes.choices = [SelectChoice(c, t) for c, t in occupations]
        for n in range(1, FORM_SITES + 1):
            self[f"site_place_{n}"].choices = place_choices(places, _l("Choose a place"))

    def cells(self, provider_code: str, status: CourseStatus) -> dict[str, str]:
        """The form's values as catalogue cells, for ``records.parse_row``."""
        cells = {name: "" if field.data is None else str(field.data)
                 for name, field in self._fields.items()
                 if isinstance(field.data, str | int | float)}
        cells["occupation_codes"] = LIST_SEPARATOR.join(self.occupation_codes.data or [])
        sites = [(self[f"site_address_{n}"].data or "", self[f"site_place_{n}"].data or "")
                 for n in range(1, FORM_SITES + 1)]
        sites = [(address.replace(LIST_SEPARATOR, "/"), code)
                 for address, code in sites if address.strip() or code]
        cells["site_addresses"] = LIST_SEPARATOR.join(a for a, _c in sites)
        cells["site_place_codes"] = LIST_SEPARATOR.join(c for _a, c in sites)
        coordinates = [self.places.get(c) for _a, c in sites]
        cells["site_latitudes"] = LIST_SEPARATOR.join(
            str(p.latitude) if p else "" for p in coordinates)
        cells["site_longitudes"] = LIST_SEPARATOR.join(
            str(p.longitude) if p else "" for p in coordinates)
        # A form is not a spreadsheet: any leading character is plain text here.
        cells = {k: escape_cell(v) for k, v in cells.items()}
        return cells | {"provider_code": provider_code, "status": str(status)}

    def fill_from(self, course: Course) -> None:
        """Pre-fill the form with a stored course."""
        cells = format_record(record_of(course))
        for name, field in self._fields.items():
            if name in cells and name not in ("occupation_codes", "csrf_token"):
                field.data = unescape_cell(cells[name])
        self.occupation_codes.data = [o.cp2021 for o in course.occupations]
        for n, site in enumerate(course.sites[:FORM_SITES], start=1):
            self[f"site_address_{n}"].data = site.address
            self[f"site_place_{n}"].data = site.place_code

    def apply_errors(self, errors: dict[str, str]) -> None:
        """Attach catalogue-format errors to the fields they concern (sites to the first)."""
        for column, message in errors.items():
            name = "site_address_1" if column.startswith("site_") else column
            field = self._fields.get(name) or self.course_code
            field.errors = [*field.errors, message]


for _letter, _label in LETTER_LABELS.items():
    setattr(CourseForm, f"riasec_{_letter.lower()}", StringField(
        _label, default="0.50", render_kw={"inputmode": "decimal"}))
for _n in range(1, FORM_SITES + 1):
    setattr(CourseForm, f"site_address_{_n}", StringField(
        _l("Site %(number)d: address", number=_n), validators=[Length(max=200)]))
    setattr(CourseForm, f"site_place_{_n}", SelectField(
        _l("Site %(number)d: municipality", number=_n), default=""))
del _letter, _label, _n


class ImportForm(Form):
    """Upload a catalogue file for a dry run or a real import."""

    file = FileField(_l("Catalogue file (CSV or JSON)"), validators=[
        FileRequired(message=_l("Choose a file."))],
        description=_l("UTF-8 CSV or JSON in the documented format, at most 5 MB."))
    dry_run = BooleanField(_l("Dry run: check the file and change nothing"), default=True)


class SuggestionForm(QueryForm):
    """Education reached and an optional place, to tailor course suggestions."""

    education = SelectField(_l("Your education"), choices=[], default="")
    place = SelectField(_l("Near (optional)"), default="")
    km = WholeNumberField(_l("Within (km)"), validators=[Optional(), NumberRange(min=1, max=100)],
                      default=25)

    def __init__(self, *args: Any, places: list[Place], levels: dict[str, Any],
                 **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.education.choices = [SelectChoice(k, v) for k, v in levels.items()]
        self.place.choices = place_choices(places, _l("Anywhere"))

