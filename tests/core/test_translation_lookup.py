"""Translations looked up once per request (``core.i18n.RequestDomain`` and the template
functions): the same words as Flask-Babel and Jinja would give, in the request's language."""

from __future__ import annotations

from flask import Flask, session
from flask_babel import force_locale, gettext, lazy_gettext, ngettext, refresh

from orientamento.core.i18n import RequestDomain


def _render(app: Flask, source: str, autoescape: bool = True, **values: object) -> str:
    """``source`` rendered by the app's Jinja, autoescaping as an HTML page does, or not, as a
    plain-text e-mail does."""
    switch = "true" if autoescape else "false"
    wrapped = f"{{% autoescape {switch} %}}{source}{{% endautoescape %}}"
    return app.jinja_env.from_string(wrapped).render(**values)


def test_python_and_templates_use_the_request_language(app: Flask) -> None:
    # A fresh application context for each request, as a server gives (``g`` holds the
    # request's locale and translations).
    with app.app_context(), app.test_request_context("/", headers={"Accept-Language": "ar"}):
        assert gettext("Log in") == "تسجيل الدخول"
        assert str(lazy_gettext("Log in")) == "تسجيل الدخول"
        assert _render(app, "{{ _('Log in') }}|{{ gettext('Log in') }}") == (
            "تسجيل الدخول|تسجيل الدخول")
    with app.app_context(), app.test_request_context("/", headers={"Accept-Language": "it"}):
        assert gettext("Log in") == "Accedi"
        assert _render(app, "{{ _('Log in') }}") == "Accedi"


def test_a_locale_forced_inside_a_request_is_honoured_and_then_undone(app: Flask) -> None:
    with app.test_request_context("/", headers={"Accept-Language": "it"}):
        assert gettext("Log in") == "Accedi"  # the Italian translations are now kept
        with force_locale("ar"):
            assert gettext("Log in") == "تسجيل الدخول"
            assert _render(app, "{{ _('Log in') }}") == "تسجيل الدخول"
        assert gettext("Log in") == "Accedi"
        session["locale"] = "en"
        refresh()  # a language chosen during the request
        assert gettext("Log in") == "Log in"


def test_plurals_use_the_language_forms_and_fill_num(app: Flask) -> None:
    source = "{{ ngettext('%(num)d course found', '%(num)d courses found', n) }}"
    with app.test_request_context("/", headers={"Accept-Language": "ar"}):
        # Arabic has six plural forms: two is its own ("dual"), eleven takes another.
        assert _render(app, source, n=2) == "تم العثور على دورتين"
        assert _render(app, source, n=11) == "تم العثور على 11 دورة"
        assert ngettext("%(num)d course found", "%(num)d courses found", 11) == (
            "تم العثور على 11 دورة")


def test_trans_blocks_are_translated_with_their_values_escaped(app: Flask) -> None:
    source = ("{% trans link=link, words=words %}Did you mean <a href=\"{{ link }}\" "
              "dir=\"auto\">{{ words }}</a>?{% endtrans %}")
    with app.test_request_context("/", headers={"Accept-Language": "it"}):
        rendered = _render(app, source, link="/courses/?q=x&y", words="<tecnico>")
    assert rendered.startswith("Forse cercavi")
    assert 'href="/courses/?q=x&amp;y"' in rendered and "&lt;tecnico&gt;" in rendered


def test_values_are_escaped_in_html_and_left_alone_in_text(app: Flask) -> None:
    source = "{{ _('Hello %(name)s, 100%% sure', name=name) }}"
    with app.test_request_context("/", headers={"Accept-Language": "en"}):
        assert _render(app, source, True, name="<b>A&B</b>") == (
            "Hello &lt;b&gt;A&amp;B&lt;/b&gt;, 100% sure")
        assert _render(app, source, False, name="<b>A&B</b>") == (
            "Hello <b>A&B</b>, 100% sure")


def test_every_app_shares_one_request_domain(app: Flask) -> None:
    babel = app.extensions["babel"].instance
    assert isinstance(babel.domain_instance, RequestDomain)
    assert app.jinja_env.globals["_"] is app.jinja_env.globals["gettext"]
