"""The Observatory's bar chart: the legend is HTML that wraps, not SVG text that overlaps."""

from __future__ import annotations

from flask import Flask, render_template_string

CHART = ('{% from "observatory/_charts.html" import grouped_bars %}'
         '{{ grouped_bars([("Municipio 1", [12.5, none])], ["Reached within 30 days %", '
         '"Reached within 60 days %"], "c", "Title", "Description", 100) }}')


def test_the_legend_is_a_list_before_the_chart_and_not_text_inside_it(app: Flask) -> None:
    with app.test_request_context():
        html = render_template_string(CHART)
    legend, chart = html.split('<svg class="result-chart"', 1)
    assert '<ul class="chart-legend">' in legend
    assert legend.count("<li>") == 2
    assert "Reached within 30 days %" in legend and "Reached within 60 days %" in legend
    assert "Reached within" not in chart  # at phone size SVG text ran into the next name
    assert "12.5" in chart and "—" in chart  # the bars and the missing value stay in the chart
