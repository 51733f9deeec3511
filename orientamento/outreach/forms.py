"""Outreach forms: queue filters, decisions, contacts and follow-up outcomes."""

from __future__ import annotations

from datetime import date
from typing import Any

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import Field, RadioField, SelectField, TextAreaField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, InputRequired, Length, Optional, ValidationError

from orientamento.core.forms import DayField
from orientamento.outreach.models import (
    CHANNEL_LABELS,
    CONTACT_OUTCOME_LABELS,
    DECISION_LABELS,
    FOLLOW_UP_MONTHS,
    REASON_CODES,
    SITUATION_LABELS,
    TRIGGER_LABELS,
    ContactOutcome,
)
from orientamento.outreach.services import EXPLAINED_REASONS, ContactData
from orientamento.risk.models import BAND_LABELS

NOTE_LENGTH = 2000


def municipio_label(number: int) -> Any:
    """The name of one of Milan's municipi."""
    return _l("Municipio %(number)s", number=number)


def _choices(labels: dict[Any, Any], empty: Any = None) -> list[SelectChoice]:
    options = [SelectChoice(str(value), label) for value, label in labels.items()]
    return [SelectChoice("", empty), *options] if empty else options


class QueueFilterForm(FlaskForm):
    """Filters of the outreach queue (query string)."""

    class Meta:
        csrf = False

    trigger = SelectField(_l("Why flagged"), default="",
                          choices=_choices(TRIGGER_LABELS, _l("Any reason")))
    band = SelectField(_l("Band"), default="", choices=_choices(BAND_LABELS, _l("Any band")))
    municipio = SelectField(_l("Municipio"), default="")

    def __init__(self, *args: Any, municipi: list[int], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.municipio.choices = [SelectChoice("", _l("All my municipi")),
                                  *(SelectChoice(str(n), municipio_label(n)) for n in municipi)]

    def chosen_municipio(self) -> int | None:
        """The municipio chosen, or None for all of the worker's."""
        return int(self.municipio.data) if self.municipio.data else None


class DecisionForm(FlaskForm):
    """Contact, do not contact or defer, with a reason and the worker's view of the priority."""

    kind = RadioField(_l("Decision"), validators=[InputRequired()],
                      choices=_choices(DECISION_LABELS))
    reason_code = SelectField(_l("Reason"), validators=[DataRequired()],
                              choices=_choices(REASON_CODES, _l("Choose a reason")))
    agrees = RadioField(
        _l("Do you agree with the priority the model (or the rule) gave?"),
        validators=[InputRequired()],
        choices=[SelectChoice("yes", _l("Yes, I agree")),
                 SelectChoice("no", _l("No, I disagree"))],
        description=_l("Your answer is recorded with the decision and used to review the "
                       "model."))
    # No Optional(): it would stop the chain before validate_text.
    text = TextAreaField(_l("Explanation"), validators=[Length(max=NOTE_LENGTH)],
                         description=_l("Required when the reason is \"Other\" or when you "
                                        "disagree with the priority."))

    def validate_agrees(self, field: Field) -> None:
        """Disagreeing with the model as a reason means answering "No"."""
        if self.reason_code.data == "disagree_model" and field.data == "yes":
            raise ValidationError(_l("You chose to disagree with the model's assessment: "
                                     "answer \"No\" here."))

    def validate_text(self, field: Field) -> None:
        """An explanation is needed for "Other" and for any disagreement."""
        if (field.data or "").strip():
            return
        if self.reason_code.data in EXPLAINED_REASONS or self.agrees.data == "no":
            raise ValidationError(_l("Explain your decision in a few words."))


CONSENT_LABELS = {"given": _l("Accepted help"), "refused": _l("Refused help")}
CONSENT_CHOICES = [
    SelectChoice("", _l("Not asked, or not reached")),
    SelectChoice("given", CONSENT_LABELS["given"]),
    SelectChoice("refused", _l("Refused help (never contact again)")),
]


class ContactForm(FlaskForm):
    """One attempt to reach a person."""

    channel = SelectField(_l("Channel"), validators=[DataRequired()],
                          choices=_choices(CHANNEL_LABELS, _l("Choose a channel")))
    contacted_on = DayField(_l("Date of the contact"), validators=[InputRequired()])
    outcome = SelectField(_l("Outcome"), validators=[DataRequired()],
                          choices=_choices(CONTACT_OUTCOME_LABELS, _l("Choose an outcome")))
    consent = RadioField(_l("Consent"), default="", choices=CONSENT_CHOICES,
                         description=_l("Only when the person was reached. A refusal closes "
                                        "every flag of the person for good."))
    note = TextAreaField(_l("Note"), validators=[Optional(), Length(max=NOTE_LENGTH)])

    def __init__(self, *args: Any, today: date, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.today = today

    def validate_contacted_on(self, field: Field) -> None:
        """No contact in the future."""
        if field.data and field.data > self.today:
            raise ValidationError(_l("The date cannot be in the future."))

    def validate_consent(self, field: Field) -> None:
        """Consent is asked only of someone reached."""
        if field.data and self.outcome.data != ContactOutcome.REACHED:
            raise ValidationError(_l("Record consent only when the person was reached."))

    def data_for_service(self) -> ContactData:
        """The form as the service's input."""
        return ContactData(channel=self.channel.data or "", contacted_on=self.contacted_on.data,
                           outcome=self.outcome.data or "", consent=self.consent.data or None,
                           note=self.note.data or "")


class OutcomeForm(FlaskForm):
    """Where the person stands at a follow-up."""

    months = SelectField(_l("Follow-up"), coerce=int, choices=[
        SelectChoice(m, _l("After %(num)s months", num=m)) for m in FOLLOW_UP_MONTHS])
    situation = SelectField(_l("Situation"), validators=[DataRequired()],
                            choices=_choices(SITUATION_LABELS, _l("Choose a situation")))
    note = TextAreaField(_l("Note"), validators=[Optional(), Length(max=NOTE_LENGTH)])
