"""Assessment forms (answer pages are built from the questionnaire definition)."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from flask_babel import format_date
from wtforms import Field, SelectField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, Optional, ValidationError

from orientamento.core import clock
from orientamento.core.forms import DayField, Form
from orientamento.core.i18n import lazy_gettext as _l

#: How far ahead a due date may be set: two school years.
LONGEST_DUE = timedelta(days=730)


class AssignForm(Form):
    """Assign an instrument to a class."""

    questionnaire_id = SelectField(_l("Questionnaire"), validators=[DataRequired()])
    due_on = DayField(
        _l("Due date"), validators=[Optional()],
        description=_l("Optional. Pupils see it next to the questionnaire."),
    )

    def __init__(self, *args: Any, choices: list[tuple[str, str]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.questionnaire_id.choices = [SelectChoice(value, label) for value, label in choices]

    def validate_due_on(self, field: Field) -> None:
        """A due date from today (in Milan) to two years ahead."""
        if field.data is None:
            return
        today = clock.today()
        if field.data < today:
            raise ValidationError(_l("The due date cannot be in the past."))
        if field.data > today + LONGEST_DUE:
            raise ValidationError(_l("Choose a due date before %(day)s.",
                                     day=format_date(today + LONGEST_DUE, "long")))
