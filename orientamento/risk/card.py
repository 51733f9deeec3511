"""The model card: Markdown generated from a version's metrics and spec, and its SVG chart.

The same metrics feed the card page (templates/risk/card.html); the Markdown is what is stored
with the version and downloadable, so the card read at activation can be archived as text.
"""

from __future__ import annotations

from typing import Any

from markupsafe import Markup, escape

SIZE = 240
PAD = 36


def reliability_svg(points: list[dict[str, Any]], title: str = "Reliability diagram",
                    predicted: str = "Predicted", observed: str = "Observed") -> Markup:
    """A reliability diagram (observed rate against mean prediction per bin) as inline SVG."""
    inner = SIZE - 2 * PAD

    def x(value: float) -> float:
        return round(PAD + value * inner, 1)

    def y(value: float) -> float:
        return round(SIZE - PAD - value * inner, 1)

    shown = [p for p in points if p.get("count")]
    dots = "".join(
        f'<circle cx="{x(float(p["predicted"]))}" cy="{y(float(p["observed"]))}" r="3.5">'
        f'<title>{escape(predicted)} {float(p["predicted"]):.2f}, {escape(observed)} '
        f'{float(p["observed"]):.2f} (n={int(p["count"])})</title></circle>'
        for p in shown)
    line = " ".join(f"{x(float(p['predicted']))},{y(float(p['observed']))}" for p in shown)
    ticks = "".join(
        f'<text x="{x(t)}" y="{SIZE - PAD + 14}" text-anchor="middle">{t:g}</text>'
        f'<text x="{PAD - 6}" y="{y(t) + 4}" text-anchor="end">{t:g}</text>'
        for t in (0, 0.5, 1))
    svg = (
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {SIZE} {SIZE}" width="{SIZE}" '
        f'height="{SIZE}" role="img" aria-label="{escape(title)}" class="reliability" '
        'font-size="10" fill="currentColor">'
        f'<rect x="{PAD}" y="{PAD}" width="{inner}" height="{inner}" fill="none" '
        'stroke="currentColor" stroke-opacity="0.4"/>'
        f'<line x1="{x(0)}" y1="{y(0)}" x2="{x(1)}" y2="{y(1)}" stroke="currentColor" '
        'stroke-dasharray="4 3" stroke-opacity="0.6"/>'
        f'<polyline points="{line}" fill="none" stroke="currentColor" stroke-width="1.5"/>'
        f"{dots}{ticks}"
        f'<text x="{SIZE / 2}" y="{SIZE - 4}" text-anchor="middle">{escape(predicted)}</text>'
        f'<text x="10" y="{SIZE / 2}" text-anchor="middle" '
        f'transform="rotate(-90 10 {SIZE / 2})">{escape(observed)}</text>'
        "</svg>")
    return Markup(svg)  # noqa: S704 - every interpolated text is escaped above
