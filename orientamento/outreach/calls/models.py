"""Call attempts on contract-ended flags.

Every attempt is also a contact in the flag's contact log (``contact_id``), so the flag's
history shows it; the attempt adds what a call needs: its outcome, the time to call back and
when the next attempt falls due under the retry rule (``rules.py``). The database holds the
invariants: a known outcome, a call-back time exactly when the person asked to be called back,
no next attempt after a reached person or a wrong number, and attempts numbered 1, 2, 3... per
flag without a gap or a double (a double submit is refused, not counted twice).
"""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING

from sqlalchemy import CheckConstraint, ForeignKey, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from orientamento.core import clock
from orientamento.core.enums import LabelledEnum
from orientamento.core.i18n import lazy_gettext as _l
from orientamento.database import Base, StrEnumType

if TYPE_CHECKING:
    from orientamento.outreach.models import Contact, Flag


class CallOutcome(LabelledEnum):
    """What came of one call."""

    REACHED = "reached", _l("Reached: we talked")
    NO_ANSWER = "no_answer", _l("No answer")
    WRONG_NUMBER = "wrong_number", _l("Wrong number")
    CALL_BACK = "call_back", _l("Call back at a time the person gave")


class CallAttempt(Base):
    """One call to a person whose job contract ended."""

    __tablename__ = "outreach_call_attempts"
    __table_args__ = (
        CheckConstraint("outcome IN ('reached', 'no_answer', 'wrong_number', 'call_back')",
                        name="outcome_valid"),
        CheckConstraint("(outcome = 'call_back') = (call_back_at IS NOT NULL)",
                        name="call_back_time"),
        CheckConstraint("outcome IN ('no_answer', 'call_back') OR next_attempt_at IS NULL",
                        name="no_retry_after_end"),
        CheckConstraint("number >= 1", name="number_positive"),
        UniqueConstraint("flag_id", "number"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    flag_id: Mapped[int] = mapped_column(
        ForeignKey("outreach_flags.id", ondelete="CASCADE"), index=True)
    #: The attempt's entry in the flag's contact log.
    contact_id: Mapped[int] = mapped_column(
        ForeignKey("outreach_contacts.id", ondelete="CASCADE"), unique=True)
    #: 1 for the first call on the flag, then 2, 3...
    number: Mapped[int]
    outcome: Mapped[CallOutcome] = mapped_column(StrEnumType(CallOutcome, 12))
    called_at: Mapped[datetime] = mapped_column(default=clock.now)
    #: When the person asked to be called back (only for that outcome).
    call_back_at: Mapped[datetime | None]
    #: When the retry rule puts the person back on the call list (None: no more calls).
    next_attempt_at: Mapped[datetime | None]
    note: Mapped[str] = mapped_column(Text, default="")
    recorded_by_id: Mapped[int | None] = mapped_column(
        ForeignKey("users.id", ondelete="SET NULL"), info={"export": False})

    flag: Mapped[Flag] = relationship()
    contact: Mapped[Contact] = relationship()


#: Longest a person's reason to call back may wait.
CALL_BACK_HORIZON_DAYS = 30
#: Length of the note on an attempt.
NOTE_LENGTH = 1000
