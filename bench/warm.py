"""Warm queries: the dev questions answered over and over by one process holding the index."""

from __future__ import annotations

from pathlib import Path

from bench.measure import run_worker
from bench.report import Figure, Row

TARGET_P95_MS = 50.0


def measure(corpus: Path, index_dir: Path, questions_file: Path, rounds: int) -> Figure:
    served = run_worker(
        "serve", "--corpus", str(corpus), "--index", str(index_dir),
        "--questions", str(questions_file), "--rounds", str(rounds),
    )
    rows = [
        Row("Warm queries: p50", served["p50_ms"], "ms"),
        Row("Warm queries: p95", served["p95_ms"], "ms", f"< {TARGET_P95_MS:g} ms",
            served["p95_ms"] < TARGET_P95_MS),
    ]
    return Figure(rows, served)
