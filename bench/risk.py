"""Risk benchmark: training time on 200,000 rows; scoring 1,000,000 records with reasons.

Scoring runs chunk by chunk exactly as ``score_snapshot`` does (``score_frame``: prepare,
check required inputs, predict, explain, pick the top 3), on synthetic records generated
chunk by chunk, so memory is bounded by the chunk. The floor is a bare ``predict_proba`` on
the same prepared matrices. Prints a table and writes bench/results/risk.json.

``--openmp-threads N`` limits scikit-learn's OpenMP pool while scoring (the floor and the
scoring alike): on a shared 2-core machine the default pool spins against other processes,
which slows the floor several times and flatters the ratio; 1 gives the sober figure.

    .venv/bin/python -m bench.risk [--train-rows 200000] [--score-rows 1000000] \
        [--openmp-threads N]
"""

from __future__ import annotations

import argparse
import json
import resource
import tempfile
import time
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import skops.io as sio
from threadpoolctl import threadpool_limits

from orientamento.risk import frames, training
from orientamento.risk.scoring import CHUNK, score_frame
from orientamento.risk.spec import load_spec
from orientamento.risk.synth import _cohort, write_synthetic

RESULTS = Path(__file__).resolve().parent / "results"


def _peak_mib() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def _train(rows: int) -> tuple[bytes, str, float]:
    """In a child process (so its memory does not count for scoring): the saved model."""
    spec, _source = load_spec("neet")
    with tempfile.TemporaryDirectory() as folder:
        files = write_synthetic(Path(folder), rows, seed=11)
        table = frames.attach_labels(spec, frames.read_table(files.records),
                                     frames.read_table(files.outcomes))
        data = frames.dataset(spec, table)
    started = time.perf_counter()
    trained = training.train(spec, data)
    return sio.dumps(trained.artefact()), trained.algorithm, time.perf_counter() - started


def main() -> None:
    """Train, then score in chunks; print the figures."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--train-rows", type=int, default=200_000)
    parser.add_argument("--score-rows", type=int, default=1_000_000)
    parser.add_argument("--openmp-threads", type=int, default=None)
    args = parser.parse_args()
    spec, _source = load_spec("neet")
    with ProcessPoolExecutor(1) as pool:
        blob, algorithm, train_s = pool.submit(_train, args.train_rows).result()
    artefact = sio.loads(blob, trusted=sio.get_untrusted_types(data=blob))
    # Explaining compiles its tree walk on first use (about 2 s): not part of the rate.
    warm = _cohort(np.random.default_rng(0), 10, 2025, 4, 0)[0]
    score_frame(spec, artefact, pd.DataFrame(warm).astype(str).replace({"nan": ""}))
    rng = np.random.default_rng(12)
    before = _peak_mib()
    with threadpool_limits(limits=args.openmp_threads, user_api="openmp"):
        scoring_s, floor_s = _score(spec, artefact, rng, args.score_rows)
    result = {
        "train_rows": args.train_rows, "algorithm": algorithm,
        "train_seconds": round(train_s, 1),
        "score_rows": args.score_rows, "chunk": CHUNK,
        "openmp_threads": args.openmp_threads or "default",
        "score_seconds": round(scoring_s, 1),
        "records_per_second": round(args.score_rows / scoring_s),
        "predict_proba_seconds": round(floor_s, 1),
        "ratio_to_predict_proba": round(scoring_s / floor_s, 2),
        "peak_rss_scoring_process_mib": round(_peak_mib()), "rss_before_scoring_mib": round(before),
    }
    width = max(len(k) for k in result)
    for key, value in result.items():
        print(f"{key:<{width}}  {value}")
    RESULTS.mkdir(parents=True, exist_ok=True)
    (RESULTS / "risk.json").write_text(json.dumps(result, indent=2), encoding="utf-8")


def _score(spec: Any, artefact: dict[str, Any], rng: np.random.Generator,
           rows: int) -> tuple[float, float]:
    """Seconds to score ``rows`` records with reasons, and for the bare predict_proba."""
    scoring_s = floor_s = 0.0
    done = 0
    while done < rows:
        n = min(CHUNK, rows - done)
        columns, _neet = _cohort(rng, n, 2025, 4, done)
        raw = pd.DataFrame(columns).astype(str).replace({"nan": ""})
        started = time.perf_counter()
        scored = score_frame(spec, artefact, raw)
        scoring_s += time.perf_counter() - started
        inputs = frames.prepare(spec, raw)
        started = time.perf_counter()
        artefact["model"].predict_proba(inputs)
        floor_s += time.perf_counter() - started
        assert len(scored.reasons) == n
        done += n
    return scoring_s, floor_s


if __name__ == "__main__":
    main()
