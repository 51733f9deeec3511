"""WTForms' own messages come from its catalogue in the request's language
(``core.i18n.WTFormsMessages``), read once per process instead of once per request."""

from __future__ import annotations

from flask import Flask
from flask_babel import force_locale
from werkzeug.datastructures import MultiDict
from wtforms import IntegerField, StringField
from wtforms.validators import Length

from orientamento.core import i18n
from orientamento.core.forms import Form, QueryForm


class _Search(QueryForm):
    page = IntegerField()


class _Posted(Form):
    name = StringField(validators=[Length(max=1)])


def _errors(app: Flask, language: str, form_class: type, data: dict[str, str]) -> list[str]:
    with app.app_context(), app.test_request_context(
            "/", headers={"Accept-Language": language}):
        form = form_class(formdata=MultiDict(data), meta={"csrf": False})
        assert not form.validate()
        return [error for errors in form.errors.values() for error in errors]


def test_wtforms_messages_follow_the_request_language(app: Flask) -> None:
    assert _errors(app, "it", _Search, {"page": "x"}) == ["Non è una valore intero valido"]
    assert _errors(app, "ar", _Search, {"page": "x"}) == ["قيمة العدد الحقيقي غير صالحة."]
    assert _errors(app, "en", _Search, {"page": "x"}) == ["Not a valid integer value."]
    # The project's posted forms too, and the catalogue kept for Italian answers again.
    assert _errors(app, "it", _Posted, {"name": "zz"}) == [
        "Il valore non può essere più lungo di 1 carattere."]
    assert _errors(app, "it", _Search, {"page": "x"}) == ["Non è una valore intero valido"]


def test_a_locale_switched_in_a_request_is_honoured(app: Flask) -> None:
    with app.app_context(), app.test_request_context("/", headers={"Accept-Language": "it"}):
        assert i18n.WTFORMS_MESSAGES.gettext("Not a valid integer value.") == \
            "Non è una valore intero valido"
        with force_locale("en"):
            assert i18n.WTFORMS_MESSAGES.gettext("Not a valid integer value.") == \
                "Not a valid integer value."
        assert i18n.WTFORMS_MESSAGES.ngettext(
            "Field must be at least %(min)d character long.",
            "Field must be at least %(min)d characters long.", 3) == \
            "Il valore deve essere lungo almeno %(min)d caratteri."


def test_each_languages_catalogue_is_read_once(app: Flask) -> None:
    i18n._wtforms_catalogue.cache_clear()
    for _ in range(3):
        _errors(app, "it", _Search, {"page": "x"})
    assert i18n._wtforms_catalogue.cache_info().misses == 1
