"""Template filters every feature may use: money, numbers, lists and the time in Milan."""

from __future__ import annotations

from typing import Any

from babel.lists import format_list
from flask import Flask
from flask_babel import format_currency, format_time, get_locale

from orientamento.core import clock, widgets
from orientamento.core.i18n import format_number, language_name
from orientamento.core.pagination import page_window


def init_templating(app: Flask) -> None:
    """Add the shared filters and globals to the Jinja environment (in the user's locale)."""
    filters = app.jinja_env.filters
    filters["euros"] = lambda amount: format_currency(amount, "EUR")
    filters["decimal"] = lambda value: format_number(value, "#,##0.##")  # 1,5 in it
    filters["list_join"] = _list_join
    filters["language_name"] = language_name
    app.jinja_env.globals["now_local_time"] = lambda: format_time(clock.now(), "short")
    app.jinja_env.globals["page_window"] = page_window
    widgets.install()


def _list_join(items: Any) -> str:
    """``a, b e c`` in Italian, ``a, b and c`` in English."""
    return format_list([str(item) for item in items], locale=get_locale() or "it")
