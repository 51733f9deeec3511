"""Attack 1: 200 clients, 20 seats, cancellations racing newcomers, workers killed mid-burst."""

from __future__ import annotations

import os
import re
import signal
import threading
import time
import urllib.parse
from collections import Counter

from sqlalchemy import create_engine, func, select

from bench.attacks.common import FORM, Instances, Result, forged_cookies, http, say, worker_pids
from bench.attacks.world import World

CLIENTS = 200
#: Every CANCEL_EVERY-th client gives its place up at once, and a newcomer takes its turn.
CANCEL_EVERY = 4
#: When the killer strikes (seconds after the burst starts), one worker per instance.
KILLS_AT = (0.3, 0.9)
TICKET = re.compile(r"/events/registrations/(\d+)")


def run(instances: Instances, world: World, secret_key: str) -> Result:
    """The burst, then the event's rows and counters read back from the database."""
    result = Result("1 registration hammer (200 clients, 20 seats, 2 workers killed)",
                    "confirmed seats <= 20 = seats_taken; one row per student; queue "
                    "consistent; nobody waits while a seat is free")
    newcomers = CLIENTS // CANCEL_EVERY
    cookies, token = forged_cookies(secret_key, world.tokens[:CLIENTS + newcomers])
    body = urllib.parse.urlencode({"csrf_token": token})
    register = f"/events/{world.event_id}/register"
    lock = threading.Lock()
    barrier = threading.Barrier(CLIENTS + 2)
    killed: list[int] = []

    def post(n: int, path: str) -> tuple[int, str]:
        status, location, page = http(instances.url(n), "POST", path,
                                      {"Cookie": cookies[n], "Content-Type": FORM}, body)
        with lock:
            result.count(status, f"POST {path}: {page}")
        return status, location

    def client(n: int) -> None:
        barrier.wait()
        _status, location = post(n, register)
        ticket = TICKET.search(location)
        if n % CANCEL_EVERY == 0:
            if ticket:
                post(n, f"/events/registrations/{ticket.group(1)}/cancel")
            post(CLIENTS + n // CANCEL_EVERY, register)  # a newcomer races the cancellation

    def killer() -> None:
        barrier.wait()
        started = time.monotonic()
        for n, at in enumerate(KILLS_AT):
            time.sleep(max(0.0, started + at - time.monotonic()))
            pids = worker_pids(instances.servers[n % 2])
            if pids:
                os.kill(pids[0], signal.SIGKILL)
                killed.append(pids[0])

    threads = [threading.Thread(target=client, args=(n,)) for n in range(CLIENTS)]
    threads.append(threading.Thread(target=killer))
    for thread in threads:
        thread.start()
    started = time.monotonic()
    barrier.wait()
    for thread in threads:
        thread.join()
    result.seconds = time.monotonic() - started
    result.notes.append(f"killed workers {killed} (kill -9); status 0 = connection cut by "
                        "the kill")
    if len(killed) != len(KILLS_AT):
        result.problems.append(f"only {len(killed)} workers found to kill")
    time.sleep(2)  # gunicorn boots replacements
    for n in range(2):
        status, _location, _page = http(instances.url(n), "GET", "/healthz")
        if status != 200:
            result.problems.append(f"instance {n} answers /healthz with {status} after the kills")
    result.problems += check(world)
    say(f"hammer: {dict(result.statuses)} in {result.seconds:.1f} s, killed {killed}")
    return result


def check(world: World) -> list[str]:
    """The event's invariants, read from the database."""
    from orientamento.events.models import Event, Registration

    engine = create_engine(world.url)
    try:
        with engine.connect() as connection:
            event = connection.execute(select(Event.capacity, Event.seats_taken, Event.waiting)
                                       .where(Event.id == world.event_id)).one()
            rows = connection.execute(select(Registration.user_id, Registration.status,
                                             Registration.seats, Registration.position)
                                      .where(Registration.event_id == world.event_id)).all()
            per_user = connection.execute(
                select(Registration.user_id, func.count())
                .where(Registration.event_id == world.event_id)
                .group_by(Registration.user_id).having(func.count() > 1)).all()
    finally:
        engine.dispose()
    held = sum(r.seats for r in rows if r.status in ("confirmed", "attended"))
    waiting = [r.position for r in rows if r.status == "waitlisted"]
    problems = []
    if held > event.capacity:
        problems.append(f"overbooked: {held} confirmed seats for {event.capacity}")
    if held != event.seats_taken:
        problems.append(f"seats_taken {event.seats_taken} but {held} confirmed seats")
    if per_user:
        problems.append(f"{len(per_user)} students have two rows")
    if len(waiting) != event.waiting or len(set(waiting)) != len(waiting):
        problems.append(f"waiting {event.waiting} for queue positions {sorted(waiting)}")
    if waiting and held < event.capacity:
        problems.append(f"{len(waiting)} waiting while {event.capacity - held} seats are free")
    say(f"hammer check: {dict(Counter(r.status for r in rows))}, seats_taken "
        f"{event.seats_taken}/{event.capacity}, waiting {event.waiting}")
    return problems
