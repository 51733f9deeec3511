"""Outreach set-up: listen to what risk announces (risk never imports outreach)."""

from __future__ import annotations

from flask import Flask

from orientamento.outreach.flags import raise_flags_after_scoring, raise_rule_flags
from orientamento.outreach.subject_report import subject_report_flags
from orientamento.risk import signals


def init_outreach(app: Flask) -> None:
    """Raise flags when risk imports or scores a snapshot; add the flags to subject reports."""
    # Connecting the same function again (one app per test) changes nothing.
    signals.snapshot_imported.connect(raise_rule_flags)
    signals.snapshot_scored.connect(raise_flags_after_scoring)
    signals.subject_report.connect(subject_report_flags)
