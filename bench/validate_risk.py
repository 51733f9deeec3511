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
    .venv/bin/python -m bench.validate_risk --calibration      # and recalibration methods

With ``--calibration``, every spec with ``calibration: latest`` also gets a table of
recalibration methods on its temporal split (docs/risk-model.md, "Calibration under drift").
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


def _ece(interval: dict[str, float] | None, value: Any) -> str:
    """An ECE with its bootstrap interval when the metrics have one."""
    if not interval:
        return _num(value)
    return f"{_num(interval['value'])} [{_num(interval['low'])}-{_num(interval['high'])}]"


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
        "ece": (f"{_ece(recal.get('ece_before_interval'), recal['ece_before'])} -> "
                f"{_ece(m.get('ece_interval'), m['ece'])} (on {recal['period']})"
                if recal else _ece(m.get("ece_interval"), m["ece"])),
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


def _score_model() -> Any:
    """A "classifier" whose decision function is its one input column, fitted and frozen: it
    lets scikit-learn's CalibratedClassifierCV calibrate out-of-fold scores computed elsewhere."""
    import numpy as np
    from sklearn.base import BaseEstimator, ClassifierMixin
    from sklearn.frozen import FrozenEstimator

    class Scores(ClassifierMixin, BaseEstimator):
        def fit(self, x: Any, y: Any) -> Scores:
            self.classes_ = np.array([0, 1])
            return self

        def decision_function(self, x: Any) -> Any:
            return np.asarray(x, dtype=float)[:, 0]

        def predict(self, x: Any) -> Any:
            return (self.decision_function(x) > 0).astype(int)

    return FrozenEstimator(Scores().fit(None, None))


def calibration_rows(spec_path: Path, data_path: Path, algorithm: str) -> list[dict[str, Any]]:
    """Recalibration methods compared on one temporal split: ECE (95% bootstrap interval),
    equal-mass ECE, ROC-AUC, Brier and mean prediction on the hold-out; then the two
    intercept-or-slope choices refitted on random subsets of the latest period (few labels)."""
    import copy

    import numpy as np
    from sklearn.base import clone
    from sklearn.calibration import CalibratedClassifierCV
    from sklearn.frozen import FrozenEstimator
    from sklearn.metrics import brier_score_loss, roc_auc_score
    from sklearn.model_selection import StratifiedKFold, cross_val_predict

    from orientamento.risk import frames, training
    from orientamento.risk.calibration import ece_equal_mass, ece_interval, shift_intercept
    from orientamento.risk.evaluation import calibration_error
    from orientamento.risk.spec import load_spec

    spec = load_spec(str(spec_path))[0]
    data = frames.dataset(spec, frames.read_table(data_path))
    mask, _how = training.split(spec, data)
    assert data.times is not None, "a temporal split needs the time column"
    x, y, x_test, y_test = (data.inputs[~mask], data.labels[~mask], data.inputs[mask],
                            data.labels[mask])
    times = data.times[~mask].reset_index(drop=True)
    latest = (times == max(times)).to_numpy()
    model = training.candidates(spec)[algorithm]
    folds = StratifiedKFold(n_splits=5, shuffle=True, random_state=spec.seed)
    oof = cross_val_predict(clone(model), x, y, cv=folds, method="decision_function")
    final = clone(model).fit(x, y)
    held = final.decision_function(x_test)[:, None]

    def on_scores(method: str, pick: np.ndarray) -> Any:
        fitted = CalibratedClassifierCV(_score_model(), method=method)
        return fitted.fit(oof[pick, None], y[pick])

    everyone = np.ones(len(y), dtype=bool)
    platt_all = on_scores("sigmoid", everyone)

    def shifted(pick: np.ndarray) -> np.ndarray:
        moved = copy.deepcopy(platt_all)
        shift_intercept(moved.calibrated_classifiers_[0].calibrators[0], oof[pick], y[pick])
        return np.asarray(moved.predict_proba(held)[:, 1])

    earlier = clone(model).fit(x[~latest], y[~latest])
    methods: dict[str, np.ndarray] = {
        "none (Platt, all training rows, cross-validated)": platt_all.predict_proba(held)[:, 1],
        "intercept on latest, slope kept (calibration: latest)": shifted(latest),
        "Platt (sigmoid) on latest": on_scores("sigmoid", latest).predict_proba(held)[:, 1],
        "temperature on latest": on_scores("temperature", latest).predict_proba(held)[:, 1],
        "isotonic on latest": on_scores("isotonic", latest).predict_proba(held)[:, 1],
        "prefit sigmoid on latest, in-sample scores": CalibratedClassifierCV(
            FrozenEstimator(final), method="sigmoid").fit(x[latest], y[latest])
        .predict_proba(x_test)[:, 1],
        "prefit sigmoid on latest, model without it": CalibratedClassifierCV(
            FrozenEstimator(earlier), method="sigmoid").fit(x[latest], y[latest])
        .predict_proba(x_test)[:, 1],
    }
    out = []
    for name, p in methods.items():
        e = ece_interval(y_test, p, spec.seed + 2)
        out.append({"data": spec.name, "method": name, "latest": f"{max(times)} "
                    f"n={int(latest.sum())} rate={y[latest].mean():.3f}",
                    "ece": f"{e['value']:.4f} [{e['low']:.4f}-{e['high']:.4f}]",
                    "ece_mass": f"{ece_equal_mass(y_test, p):.4f}",
                    "roc_auc": f"{roc_auc_score(y_test, p):.4f}",
                    "brier": f"{brier_score_loss(y_test, p):.4f}",
                    "mean_p": f"{p.mean():.3f} (rate {y_test.mean():.3f})"})
    rng = np.random.default_rng(spec.seed)
    where = np.flatnonzero(latest)
    for n in (100, 300, 1000, 3000):
        if n >= len(where):
            continue
        drawn: dict[str, list[float]] = {"intercept": [], "Platt": []}
        for _ in range(20):
            pick = np.zeros(len(y), dtype=bool)
            pick[rng.choice(where, n, replace=False)] = True
            drawn["intercept"].append(calibration_error(y_test, shifted(pick)))
            drawn["Platt"].append(calibration_error(
                y_test, on_scores("sigmoid", pick).predict_proba(held)[:, 1]))
        for name, values in drawn.items():
            out.append({"data": spec.name, "method": f"{name} on {n} random rows of latest",
                        "latest": "20 draws", "ece": f"mean {np.mean(values):.4f} "
                        f"(90th pct {np.percentile(values, 90):.4f})", "ece_mass": "-",
                        "roc_auc": "-", "brier": "-", "mean_p": "-"})
    return out


def main(argv: list[str] | None = None) -> int:
    """Run the given spec, or every shipped one whose file is present; print and write JSON."""
    argv = sys.argv[1:] if argv is None else argv
    compare = "--calibration" in argv
    argv = [a for a in argv if a != "--calibration"]
    if argv:
        todo = [{"spec": argv[0], "data": argv[1], "published": "-"}]
        base = Path.cwd()
    else:
        if not DATA.is_dir():
            print(f"validation data folder {DATA} not found: skipped")
            return 0
        todo, base = jobs(), SPECS
    rows, details, calibration = [], [], []
    for job in todo:
        data_path = Path(job["data"]) if argv else DATA / job["data"]
        if not data_path.is_file():
            print(f"{data_path} not found: {job['spec']} skipped")
            continue
        spec, metrics = run(base / job["spec"], data_path)
        rows.append(row(spec.name, metrics, job.get("published", "-")))
        details += group_lines(spec.name, metrics)
        if compare and metrics.get("recalibration"):
            calibration += calibration_rows(base / job["spec"], data_path, metrics["algorithm"])
    if not rows:
        return 0
    print_table(rows)
    print("\n".join(details))
    RESULTS.mkdir(parents=True, exist_ok=True)
    (RESULTS / "validate_risk.json").write_text(json.dumps(rows, indent=2), encoding="utf-8")
    if calibration:
        print()
        print_table(calibration)
        (RESULTS / "validate_risk_calibration.json").write_text(
            json.dumps(calibration, indent=2), encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
