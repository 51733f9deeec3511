"""Admin forms."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select
from wtforms import EmailField, SelectField, StringField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, Email, Length, Optional, ValidationError

from orientamento.auth.models import PROVIDER_ROLES, STAFF_ROLES, Role
from orientamento.core.forms import Form, MultiCheckboxField, QueryForm
from orientamento.core.i18n import lazy_gettext as _l
from orientamento.extensions import db
from orientamento.orgs.models import MUNICIPI, Provider, School
from orientamento.support.models import SupportOrganisation


class AssignmentForm(Form):
    """Role plus the organisation or municipi the role needs."""

    role = SelectField(_l("Role"), validators=[DataRequired()])
    school_id = SelectField(
        _l("School"), coerce=int, description=_l("Required for school counsellors.")
    )
    provider_id = SelectField(
        _l("Training provider"), coerce=int, description=_l("Required for provider staff.")
    )
    municipi = MultiCheckboxField(
        _l("Municipi covered"),
        coerce=int,
        choices=[
            SelectChoice(number, _l("Municipio %(n)d", n=number)) for number in MUNICIPI
        ],
        description=_l("Required for outreach workers."),
    )
    support_organisation_id = SelectField(
        _l("Organisation offering services"), coerce=int, default=0,
        description=_l("Required for service operators: they see the referrals sent to it."),
    )

    def __init__(self, *args: Any, roles: tuple[Role, ...] = STAFF_ROLES, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.role.choices = [SelectChoice(role.value, role.label) for role in roles]
        none = SelectChoice(0, _l("None"))
        self.school_id.choices = [none] + [
            SelectChoice(school.id, f"{school.name} ({school.code})")
            for school in db.session.scalars(select(School).order_by(School.name))
        ]
        self.provider_id.choices = [none] + [
            SelectChoice(provider.id, provider.name)
            for provider in db.session.scalars(select(Provider).order_by(Provider.name))
        ]
        self.support_organisation_id.choices = [none] + [
            SelectChoice(organisation.id, organisation.name)
            for organisation in db.session.scalars(
                select(SupportOrganisation).order_by(SupportOrganisation.name))
        ]

    def validate_school_id(self, field: SelectField) -> None:
        if self.role.data == Role.COUNSELLOR and not field.data:
            raise ValidationError(str(_l("Choose the counsellor's school.")))

    def validate_provider_id(self, field: SelectField) -> None:
        if self.role.data in PROVIDER_ROLES and not field.data:
            raise ValidationError(str(_l("Choose the provider this person works for.")))

    def validate_support_organisation_id(self, field: SelectField) -> None:
        if self.role.data == Role.SERVICE_OPERATOR and not field.data:
            raise ValidationError(str(_l("Choose the organisation this person works for.")))

    def validate_municipi(self, field: MultiCheckboxField) -> None:
        if self.role.data == Role.OUTREACH and not field.data:
            raise ValidationError(str(_l("Choose at least one municipio.")))


class InviteForm(AssignmentForm):
    """Invite a member of staff by e-mail."""

    display_name = StringField(_l("Full name"), validators=[DataRequired(), Length(max=100)])
    email = EmailField(
        _l("E-mail"),
        validators=[DataRequired(), Email(message=_l("Enter a valid e-mail address.")),
                    Length(max=254)],
    )


class RoleForm(AssignmentForm):
    """Change a user's role."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, roles=tuple(Role), **kwargs)


class UserSearchForm(QueryForm):
    """Search users (GET, no CSRF)."""

    q = StringField(_l("Search"), validators=[Optional(), Length(max=100)])
    role = SelectField(_l("Role"), validators=[Optional()])

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.role.choices = Role.choices(_l("All roles"))
