"""iCalendar (RFC 5545): one event's file and each person's secret, revocable feed.

UIDs are the event's stored UUID, so calendar apps update rather than duplicate an event;
SEQUENCE is the event's change counter (plus one in a feed where the person cancelled), and
cancelled events stay in feeds marked ``STATUS:CANCELLED`` so apps remove them.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta

import icalendar
from flask_babel import gettext as _
from sqlalchemy import ColumnElement, or_, select
from sqlalchemy.orm import selectinload

from orientamento.auth.models import Role, User
from orientamento.core import clock
from orientamento.core.links import absolute_url
from orientamento.events.models import (
    CalendarFeed,
    Event,
    EventStaff,
    EventStatus,
    Registration,
    new_token,
)
from orientamento.extensions import db

#: How far back a feed reaches.
FEED_HISTORY = timedelta(days=180)
FEED_LIMIT = 500
UID_DOMAIN = "orientamento.milano"


@dataclass(frozen=True)
class FeedItem:
    """An event as one person sees it."""

    event: Event
    cancelled_for_me: bool = False
    show_link: bool = False


def ensure_feed(user: User) -> CalendarFeed:
    """The person's feed, created on first use."""
    feed = db.session.get(CalendarFeed, user.id)
    if feed is None:
        feed = CalendarFeed(user_id=user.id)
        db.session.add(feed)
        db.session.flush()
    return feed


def regenerate_feed(user: User) -> CalendarFeed:
    """Give the feed a new address; the old one stops working at once."""
    feed = ensure_feed(user)
    feed.token = new_token()
    feed.created_at = clock.now()
    db.session.flush()
    return feed


def revoke_feed(user: User) -> None:
    """Switch the feed off."""
    feed = db.session.get(CalendarFeed, user.id)
    if feed is not None:
        db.session.delete(feed)
        db.session.flush()


def feed_owner(token: str) -> User | None:
    """The active person a feed token belongs to."""
    return db.session.scalar(
        select(User).join(CalendarFeed, CalendarFeed.user_id == User.id)
        .where(CalendarFeed.token == token, User.active.is_(True)))


def feed_items(user: User, now: datetime | None = None) -> list[FeedItem]:
    """What the person's calendar shows: registrations, their visits and their organisation's."""
    since = (now or clock.now()) - FEED_HISTORY
    registrations = db.session.scalars(
        select(Registration).join(Event, Event.id == Registration.event_id)
        .where(Registration.user_id == user.id, Event.ends_at >= since)
        .options(selectinload(Registration.event).selectinload(Event.place))
        .order_by(Registration.id).limit(FEED_LIMIT)).all()
    items: dict[int, FeedItem] = {}
    for registration in registrations:
        active = registration.is_active
        current = items.get(registration.event_id)
        if current is None or (active and current.cancelled_for_me):
            items[registration.event_id] = FeedItem(
                registration.event, cancelled_for_me=not active, show_link=active)
    involved: list[ColumnElement[bool]] = [
        Event.id.in_(select(EventStaff.event_id).where(EventStaff.user_id == user.id))]
    if user.role == Role.PROVIDER and user.provider_id:
        involved.append(Event.provider_id == user.provider_id)
    if user.role == Role.COUNSELLOR and user.school_id:
        involved.append(Event.school_id == user.school_id)
    for event in db.session.scalars(
            select(Event).where(or_(*involved), Event.ends_at >= since)
            .options(selectinload(Event.place))
            .order_by(Event.starts_at).limit(FEED_LIMIT)):
        items[event.id] = FeedItem(event, show_link=True)
    return sorted(items.values(), key=lambda item: item.event.starts_at)


def _location(event: Event) -> str | None:
    parts = [event.address, event.place.name if event.place else None]
    text = ", ".join(p for p in parts if p)
    return text or None


def _vevent(item: FeedItem, stamp: datetime) -> icalendar.Event:
    event = item.event
    vevent = icalendar.Event()
    vevent.add("uid", f"{event.uid}@{UID_DOMAIN}")
    vevent.add("dtstamp", stamp)
    vevent.add("dtstart", event.starts_at.astimezone(clock.ROME))
    vevent.add("dtend", event.ends_at.astimezone(clock.ROME))
    vevent.add("summary", f"{event.kind.label!s}: {event.title}")
    vevent.add("sequence", event.sequence + (1 if item.cancelled_for_me else 0))
    vevent.add("last-modified", event.updated_at)
    cancelled = event.status == EventStatus.CANCELLED or item.cancelled_for_me
    vevent.add("status", "CANCELLED" if cancelled else "CONFIRMED")
    location = _location(event)
    if location:
        vevent.add("location", location)
    page = absolute_url("events.show_event", event_id=event.id)
    vevent.add("url", page)
    lines = [event.description] if event.description else []
    if item.show_link and event.online_url and not cancelled:
        lines.append(_("Online link: %(url)s", url=event.online_url))
    lines.append(page)
    vevent.add("description", "\n\n".join(lines))
    return vevent


def build_calendar(items: Iterable[FeedItem], name: str) -> bytes:
    """An iCalendar document with the Europe/Rome time zone and one VEVENT per item."""
    calendar = icalendar.Calendar()
    calendar.add("prodid", "-//Comune di Milano//Orientamento Milano//IT")
    calendar.add("version", "2.0")
    calendar.add("calscale", "GREGORIAN")
    calendar.add("x-wr-calname", name)
    calendar.add("x-wr-timezone", "Europe/Rome")
    stamp = clock.now().replace(microsecond=0)
    for item in items:
        calendar.add_component(_vevent(item, stamp))
    calendar.add_missing_timezones()
    return calendar.to_ical()


def event_file(event: Event, user: User | None) -> bytes:
    """One event as an .ics file; the online link only for people registered or involved."""
    involved = user is not None and user.is_authenticated and any(
        item.event.id == event.id and item.show_link for item in feed_items(user))
    return build_calendar([FeedItem(event, show_link=involved)], event.title)
