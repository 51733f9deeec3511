"""WTForms' widgets write their attributes with ``core.widgets.html_params``: the same HTML
as WTForms' own function, faster."""

from __future__ import annotations

import wtforms.widgets
import wtforms.widgets.core
from flask import Flask
from markupsafe import Markup
from wtforms import Form, SelectField, StringField, SubmitField
from wtforms.fields.choices import SelectChoice

from orientamento.core.widgets import WTFORMS_HTML_PARAMS, html_params

CASES: list[dict[str, object]] = [
    {},
    {"name": "q", "id": "q", "type": "text", "value": ""},
    {"value": 'say "hi" <b>&amp;</b> \'x\'', "class_": "form-control is-invalid"},
    {"required": True, "readonly": False, "disabled": True, "checked": False},
    {"data_hx_post": "/x?a=1&b=2", "aria_describedby": "a-hint a-error", "for_": "x"},
    {"value": Markup('already "safe" <i>'), "title": Markup("&lt;ok&gt;")},
    {"value": 0, "max": 10.5, "min": -1, "step": None, "lang": "ar", "dir": "rtl"},
    {"placeholder": "نص عربي \u202e", "value": "tab\there\nnewline"},
]


def test_the_attributes_are_those_wtforms_writes() -> None:
    for case in CASES:
        ours = html_params(**case)
        assert ours == WTFORMS_HTML_PARAMS(**case), case
        assert isinstance(ours, Markup)


class _Sample(Form):
    name = StringField("Name <i>", render_kw={"placeholder": 'a "quote"'})
    choice = SelectField("Pick", choices=[SelectChoice("a", "A & B"),
                                          SelectChoice("b", Markup("<b>B</b>")),
                                          SelectChoice("", "—")])
    send = SubmitField("Send")


def test_the_app_renders_whole_fields_as_wtforms_would(app: Flask) -> None:
    assert wtforms.widgets.core.html_params is html_params  # installed by the app
    form = _Sample(data={"name": 'x" onmouseover="y', "choice": "b"})
    ours = [str(form.name()), str(form.choice()), str(form.send()), str(form.name.label())]
    wtforms.widgets.core.html_params = WTFORMS_HTML_PARAMS
    wtforms.widgets.html_params = WTFORMS_HTML_PARAMS
    for widget in (wtforms.widgets.core.Input, wtforms.widgets.core.Button):
        widget.html_params = staticmethod(WTFORMS_HTML_PARAMS)  # type: ignore[assignment]
    try:
        theirs = [str(form.name()), str(form.choice()), str(form.send()),
                  str(form.name.label())]
    finally:
        from orientamento.core import widgets

        widgets.install()
    assert ours == theirs
    assert 'value="x&#34; onmouseover=&#34;y"' in ours[0]
