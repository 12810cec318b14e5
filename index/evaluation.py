"""Measuring retrieval against a question set whose answers are verbatim spans of the corpus.

Each line of the set is `{"id", "question", "kind", "relevant": [{"doc", "span"}]}`; an empty
`relevant` list marks a question the notes cannot answer. A hit is relevant when its note holds
one of the spans (compared with white space folded, as extraction may wrap lines differently).
"""

from __future__ import annotations

import json
import re
from collections import defaultdict
from dataclasses import asdict, dataclass, field
from pathlib import Path

from index.answer import Answer
from index.errors import SamordnaError

K_VALUES = (1, 3, 5)


@dataclass(frozen=True)
class EvalQuestion:
    id: str
    question: str
    kind: str
    spans: tuple[str, ...]

    @property
    def answerable(self) -> bool:
        return bool(self.spans)


@dataclass
class QuestionResult:
    id: str
    question: str
    kind: str
    answerable: bool
    answered: bool
    first_relevant_rank: int | None
    quote_holds_span: bool
    spans_found: int
    spans_total: int


@dataclass
class EvalReport:
    questions: int
    answerable: int
    unanswerable: int
    recall: dict[str, float]
    mrr_at_5: float
    quote_recall: float
    span_recall: float
    abstained_unanswerable: float
    false_abstention: float
    by_kind: dict[str, dict[str, float]]
    missed: list[dict] = field(default_factory=list)

    def to_dict(self) -> dict:
        return asdict(self)


def load_questions(path: Path) -> list[EvalQuestion]:
    try:
        lines = Path(path).read_text(encoding="utf-8").splitlines()
    except OSError as error:
        raise SamordnaError(f"Frågefilen {path} kunde inte läsas: {error.strerror or error}") from error
    questions = []
    for number, line in enumerate(lines, start=1):
        if not line.strip():
            continue
        try:
            data = json.loads(line)
            questions.append(
                EvalQuestion(
                    id=str(data.get("id", number)),
                    question=data["question"],
                    kind=data.get("kind", "okänd"),
                    spans=tuple(item["span"] for item in data.get("relevant", [])),
                )
            )
        except (ValueError, KeyError, TypeError) as error:
            raise SamordnaError(f"Rad {number} i {path} är inte en giltig fråga: {error}") from error
    if not questions:
        raise SamordnaError(f"Frågefilen {path} innehåller inga frågor.")
    return questions


def fold_space(text: str) -> str:
    return re.sub(r"\s+", " ", text).strip()


def judge(question: EvalQuestion, answer: Answer) -> QuestionResult:
    spans = [fold_space(span) for span in question.spans]
    first_rank = None
    quote_ok = False
    found: set[str] = set()
    if answer.answered:
        for hit in answer.hits[:5]:
            text, quote = fold_space(hit.note.text), fold_space(hit.quote)
            inside = [span for span in spans if span in text]
            found.update(inside)
            if inside and first_rank is None:
                first_rank = hit.rank
            quote_ok = quote_ok or any(span in quote for span in spans)
    return QuestionResult(
        id=question.id,
        question=question.question,
        kind=question.kind,
        answerable=question.answerable,
        answered=answer.answered,
        first_relevant_rank=first_rank,
        quote_holds_span=quote_ok,
        spans_found=len(found),
        spans_total=len(set(spans)),
    )


def summarise(results: list[QuestionResult]) -> EvalReport:
    answerable = [r for r in results if r.answerable]
    unanswerable = [r for r in results if not r.answerable]

    def share(items: list[QuestionResult], test) -> float:
        return round(sum(1 for r in items if test(r)) / len(items), 3) if items else 0.0

    def recall_at(k: int):
        return lambda r: r.first_relevant_rank is not None and r.first_relevant_rank <= k

    by_kind: dict[str, list[QuestionResult]] = defaultdict(list)
    for result in results:
        by_kind[result.kind].append(result)
    kinds = {}
    for kind, items in sorted(by_kind.items()):
        if items[0].answerable:
            kinds[kind] = {
                "questions": len(items),
                "recall@5": share(items, recall_at(5)),
                "quote_recall": share(items, lambda r: r.quote_holds_span),
            }
        else:
            kinds[kind] = {"questions": len(items), "abstained": share(items, lambda r: not r.answered)}
    missed = [
        {"id": r.id, "question": r.question, "kind": r.kind,
         "why": _why_missed(r)}
        for r in results
        if _why_missed(r)
    ]
    spans_total = sum(r.spans_total for r in answerable)
    return EvalReport(
        questions=len(results),
        answerable=len(answerable),
        unanswerable=len(unanswerable),
        recall={f"@{k}": share(answerable, recall_at(k)) for k in K_VALUES},
        mrr_at_5=round(
            sum(1 / r.first_relevant_rank for r in answerable if r.first_relevant_rank) / len(answerable), 3
        ) if answerable else 0.0,
        quote_recall=share(answerable, lambda r: r.quote_holds_span),
        span_recall=round(sum(r.spans_found for r in answerable) / spans_total, 3) if spans_total else 0.0,
        abstained_unanswerable=share(unanswerable, lambda r: not r.answered),
        false_abstention=share(answerable, lambda r: not r.answered),
        by_kind=kinds,
        missed=missed,
    )


def _why_missed(result: QuestionResult) -> str:
    if not result.answerable:
        return "" if not result.answered else "svarade trots att inget finns"
    if not result.answered:
        return "avstod felaktigt"
    if result.first_relevant_rank is None:
        return "ingen relevant anteckning bland de 5 första"
    if not result.quote_holds_span:
        return f"relevant anteckning på plats {result.first_relevant_rank}, men citatet saknar spannet"
    return ""
