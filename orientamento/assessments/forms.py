"""Assessment forms (answer pages are built from the questionnaire definition)."""

from __future__ import annotations

from typing import Any

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import DateField, SelectField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, Optional


class AssignForm(FlaskForm):
    """Assign an instrument to a class."""

    questionnaire_id = SelectField(_l("Questionnaire"), validators=[DataRequired()])
    due_on = DateField(
        _l("Due date"), validators=[Optional()],
        description=_l("Optional. Pupils see it next to the questionnaire."),
    )

    def __init__(self, *args: Any, choices: list[tuple[str, str]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.questionnaire_id.choices = [SelectChoice(value, label) for value, label in choices]
