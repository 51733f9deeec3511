"""The call campaign's measures against a straightforward computation, flag by flag in Python,
on a built fixture of contract-ended flags (and others that must not count); the stored
contract-end date they read, and the database's hold on it."""

from __future__ import annotations

import random
from collections.abc import Callable, Collection
from datetime import date, timedelta

import pytest
from flask import Flask
from sqlalchemy import insert, select
from sqlalchemy.exc import IntegrityError

from orientamento.core import clock
from orientamento.extensions import db
from orientamento.outreach.calls.measures import (
    CONTACT_DEADLINES,
    CampaignMeasures,
    campaign_measures,
)
from orientamento.outreach.models import Contact, ContactOutcome, Decision, DecisionKind, Flag
from orientamento.outreach.referrals.models import Referral, ReferralStatus
from orientamento.risk.models import ModelVersion
from orientamento.support.models import SupportService
from tests.risk.factories import make_person, make_score

OUTCOMES = list(ContactOutcome)
#: Days between the end of a contract and a contact: each deadline, the day before and after.
AFTER_THE_END = (-3, 0, 12, *(d + step for d in CONTACT_DEADLINES for step in (-1, 0, 1)), 85)


def _build(rng: random.Random, version: ModelVersion, services: list[SupportService],
           count: int) -> None:
    """``count`` flags over the nine municipi: most contract-ended (contracts ended 0 to 160
    days ago, some without months), some model flags; contacts before the end, on it and
    around each deadline, reached or not, under one or two decisions; referrals taken up, not,
    or not known."""
    today = clock.today()
    for _ in range(count):
        person = make_person(rng.randint(1, 9))
        if rng.random() < 0.2:
            score = make_score(person, version, round(rng.random(), 3))
            flag = Flag(person_id=person.id, municipio=person.municipio, trigger="model",
                        priority=score.probability, score_id=score.id,
                        version_id=version.id, as_of=today - timedelta(days=rng.randint(0, 90)))
        else:
            months = None if rng.random() < 0.05 else rng.randint(1, 4)
            flag = Flag(person_id=person.id, municipio=person.municipio,
                        trigger="contract_ended", priority=1.01, months_since_contract=months,
                        as_of=today - timedelta(days=rng.randint(0, 40)))
        db.session.add(flag)
        db.session.flush()
        ended = flag.as_of - timedelta(days=30 * (flag.months_since_contract or 0))
        for _decision in range(rng.choice((0, 0, 1, 1, 2))):
            decision = Decision(flag_id=flag.id, kind=DecisionKind.CONTACT,
                                reason_code="priority_confirmed", agrees_with_model=True)
            db.session.add(decision)
            db.session.flush()
            for _contact in range(rng.randint(0, 3)):
                after = rng.choice(AFTER_THE_END)
                day = min(today, ended + timedelta(days=after))
                db.session.add(Contact(decision_id=decision.id,
                                       decision_kind=DecisionKind.CONTACT, channel="phone",
                                       contacted_on=day, outcome=rng.choice(OUTCOMES)))
        for service in rng.sample(services, rng.choice((0, 0, 1, 2))):
            took_up = rng.choice((True, False, None))
            accepted = took_up is not None or rng.random() < 0.5
            db.session.add(Referral(
                flag_id=flag.id, service_id=service.id, consent_on=today, answer_due_on=today,
                status=ReferralStatus.ACCEPTED if accepted else ReferralStatus.SENT,
                answered_at=clock.now() if accepted else None, took_up=took_up))
    db.session.commit()


def _expected(today: date, municipi: Collection[int] | None) -> list[CampaignMeasures]:
    """The measures computed one flag at a time from the objects, as docs/calls.md says."""
    sums: dict[int, dict[str, int]] = {}
    for flag in db.session.scalars(select(Flag).where(Flag.trigger == "contract_ended")):
        if municipi is not None and flag.municipio not in municipi:
            continue
        ended = flag.as_of - timedelta(days=30 * (flag.months_since_contract or 0))
        contacts = [c for d in flag.decisions for c in d.contacts]
        reached = min((c.contacted_on for c in contacts
                       if c.outcome == ContactOutcome.REACHED), default=None)
        row = sums.setdefault(flag.municipio, dict.fromkeys(
            ("people", "contacted", "attempts", "referrals", "taken_up",
             *(f"due{d}" for d in CONTACT_DEADLINES),
             *(f"in{d}" for d in CONTACT_DEADLINES)), 0))
        row["people"] += 1
        row["contacted"] += reached is not None
        row["attempts"] += len(contacts)
        row["referrals"] += len(flag.referrals)
        row["taken_up"] += sum(r.took_up is True for r in flag.referrals)
        for days in CONTACT_DEADLINES:
            if ended + timedelta(days=days) <= today:
                row[f"due{days}"] += 1
                row[f"in{days}"] += reached is not None and \
                    reached <= ended + timedelta(days=days)

    def measures(municipio: int | None, rows: list[dict[str, int]]) -> CampaignMeasures:
        def total(key: str) -> int:
            return sum(r[key] for r in rows)

        return CampaignMeasures(
            municipio=municipio, people=total("people"), contacted=total("contacted"),
            attempts=total("attempts"), referrals=total("referrals"),
            taken_up=total("taken_up"), due={d: total(f"due{d}") for d in CONTACT_DEADLINES},
            in_time={d: total(f"in{d}") for d in CONTACT_DEADLINES})

    result = [measures(m, [sums[m]]) for m in sorted(sums)]
    return [*result, measures(None, list(sums.values()))] if result else []


@pytest.mark.parametrize("seed", [7, 2026])
def test_the_measures_match_a_flag_by_flag_computation(
        app: Flask, version: ModelVersion, make_service: Callable[..., SupportService],
        seed: int) -> None:
    rng = random.Random(seed)
    _build(rng, version, [make_service() for _ in range(3)], count=90)
    today = clock.today()
    measured = campaign_measures(today)
    assert len(measured) >= 3  # the fixture spreads over municipi
    assert sum(m.contacted for m in measured[:-1]) > 0  # and reaches some people
    assert measured == _expected(today, None)
    for municipi in ([2], [1, 5, 9], [], list(range(1, 10))):
        assert campaign_measures(today, municipi) == _expected(today, municipi)
    # Another day moves people into the deadlines, not the counts.
    later = today + timedelta(days=25)
    assert campaign_measures(later) == _expected(later, None)


def test_no_contract_ended_flag_no_rows(app: Flask) -> None:
    assert campaign_measures(clock.today()) == []


# --- the stored contract end ------------------------------------------------------------------


def test_a_contract_ended_flag_stores_the_day_its_contract_ended(
        app: Flask, version: ModelVersion) -> None:
    today = clock.today()
    person, other, scored = make_person(3), make_person(4), make_person(5)
    rule = Flag(person_id=person.id, municipio=3, trigger="contract_ended", priority=1.02,
                months_since_contract=2, as_of=today)
    db.session.add(rule)
    score = make_score(scored, version)
    # As the rule raises them: one multi-row INSERT.
    db.session.execute(insert(Flag), [
        {"person_id": other.id, "municipio": 4, "trigger": "contract_ended", "priority": 1.05,
         "months_since_contract": 5, "as_of": date(2026, 3, 31)},
        {"person_id": scored.id, "municipio": 5, "trigger": "model", "priority": 0.4,
         "score_id": score.id, "version_id": version.id, "as_of": date(2026, 3, 31)}])
    db.session.commit()
    stored = dict(db.session.execute(select(Flag.person_id, Flag.contract_ended_on)).all())
    assert stored == {person.id: today - timedelta(days=60),
                      other.id: date(2026, 3, 31) - timedelta(days=150), scored.id: None}


@pytest.mark.parametrize(("trigger", "ended"), [("contract_ended", None),
                                                 ("model", date(2026, 1, 1))])
def test_the_database_keeps_the_contract_end_exactly_on_contract_ended_flags(
        app: Flask, version: ModelVersion, trigger: str, ended: date | None) -> None:
    person = make_person(1)
    score = make_score(person, version)
    with pytest.raises(IntegrityError):
        db.session.execute(insert(Flag).values(
            person_id=person.id, municipio=1, trigger=trigger, priority=0.5,
            score_id=score.id, months_since_contract=1, as_of=date(2026, 2, 1),
            contract_ended_on=ended))
        db.session.flush()
    db.session.rollback()
