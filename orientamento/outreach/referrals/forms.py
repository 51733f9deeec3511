"""Referral forms: the worker's referral and withdrawal, and the service's answer, take-up and
closing."""

from __future__ import annotations

from datetime import date
from typing import Any

from wtforms import BooleanField, Field, RadioField, SelectField, TextAreaField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, InputRequired, Length, Optional, ValidationError

from orientamento.core.forms import DayField, Form, MultiCheckboxField
from orientamento.core.i18n import lazy_gettext as _l
from orientamento.outreach.forms import label_choices
from orientamento.outreach.referrals.models import (
    DECLINE_REASONS,
    REFERRAL_OUTCOMES,
    WITHDRAW_REASONS,
)
from orientamento.outreach.referrals.services import NOTE_LENGTH as REFERRAL_NOTE_LENGTH
from orientamento.outreach.referrals.services import ReferralData
from orientamento.support.models import SupportService


class ReferralForm(Form):
    """Refer the flag's person to one or more services, with their consent."""

    services = MultiCheckboxField(_l("Services"), coerce=int,
                                  description=_l("Only the contact details and your note are "
                                                 "sent: never the score, its reasons or "
                                                 "personal attributes."))
    consent = BooleanField(_l("The person agreed to be referred to these services"),
                           validators=[DataRequired(message=_l(
                               "A referral needs the person's consent: tick the box."))])
    consent_on = DayField(_l("Day of the consent"), validators=[InputRequired()])
    note = TextAreaField(_l("Note for the service"),
                         validators=[Optional(), Length(max=REFERRAL_NOTE_LENGTH)],
                         description=_l("What the person is looking for, when to call. No "
                                        "health details."))

    def __init__(self, *args: Any, services: list[SupportService], today: date,
                 **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.today = today
        self.services.choices = [SelectChoice(s.id, f"{s.name} ({s.organisation.name})")
                                 for s in services]

    def validate_services(self, field: Field) -> None:
        """At least one service."""
        if not field.data:
            raise ValidationError(_l("Choose at least one service."))

    def validate_consent_on(self, field: Field) -> None:
        """No consent in the future."""
        if field.data and field.data > self.today:
            raise ValidationError(_l("The date cannot be in the future."))

    def data_for_service(self) -> ReferralData:
        """The form as the service's input."""
        return ReferralData(service_ids=list(self.services.data or []),
                            consent=bool(self.consent.data), consent_on=self.consent_on.data,
                            note=self.note.data or "")


class DeclineForm(Form):
    """A service declines a referral, saying why."""

    reason = SelectField(_l("Why do you decline?"), validators=[DataRequired()],
                         choices=label_choices(DECLINE_REASONS, _l("Choose a reason")))
    note = TextAreaField(_l("Explanation for the outreach worker"),
                         validators=[Length(max=REFERRAL_NOTE_LENGTH)],
                         description=_l("Required when the reason is \"Other\"."))

    def validate_note(self, field: Field) -> None:
        """"Other" needs words."""
        if self.reason.data == "other" and not (field.data or "").strip():
            raise ValidationError(_l("Explain in a few words."))


class WithdrawReferralForm(Form):
    """A worker withdraws a referral, saying why (the service reads the reason)."""

    reason = SelectField(_l("Why withdraw it?"), validators=[DataRequired()],
                         choices=label_choices(WITHDRAW_REASONS, _l("Choose a reason")))


TAKE_UP_CHOICES = [SelectChoice("", _l("Not known yet")), SelectChoice("yes", _l("Yes, the "
                   "person came")), SelectChoice("no", _l("No, the person did not come"))]


class TakeUpForm(Form):
    """The first appointment and whether the person came."""

    first_appointment_on = DayField(_l("First appointment"), validators=[Optional()])
    took_up = RadioField(_l("Did the person come?"), default="", choices=TAKE_UP_CHOICES,
                         validators=[Optional()])

    def took_up_value(self) -> bool | None:
        """The answer as the service's input."""
        return {"yes": True, "no": False}.get(self.took_up.data or "")


class CloseReferralForm(Form):
    """Close an accepted referral with its outcome."""

    outcome = SelectField(_l("Outcome"), validators=[DataRequired()],
                          choices=label_choices(REFERRAL_OUTCOMES, _l("Choose an outcome")))
    note = TextAreaField(_l("Note"), validators=[Length(max=REFERRAL_NOTE_LENGTH)],
                         description=_l("Required when the outcome is \"Other\"."))

    def validate_note(self, field: Field) -> None:
        """"Other" needs words."""
        if self.outcome.data == "other" and not (field.data or "").strip():
            raise ValidationError(_l("Explain in a few words."))
