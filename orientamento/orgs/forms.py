"""School and provider forms."""

from __future__ import annotations

import re

from wtforms import SelectField, StringField, URLField
from wtforms.validators import URL, DataRequired, Length, NumberRange, Optional, ValidationError

from orientamento.core.forms import Form, WholeNumberField
from orientamento.core.i18n import lazy_gettext as _l
from orientamento.orgs.models import SCHOOL_CODE_PATTERN, ProviderKind


def _code(value: str | None) -> str | None:
    """Codes are compared and stored trimmed and upper-case."""
    return value.strip().upper() if isinstance(value, str) else value


class SchoolForm(Form):
    """A school."""

    code = StringField(
        _l("Codice meccanografico"),
        validators=[DataRequired(), Length(min=10, max=10)],
        filters=[_code],
        description=_l("The school's 10-character ministry code, for example MIIS00900T."),
    )
    name = StringField(_l("Name"), validators=[DataRequired(), Length(max=200)])
    address = StringField(
        _l("Street address"),
        validators=[Optional(), Length(max=200)],
        filters=[lambda value: value.strip() if isinstance(value, str) else value],
        description=_l("Street and number, for example Via Pacini 71: providers who visit "
                       "the school see it."),
    )
    municipality = StringField(
        _l("Municipality"), validators=[DataRequired(), Length(max=100)], default="Milano"
    )
    municipio = WholeNumberField(
        _l("Municipio"),
        validators=[Optional(), NumberRange(min=1, max=9)],
        description=_l("1 to 9, for schools in the city of Milan."),
    )

    def validate_code(self, field: StringField) -> None:
        if not re.fullmatch(SCHOOL_CODE_PATTERN, field.data or ""):
            raise ValidationError(
                str(_l("A codice meccanografico has 4 letters followed by 6 letters or digits."))
            )


class ProviderForm(Form):
    """A training provider."""

    code = StringField(
        _l("Provider code"),
        validators=[DataRequired(), Length(max=20)],
        filters=[_code],
        description=_l("A short stable code used in catalogue imports, for example ITS-MI-01."),
    )
    name = StringField(_l("Name"), validators=[DataRequired(), Length(max=200)])
    kind = SelectField(_l("Kind"), choices=ProviderKind.choices())
    municipality = StringField(
        _l("Municipality"), validators=[DataRequired(), Length(max=100)], default="Milano"
    )
    website = URLField(
        _l("Website"),
        validators=[Optional(), URL(message=_l("Enter a full web address.")), Length(max=300)],
    )

    def validate_code(self, field: StringField) -> None:
        if not re.fullmatch(r"[A-Z0-9][A-Z0-9._-]{1,19}", field.data or ""):
            raise ValidationError(
                str(_l("Use letters, digits, dots, dashes and underscores only."))
            )
