"""Messages translated when used (``core.i18n.lazy_gettext``, ``_l``): in the language of the
moment, and escaped by templates like any other text."""

from __future__ import annotations

from flask import Flask
from flask_babel import force_locale
from markupsafe import escape

from orientamento.core.i18n import lazy_gettext, lazy_ngettext
from orientamento.outreach.models import Trigger


def test_a_lazy_message_follows_the_language_of_the_moment(app: Flask) -> None:
    label = lazy_gettext("Log in")
    with app.app_context(), app.test_request_context("/", headers={"Accept-Language": "it"}):
        italian = str(label)
        with force_locale("en"):
            assert str(label) == "Log in"
        assert str(label) == italian != "Log in"
    with app.app_context(), app.test_request_context("/", headers={"Accept-Language": "ar"}):
        assert str(label) not in (italian, "Log in")


def test_variables_and_plurals_are_filled_in(app: Flask) -> None:
    with app.app_context(), app.test_request_context("/", headers={"Accept-Language": "en"}):
        assert str(lazy_gettext("Municipio %(number)s", number=4)) == "Municipio 4"
        # Any name can be a variable, "message" too (an import error's line has one).
        assert str(lazy_gettext("Row %(row)d, %(column)s: %(message)s", row=2, column="age",
                                message="a number")) == "Row 2, age: a number"
        more = lazy_ngettext("... and %(num)d more problem", "... and %(num)d more problems", 3)
        assert str(more) == "... and 3 more problems"
    with app.app_context(), app.test_request_context("/", headers={"Accept-Language": "it"}):
        assert str(lazy_ngettext("... and %(num)d more problem",
                                 "... and %(num)d more problems", 1)).startswith("... e ")


def test_templates_escape_a_lazy_message(app: Flask) -> None:
    with app.app_context(), app.test_request_context("/", headers={"Accept-Language": "en"}):
        shown = app.jinja_env.from_string("{{ m }}").render(m=lazy_gettext("<b>%(x)s</b>", x="&"))
        assert shown == "&lt;b&gt;&amp;&lt;/b&gt;"
        # An enum's label is one of them: a label is text, never markup.
        assert escape(Trigger.SELF_REFERRAL.label) == escape(str(Trigger.SELF_REFERRAL.label))
        assert app.jinja_env.from_string("{{ t.label }}").render(t=Trigger.SELF_REFERRAL) == \
            str(escape(str(Trigger.SELF_REFERRAL.label)))
