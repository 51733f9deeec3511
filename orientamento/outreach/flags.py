"""Raising flags: the model's top k per municipio, and the contract-ended rule.

Risk announces its snapshots and scoring runs (``risk.signals``); ``outreach.setup`` connects
``raise_rule_flags`` to an import and ``raise_flags_after_scoring`` to a scoring run, so both
run in the transaction of the import or the scoring.

Both skip people who opted out and people who already have a pending flag of the same
trigger (the partial unique index makes the second impossible anyway). The rule does not
depend on any model: it runs on every imported snapshot, active version or not.

Rule: "a job contract ended 30 days ago or more and no new enrolment or contract". The records
give months, so 30 days is read as ``months_since_contract_end >= 1``; the column is blank
while a person has a contract, so a value means no current contract. One flag per contract
end: a person whose flag for this end was already closed is not flagged again by a later
snapshot (a flag from a snapshot dated after the contract ended counts; snapshot dates, not
import times, so a late import or a backfill reads the same).
"""

from __future__ import annotations

from datetime import timedelta

from flask import current_app
from sqlalchemy import Select, func, insert, select, update

from orientamento.core.dml import changed_rows
from orientamento.extensions import db
from orientamento.outreach.models import Flag, FlagStatus, Trigger
from orientamento.risk.models import ModelVersion, RiskPerson, RiskRecord, RiskScore, RiskSnapshot


def _pending(trigger: Trigger) -> Select[int | None]:
    """The people with a flag of ``trigger`` not closed yet."""
    return select(Flag.person_id).where(Flag.trigger == trigger.value,
                                        Flag.status != FlagStatus.CLOSED)


def raise_rule_flags(snapshot: RiskSnapshot) -> int:
    """Flag everyone in the snapshot whose contract ended a month or more ago, not enrolled."""
    rows = db.session.execute(
        select(RiskRecord.person_id, RiskPerson.municipio, RiskRecord.values)
        .join(RiskPerson, RiskPerson.id == RiskRecord.person_id)
        .where(RiskRecord.snapshot_id == snapshot.id, RiskPerson.opted_out_at.is_(None),
               RiskRecord.person_id.not_in(_pending(Trigger.CONTRACT_ENDED)))).all()
    last_flagged = dict(db.session.execute(
        select(Flag.person_id, func.max(Flag.as_of))
        .where(Flag.trigger == Trigger.CONTRACT_ENDED.value,
               Flag.person_id.in_(select(RiskRecord.person_id)
                                  .where(RiskRecord.snapshot_id == snapshot.id)))
        .group_by(Flag.person_id)).all())
    flags = []
    for person_id, municipio, values in rows:
        months = values.get("months_since_contract_end")
        if months is None or months < 1 or values.get("enrolled") is not False:
            continue
        ended = snapshot.as_of - timedelta(days=30 * int(months))
        previous = last_flagged.get(person_id)
        if previous is not None and previous >= ended:
            continue  # this contract's end was already flagged once (and decided)
        flags.append({"person_id": person_id, "municipio": municipio,
                      "trigger": Trigger.CONTRACT_ENDED.value,
                      "status": FlagStatus.OPEN,
                      "priority": round(1 + min(int(months), 99) / 100, 4),
                      "months_since_contract": int(months), "as_of": snapshot.as_of})
    if flags:
        db.session.execute(insert(Flag), flags)
    return len(flags)


def raise_model_flags(version: ModelVersion, snapshot: RiskSnapshot,
                      capacity: int | None = None) -> int:
    """Flag the ``capacity`` highest scores per municipio among people not already flagged."""
    capacity = capacity or int(current_app.config["OUTREACH_CAPACITY"])
    # Flags this scoring (version and snapshot) already raised count toward each municipio's
    # k, so running it again adds none.
    already = dict(db.session.execute(
        select(Flag.municipio, func.count()).join(RiskScore, RiskScore.id == Flag.score_id)
        .join(RiskRecord, RiskRecord.id == RiskScore.record_id)
        .where(Flag.version_id == version.id, Flag.trigger == Trigger.MODEL.value,
               RiskRecord.snapshot_id == snapshot.id)
        .group_by(Flag.municipio)).all())
    rank = func.row_number().over(partition_by=RiskPerson.municipio,
                                  order_by=(RiskScore.probability.desc(), RiskScore.id))
    ranked = (
        select(RiskScore.id.label("score_id"), RiskScore.person_id, RiskPerson.municipio,
               RiskScore.probability, rank.label("rank"))
        .join(RiskRecord, RiskRecord.id == RiskScore.record_id)
        .join(RiskPerson, RiskPerson.id == RiskScore.person_id)
        .where(RiskScore.version_id == version.id, RiskRecord.snapshot_id == snapshot.id,
               RiskScore.probability.is_not(None), RiskPerson.opted_out_at.is_(None),
               RiskScore.person_id.not_in(_pending(Trigger.MODEL)))
        .subquery())
    chosen = [row for row in db.session.execute(select(ranked).where(ranked.c.rank <= capacity))
              if row.rank <= capacity - already.get(row.municipio, 0)]
    if chosen:
        db.session.execute(insert(Flag), [
            {"person_id": row.person_id, "municipio": row.municipio,
             "trigger": Trigger.MODEL.value, "status": FlagStatus.OPEN,
             "priority": row.probability, "score_id": row.score_id, "version_id": version.id,
             "as_of": snapshot.as_of}
            for row in chosen])
    return len(chosen)


def raise_flags_after_scoring(snapshot: RiskSnapshot, version: ModelVersion) -> int:
    """Raise the model flags of a scoring run and give the snapshot's rule flags their score;
    returns the model flags raised."""
    raised = raise_model_flags(version, snapshot)
    attach_scores(version, snapshot)
    return raised


def attach_scores(version: ModelVersion, snapshot: RiskSnapshot) -> int:
    """Give this snapshot's pending rule flags the person's score, so queues show a band;
    returns how many got one.

    The rule flag stays the rule's (no version): the score is shown, never the trigger.
    """
    # One UPDATE ... FROM whose joins follow the two unique keys, (snapshot, person) of the
    # records and (record, version) of the scores: two index probes per flag whatever the
    # planner's statistics say. Joining scores on (person, version) instead let PostgreSQL,
    # with statistics from before a million-record import, AND a bitmap of every score of
    # the version into each probe: still running after a quarter of an hour.
    return changed_rows(
        update(Flag)
        .where(Flag.trigger == Trigger.CONTRACT_ENDED.value, Flag.score_id.is_(None),
               Flag.as_of == snapshot.as_of, Flag.status != FlagStatus.CLOSED,
               RiskRecord.snapshot_id == snapshot.id, RiskRecord.person_id == Flag.person_id,
               RiskScore.record_id == RiskRecord.id, RiskScore.version_id == version.id,
               RiskScore.probability.is_not(None))
        .values(score_id=RiskScore.id).execution_options(synchronize_session=False))
