"""The project's form base and the form fields shared by several features."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import date
from typing import Any, TypeVar

from flask import flash, redirect
from flask.typing import ResponseReturnValue
from flask_babel import format_date
from flask_babel import gettext as _
from flask_wtf import FlaskForm
from werkzeug.datastructures import MultiDict
from werkzeug.wrappers import Response
from wtforms import (
    DateField,
    Field,
    HiddenField,
    IntegerField,
    PasswordField,
    SelectMultipleField,
    StringField,
    TextAreaField,
    ValidationError,
)
from wtforms.form import BaseForm
from wtforms.validators import AnyOf, Optional, StopValidation
from wtforms.widgets import CheckboxInput, ListWidget

from orientamento.core.errors import DomainError
from orientamento.core.i18n import WTFORMS_MESSAGES, WTFormsMessages
from orientamento.core.i18n import lazy_gettext as _l
from orientamento.core.spreadsheet import EXCEL_CSV, STANDARD_CSV, CsvFlavour
from orientamento.core.text import has_control_characters
from orientamento.extensions import db

#: The days any date field accepts: outside them a date is a typing mistake (year 1 or
#: 20266), and it would overflow time-zone arithmetic and some databases' date types.
FIRST_DAY = date(1900, 1, 1)
LAST_DAY = date(2099, 12, 31)
#: The integers any integer field accepts: what a 32-bit database column holds.
LARGEST_INTEGER = 2**31 - 1
#: ``render_kw`` of fields holding phone numbers, e-mail and web addresses, codes: written left
#: to right in every language (in an Arabic page a phone number's groups of digits would
#: otherwise show in reverse order).
LTR = {"dir": "ltr"}


def plain_text(form: BaseForm, field: Field) -> None:
    """Refuse control characters (a NUL, an escape; line breaks and tabs in text areas only)
    and the characters that reorder text on screen (U+202E would make a name or a title
    pretend to be another)."""
    text = field.data or ""
    if isinstance(field, TextAreaField):
        text = text.replace("\r", "").replace("\n", "").replace("\t", "")
    if has_control_characters(text):
        raise ValidationError(str(_l(
            "Use plain text: no control characters or text-direction marks.")))


class _Form(FlaskForm):
    """Flask-WTF's form with WTForms' messages translated from a catalogue read once."""

    class Meta:
        def get_translations(self, form: BaseForm) -> WTFormsMessages:
            return WTFORMS_MESSAGES


class Form(_Form):
    """The project's form: every text field a person types into refuses what
    :func:`plain_text` refuses, without each form having to remember it (passwords and hidden
    fields excepted: a password may hold anything, a hidden field is checked where it is used).
    """

    class Meta(FlaskForm.Meta):
        def bind_field(self, form: BaseForm, unbound_field: Any, options: dict[str, Any]) -> Any:
            field = super().bind_field(form, unbound_field, options)
            if isinstance(field, StringField) and not isinstance(
                    field, (PasswordField, HiddenField)):
                field.validators = [plain_text, *field.validators]  # this form's copy only
            return field


class QueryForm(_Form):
    """A form read from the query string (a search, a filter): no CSRF token, since it changes
    nothing, and no plain-text check, since what it holds is never stored."""

    class Meta:
        csrf = False


@contextmanager
def refusal_shown_on(form: FlaskForm, field: Field | None = None) -> Iterator[None]:
    """The project's POST idiom, around a service call and its commit::

        if form.validate_on_submit():
            with refusal_shown_on(form):
                services.do_it(...)   # flushes, never commits
                db.session.commit()
                return redirect(...)
        return render_template(...), form_status(form)

    A refusal (DomainError) rolls back what the service flushed and becomes the form's error,
    with its status (409 for a conflict); the view then shows the form again. With ``field``
    the refusal is that field's error instead (a code already taken), and the status 400 of
    any field error.
    """
    try:
        yield
    except DomainError as error:
        db.session.rollback()
        if field is not None:
            field.errors = [*field.errors, str(error.message)]
        else:
            form.form_errors.append(str(error.message))
            form.refusal_status = error.status_code


def form_status(form: FlaskForm) -> int:
    """The status of a page showing ``form``: the refusal's, 400 with field errors, else 200."""
    refused: int | None = getattr(form, "refusal_status", None)
    return refused or (400 if form.errors or form.form_errors else 200)


def submitted(form: FlaskForm, act: Callable[[], str], to: str,
              page: Callable[[int], ResponseReturnValue],
              field: Field | None = None) -> ResponseReturnValue:
    """The POST idiom in one call: validate ``form``, run ``act`` (a service call that flushes
    and returns the success message), commit, flash the message and go to ``to``; else
    ``page(status)`` shows the form again with its errors or the refusal, nothing written
    (after a refusal ``page`` should read its objects afresh: the rollback expired them; with
    ``field``, the refusal shows on that field)."""
    if form.validate_on_submit():
        with refusal_shown_on(form, field):
            message = act()
            db.session.commit()
            flash(message, "success")
            return redirect(to)
    return page(form_status(form))


class EmptyForm(Form):
    """A form with only the CSRF token, for buttons that POST."""


F = TypeVar("F", bound=FlaskForm)


def validated(form: F, refusal: str | None = None) -> F:
    """``form`` when its POST is valid; else a DomainError with ``refusal`` (by default: the
    form has expired), for an action whose page shows a problem as a message, not on a form."""
    if not form.validate_on_submit():
        raise DomainError(refusal or _("The form has expired: reload the page and try again."))
    return form


def button_pressed(act: Callable[[], object], message: str, to: str) -> Response:
    """A button's POST (an :class:`EmptyForm`): with a valid CSRF token run ``act`` (a service
    call that flushes), commit and flash ``message``; go to ``to`` either way."""
    if EmptyForm().validate_on_submit():
        act()
        db.session.commit()
        flash(message, "success")
    return redirect(to)


class MultiCheckboxField(SelectMultipleField):
    """A group of checkboxes."""

    widget = ListWidget(prefix_label=False)
    option_widget = CheckboxInput()


class DayField(DateField):
    """A calendar day (``YYYY-MM-DD``) between FIRST_DAY and LAST_DAY."""

    data: Any  # a date, or None (as DateField: required fields are checked by validators)

    def pre_validate(self, form: BaseForm) -> None:
        """Refuse days outside the platform's range before any other check sees them."""
        super().pre_validate(form)
        if self.data is not None and not FIRST_DAY <= self.data <= LAST_DAY:
            self.data = None  # no later check, of this field or another, computes with it
            raise StopValidation(_l("Give a date between %(first)s and %(last)s.",
                                     first=format_date(FIRST_DAY, "long"),
                                     last=format_date(LAST_DAY, "long")))


class WholeNumberField(IntegerField):
    """An integer a database column can hold (validators narrow it further)."""

    data: Any  # an int, or None

    def pre_validate(self, form: BaseForm) -> None:
        """Refuse numbers no column holds, before any query sees them."""
        super().pre_validate(form)
        if self.data is not None and not -LARGEST_INTEGER <= self.data <= LARGEST_INTEGER:
            self.data = None
            raise StopValidation(_l("The number is too large."))



class CsvDownloadForm(QueryForm):
    """The query string of a CSV download: ``excel=1`` asks for the Italian Excel flavour."""

    excel = StringField(_l("For Excel"), validators=[Optional(), AnyOf(["0", "1"])])


def csv_flavour(args: MultiDict[str, str]) -> CsvFlavour:
    """The CSV flavour a download's query string asks for; a DomainError (400) otherwise."""
    form = CsvDownloadForm(args)
    if not form.validate():
        raise DomainError(_l("This download has no such option: use the links on the page."))
    return EXCEL_CSV if form.excel.data == "1" else STANDARD_CSV
