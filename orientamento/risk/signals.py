"""What risk announces, so that the features above it can act without risk knowing them.

Risk never imports outreach: outreach connects its receivers to these signals at start-up
(``outreach.setup``) and raises flags when a snapshot is imported or scored, or adds its part
to a data-subject report. Receivers run in the sender's transaction: they flush, never
commit, and an error they raise reaches the sender like any other.
"""

from __future__ import annotations

from typing import Any

from blinker import NamedSignal, Namespace

from orientamento.risk.models import RiskPerson

_signals = Namespace()

#: A snapshot was stored (sender: the ``RiskSnapshot``). Receivers return flags raised.
snapshot_imported = _signals.signal("snapshot-imported")

#: ``flask risk score`` stored a snapshot's scores (sender: the ``RiskSnapshot``, keyword
#: ``version``). Receivers return flags raised. ``score_snapshot`` alone does not send it, so
#: the demo seed can raise its flags with its own capacity.
snapshot_scored = _signals.signal("snapshot-scored")

#: A data-subject report on a person is being made (sender: the ``RiskPerson``, keyword
#: ``locale``). Receivers return sections to add: ``{key: JSON-ready value}``.
subject_report = _signals.signal("subject-report")


def flags_raised(signal: NamedSignal, sender: Any, **values: Any) -> int:
    """Send ``signal`` and add up the flags its receivers say they raised."""
    return sum(int(count) for _receiver, count in signal.send(sender, **values))


def report_sections(person: RiskPerson, locale: str) -> dict[str, Any]:
    """Ask the receivers of ``subject_report`` for their sections about ``person``."""
    sections: dict[str, Any] = {}
    for _receiver, section in subject_report.send(person, locale=locale):
        sections.update(section)
    return sections
