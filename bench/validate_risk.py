"""Validate the risk pipeline on real public data: OULAD and UCI Student Performance.

Writes a spec per data set (nothing but YAML: the pipeline is the one `flask risk train`
runs), trains and evaluates it, and prints the model-card metrics beside the plain
logistic-regression figures published in ../shared/data/README.md. The data are read from
``ORIENTAMENTO_VALIDATION_DATA`` (default ``../shared/data``) and never copied; when the
folder is absent the script says so and exits 0.

    .venv/bin/python -m bench.validate_risk            # prints a table, writes JSON
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
RESULTS = ROOT / "bench" / "results"

#: Published plain logistic-regression figures (../shared/data/README.md).
PUBLISHED = {
    "oulad": "LR ROC-AUC ~0.67 (CV), ~0.63 trained 2013 -> tested 2014; ECE ~0.005 -> ~0.09",
    "uci_portuguese": "LR ROC-AUC ~0.80; accuracy at 0.5 (~85%) equals always-pass",
    "uci_mathematics": "at top-20%: girls ~2.5x the false-positive rate of boys",
}


def _texts(text: str) -> dict[str, str]:
    return {"it": text, "en": text, "ar": text}


def _feature(name: str, kind: str) -> dict[str, Any]:
    return {"name": name, "type": kind, "required": False,
            "reasons": {"up": _texts(f"{name} raises the risk"),
                        "down": _texts(f"{name} lowers the risk")}}


def _spec(name: str, features: dict[str, str], **fields: Any) -> dict[str, Any]:
    return {"name": name, "title": _texts(name), "description": _texts(f"Validation: {name}"),
            "intended_use": _texts("Validation of the pipeline on public data."),
            "out_of_scope": _texts("Any decision about a person."),
            "features": [_feature(n, k) for n, k in features.items()], **fields}


def oulad() -> tuple[dict[str, Any], str]:
    """OULAD studentInfo: intake columns, label Withdrawn, 2013 -> 2014."""
    features = {"code_module": "categorical", "region": "categorical",
                "highest_education": "categorical", "imd_band": "categorical",
                "num_of_prev_attempts": "numeric", "studied_credits": "numeric"}
    return _spec("oulad", features, id="id_student", time="code_presentation",
                 holdout_from="2014", label={"column": "final_result", "positive": ["Withdrawn"]},
                 protected=["gender", "disability", "age_band"],
                 audit=[{"name": "gender", "column": "gender"},
                        {"name": "age_band", "column": "age_band"},
                        {"name": "disability", "column": "disability"}],
                 baseline=[{"feature": "num_of_prev_attempts"},
                           {"feature": "studied_credits"}],
                 capacity=0.2), "oulad_studentInfo.csv"


def _uci(name: str) -> dict[str, Any]:
    categorical = ("school", "address", "famsize", "Pstatus", "Mjob", "Fjob", "reason",
                   "guardian")
    boolean = ("schoolsup", "famsup", "paid", "activities", "nursery", "higher", "internet",
               "romantic")
    numeric = ("age", "Medu", "Fedu", "traveltime", "studytime", "failures", "famrel",
               "freetime", "goout", "Dalc", "Walc", "health", "absences")
    features = {c.lower(): "categorical" for c in categorical}
    features |= {c: "boolean" for c in boolean} | {c.lower(): "numeric" for c in numeric}
    return _spec(name, features, id="row", label={"column": "g3", "below": 10},
                 protected=["sex"], audit=[{"name": "sex", "column": "sex"}],
                 baseline=[{"feature": "failures"}, {"feature": "absences"}], capacity=0.2)


def run(spec_data: dict[str, Any], filename: str) -> dict[str, Any]:
    """Train and evaluate one spec on one file; the metrics the card shows."""
    from orientamento.risk import frames, training
    from orientamento.risk.spec import parse_spec

    spec = parse_spec(yaml.safe_dump(spec_data, allow_unicode=True), spec_data["name"])
    table = frames.read_table(DATA / filename)
    if "G3" in table.columns:  # UCI: lower-case names (spec names are), and a row id
        table.columns = [c.lower() for c in table.columns]
        table["row"] = range(len(table))
    return training.train(spec, frames.dataset(spec, table)).metrics


def _row(name: str, m: dict[str, Any]) -> dict[str, Any]:
    sex_or_gender = next(iter(m["fairness"].values()))
    fpr = sex_or_gender["ratios"].get("false_positive_rate")
    return {
        "data": name, "rows": f"{m['rows']['train']}/{m['rows']['holdout']}",
        "split": m["holdout"]["kind"] + (f" >= {m['holdout']['from']}"
                                         if m["holdout"]["from"] else ""),
        "chosen": m["algorithm"],
        "lr_auc": m["candidates"]["logistic_regression"]["roc_auc"],
        "gb_auc": m["candidates"]["gradient_boosting"]["roc_auc"],
        "roc_auc": f"{m['roc_auc']['value']:.3f} [{m['roc_auc']['low']:.3f}-"
                   f"{m['roc_auc']['high']:.3f}]",
        "pr_auc": f"{m['pr_auc']['value']:.3f}", "base": m["base_rate"]["holdout"],
        "brier": f"{m['brier']:.3f}/{m['brier_base_rate']:.3f}", "ece": m["ece"],
        "recall_k": m["capacity"]["recall"], "precision_k": m["capacity"]["precision"],
        "rule_auc": m["baseline"]["roc_auc"], "fpr_ratio": fpr,
        "proxies": ",".join(sorted({f"{p['feature']}>{p['attribute']}"
                                    for p in m["proxies"] if p["flagged"]})) or "-",
        "published": PUBLISHED[name],
    }


def main() -> int:
    """Run every validation whose file is present; print a table and write JSON."""
    if not DATA.is_dir():
        print(f"validation data folder {DATA} not found: skipped")
        return 0
    jobs = [("oulad", *oulad()), ("uci_portuguese", _uci("uci_portuguese"), "student-por.csv"),
            ("uci_mathematics", _uci("uci_mathematics"), "student-mat.csv")]
    rows = []
    for name, spec, filename in jobs:
        if not (DATA / filename).is_file():
            print(f"{filename} not found: {name} skipped")
            continue
        rows.append(_row(name, run(spec, filename)))
    if not rows:
        return 0
    columns = list(rows[0])
    print(" | ".join(columns))
    for row in rows:
        print(" | ".join(str(row[c]) for c in columns))
    RESULTS.mkdir(parents=True, exist_ok=True)
    (RESULTS / "validate_risk.json").write_text(json.dumps(rows, indent=2), encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
