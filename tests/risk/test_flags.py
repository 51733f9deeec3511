"""Raising outreach flags: the model's top k per municipio and the contract-ended rule."""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import Any

import pytest
from flask import Flask
from sqlalchemy import func, select

from orientamento.core import clock
from orientamento.extensions import db
from orientamento.outreach.flags import raise_model_flags, raise_rule_flags
from orientamento.outreach.models import Flag, FlagStatus, Trigger
from orientamento.risk.models import (
    ModelVersion,
    RiskPerson,
    RiskRecord,
    RiskScore,
    RiskSnapshot,
)
from orientamento.risk.pseudonyms import pseudonymize
from orientamento.risk.records import ensure_valid, import_snapshot
from tests.risk.conftest import snapshot_csv
from tests.risk.factories import make_flag, make_person, make_score, make_version

pytestmark = pytest.mark.calendar


def _flags(trigger: Trigger | None = None) -> list[Flag]:
    query = select(Flag).order_by(Flag.id)
    if trigger is not None:
        query = query.where(Flag.trigger == trigger.value)
    return list(db.session.scalars(query))


def _new_snapshot(as_of: date = date(2025, 9, 30)) -> RiskSnapshot:
    snapshot = RiskSnapshot(as_of=as_of, filename="s.csv", sha256=f"{as_of:%Y%m%d}".rjust(64, "1"),
                            rows=0)
    db.session.add(snapshot)
    db.session.commit()
    return snapshot


def _scored(version: ModelVersion, snapshot: RiskSnapshot, municipio: int,
            probability: float | None, **person: Any) -> RiskPerson:
    someone = make_person(municipio, snapshot=snapshot)
    for name, value in person.items():
        setattr(someone, name, value)
    if probability is None:
        db.session.add(RiskScore(person_id=someone.id, record_id=someone.records[-1].id,
                                 version_id=version.id, probability=None, band=None,
                                 reasons=[], missing="education"))
    else:
        make_score(someone, version, probability)
    db.session.commit()
    return someone


# ---- Model flags --------------------------------------------------------------------------


@pytest.fixture
def world(app: Flask) -> dict[str, Any]:
    """Scored people in three municipi, with the complications the rule must skip."""
    version = make_version("active")
    other_version = make_version("draft")
    snapshot, older = _new_snapshot(), _new_snapshot(date(2024, 9, 30))
    people: dict[str, RiskPerson] = {}
    for name, municipio, p in (("m1_90", 1, 0.9), ("m1_20", 1, 0.2), ("m1_70", 1, 0.7),
                               ("m1_50", 1, 0.5), ("m1_10", 1, 0.1), ("m1_none", 1, None),
                               ("m2_30", 2, 0.3), ("m3_95", 3, 0.95), ("m3_40", 3, 0.4),
                               ("m3_35", 3, 0.35), ("m3_33", 3, 0.33)):
        people[name] = _scored(version, snapshot, municipio, p)
    people["m1_90"].opted_out_at = clock.now()  # refused help: never flagged
    # Already waiting in the queue from an earlier score (of the older snapshot).
    earlier = RiskRecord(snapshot_id=older.id, person_id=people["m3_95"].id, values={})
    db.session.add(earlier)
    db.session.flush()
    earlier_score = RiskScore(person_id=people["m3_95"].id, record_id=earlier.id,
                              version_id=version.id, probability=0.9, band="high", reasons=[])
    db.session.add(earlier_score)
    db.session.flush()
    make_flag(people["m3_95"], earlier_score)
    # Scores that do not count: another version, another snapshot.
    people["m2_other_version"] = _scored(other_version, snapshot, 2, 0.99)
    people["m2_old_snapshot"] = _scored(version, older, 2, 0.98)
    db.session.commit()
    return {"version": version, "snapshot": snapshot, "people": people}


def _flagged_names(world: dict[str, Any], flags: list[Flag]) -> set[str]:
    names = {person.id: name for name, person in world["people"].items()}
    return {names[f.person_id] for f in flags}


def test_model_flags_take_the_top_k_of_each_municipio(world: dict[str, Any]) -> None:
    before = {f.id for f in _flags()}
    raised = raise_model_flags(world["version"], world["snapshot"], capacity=2)
    db.session.commit()
    new = [f for f in _flags() if f.id not in before]
    assert raised == len(new) == 5
    # Municipio 1: 0.9 opted out, so 0.7 and 0.5; municipio 2: its one scored person;
    # municipio 3: 0.95 is already pending, so 0.4 and 0.35.
    assert _flagged_names(world, new) == {"m1_70", "m1_50", "m2_30", "m3_40", "m3_35"}
    for flag in new:
        score = db.session.get(RiskScore, flag.score_id)
        assert score is not None and score.person_id == flag.person_id
        assert flag.priority == score.probability
        assert (flag.trigger, flag.status, flag.version_id) == (
            Trigger.MODEL.value, FlagStatus.OPEN.value, world["version"].id)
        person = db.session.get(RiskPerson, flag.person_id)
        assert person is not None and flag.municipio == person.municipio


def test_capacity_defaults_to_the_configured_one(world: dict[str, Any], app: Flask) -> None:
    app.config["OUTREACH_CAPACITY"] = 1
    before = {f.id for f in _flags()}
    assert raise_model_flags(world["version"], world["snapshot"]) == 3
    new = [f for f in _flags() if f.id not in before]
    assert _flagged_names(world, new) == {"m1_70", "m2_30", "m3_40"}


def test_a_large_capacity_flags_every_scored_person(world: dict[str, Any]) -> None:
    raise_model_flags(world["version"], world["snapshot"], capacity=100)
    flagged = _flagged_names(world, _flags())
    assert flagged == {"m1_70", "m1_50", "m1_20", "m1_10", "m2_30", "m3_95", "m3_40",
                       "m3_35", "m3_33"}
    assert "m1_90" not in flagged and "m1_none" not in flagged


def test_a_second_call_adds_no_model_flags(world: dict[str, Any]) -> None:
    assert raise_model_flags(world["version"], world["snapshot"], capacity=2) == 5
    db.session.commit()
    assert raise_model_flags(world["version"], world["snapshot"], capacity=2) == 0


def test_a_second_call_never_duplicates_a_pending_flag(world: dict[str, Any]) -> None:
    raise_model_flags(world["version"], world["snapshot"], capacity=2)
    raise_model_flags(world["version"], world["snapshot"], capacity=2)
    db.session.commit()
    pending = db.session.execute(
        select(Flag.person_id, func.count()).where(Flag.status != "closed")
        .group_by(Flag.person_id, Flag.trigger)).all()
    assert all(count == 1 for _person, count in pending)
    assert "m1_90" not in _flagged_names(world, _flags())


# ---- The contract-ended rule --------------------------------------------------------------


def _import(rows: list[dict[str, Any]], as_of: str) -> tuple[RiskSnapshot, int]:
    report = import_snapshot(snapshot_csv([r | {"as_of": as_of} for r in rows]), f"{as_of}.csv")
    snapshot = ensure_valid(report)
    db.session.commit()
    return snapshot, report.rule_flags


def _person(source_id: str) -> RiskPerson:
    person = db.session.scalar(select(RiskPerson).where(
        RiskPerson.pseudonym == pseudonymize(source_id)))
    assert person is not None
    return person


def _rule_flags_of(source_id: str) -> list[Flag]:
    person = _person(source_id)
    return [f for f in _flags(Trigger.CONTRACT_ENDED) if f.person_id == person.id]


def test_the_rule_flags_a_contract_ended_a_month_ago_without_enrolment(app: Flask) -> None:
    rows = [
        {"source_id": "ENDED1", "months_since_contract_end": 1, "enrolled": 0, "municipio": 8},
        {"source_id": "ENDED9", "months_since_contract_end": 9, "enrolled": "no"},
        {"source_id": "ENDED0", "months_since_contract_end": 0, "enrolled": 0},
        {"source_id": "STUDYING", "months_since_contract_end": 3, "enrolled": 1},
        {"source_id": "WORKING", "months_since_contract_end": "", "enrolled": 0},
        {"source_id": "UNKNOWN", "months_since_contract_end": 2, "enrolled": ""},
    ]
    _snapshot, raised = _import(rows, "2025-09-30")
    assert raised == 2
    flags = _flags(Trigger.CONTRACT_ENDED)
    assert {f.person_id for f in flags} == {_person("ENDED1").id, _person("ENDED9").id}
    one = _rule_flags_of("ENDED1")[0]
    assert (one.municipio, one.months_since_contract, one.priority, one.status,
            one.score_id, one.version_id) == (8, 1, 1.01, "open", None, None)
    assert _rule_flags_of("ENDED9")[0].priority == 1.09


def test_rule_flags_come_before_every_model_flag(app: Flask) -> None:
    _snapshot, raised = _import([{"source_id": "ENDED", "months_since_contract_end": 1,
                                  "enrolled": 0, "municipio": 1}], "2025-09-30")
    assert raised == 1
    version, snapshot = make_version("active"), _new_snapshot()
    for p in (1.0, 0.99, 0.5):
        _scored(version, snapshot, 1, p)
    raise_model_flags(version, snapshot, capacity=5)
    queue = list(db.session.scalars(select(Flag).where(Flag.municipio == 1)
                                    .order_by(Flag.priority.desc())))
    assert [f.trigger for f in queue] == ["contract_ended", "model", "model", "model"]
    assert queue[0].priority > max(f.priority for f in queue[1:])


def test_opted_out_people_are_never_flagged_by_the_rule(app: Flask) -> None:
    ended = {"source_id": "OPTOUT", "months_since_contract_end": 2, "enrolled": 0}
    _import([{"source_id": "OPTOUT", "months_since_contract_end": ""}], "2025-06-30")
    _person("OPTOUT").opted_out_at = clock.now()
    db.session.commit()
    _snapshot, raised = _import([ended], "2025-09-30")
    assert raised == 0 and _flags() == []


def test_one_flag_per_contract_end(app: Flask) -> None:
    ended = {"source_id": "CF1", "enrolled": 0}
    _import([ended | {"months_since_contract_end": 2}], "2025-01-31")
    (flag,) = _rule_flags_of("CF1")
    # Still pending: a later snapshot does not add a second flag.
    second, raised = _import([ended | {"months_since_contract_end": 3}], "2025-02-28")
    assert raised == 0 and len(_rule_flags_of("CF1")) == 1
    # Decided and closed (the flag raised when that snapshot came in).
    flag.status, flag.closed_at = FlagStatus.CLOSED.value, clock.now()
    flag.raised_at = datetime(2025, 1, 31, 9, tzinfo=UTC)
    db.session.commit()
    # The same contract end, seen again: no new flag.
    _snapshot, raised = _import([ended | {"months_since_contract_end": 4}], "2025-03-31")
    assert raised == 0
    assert raise_rule_flags(second) == 0
    # A new contract, ended a month before this snapshot (after the flag): flagged again.
    _snapshot, raised = _import([ended | {"months_since_contract_end": 1}], "2025-09-30")
    assert raised == 1
    flags = _rule_flags_of("CF1")
    assert [(f.status, f.months_since_contract) for f in flags] == [("closed", 2), ("open", 1)]


def test_a_new_contract_end_is_flagged_when_snapshots_are_imported_late(app: Flask) -> None:
    ended = {"source_id": "CF1", "enrolled": 0}
    _import([ended | {"months_since_contract_end": 2}], "2024-01-31")
    (flag,) = _rule_flags_of("CF1")
    flag.status, flag.closed_at = FlagStatus.CLOSED.value, clock.now()
    db.session.commit()
    # Eight months later a new contract has ended a month ago: a new contract end.
    _snapshot, raised = _import([ended | {"months_since_contract_end": 1}], "2024-09-30")
    assert raised == 1


def test_rule_flags_show_the_persons_score_once_scored(app: Flask) -> None:
    from orientamento.outreach.flags import attach_scores

    version = make_version("active")
    snapshot = _new_snapshot()
    scored = make_person(4, snapshot=snapshot)
    unscored = make_person(4, snapshot=snapshot)
    score = make_score(scored, version, 0.3)
    make_score(unscored, make_version("retired"), 0.9)  # another version's: not attached
    rule = [make_flag(p, None, trigger="contract_ended", as_of=snapshot.as_of)
            for p in (scored, unscored)]
    assert attach_scores(version, snapshot) == 1  # flags given a score
    db.session.commit()
    db.session.expire_all()
    assert [f.score_id for f in rule] == [score.id, None]
    assert all(f.version_id is None and f.trigger == "contract_ended" for f in rule)
