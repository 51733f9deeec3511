"""Account forms."""

from __future__ import annotations

from typing import Any

from flask_login import current_user
from wtforms import BooleanField, EmailField, PasswordField, StringField
from wtforms.validators import DataRequired, Email, EqualTo, InputRequired, Length, ValidationError

from orientamento.auth.passwords import MAX_LENGTH, MIN_LENGTH, password_problems
from orientamento.core.forms import DayField, Form
from orientamento.core.i18n import lazy_gettext as _l

PASSWORD_HINT = _l(
    "At least %(min)d characters. A short sentence you can remember works well.", min=MIN_LENGTH
)


def new_password_fields() -> tuple[PasswordField, PasswordField]:
    """A new password and its confirmation, created where the form declares them.

    WTForms orders fields by creation, so declaring them in each form (not in a
    mixin) keeps the error summary in the same order as the page.
    """
    password = PasswordField(
        _l("New password"),
        validators=[InputRequired(), Length(max=MAX_LENGTH)],
        description=PASSWORD_HINT,
        render_kw={"autocomplete": "new-password"},
    )
    confirm = PasswordField(
        _l("Repeat the new password"),
        validators=[
            InputRequired(), EqualTo("password", message=_l("The passwords do not match."))
        ],
        render_kw={"autocomplete": "new-password"},
    )
    return password, confirm


class NewPasswordMixin:
    """Checks a new password (declared with ``new_password_fields``) against the policy."""

    #: Fields whose values the password must not be built from, when the form has them.
    personal_fields = ("display_name", "email", "username")

    def personal_inputs(self) -> list[str | None]:
        """The user's own names and address, for the password check."""
        fields = (getattr(self, name, None) for name in self.personal_fields)
        return [field.data for field in fields if field is not None]

    def validate_password(self, field: PasswordField) -> None:
        """Refuse a password that breaks the policy, saying why and how to do better."""
        problems = password_problems(field.data or "", *self.personal_inputs())
        if problems:
            raise ValidationError(" ".join(str(problem) for problem in problems))


class LoginForm(Form):
    """E-mail (or username) and password."""

    login = StringField(
        _l("E-mail or username"),
        validators=[DataRequired(), Length(max=254)],
        render_kw={"autocomplete": "username", "autocapitalize": "none"},
    )
    password = PasswordField(
        _l("Password"),
        validators=[DataRequired(), Length(max=MAX_LENGTH)],
        render_kw={"autocomplete": "current-password"},
    )


def first_name_field(description: Any) -> StringField:
    """A student's first name, how the platform addresses them; ``description`` says who sees
    it."""
    return StringField(
        _l("First name"),
        validators=[DataRequired(), Length(max=100)],
        description=description,
        render_kw={"autocomplete": "given-name"},
    )


def date_of_birth_field(description: Any = "") -> DayField:
    """A student's date of birth."""
    return DayField(
        _l("Date of birth"),
        validators=[InputRequired(message=_l("Enter your date of birth."))],
        description=description,
        render_kw={"autocomplete": "bday"},
    )


class RegisterForm(NewPasswordMixin, Form):
    """Self-registration of a student aged 14 or more."""

    display_name = first_name_field(_l("How we address you. Your surname is not needed."))
    email = EmailField(
        _l("E-mail"),
        validators=[DataRequired(), Email(message=_l("Enter a valid e-mail address.")),
                    Length(max=254)],
        render_kw={"autocomplete": "email"},
    )
    date_of_birth = date_of_birth_field(
        _l("Under 14 you join with a code from your school instead."))
    password, confirm = new_password_fields()
    accept_privacy = BooleanField(
        _l("I have read the privacy notice"),
        validators=[DataRequired(message=_l("Please read and accept the privacy notice."))],
    )


class ForgotPasswordForm(Form):
    """Ask for a password reset link."""

    email = EmailField(
        _l("E-mail"),
        validators=[DataRequired(), Email(message=_l("Enter a valid e-mail address.")),
                    Length(max=254)],
        render_kw={"autocomplete": "email"},
    )


class SetPasswordForm(NewPasswordMixin, Form):
    """Choose a password from a reset or invitation link."""

    password, confirm = new_password_fields()


class ChangePasswordForm(NewPasswordMixin, Form):
    """Change the password, knowing the current one."""

    current = PasswordField(
        _l("Current password"),
        validators=[InputRequired()],
        render_kw={"autocomplete": "current-password"},
    )
    password, confirm = new_password_fields()

    def personal_inputs(self) -> list[str | None]:
        """The signed-in user's names and address."""
        user = current_user
        if not user or not user.is_authenticated:
            return []
        return [user.email, user.username, user.display_name]


class DeleteAccountForm(Form):
    """Confirm the erasure of one's account."""

    password = PasswordField(
        _l("Your password"),
        validators=[InputRequired()],
        render_kw={"autocomplete": "current-password"},
    )
    confirm = BooleanField(
        _l("I understand that my account and all my data will be deleted for good"),
        validators=[DataRequired(message=_l("Tick the box to confirm."))],
    )
