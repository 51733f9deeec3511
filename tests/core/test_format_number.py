"""``core.i18n.format_number`` writes numbers as Flask-Babel's ``format_decimal`` and
``format_percent`` do, in the request's language, with the pattern parsed once."""

from __future__ import annotations

from decimal import Decimal

import flask_babel
from flask import Flask
from flask_babel import force_locale

from orientamento.core.i18n import _number_pattern, format_number

VALUES = (0, 0.5, 0.8234, 1234.5678, -0.0449, 1_000_000, Decimal("3.14159"))


def test_numbers_read_as_flask_babel_writes_them_in_every_language(app: Flask) -> None:
    with app.test_request_context("/"):
        for language in ("it", "en", "ar"):
            with force_locale(language):
                for value in VALUES:
                    for pattern in ("#,##0.##", "#,##0.00", "#,##0"):
                        assert format_number(value, pattern) == \
                            flask_babel.format_decimal(value, format=pattern), (language, value)
                    assert format_number(value, "#,##0.#%") == \
                        flask_babel.format_percent(value, format="#,##0.#%"), (language, value)


def test_the_language_decides_the_separators_and_the_pattern_is_parsed_once(app: Flask) -> None:
    _number_pattern.cache_clear()
    with app.test_request_context("/"):
        with force_locale("it"):
            assert format_number(1234.5, "#,##0.##") == "1.234,5"
            assert format_number(0.1234, "#,##0.#%") == "12,3%"
        with force_locale("en"):
            assert format_number(1234.5, "#,##0.##") == "1,234.5"
    assert _number_pattern.cache_info().misses == 2
    with app.test_request_context("/"), force_locale("it"):  # the templates' filter
        assert app.jinja_env.from_string("{{ 1234.5 | decimal }}").render() == "1.234,5"
