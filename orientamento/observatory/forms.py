"""The Observatory's filters (query string) and the demand upload."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from flask_wtf.file import FileField, FileRequired
from wtforms import BooleanField, SelectField, StringField, TextAreaField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import AnyOf, Length, Optional, Regexp

from orientamento.core.forms import Form, QueryForm
from orientamento.core.i18n import lazy_gettext as _l
from orientamento.observatory.periods import Quarter
from orientamento.observatory.records import TERRITORY_CODE

MUNICIPI = [str(n) for n in range(1, 10)]
CHOOSE = _l("Choose one of the options in the list.")


def _offer(field: SelectField, anything: Any, options: Iterable[tuple[str, Any]]) -> None:
    """Offer ``options`` (value, label) after an empty one that means ``anything``, and
    refuse any other value."""
    options = list(options)
    field.choices = [SelectChoice("", anything),
                     *(SelectChoice(value, label) for value, label in options)]
    field.validators = [Optional(), AnyOf([value for value, _ in options], message=CHOOSE)]


class FilterForm(QueryForm):
    """The pages' filters: a quarter and, for staff, a municipio."""

    quarter = SelectField(_l("Quarter"), validate_choice=False, default="")
    municipio = SelectField(_l("Municipio of the school"), validate_choice=False, default="",
                            validators=[Optional(), AnyOf(MUNICIPI, message=CHOOSE)])

    def __init__(self, *args: Any, quarters: list[Quarter], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        _offer(self.quarter, _l("Latest 12 months"), ((str(q), str(q)) for q in quarters))
        self.municipio.choices = [SelectChoice("", _l("All of Milan")), *(
            SelectChoice(n, _l("Municipio %(n)d", n=int(n))) for n in MUNICIPI)]


class NeetFilterForm(QueryForm):
    """The staff NEET page's filters: a quarter and a trigger."""

    quarter = SelectField(_l("Quarter the flag was raised in"), validate_choice=False,
                          default="")
    trigger = SelectField(_l("Trigger"), validate_choice=False, default="")

    def __init__(self, *args: Any, quarters: list[Quarter], **kwargs: Any) -> None:
        from orientamento.observatory.neet import TRIGGER_LABELS

        super().__init__(*args, **kwargs)
        _offer(self.quarter, _l("The quarters shown"), ((str(q), str(q)) for q in quarters))
        _offer(self.trigger, _l("All triggers"), TRIGGER_LABELS.items())


class DemandImportForm(Form):
    """Upload a labour-demand CSV for a dry run or a real import."""

    file = FileField(_l("File (CSV)"), validators=[FileRequired(message=_l("Choose a file."))],
                     description=_l("UTF-8 CSV in the documented format, at most 20 MB."))
    mapping = TextAreaField(
        _l("Column mapping (optional)"), validators=[Optional(), Length(max=2000)],
        description=_l("One field=Header per line, for headers the importer does not "
                       "recognise, such as hires=Entrate previste totali."))
    territory = StringField(
        _l("Territory of rows without one"), default="015",
        validators=[Regexp(TERRITORY_CODE, message=_l(
            "Write an ISTAT province (015), comune (015146) or municipio (015146-3) code."))],
        description=_l("ISTAT code; 015 is the Città Metropolitana di Milano."))
    source = StringField(_l("Source"), validators=[Optional(), Length(max=80)],
                         description=_l("Where the figures come from, shown on the pages."))
    dry_run = BooleanField(_l("Dry run: check the file and change nothing"), default=True)
