"""The retry rule of the call campaign, as pure functions of Milan dates and times.

- reached: no more calls (the call ends in a referral, or in the person's decision);
- wrong number: stop, the contact log says "wrong contact details";
- no answer: try again from 9:00 on the next working day in Milan (Monday to Friday, not a
  public holiday), at most ``MAX_UNANSWERED`` unanswered calls; after the last one the person
  leaves the call list and the flag waits in the queue for another channel (letter, visit);
- call back: at the time the person gave (within ``CALL_BACK_HORIZON_DAYS``), whatever the
  count of unanswered calls: the person asked for it.
"""

from __future__ import annotations

from datetime import datetime, time

from orientamento.core import clock
from orientamento.outreach.calls.models import CallOutcome
from orientamento.outreach.referrals.days import add_working_days

#: Unanswered calls before the person leaves the call list.
MAX_UNANSWERED = 5
#: When a working day's calls start, Milan time.
CALLS_START = time(9, 0)


def next_attempt(outcome: CallOutcome, called_at: datetime, unanswered: int,
                 call_back_at: datetime | None = None) -> datetime | None:
    """When to call again after an attempt (None: no more calls).

    ``unanswered`` counts the flag's unanswered calls including this one.
    """
    if outcome == CallOutcome.CALL_BACK:
        return call_back_at
    if outcome != CallOutcome.NO_ANSWER or unanswered >= MAX_UNANSWERED:
        return None
    day = add_working_days(clock.milan_date(called_at), 1)
    return clock.rome_datetime(day, CALLS_START)
