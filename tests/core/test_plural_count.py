"""A fractional count picks the plural form CLDR gives it (``core.i18n.plural_count``), in
every language, without gettext's warning about non-integer counts."""

from __future__ import annotations

import warnings

from flask import Flask

from orientamento.core.i18n import lazy_ngettext

SOURCE = '{{ ngettext("%(num)s hour to go", "%(num)s hours to go", n, num=n | decimal) }}'


def _render(app: Flask, language: str, value: object) -> str:
    with app.app_context(), app.test_request_context(
            "/", headers={"Accept-Language": language}):
        return app.jinja_env.from_string(SOURCE).render(n=value)


def test_fractions_take_the_other_form_and_whole_numbers_their_own(app: Flask) -> None:
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # gettext's DeprecationWarning would fail the test
        assert _render(app, "en", 1) == "1 hour to go"
        assert _render(app, "en", 1.0) == "1 hour to go"
        assert _render(app, "en", 0.5) == "0.5 hours to go"
        assert _render(app, "it", 1) == "manca 1 ora"
        assert _render(app, "it", 0.5) == "mancano 0,5 ore"
        assert _render(app, "it", 2.5) == "mancano 2,5 ore"
        # Arabic: 3 takes the "few" form (ساعات); 3.5 is "other" for CLDR, as 2.5 and 11.5.
        few = _render(app, "ar", 3)
        other = _render(app, "ar", 100)
        assert few.endswith("ساعات") and not other.endswith("ساعات")
        for fraction in (0.5, 2.5, 3.5, 11.5):
            shown = _render(app, "ar", fraction)
            assert shown.replace(_digits(app, fraction), "") == \
                other.replace(_digits(app, 100), ""), fraction


def _digits(app: Flask, value: float) -> str:
    with app.app_context(), app.test_request_context(
            "/", headers={"Accept-Language": "ar"}):
        return str(app.jinja_env.from_string("{{ n | decimal }}").render(n=value))


def test_a_lazy_plural_chooses_alike(app: Flask) -> None:
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        with app.app_context(), app.test_request_context(
                "/", headers={"Accept-Language": "it"}):
            assert str(lazy_ngettext("%(num)s hour to go", "%(num)s hours to go", 0.5)) == \
                "mancano 0.5 ore"
            assert str(lazy_ngettext("%(num)s hour to go", "%(num)s hours to go", 1)) == \
                "manca 1 ora"
