"""Course dates relative to today in Milan, so that directory tests hold at any instant."""

from __future__ import annotations

from datetime import timedelta

from orientamento.core import clock


def in_days(days: int) -> str:
    """The ISO date ``days`` days from today in Milan (negative: in the past)."""
    return (clock.today() + timedelta(days=days)).isoformat()
