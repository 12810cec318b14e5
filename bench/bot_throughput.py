"""Bot throughput: 50 simulated users sending 5 questions each to the bot, through the Bot API
stand-in (see bench/bot_load.py): time from update to reply, and no reply lost or duplicated.

The worker's stderr is kept back: the stand-in prints a traceback for every call whose client
went away, and the bot cancels its "typing…" calls in flight by design once an answer is ready."""

from __future__ import annotations

from pathlib import Path

from bench.measure import run_worker
from bench.report import Figure, Row

USERS = 50
QUESTIONS_PER_USER = 5


def measure(corpus: Path, index_dir: Path, questions_file: Path) -> Figure:
    result = run_worker(
        "bot", "--corpus", str(corpus), "--index", str(index_dir), "--questions", str(questions_file),
        "--users", str(USERS), "--per-user", str(QUESTIONS_PER_USER), quiet=True,
    )
    label = f"Bot ({USERS} users × {QUESTIONS_PER_USER} questions)"
    faults = result["lost"] + result["duplicated"]
    rows = [
        Row(f"{label}: update → reply p50", result["p50_ms"], "ms"),
        Row(f"{label}: update → reply p95", result["p95_ms"], "ms"),
        Row(f"{label}: answers per second", result["answers_per_second"], "/s"),
        Row(f"{label}: replies lost or duplicated", faults, target="0", ok=faults == 0),
    ]
    return Figure(rows, result)
