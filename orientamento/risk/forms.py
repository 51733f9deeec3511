"""Risk admin forms: activation with its confirmation, the data-subject report request."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf.file import FileField, FileRequired
from wtforms import BooleanField, StringField
from wtforms.validators import DataRequired, Length, Regexp

from orientamento.core.forms import Form


def _stripped(value: str | None) -> str | None:
    return value.strip() if isinstance(value, str) else value


class ActivationForm(Form):
    """Activate a model version, once its card has been read."""

    confirm = BooleanField(
        _l("I have read the model card"),
        validators=[DataRequired(message=_l(
            "Confirm that you have read the model card before activating this version."))])


class SubjectReportForm(Form):
    """Ask for the report on one person, by the id the city's records use."""

    source_id = StringField(
        _l("Id in the city's records"),
        description=_l("As it appears in the administrative records, for example "
                       "SYN202400000012. Letter case and surrounding spaces do not matter."),
        filters=[_stripped],
        validators=[
            DataRequired(message=_l("Enter the person's id.")),
            Length(max=64, message=_l("An id has at most 64 characters.")),
            Regexp(r"^[A-Za-z0-9._/-]+$",
                   message=_l("An id has only letters, digits and the signs . _ / -")),
        ])


class RecordsImportForm(Form):
    """Upload a snapshot of administrative records."""

    file = FileField(_l("Snapshot file (CSV)"), validators=[
        FileRequired(message=_l("Choose a file."))],
        description=_l("UTF-8 CSV in the documented format, at most 5 MB; larger snapshots "
                       "go through the command line (flask risk import)."))
