"""The templates' date filters keep what they formatted (``core.i18n._kept``): the same words
as Flask-Babel's own filters, in the request's language and Milan's time zone."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, date, datetime, time

import flask_babel
import time_machine
from flask import Flask
from flask_babel import force_locale

#: 23:30 UTC on 31 March 2027 is already 1 April in Milan (summer time, UTC+2).
LATE_EVENING = datetime(2027, 3, 31, 23, 30, tzinfo=UTC)


def _render(app: Flask, source: str, **values: object) -> str:
    return app.jinja_env.from_string(source).render(**values)


@contextmanager
def _request(app: Flask, language: str) -> Iterator[None]:
    """A request in ``language`` with an application context of its own, as a server gives
    (``g`` holds the request's locale)."""
    with app.app_context(), app.test_request_context("/", headers={"Accept-Language": language}):
        yield


def test_the_filters_answer_as_flask_babels_in_every_language(app: Flask) -> None:
    values = (LATE_EVENING, date(2027, 2, 28), datetime(2027, 10, 31, 0, 45, tzinfo=UTC))
    for language in ("it", "en", "ar"):
        with _request(app, language):
            for value in values:
                for format in ("short", "medium", "long", "full", "d MMM"):
                    rendered = _render(app, "{{ v | dateformat(f) }}", v=value, f=format)
                    assert rendered == flask_babel.format_date(value, format), (language, value)
            for format in ("short", "medium"):
                assert _render(app, "{{ v | datetimeformat(f) }}", v=LATE_EVENING, f=format) == \
                    flask_babel.format_datetime(LATE_EVENING, format)
                assert _render(app, "{{ v | timeformat(f) }}", v=LATE_EVENING, f=format) == \
                    flask_babel.format_time(LATE_EVENING, format)
            assert _render(app, "{{ v | timeformat('HH:mm') }}", v=time(9, 5)) == "09:05"


def test_a_date_is_shown_on_milans_day(app: Flask) -> None:
    with _request(app, "en"):
        assert _render(app, "{{ v | dateformat('yyyy-MM-dd') }}", v=LATE_EVENING) == "2027-04-01"
        assert _render(app, "{{ v | timeformat('HH:mm') }}", v=LATE_EVENING) == "01:30"


def test_a_kept_answer_is_never_given_in_another_language(app: Flask) -> None:
    source = "{{ v | dateformat('long') }}"
    with _request(app, "it"):
        italian = _render(app, source, v=LATE_EVENING)
        with force_locale("en"):
            english = _render(app, source, v=LATE_EVENING)
        assert _render(app, source, v=LATE_EVENING) == italian
    assert (italian, english) == ("1 aprile 2027", "April 1, 2027")
    with _request(app, "ar"):
        assert _render(app, source, v=LATE_EVENING) not in (italian, english)


def test_no_value_means_now_and_is_not_kept(app: Flask) -> None:
    with _request(app, "en"):
        with time_machine.travel(datetime(2027, 6, 1, 12, tzinfo=UTC), tick=False):
            assert _render(app, "{{ none | dateformat('yyyy') }}") == "2027"
        with time_machine.travel(datetime(2028, 6, 1, 12, tzinfo=UTC), tick=False):
            assert _render(app, "{{ none | dateformat('yyyy') }}") == "2028"


def test_a_moment_is_the_medium_date_with_the_short_time_in_milan(app: Flask) -> None:
    """Appointments and other moments read without seconds, on Milan's day and hour, joined
    as each language joins a date and a time."""
    expected = {"it": "1 apr 2027, 01:30", "en": "Apr 1, 2027, 1:30\u202fAM"}
    for language, words in expected.items():
        with _request(app, language):
            assert _render(app, "{{ v | moment }}", v=LATE_EVENING) == words
    with _request(app, "ar"):
        arabic = _render(app, "{{ v | moment }}", v=LATE_EVENING)
        assert flask_babel.format_date(LATE_EVENING, "medium") in arabic
        assert flask_babel.format_time(LATE_EVENING, "short") in arabic
        assert flask_babel.format_time(LATE_EVENING, "medium") not in arabic
