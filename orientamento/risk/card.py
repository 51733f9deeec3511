"""The model card: Markdown generated from a version's metrics and spec, and its SVG chart.

The same metrics feed the card page (templates/risk/card.html); the Markdown is what is stored
with the version and downloadable, so the card read at activation can be archived as text.
"""

from __future__ import annotations

from typing import Any

from markupsafe import Markup, escape

from orientamento.risk.models import ModelVersion
from orientamento.risk.spec import Spec

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
    return Markup(svg)  # noqa: S704  # nosec B704 - every interpolated text is escaped above


def _pct(value: Any) -> str:
    return "n/a" if value is None else f"{float(value):.3f}"


def _interval(metric: dict[str, Any] | None) -> str:
    if not metric:
        return "n/a"
    return f"{metric['value']:.3f} (95% CI {metric['low']:.3f}-{metric['high']:.3f})"


def _judged(group: dict[str, Any], metric: str) -> str:
    """A group's rate, or why it is not judged (too few positives or negatives)."""
    if group.get(metric) is None and metric in (group.get("too_few") or []):
        return "too few to judge"
    return _pct(group.get(metric))


def card_markdown(spec: Spec, version: ModelVersion) -> str:
    """The model card of a version as Markdown (English; the card page is translated)."""
    m = version.metrics
    holdout = m.get("holdout", {})
    calibration = ("Platt scaling fitted on the out-of-fold predictions of the latest "
                   f"labelled period before the hold-out ({m['recalibration']['period']}); "
                   f"hold-out ECE before {_pct(m['recalibration']['ece_before'])}"
                   if m.get("recalibration") else
                   "Platt scaling on 5-fold cross-validated predictions")
    split = (f"temporal: rows with `{holdout.get('column')}` >= {holdout.get('from')}"
             if holdout.get("kind") == "temporal" else "random stratified 25% (no time column)")
    lines = [
        f"# Model card: {spec.title.en} (version {version.id})", "",
        spec.description.en, "",
        "## Intended use", "", spec.intended_use.en, "",
        "## Out of scope", "", spec.out_of_scope.en, "",
        "## Model", "",
        f"- Chosen: {m['algorithm']} (by hold-out ROC-AUC: "
        + ", ".join(f"{k} {v['roc_auc']:.3f}" for k, v in m["candidates"].items()) + ")",
        f"- Calibration: {calibration}",
        f"- Inputs: {', '.join(spec.feature_names)}",
        f"- Protected attributes (audit only, never inputs): {', '.join(spec.protected)}",
        f"- Spec SHA-256: `{version.spec_sha256}`", f"- Data SHA-256: `{version.data_sha256}`",
        f"- Model file (skops) SHA-256: `{version.model_sha256}`", "",
        "## Data", "",
        f"- Training rows: {m['rows']['train']}, hold-out rows: {m['rows']['holdout']}",
        f"- Hold-out: {split}",
        f"- Base rate: training {_pct(m['base_rate']['train'])}, "
        f"hold-out {_pct(m['base_rate']['holdout'])}", "",
        "## Metrics on the hold-out", "",
        "| metric | model | simple rule |", "|---|---|---|",
        f"| ROC-AUC | {_interval(m['roc_auc'])} | {_pct(m['baseline']['roc_auc'])} |",
        f"| PR-AUC | {_interval(m['pr_auc'])} | {_pct(m['baseline']['pr_auc'])} |",
        f"| Recall at k={m['capacity']['k']} ({m['capacity']['share']:.0%}) | "
        f"{_pct(m['capacity']['recall'])} | {_pct(m['baseline']['recall'])} |",
        f"| Precision at k | {_pct(m['capacity']['precision'])} | "
        f"{_pct(m['baseline']['precision'])} |",
        f"| Brier score | {_pct(m['brier'])} (base rate alone: {_pct(m['brier_base_rate'])}) "
        "| |",
        f"| Expected calibration error | {_pct(m['ece'])} | |", "",
        "## Fairness at capacity", "",
        "Groups under 30 people are suppressed; a recall needs 10 positives in the group, a "
        "false-positive rate 10 negatives, or it is too few to judge. Ratios are min/max over "
        "the groups judged.", "",
    ]
    for name, block in m["fairness"].items():
        lines += [f"### {name}", "",
                  "| group | n | selection | recall | FPR | precision | ECE | predicted |"
                  " observed |", "|---|---|---|---|---|---|---|---|---|"]
        for g in block["groups"]:
            if g["suppressed"]:
                lines.append(f"| {g['group']} | <30 | suppressed | | | | | | |")
                continue
            lines.append(
                f"| {g['group']} | {g['count']} | {_pct(g['selection_rate'])} | "
                f"{_judged(g, 'recall')} | {_judged(g, 'false_positive_rate')} | "
                f"{_pct(g['precision'])} | {_pct(g['ece'])} | {_pct(g['mean_predicted'])} | "
                f"{_pct(g['observed_rate'])} |")
        ratios = ", ".join(f"{k} {_pct(v)}" for k, v in block["ratios"].items())
        lines += ["", f"Ratios (min/max): {ratios}", ""]
    if version.activation_justification:
        lines += ["## Activated despite the fairness gate", "",
                  "The audit by gender showed a ratio below 0.8 or a group too small to judge; "
                  "the administrator who activated this version wrote:", "",
                  *(f"> {line}" for line in version.activation_justification.splitlines()),
                  ""]
    flagged = [p for p in m["proxies"] if p["flagged"]]
    lines += ["## Proxy screen", "",
              "Inputs predicting a protected attribute with ROC-AUC above 0.70: "
              + (", ".join(f"{p['feature']} -> {p['attribute']} ({p['roc_auc']:.2f})"
                           for p in flagged) or "none") + ".", "",
              "## Caveats", "",
              "- The score ranks a voluntary offer of help; a person decides every contact.",
              "- Records describe the past: a new policy or a change in how records are kept "
              "moves the base rate; check calibration on each new cohort.",
              "- Group metrics on small groups are uncertain even above 30 people.",
              "- Reasons are associations in the records, not causes.", ""]
    return "\n".join(lines)
