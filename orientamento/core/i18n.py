"""Locale selection: the user's setting, then the session, the browser, Italian."""

from __future__ import annotations

from babel import Locale
from flask import current_app, has_request_context, request, session
from flask_babel import get_locale
from flask_login import current_user

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
