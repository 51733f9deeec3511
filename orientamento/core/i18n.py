"""Locale selection (the user's setting, then the session, the browser, Italian), the
translations looked up once per request, and dates formatted once per day shown."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, datetime, time
from decimal import Decimal
from functools import lru_cache
from typing import Any

import flask_babel
from babel import Locale
from babel.numbers import NumberPattern, parse_pattern
from babel.support import NullTranslations, Translations
from flask import Flask, current_app, g, has_app_context, has_request_context, request, session
from flask_babel import Domain, LazyString, get_locale, get_timezone
from flask_login import current_user
from jinja2 import pass_eval_context
from jinja2.nodes import EvalContext
from markupsafe import Markup, escape

from orientamento.config import RTL_LOCALES

#: Each interface language named in itself, for the language switch.
LANGUAGE_NAMES = {"it": "Italiano", "en": "English", "ar": "العربية"}


def select_locale() -> str:
    """Pick the locale for this request (the default one outside requests, e.g. in the CLI)."""
    locales: tuple[str, ...] = current_app.config["LOCALES"]
    if not has_request_context():
        return str(current_app.config["BABEL_DEFAULT_LOCALE"])
    if current_user and current_user.is_authenticated and current_user.locale in locales:
        return str(current_user.locale)
    chosen = session.get("locale")
    if chosen in locales:
        return str(chosen)
    best = request.accept_languages.best_match(locales)
    return str(best or current_app.config["BABEL_DEFAULT_LOCALE"])


def current_language() -> str:
    """The language code of the current locale, e.g. ``ar``."""
    locale = get_locale()
    return locale.language if locale else "it"


def text_direction() -> str:
    """``rtl`` for right-to-left languages, else ``ltr``."""
    return "rtl" if current_language() in RTL_LOCALES else "ltr"


def language_name(code: str, locale: str | None = None) -> str:
    """The name of language ``code`` in the reader's language (``it`` is "الإيطالية" in Arabic),
    from the CLDR data Babel ships; the code itself when CLDR does not know it."""
    reader = Locale.parse(locale or current_language())
    return str(reader.languages.get(code, code))


class RequestDomain(Domain):
    """Flask-Babel's message domain, with the request's translations looked up once.

    Flask-Babel 4 finds them again for every message (the request's locale, its name as a
    string, a cache look-up), through context proxies: several microseconds a message against
    0.3 for the catalogue itself, and pages translate hundreds of strings. The translations
    are kept in the slot Flask-Babel's own ``refresh`` and ``force_locale`` clear and restore
    (``babel_translations``), so a locale switched during a request (an e-mail in the
    recipient's language) is honoured.
    """

    def get_translations(self) -> Translations | NullTranslations:
        state = _babel_state()
        translations = getattr(state, "babel_translations", None)
        if translations is None:
            translations = super().get_translations()
            if state is not None:
                state.babel_translations = translations
        return translations


def _babel_state() -> Any:
    """Flask-Babel's per-request namespace, or None (outside a context, or not made yet)."""
    if not has_app_context():
        return None
    return getattr(g._get_current_object(), "_flask_babel", None)


def _translations() -> Any:
    """The request's translations: the kept ones, else through Flask-Babel (which keeps them)."""
    found = getattr(_babel_state(), "babel_translations", None)
    if found is not None:
        return found
    from flask_babel import get_translations

    return get_translations()


class LazyText(LazyString):
    """A message translated when it is used, in the language of that moment.

    Flask-Babel's lazy string, with two differences. It is translated through the request's
    kept translations (``_translations``): Flask-Babel's finds the domain and the translations
    again each time (3.8 µs a label against 2.0), and a list page shows labels on every row. And a
    template escapes it like any other text: Flask-Babel's declares itself markup
    (``__html__`` returns the text as it is), so a label with ``<`` or ``&`` would be read as
    HTML.
    """

    def __html__(self) -> Markup:
        return escape(str(self))


def _gettext_now(message: str, /, **variables: Any) -> str:
    text: str = _translations().ugettext(message)
    return text % variables if variables else text


def _ngettext_now(singular: str, plural: str, num: float, /, **variables: Any) -> str:
    variables.setdefault("num", num)
    text: str = _translations().ungettext(singular, plural, plural_count(num))
    return text % variables


def lazy_gettext(message: str, /, **variables: Any) -> LazyText:
    """``message`` translated when used (``_l`` in the code, which the catalogue extracts)."""
    return LazyText(_gettext_now, message, **variables)


def lazy_ngettext(singular: str, plural: str, num: float, /,
                  **variables: Any) -> LazyText:
    """The plural form for ``num``, translated when used (``_ln``), with ``num`` filled in."""
    return LazyText(_ngettext_now, singular, plural, num, **variables)


@lru_cache(maxsize=16)
def _wtforms_catalogue(locale: str) -> Translations | NullTranslations:
    from wtforms.i18n import messages_path

    return Translations.load(messages_path(), [locale], domain="wtforms")


class WTFormsMessages:
    """WTForms' own messages ("Not a valid integer value.") in the request's language.

    Flask-WTF's version reads and parses WTForms' catalogue again in every request that
    translates one of them (a form with a select does): about 0.35 ms a page. Here each
    language's catalogue is read once per process; the language is the request's, as there.
    """

    def gettext(self, message: str) -> str:
        return str(_wtforms_catalogue(str(get_locale())).ugettext(message))

    def ngettext(self, singular: str, plural: str, num: int) -> str:
        return str(_wtforms_catalogue(str(get_locale())).ungettext(singular, plural, num))


WTFORMS_MESSAGES = WTFormsMessages()


def install_request_domain(app: Flask) -> None:
    """Make ``app`` use ``RequestDomain``, for Python code and for templates alike.

    In templates, ``_``, ``gettext`` and the rest are this module's one-step functions, with
    the meaning Jinja's "new style" i18n gives them (``{% trans %}`` blocks call them too): the
    message is always a %-format string, with ``num`` set for plurals, and is markup-safe where
    the template autoescapes. Jinja's own version reaches the catalogue through three context
    calls, ``_`` through four: about 10 µs a message, most of a page's translating.
    """
    babel = app.extensions["babel"].instance  # Flask-Babel's one object, shared by every app
    if not isinstance(babel.__dict__.get("domain_instance"), RequestDomain):  # a cached property
        babel.domain_instance = RequestDomain(domain=app.extensions["babel"].default_domain)
    app.jinja_env.globals.update(_=_template_gettext, gettext=_template_gettext,
                                 ngettext=_template_ngettext, pgettext=_template_pgettext,
                                 npgettext=_template_npgettext)


def _formatted(eval_context: EvalContext, message: str, variables: dict[str, Any]) -> str:
    """``message`` filled in with ``variables``, escaped where the template autoescapes."""
    # The catalogue is the project's own, trusted as the template text is (as Jinja does).
    template: str = (Markup(message)  # noqa: S704  # nosec B704
                     if eval_context.autoescape else message)
    # Without a "%" the formatting would give the same text back, slowly (most messages).
    return template % variables if "%" in message else template


@pass_eval_context
def _template_gettext(eval_context: EvalContext, message: str, /, **variables: Any) -> str:
    return _formatted(eval_context, _translations().ugettext(message), variables)


@pass_eval_context
def _template_ngettext(eval_context: EvalContext, singular: str, plural: str, num: int, /,
                       **variables: Any) -> str:
    variables.setdefault("num", num)
    return _formatted(eval_context,
                      _translations().ungettext(singular, plural, plural_count(num)), variables)


@pass_eval_context
def _template_pgettext(eval_context: EvalContext, context: str, message: str, /,
                       **variables: Any) -> str:
    return _formatted(eval_context, _translations().upgettext(context, message), variables)


@pass_eval_context
def _template_npgettext(eval_context: EvalContext, context: str, singular: str, plural: str,
                        num: int, /, **variables: Any) -> str:
    variables.setdefault("num", num)
    return _formatted(eval_context,
                      _translations().unpgettext(context, singular, plural, plural_count(num)),
                      variables)


def plural_count(num: float | Decimal) -> int:
    """The count to choose a message's plural form by: ``num`` itself when it is whole, else
    an integer of the same CLDR plural category in the current language.

    gettext's plural formulas are written for integers (and warn when given anything else):
    "2.5 hours to go" is "other" in Italian, English and Arabic, and Arabic's formula would pick
    the "few" form for 3.5, which CLDR gives to whole numbers only.
    """
    if isinstance(num, int):
        return num
    if num == int(num):  # shown without decimals (1.0 as "1"), so chosen as the whole number
        return int(num)
    locale = get_locale() or Locale.parse("it")
    return _integer_of_category(str(locale), locale.plural_form(num))


@lru_cache(maxsize=64)
def _integer_of_category(locale: str, category: str) -> int:
    """The smallest integer in ``category`` ("one", "few", "other"...), else one in "other"."""
    rule = Locale.parse(locale).plural_form
    for wanted in (category, "other"):
        found = next((n for n in range(1000) if rule(n) == wanted), None)
        if found is not None:
            return found
    raise ValueError(f"no integer takes the plural form {category!r} in {locale}")


@lru_cache(maxsize=64)
def _number_pattern(pattern: str) -> NumberPattern:
    return parse_pattern(pattern)


def format_number(value: float | int | Decimal, pattern: str) -> str:
    """``value`` written with the CLDR number ``pattern`` (``#,##0.##``; ``#,##0.#%`` for a
    share as a percentage) in the request's language: the text of Flask-Babel's
    ``format_decimal`` and ``format_percent``, which parse the pattern and look the locale up
    again on each call (15 µs against 5; a model card writes some 270 numbers)."""
    return str(_number_pattern(pattern).apply(value, get_locale() or Locale.parse("it")))


DateLike = date | datetime | time


def _kept(formatter: Callable[..., str]) -> Callable[..., str]:
    """``formatter`` (one of Flask-Babel's date filters) with its answers kept per value,
    format, locale and time zone: Babel takes 25 to 30 µs a date (the locale's pattern, the
    time zone, the formatting), and a list page shows dozens of dates, mostly the same days.
    The answer depends on nothing else; "now" (no value) is never kept."""

    @lru_cache(maxsize=8192)
    def kept(value: DateLike, format: str | None, _locale: Any, _timezone: Any) -> str:
        return formatter(value, format)

    def format_value(value: DateLike | None = None, format: str | None = None,
                     rebase: bool = True) -> str:
        if value is None or not rebase:
            return formatter(value, format, rebase)
        state = _babel_state()  # where get_locale() and get_timezone() keep theirs
        return kept(value, format, getattr(state, "babel_locale", None) or get_locale(),
                    getattr(state, "babel_tzinfo", None) or get_timezone())

    format_value.__doc__ = formatter.__doc__
    return format_value


def format_moment(value: datetime, format: str | None = None, rebase: bool = True) -> str:
    """A moment as people read an appointment: the medium date and the short time, joined as
    the language joins them ("16 dic 2026, 10:00"; Babel's "medium" would add the seconds,
    and this Babel version has no skeleton for a date with a short time). ``format`` is
    ignored (the filters' signature)."""
    locale = get_locale() or Locale.parse("it")
    glue = str(locale.datetime_formats["medium"]).replace("'", "")
    return (glue.replace("{0}", flask_babel.format_time(value, "short", rebase))
            .replace("{1}", flask_babel.format_date(value, "medium", rebase)))


def install_date_filters(app: Flask) -> None:
    """Make the templates' ``dateformat``, ``datetimeformat`` and ``timeformat`` filters keep
    what they formatted (``_kept``), and add ``moment`` (``format_moment``)."""
    app.jinja_env.filters.update(dateformat=_kept(flask_babel.format_date),
                                 datetimeformat=_kept(flask_babel.format_datetime),
                                 timeformat=_kept(flask_babel.format_time),
                                 moment=_kept(format_moment))
