"""Small measuring tools shared by the figures: percentiles, process memory, sizes, worker runs."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import numpy as np

REPO = Path(__file__).resolve().parents[1]


def percentile_ms(seconds: list[float], q: float) -> float:
    return float(np.percentile(np.asarray(seconds) * 1000.0, q))


def process_memory_mb(field: str) -> float:
    """VmRSS (resident now) or VmHWM (peak resident) of this process, from /proc/self/status."""
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith(f"{field}:"):
            return int(line.split()[1]) / 1024
    raise RuntimeError(f"{field} not in /proc/self/status")


def folder_mb(folder: Path) -> float:
    return sum(path.stat().st_size for path in folder.rglob("*") if path.is_file()) / 2**20


def run_worker(*args: str, quiet: bool = False) -> dict:
    """Run `python -m bench.worker ARGS` in a fresh process and return the JSON it prints.

    Each measurement gets its own process so memory figures are its own, not the bench's.
    `quiet` keeps the worker's stderr (logs, progress) to show only if it fails."""
    done = subprocess.run(
        [sys.executable, "-m", "bench.worker", *args],
        cwd=REPO, stdout=subprocess.PIPE, stderr=subprocess.PIPE if quiet else None, text=True,
        env={**os.environ, "PYTHONPATH": str(REPO)}, check=False,
    )
    if done.returncode != 0:
        raise RuntimeError(f"bench.worker {args[0]} failed ({done.returncode}): {(done.stderr or '')[-3000:]}")
    return json.loads(done.stdout.strip().splitlines()[-1])
