"""Outreach forms: queue filters, decisions, contacts, follow-up outcomes and assignment; the
public "contact me" form. The referral forms are in ``referrals/forms.py``."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from typing import Any

from babel import Locale
from wtforms import (
    BooleanField,
    EmailField,
    Field,
    RadioField,
    SelectField,
    StringField,
    TelField,
    TextAreaField,
)
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, InputRequired, Length, Optional, ValidationError

from orientamento.core.forms import LTR, DayField, Form, QueryForm
from orientamento.core.i18n import lazy_gettext as _l
from orientamento.outreach.models import (
    CHANNEL_LABELS,
    FOLLOW_UP_MONTHS,
    REASON_CODES,
    SITUATION_LABELS,
    ContactOutcome,
    DecisionKind,
    PreferredTime,
    Trigger,
)
from orientamento.outreach.self_referrals import (
    CONTACT_LANGUAGES,
    EMAIL_LENGTH,
    MESSAGE_LENGTH,
    NAME_LENGTH,
    PHONE_LENGTH,
    SelfReferralData,
    email_problem,
    phone_problem,
)
from orientamento.outreach.services import EXPLAINED_REASONS, ContactData
from orientamento.risk.models import Band

NOTE_LENGTH = 2000


def municipio_label(number: int) -> Any:
    """The name of one of Milan's municipi."""
    return _l("Municipio %(number)s", number=number)


def label_choices(labels: dict[Any, Any], empty: Any = None) -> list[SelectChoice]:
    """Select options from a code -> label mapping, after an empty one when ``empty`` names it."""
    options = [SelectChoice(str(value), label) for value, label in labels.items()]
    return [SelectChoice("", empty), *options] if empty else options


class QueueFilterForm(QueryForm):
    """Filters of the outreach queue (query string)."""

    trigger = SelectField(_l("Why flagged"), default="",
                          choices=Trigger.choices(_l("Any reason")))
    band = SelectField(_l("Band"), default="", choices=Band.choices(_l("Any band")))
    municipio = SelectField(_l("Municipio"), default="")
    assigned = SelectField(_l("Assigned to"), default="", choices=[
        SelectChoice("", _l("Anyone or no one")), SelectChoice("mine", _l("Me")),
        SelectChoice("none", _l("No one yet (the team's)"))])

    def __init__(self, *args: Any, municipi: list[int], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.municipio.choices = [SelectChoice("", _l("All my municipi")),
                                  *(SelectChoice(str(n), municipio_label(n)) for n in municipi)]

    def chosen_municipio(self) -> int | None:
        """The municipio chosen, or None for all of the worker's."""
        return int(self.municipio.data) if self.municipio.data else None


class DecisionForm(Form):
    """Contact, do not contact or defer, with a reason and the worker's view of the priority."""

    kind = RadioField(_l("Decision"), validators=[InputRequired()],
                      choices=DecisionKind.choices())
    reason_code = SelectField(_l("Reason"), validators=[DataRequired()],
                              choices=label_choices(REASON_CODES, _l("Choose a reason")))
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


class ContactForm(Form):
    """One attempt to reach a person."""

    channel = SelectField(_l("Channel"), validators=[DataRequired()],
                          choices=label_choices(CHANNEL_LABELS, _l("Choose a channel")))
    contacted_on = DayField(_l("Date of the contact"), validators=[InputRequired()])
    outcome = SelectField(_l("Outcome"), validators=[DataRequired()],
                          choices=ContactOutcome.choices(_l("Choose an outcome")))
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


class OutcomeForm(Form):
    """Where the person stands at a follow-up."""

    months = SelectField(_l("Follow-up"), coerce=int, choices=[
        SelectChoice(m, _l("After %(num)s months", num=m)) for m in FOLLOW_UP_MONTHS])
    situation = SelectField(_l("Situation"), validators=[DataRequired()],
                            choices=label_choices(SITUATION_LABELS, _l("Choose a situation")))
    note = TextAreaField(_l("Note"), validators=[Optional(), Length(max=NOTE_LENGTH)])


class SelfReferralForm(Form):
    """"Contact me": a young person asks the outreach team of their municipio to contact them."""

    name = StringField(_l("Your first name (optional)"),
                       validators=[Optional(), Length(max=NAME_LENGTH)],
                       description=_l("So that we know whom to ask for."))
    municipio = SelectField(_l("The municipio you live in"), validators=[DataRequired(
        message=_l("Choose the municipio you live in."))],
        description=_l("Milan is divided into nine municipi; your outreach team is the one of "
                       "yours."))
    channel = RadioField(_l("How should we contact you?"),
                         validators=[InputRequired(message=_l("Choose phone or e-mail."))],
                         choices=[SelectChoice("phone", _l("By phone")),
                                  SelectChoice("email", _l("By e-mail"))])
    phone = TelField(_l("Phone number"), validators=[Length(max=PHONE_LENGTH)],
                     description=_l("Needed if you chose phone."), render_kw=LTR)
    email = EmailField(_l("E-mail address"), validators=[Length(max=EMAIL_LENGTH)],
                       description=_l("Needed if you chose e-mail."), render_kw=LTR)
    language = SelectField(_l("Language we should speak"), validators=[DataRequired()])
    preferred_time = RadioField(_l("When is a good time?"), default=PreferredTime.ANY.value,
                                validators=[InputRequired()],
                                choices=PreferredTime.choices())
    message = TextAreaField(_l("Anything you want to tell us (optional)"),
                            validators=[Optional(), Length(max=MESSAGE_LENGTH)],
                            description=_l("For example what you would like help with. Do not "
                                           "write health details."))
    consent = BooleanField(
        _l("I agree that the City of Milan's outreach team stores these details and contacts "
           "me to offer help with school, training or work. I can ask for them to be deleted at "
           "any time."),
        validators=[DataRequired(message=_l("We can contact you only with your agreement: "
                                            "tick the box."))])
    #: Left empty by people (the field is hidden); programs that fill every field fill it.
    website = StringField(_l("Leave this field empty"))

    def __init__(self, *args: Any, language: str, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        names = Locale.parse(language).languages
        self.municipio.choices = [SelectChoice("", _l("Choose your municipio")),
                                  *(SelectChoice(str(n), municipio_label(n))
                                    for n in range(1, 10))]
        self.language.choices = [SelectChoice(code, names.get(code, code))
                                 for code in CONTACT_LANGUAGES]
        if not self.language.data:
            self.language.data = language if language in CONTACT_LANGUAGES else "it"

    def validate_phone(self, field: Field) -> None:
        """A phone number when the person chose a call (and a valid one whenever given)."""
        self._check_contact(field, "phone", phone_problem,
                            _l("Write the phone number we should call."))

    def validate_email(self, field: Field) -> None:
        """An e-mail address when the person chose e-mail (and a valid one whenever given)."""
        self._check_contact(field, "email", email_problem,
                            _l("Write the e-mail address we should write to."))

    def _check_contact(self, field: Field, channel: str, problem_of: Callable[[str], str | None],
                       missing: Any) -> None:
        """Refuse the way to reach the person if it is missing for the channel they chose,
        or is given and not valid."""
        value = (field.data or "").strip()
        if not value:
            if self.channel.data == channel:
                raise ValidationError(missing)
            return
        problem = problem_of(value)
        if problem:
            raise ValidationError(problem)

    def is_spam(self) -> bool:
        """Whether the hidden field was filled in (by a program, not a person)."""
        return bool(self.website.data)

    def data_for_service(self) -> SelfReferralData:
        """The form as the service's input."""
        return SelfReferralData(
            municipio=int(self.municipio.data or 0), channel=self.channel.data or "",
            language=self.language.data or "", preferred_time=self.preferred_time.data or "",
            phone=(self.phone.data or "").strip(), email=(self.email.data or "").strip(),
            name=(self.name.data or "").strip(), message=(self.message.data or "").strip())


class AssignForm(Form):
    """Give a flag to a worker of the municipio's team, or back to the team."""

    assignee = SelectField(_l("Worker in charge"), default="")

    def __init__(self, *args: Any, team: list[Any], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.assignee.choices = [SelectChoice("", _l("No one: the team's")),
                                 *(SelectChoice(str(u.id), u.display_name) for u in team)]

    def assignee_id(self) -> int | None:
        """The chosen worker's id, or None."""
        return int(self.assignee.data) if self.assignee.data else None
