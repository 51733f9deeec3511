"""Validate the risk pipeline on real public data: OULAD and UCI Student Performance.

The specs are plain YAML in ``bench/specs/`` (``datasets.yaml`` says which file each reads);
the pipeline is the one `flask risk train` runs. For every spec the script trains, evaluates
and prints the model-card metrics, the recalibration on the latest labelled period (ECE and
ROC-AUC before and after), the audit ratios and the fairness gate's findings, beside the
published plain logistic-regression figures. The data are read from
``ORIENTAMENTO_VALIDATION_DATA`` (default ``../shared/data``) and never copied; when the
folder is absent the script says so and exits 0.

    .venv/bin/python -m bench.validate_risk                    # every spec in bench/specs/
    .venv/bin/python -m bench.validate_risk SPEC.yaml DATA.csv # any spec on any file
"""

from __future__ import annotations

import json
import os
import sys
from pathlib import Path
from typing import Any

import yaml

ROOT = Path(__file__).resolve().parent.parent
DATA = Path(os.environ.get("ORIENTAMENTO_VALIDATION_DATA", ROOT.parent / "shared" / "data"))
SPECS = ROOT / "bench" / "specs"
RESULTS = ROOT / "bench" / "results"


def jobs() -> list[dict[str, str]]:
    """The shipped validations: spec file, data file name, published figures."""
    listed: list[dict[str, str]] = yaml.safe_load(
        (SPECS / "datasets.yaml").read_text(encoding="utf-8"))
    return listed


def run(spec_path: Path, data_path: Path) -> tuple[Any, dict[str, Any]]:
    """Train and evaluate one spec on one file; the spec and the metrics the card shows."""
    from orientamento.risk import frames, training
    from orientamento.risk.spec import load_spec

    spec = load_spec(str(spec_path))[0]
    table = frames.read_table(data_path)
    if spec.id not in table.columns:  # a file without ids (UCI): number the rows
        table[spec.id] = [str(i) for i in range(len(table))]
    return spec, training.train(spec, frames.dataset(spec, table)).metrics


def _num(value: Any, digits: int = 3) -> str:
    return "-" if value is None else f"{float(value):.{digits}f}"


def gate_lines(metrics: dict[str, Any]) -> list[str]:
    """The fairness gate's findings in words (empty: the gate is clear)."""
    from orientamento.risk.governance import gate_findings

    lines = []
    for f in gate_findings(metrics):
        if f.kind == "low_ratio":
            lines.append(f"gender {f.metric} ratio {f.ratio:.3f} < 0.8")
        elif f.kind == "too_few":
            lines.append(f"gender group {f.group}: too few to judge {f.metric}")
        elif f.kind == "not_compared":
            lines.append(f"gender: fewer than two groups judged on {f.metric}")
        else:
            lines.append("no gender audit")
    return lines


def row(name: str, m: dict[str, Any], published: str = "-") -> dict[str, Any]:
    """One line of the table, for any spec's metrics."""
    recal = m.get("recalibration")
    auc = m["roc_auc"] or {}
    return {
        "data": name, "rows": f"{m['rows']['train']}/{m['rows']['holdout']}",
        "split": str(m["holdout"].get("kind", "-")) + (f" >= {m['holdout']['from']}"
                                                      if m["holdout"].get("from") else ""),
        "chosen": m["algorithm"],
        "candidates": ",".join(f"{k[:2]} {v['roc_auc']:.3f}"
                               for k, v in m["candidates"].items()),
        "roc_auc": f"{_num(auc.get('value'))} [{_num(auc.get('low'))}-{_num(auc.get('high'))}]",
        "pr_auc": _num((m["pr_auc"] or {}).get("value")), "base": m["base_rate"]["holdout"],
        "brier": f"{_num(m['brier'])}/{_num(m['brier_base_rate'])}",
        "ece": (f"{_num(recal['ece_before'])} -> {_num(m['ece'])} (on {recal['period']})"
                if recal else _num(m["ece"])),
        "auc_recal": (f"{_num(recal['roc_auc_before'], 4)} -> {_num(auc.get('value'), 4)}"
                      if recal else "-"),
        "recall_k": m["capacity"]["recall"], "precision_k": m["capacity"]["precision"],
        "rule_auc": _num(m["baseline"]["roc_auc"]),
        "ratios": "; ".join(f"{g} tpr {_num(b['ratios'].get('recall'), 2)} fpr "
                            f"{_num(b['ratios'].get('false_positive_rate'), 2)}"
                            for g, b in m["fairness"].items()),
        "proxies": ",".join(sorted({f"{p['feature']}>{p['attribute']}"
                                    for p in m["proxies"] if p["flagged"]})) or "-",
        "gate": "; ".join(gate_lines(m)) or "clear",
        "published": published,
    }


def group_lines(name: str, m: dict[str, Any]) -> list[str]:
    """The gender audit's groups: size, recall and false-positive rate at capacity."""
    block = m["fairness"].get("gender") or {}
    lines = []
    for g in block.get("groups", []):
        if g["suppressed"]:
            lines.append(f"  {name} gender {g['group']}: < 30 people, suppressed")
            continue
        lines.append(f"  {name} gender {g['group']}: n={g['count']} "
                     f"recall={_num(g['recall'])} fpr={_num(g['false_positive_rate'])} "
                     f"selected={_num(g['selection_rate'])} too_few={g.get('too_few') or '-'}")
    return lines


def print_table(rows: list[dict[str, Any]]) -> None:
    """The rows as a pipe table."""
    columns = list(rows[0])
    print(" | ".join(columns))
    for r in rows:
        print(" | ".join(str(r[c]) for c in columns))


def main(argv: list[str] | None = None) -> int:
    """Run the given spec, or every shipped one whose file is present; print and write JSON."""
    argv = sys.argv[1:] if argv is None else argv
    if argv:
        todo = [{"spec": argv[0], "data": argv[1], "published": "-"}]
        base = Path.cwd()
    else:
        if not DATA.is_dir():
            print(f"validation data folder {DATA} not found: skipped")
            return 0
        todo, base = jobs(), SPECS
    rows, details = [], []
    for job in todo:
        data_path = Path(job["data"]) if argv else DATA / job["data"]
        if not data_path.is_file():
            print(f"{data_path} not found: {job['spec']} skipped")
            continue
        spec, metrics = run(base / job["spec"], data_path)
        rows.append(row(spec.name, metrics, job.get("published", "-")))
        details += group_lines(spec.name, metrics)
    if not rows:
        return 0
    print_table(rows)
    print("\n".join(details))
    RESULTS.mkdir(parents=True, exist_ok=True)
    (RESULTS / "validate_risk.json").write_text(json.dumps(rows, indent=2), encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
