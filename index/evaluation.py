"""Measuring retrieval against a question set whose answers are verbatim spans of the corpus.

Each line of the set is `{"id", "question", "kind", "relevant": [{"doc", "span"}]}`; an empty
`relevant` list marks a question the notes cannot answer. A hit is relevant when its note holds
one of the spans (compared with white space folded, as extraction may wrap lines differently).
"""

from __future__ import annotations

import json
import re
from collections import defaultdict
from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from pathlib import Path

from index.answer import Answer, Outcome
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


WORDS_NEED_NOT_MATCH = frozenset({"paraphrase", "english"})
"""Kinds whose questions use other words than the notes: shown as related notes is right for them."""


@dataclass
class QuestionResult:
    id: str
    question: str
    kind: str
    answerable: bool
    outcome: str
    first_relevant_rank: int | None
    quote_holds_span: bool
    spans_found: int
    spans_total: int
    source: str = ""

    @property
    def answered(self) -> bool:
        return self.outcome == Outcome.ANSWERED

    @property
    def shown_nothing(self) -> bool:
        return self.outcome == Outcome.NOTHING


@dataclass
class EvalReport:
    questions: int
    answerable: int
    unanswerable: int
    recall: dict[str, float]
    """Relevant note among the first k hits shown, answered or as related notes."""
    mrr_at_5: float
    quote_recall: float
    span_recall: float
    unanswerable_not_answered: float
    """Unanswerable questions shown nothing or only related notes under the honest heading."""
    answerable_shown_nothing: float
    answered_where_words_match: float
    """Answerable questions of kinds whose words the notes use, marked answered."""
    by_kind: dict[str, dict[str, float]]
    by_source: dict[str, dict[str, float]] = field(default_factory=dict)
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


def judge(question: EvalQuestion, answer: Answer, source: str = "") -> QuestionResult:
    spans = [fold_space(span) for span in question.spans]
    first_rank = None
    quote_ok = False
    found: set[str] = set()
    if answer.shows_hits:
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
        outcome=str(answer.outcome),
        first_relevant_rank=first_rank,
        quote_holds_span=quote_ok,
        spans_found=len(found),
        spans_total=len(set(spans)),
        source=source,
    )


def summarise(results: list[QuestionResult]) -> EvalReport:
    answerable = [r for r in results if r.answerable]
    unanswerable = [r for r in results if not r.answerable]
    by_kind: dict[str, list[QuestionResult]] = defaultdict(list)
    by_source: dict[str, list[QuestionResult]] = defaultdict(list)
    for result in results:
        by_kind[result.kind].append(result)
        by_source[result.source].append(result)
    missed = [
        {"id": r.id, "question": r.question, "kind": r.kind, "outcome": r.outcome, "why": _why_missed(r)}
        for r in results
        if _why_missed(r)
    ]
    spans_total = sum(r.spans_total for r in answerable)
    return EvalReport(
        questions=len(results),
        answerable=len(answerable),
        unanswerable=len(unanswerable),
        recall={f"@{k}": _share(answerable, _recall_at(k)) for k in K_VALUES},
        mrr_at_5=_mrr(answerable),
        quote_recall=_share(answerable, lambda r: r.quote_holds_span),
        span_recall=round(sum(r.spans_found for r in answerable) / spans_total, 3) if spans_total else 0.0,
        unanswerable_not_answered=_share(unanswerable, lambda r: not r.answered),
        answerable_shown_nothing=_share(answerable, lambda r: r.shown_nothing),
        answered_where_words_match=_share(
            [r for r in answerable if r.kind not in WORDS_NEED_NOT_MATCH], lambda r: r.answered
        ),
        by_kind={kind: _figures(items) for kind, items in sorted(by_kind.items())},
        by_source={source: _figures(items) for source, items in by_source.items()} if len(by_source) > 1 else {},
        missed=missed,
    )


def _share(items: list[QuestionResult], test: Callable[[QuestionResult], bool]) -> float:
    return round(sum(1 for r in items if test(r)) / len(items), 3) if items else 0.0


def _recall_at(k: int) -> Callable[[QuestionResult], bool]:
    return lambda r: r.first_relevant_rank is not None and r.first_relevant_rank <= k


def _mrr(answerable: list[QuestionResult]) -> float:
    if not answerable:
        return 0.0
    return round(sum(1 / r.first_relevant_rank for r in answerable if r.first_relevant_rank) / len(answerable), 3)


def _figures(items: list[QuestionResult]) -> dict[str, float]:
    """A group's figures: retrieval for answerable questions, outcomes for all."""
    answerable = [r for r in items if r.answerable]
    figures: dict[str, float] = {"questions": len(items)}
    if answerable:
        figures.update({
            "recall@5": _share(answerable, _recall_at(5)),
            "mrr@5": _mrr(answerable),
            "quote_recall": _share(answerable, lambda r: r.quote_holds_span),
        })
    figures.update({
        "answered": _share(items, lambda r: r.answered),
        "related": _share(items, lambda r: r.outcome == Outcome.RELATED),
        "nothing": _share(items, lambda r: r.shown_nothing),
    })
    return figures


def _why_missed(result: QuestionResult) -> str:
    if not result.answerable:
        return "markerad som besvarad trots att inget finns" if result.answered else ""
    if result.shown_nothing:
        return "visade inget"
    if result.first_relevant_rank is None:
        return "ingen relevant anteckning bland de 5 första"
    if not result.quote_holds_span:
        return f"relevant anteckning på plats {result.first_relevant_rank}, men citatet saknar spannet"
    if not result.answered and result.kind not in WORDS_NEED_NOT_MATCH:
        return "visades bara som närliggande, fast anteckningarna använder frågans ord"
    return ""
