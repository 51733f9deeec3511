"""The form of a call's outcome."""

from __future__ import annotations

from datetime import datetime

from wtforms import Field, RadioField, TextAreaField, TimeField
from wtforms.validators import DataRequired, Length, Optional, ValidationError

from orientamento.core import clock
from orientamento.core.forms import DayField, Form
from orientamento.core.i18n import lazy_gettext as _l
from orientamento.outreach.calls.models import NOTE_LENGTH, CallOutcome
from orientamento.outreach.calls.services import AttemptData


class CallAttemptForm(Form):
    """What came of a call; the day and time to call back when the person asked for it."""

    outcome = RadioField(_l("Outcome of the call"), validators=[DataRequired()],
                         choices=CallOutcome.choices())
    call_back_on = DayField(_l("Day to call back"), validators=[Optional()],
                            description=_l("Only when the person asked to be called back."))
    call_back_time = TimeField(_l("Time to call back (Milan time)"), validators=[Optional()])
    note = TextAreaField(_l("Note"), validators=[Optional(), Length(max=NOTE_LENGTH)])

    def validate_outcome(self, field: Field) -> None:
        """A call back needs its day and time; other outcomes take none."""
        wants = field.data == CallOutcome.CALL_BACK
        day, at = self.call_back_on.data, self.call_back_time.data
        given = day is not None or at is not None
        if wants and (day is None or at is None):
            raise ValidationError(_l("Give the day and the time the person asked to be "
                                     "called back."))
        if given and not wants:
            raise ValidationError(_l("Give a day and time only when the person asked to be "
                                     "called back."))

    def call_back_at(self) -> datetime | None:
        """The call-back instant (UTC) of the Milan day and time given, if any."""
        if self.outcome.data != CallOutcome.CALL_BACK or self.call_back_on.data is None \
                or self.call_back_time.data is None:
            return None
        return clock.rome_datetime(self.call_back_on.data, self.call_back_time.data)

    def data_for_service(self) -> AttemptData:
        """The form as the service's input."""
        return AttemptData(outcome=self.outcome.data or "", call_back_at=self.call_back_at(),
                           note=self.note.data or "")
