"""Class forms."""

from __future__ import annotations

import re
from datetime import date
from typing import Any

from wtforms import IntegerField, SelectField, StringField
from wtforms.validators import DataRequired, InputRequired, Length, NumberRange, ValidationError

from orientamento.auth.forms import (
    NewPasswordMixin,
    date_of_birth_field,
    first_name_field,
    new_password_fields,
)
from orientamento.classes.models import SchoolLevel
from orientamento.classes.services import CONSENT_REFERENCE_LENGTH, check_form_date
from orientamento.core.errors import DomainError
from orientamento.core.forms import DayField, Form, WholeNumberField
from orientamento.core.i18n import lazy_gettext as _l


class ClassForm(Form):
    """Create a class."""

    name = StringField(
        _l("Class name"),
        validators=[DataRequired(), Length(max=50)],
        description=_l("As the school calls it, for example 3B."),
    )
    school_year = StringField(
        _l("School year"),
        validators=[DataRequired(), Length(min=9, max=9)],
        description=_l("For example 2026/2027."),
    )
    level = SelectField(
        _l("School level"),
        choices=SchoolLevel.choices(),
        validators=[DataRequired()],
    )
    year = WholeNumberField(
        _l("Year"),
        validators=[InputRequired(), NumberRange(min=1, max=5)],
        description=_l("1 to 3 in lower secondary school, 1 to 5 in upper secondary school."),
    )

    def validate_school_year(self, field: StringField) -> None:
        match = re.fullmatch(r"(\d{4})/(\d{4})", field.data or "")
        if not match or int(match[2]) != int(match[1]) + 1:
            raise ValidationError(str(_l("Write the school year as 2026/2027.")))

    def validate_year(self, field: IntegerField) -> None:
        if self.level.data == SchoolLevel.LOWER_SECONDARY and (field.data or 0) > 3:
            raise ValidationError(str(_l("Lower secondary school has years 1 to 3.")))


class JoinCodeForm(Form):
    """A class code, for a student who already has an account."""

    code = StringField(
        _l("Class code"),
        validators=[DataRequired(), Length(max=20)],
        description=_l("The code your teacher gave you, for example ABCD-EFGH."),
        render_kw={"autocapitalize": "characters", "autocomplete": "off"},
    )


class JoinWithCodeForm(NewPasswordMixin, JoinCodeForm):
    """Create a pupil account with a class code, without e-mail."""

    display_name = first_name_field(_l("Your teacher will see it in the class list."))
    username = StringField(
        _l("Username"),
        validators=[DataRequired(), Length(min=3, max=40)],
        description=_l(
            "You will use it to log in: 3 to 40 letters, digits, dots, dashes or underscores."
        ),
        render_kw={"autocomplete": "username", "autocapitalize": "none"},
    )
    date_of_birth = date_of_birth_field()
    password, confirm = new_password_fields()


def _strip(value: str | None) -> str | None:
    return value.strip() if isinstance(value, str) else value


def _signed_form_fields(date_label: Any, reference_label: Any) -> tuple[DayField, StringField]:
    """The day a parent's paper was signed and the school's reference to it, labelled for
    the paper (a consent form or a withdrawal)."""
    signed_on = DayField(
        date_label,
        validators=[InputRequired(message=_l("Give the date written on the signed form."))],
    )
    reference = StringField(
        reference_label,
        validators=[DataRequired(message=_l("Give the form's reference.")),
                    Length(max=CONSENT_REFERENCE_LENGTH)],
        filters=[_strip],
        description=_l("Where the school keeps the paper, for example its protocol number."),
        render_kw={"autocomplete": "off"},
    )
    return signed_on, reference


class ParentalConsentForm(Form):
    """A parent's signed form: the day it was signed and the school's reference to it."""

    signed_on, reference = _signed_form_fields(_l("Date the form was signed"),
                                              _l("Reference of the signed form"))

    def __init__(self, *args: Any, earliest: date, today: date, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.earliest, self.today = earliest, today
        self.signed_on.render_kw = {"min": earliest.isoformat(), "max": today.isoformat()}

    def validate_signed_on(self, field: DayField) -> None:
        if field.data is not None:
            try:
                check_form_date(field.data, earliest=self.earliest, today=self.today)
            except DomainError as error:
                raise ValidationError(str(error.message)) from None


class ConsentWithdrawalForm(ParentalConsentForm):
    """A parent's signed withdrawal of consent: its date and the school's reference."""

    signed_on, reference = _signed_form_fields(_l("Date the withdrawal was signed"),
                                              _l("Reference of the signed withdrawal"))
