"""Forms of the catalogue: the public filters and the admin forms.

The admin forms' fields are named as the spreadsheet's columns: ``cells()`` hands them to the
one parser in ``records.py`` and ``apply_errors`` puts its messages back on the fields, so a
form refuses exactly what an import would.
"""

from __future__ import annotations

from typing import Any

from flask_wtf.file import FileField, FileRequired
from wtforms import BooleanField, SelectField, StringField, TextAreaField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import AnyOf, Optional

from orientamento.core.forms import LTR, DayField, Form, MultiCheckboxField, QueryForm
from orientamento.core.i18n import lazy_gettext as _l
from orientamento.support.fields import LIST_SEPARATOR, format_hours, split_list
from orientamento.support.models import (
    AccessMode,
    EligibleStatus,
    HelpKind,
    OrganisationKind,
    Residence,
    SupportLocation,
    SupportOrganisation,
    SupportService,
    SupportSite,
)
from orientamento.support.records import (
    location_cells,
    organisation_cells,
    record_of_location,
    record_of_organisation,
    record_of_service,
    record_of_site,
    service_cells,
)

MUNICIPI = [str(n) for n in range(1, 10)]
CHOOSE = _l("Choose one of the options in the list.")


class HelpFilterForm(QueryForm):
    """The public page's filters, read from the query string."""

    need = SelectField(_l("What do you need?"), validate_choice=False, default="",
                       validators=[Optional(), AnyOf([k.value for k in HelpKind],
                                                     message=CHOOSE)])
    language = SelectField(_l("Language spoken"), validate_choice=False, default="")
    municipio = SelectField(_l("Municipio of Milan"), validate_choice=False, default="",
                            validators=[Optional(), AnyOf(MUNICIPI, message=CHOOSE)])

    def __init__(self, *args: Any, languages: list[tuple[str, str]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.need.choices = HelpKind.choices(_l("Any kind of help"))
        self.language.choices = [SelectChoice("", _l("Any language")),
                                 *(SelectChoice(code, name) for code, name in languages)]
        self.language.validators = [Optional(), AnyOf([code for code, _name in languages],
                                                      message=CHOOSE)]
        self.municipio.choices = [SelectChoice("", _l("Anywhere")), *(
            SelectChoice(n, _l("Municipio %(n)d", n=int(n))) for n in MUNICIPI)]


class CellsForm(Form):
    """A form whose fields are spreadsheet columns."""

    def cells(self) -> dict[str, str]:
        """The fields as spreadsheet cells."""
        cells = {}
        for name, field in self._fields.items():
            if name == "csrf_token":
                continue
            data = field.data
            if isinstance(data, list):
                cells[name] = LIST_SEPARATOR.join(data)
            elif hasattr(data, "isoformat"):
                cells[name] = data.isoformat()
            else:
                cells[name] = "" if data is None else str(data)
        return cells

    def fill(self, cells: dict[str, str]) -> None:
        """Show stored values (as their cells) in the fields."""
        for name, field in self._fields.items():
            if name in cells and name != "csrf_token":
                value = cells[name]
                field.data = split_list(value) if isinstance(field, MultiCheckboxField) \
                    else value

    def apply_errors(self, errors: dict[str, str]) -> None:
        """Show the parser's messages on their fields (on the form for other columns)."""
        for column, message in errors.items():
            field = self._fields.get(column)
            if field is not None:
                field.errors = [*field.errors, message]
            else:
                self.form_errors.append(message)


class OrganisationForm(CellsForm):
    """An organisation."""

    organisation_name = StringField(_l("Name"), render_kw={"required": True})
    organisation_kind = SelectField(_l("Kind"), choices=OrganisationKind.choices())
    organisation_website = StringField(_l("Website"), render_kw=LTR,
                                       description=_l("A full address, starting with https://."))
    organisation_email = StringField(_l("E-mail"), render_kw=LTR)
    organisation_phone = StringField(_l("Phone"), render_kw=LTR)
    organisation_description = TextAreaField(_l("Description"))

    def fill_from(self, organisation: SupportOrganisation) -> None:
        """Show a stored organisation."""
        self.fill(organisation_cells(record_of_organisation(organisation)))


class ServiceForm(CellsForm):
    """A service: what help, for whom, how to get it."""

    service_name = StringField(_l("Name"), render_kw={"required": True})
    service_description = TextAreaField(_l("Description"))
    help = MultiCheckboxField(_l("Kinds of help"), choices=HelpKind.choices())
    min_age = StringField(_l("Minimum age"), render_kw={"inputmode": "numeric"},
                          description=_l("Leave empty if there is no lower limit."))
    max_age = StringField(_l("Maximum age"), render_kw={"inputmode": "numeric"},
                          description=_l("Leave empty if there is no upper limit."))
    statuses = MultiCheckboxField(_l("Who it is for"), choices=EligibleStatus.choices())
    residence = SelectField(_l("Residence"), choices=Residence.choices())
    languages = StringField(_l("Languages spoken"), render_kw=LTR, description=_l(
        "Two-letter ISO 639-1 codes separated by semicolons, such as it; en; ar."))
    access = SelectField(_l("How to get to it"), choices=AccessMode.choices())
    service_email = StringField(_l("E-mail"), render_kw=LTR)
    service_phone = StringField(_l("Phone"), render_kw=LTR)
    service_website = StringField(_l("Website"), render_kw=LTR,
                                  description=_l("A full address, starting with https://."))

    def fill_from(self, service: SupportService) -> None:
        """Show a stored service."""
        cells = service_cells(record_of_service(service))
        cells["languages"] = f"{LIST_SEPARATOR} ".join(service.languages)
        self.fill(cells)


class LocationForm(CellsForm):
    """A place where an organisation receives people."""

    location_name = StringField(_l("Name of the place (optional)"))
    address = StringField(_l("Street address"), render_kw={"required": True},
                          description=_l("Street and number, for example Via Pacini 71."))
    postal_code = StringField(_l("Postal code (CAP)"),
                              render_kw={"required": True, "inputmode": "numeric"})
    city = StringField(_l("Municipality"), default="Milano")
    municipio = SelectField(_l("Municipio"), validate_choice=False,
                            validators=[Optional(), AnyOf(MUNICIPI, message=CHOOSE)])
    place_code = StringField(_l("ISTAT code of the municipality (optional)"),
                             description=_l("For example 015146 for Milano."))
    latitude = StringField(_l("Latitude (optional)"), render_kw={"inputmode": "decimal"})
    longitude = StringField(_l("Longitude (optional)"), render_kw={"inputmode": "decimal"})

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.municipio.choices = [SelectChoice("", _l("Outside Milan or unknown")), *(
            SelectChoice(n, _l("Municipio %(n)d", n=int(n))) for n in MUNICIPI)]

    def fill_from(self, location: SupportLocation) -> None:
        """Show a stored location."""
        self.fill(location_cells(record_of_location(location)))


class SiteForm(CellsForm):
    """A service offered at one of its organisation's locations, with opening hours."""

    location_id = SelectField(_l("Location"), validate_choice=False)
    hours = TextAreaField(_l("Opening hours"), render_kw=LTR, description=_l(
        "One opening per day and time range, separated by semicolons, such as "
        "\"MO 09:00-12:30; WE 14:00-17:00\". Days: MO TU WE TH FR SA SU."))
    hours_valid_from = DayField(_l("Hours valid from (optional)"), validators=[Optional()])
    hours_valid_to = DayField(_l("Hours valid until (optional)"), validators=[Optional()])

    def __init__(self, *args: Any, locations: list[SupportLocation], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.location_id.choices = [SelectChoice(loc.uid, loc.full_address) for loc in locations]
        self.location_id.validators = [AnyOf([loc.uid for loc in locations], message=CHOOSE)]

    def fill_from(self, site: SupportSite) -> None:
        """Show a stored site."""
        record = record_of_site(site)
        self.location_id.data = record.location_uid
        self.hours.data = format_hours(record.hours)
        self.hours_valid_from.data = record.valid_from
        self.hours_valid_to.data = record.valid_to


class ImportForm(Form):
    """Upload a catalogue file for a dry run or a real import."""

    file = FileField(_l("File (HSDS JSON or CSV)"), validators=[
        FileRequired(message=_l("Choose a file."))],
        description=_l("UTF-8 HSDS JSON or CSV in the documented format, at most 5 MB."))
    dry_run = BooleanField(_l("Dry run: check the file and change nothing"), default=True)

