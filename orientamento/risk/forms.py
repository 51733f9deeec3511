"""Risk admin forms: activation with its confirmation, the data-subject report request."""

from __future__ import annotations

from typing import Any

from flask_wtf.file import FileField, FileRequired
from wtforms import BooleanField, Field, StringField, TextAreaField, ValidationError
from wtforms.validators import DataRequired, Length, Regexp

from orientamento.core.forms import Form
from orientamento.core.i18n import lazy_gettext as _l
from orientamento.risk.models import JUSTIFICATION_MAX


def _stripped(value: str | None) -> str | None:
    return value.strip() if isinstance(value, str) else value


class ActivationForm(Form):
    """Activate a model version, once its card has been read; with a justification when the
    fairness gate applies (``gated``: the field is then shown and required)."""

    confirm = BooleanField(
        _l("I have read the model card"),
        validators=[DataRequired(message=_l(
            "Confirm that you have read the model card before activating this version."))])
    justification = TextAreaField(
        _l("Why activate this version despite the fairness audit"),
        description=_l("Plain text, at most %(max)s characters. It is kept in the audit log "
                       "and printed on the model card.", max=JUSTIFICATION_MAX),
        filters=[_stripped],
        validators=[Length(max=JUSTIFICATION_MAX, message=_l(
            "A justification has at most %(max)s characters.", max=JUSTIFICATION_MAX))])

    def __init__(self, *args: Any, gated: bool = False, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.gated = gated
        if gated:
            self.justification.flags.required = True

    def validate_justification(self, field: Field) -> None:
        """Required only when the fairness gate applies."""
        if self.gated and not field.data:
            raise ValidationError(str(_l(
                "Write why this version should be activated despite its fairness audit.")))


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
