"""The inline buttons under answers, and what their callback data means.

Callback data may hold at most 64 bytes, so it carries keys, never text: a note's content hash
(which stays valid across rebuilds as long as the note's text is unchanged), a short key of the
question, remembered in memory, or the number of the answer in the feedback database. A key that
no longer resolves is answered as "inaktuell". Nothing in it is trusted: the chat's scope is
looked up for every press, so a forged note id of another scope finds nothing.
"""

from __future__ import annotations

import hashlib
from collections import OrderedDict
from collections.abc import Sequence
from dataclasses import dataclass

from telegram import InlineKeyboardButton, InlineKeyboardMarkup

from bot.feedback import Verdict
from index.answer import Hit

CALLBACK_LIMIT = 64
SHOW_NOTE = "n"
MORE_HITS = "m"
FEEDBACK = "f"
VERDICT_CODES = {Verdict.UP: "u", Verdict.DOWN: "d"}
VERDICT_LABELS = {Verdict.UP: "👍 Svaret hjälpte", Verdict.DOWN: "👎 Inget av det här"}


@dataclass(frozen=True)
class ShowNote:
    note_id: str

    def data(self) -> str:
        return f"{SHOW_NOTE}:{self.note_id}"


@dataclass(frozen=True)
class MoreHits:
    question_key: str
    offset: int
    """How many hits were shown already."""

    def data(self) -> str:
        return f"{MORE_HITS}:{self.question_key}:{self.offset}"


@dataclass(frozen=True)
class GiveFeedback:
    answer_id: int
    verdict: Verdict

    def data(self) -> str:
        return f"{FEEDBACK}:{self.answer_id}:{VERDICT_CODES[self.verdict]}"


def parse_callback(data: str | None) -> ShowNote | MoreHits | GiveFeedback | None:
    """The button pressed, or None for data this version of the bot never made."""
    kind, _, rest = (data or "").partition(":")
    if kind == FEEDBACK:
        answer_id, _, code = rest.partition(":")
        verdict = next((verdict for verdict, known in VERDICT_CODES.items() if known == code), None)
        if answer_id.isdigit() and verdict is not None:
            return GiveFeedback(int(answer_id), verdict)
    if kind == SHOW_NOTE and rest.isalnum():
        return ShowNote(rest)
    if kind == MORE_HITS:
        key, _, offset = rest.partition(":")
        if key.isalnum() and offset.isdigit():
            return MoreHits(key, int(offset))
    return None


class QuestionMemory:
    """Recent questions by a short key, so "Fler träffar" can ask again; the oldest are forgotten."""

    def __init__(self, capacity: int = 10_000) -> None:
        self.capacity = capacity
        self._questions: OrderedDict[str, str] = OrderedDict()

    def remember(self, question: str) -> str:
        key = hashlib.sha256(question.encode("utf-8")).hexdigest()[:12]
        self._questions[key] = question
        self._questions.move_to_end(key)
        while len(self._questions) > self.capacity:
            self._questions.popitem(last=False)
        return key

    def recall(self, key: str) -> str | None:
        return self._questions.get(key)


def answer_keyboard(
    hits: Sequence[Hit], more: MoreHits | None = None, feedback_for: int | None = None
) -> InlineKeyboardMarkup | None:
    """One "Visa hela anteckningen" button per hit, "Fler träffar" when there are more, and the
    👍/👎 pair when the answer was stored as `feedback_for`."""
    rows = [
        [InlineKeyboardButton(f"{hit.rank}. Visa hela anteckningen", callback_data=ShowNote(hit.note.id).data())]
        for hit in hits
    ]
    if more is not None:
        rows.append([InlineKeyboardButton("Fler träffar", callback_data=more.data())])
    if feedback_for is not None:
        rows.append([
            InlineKeyboardButton(label, callback_data=GiveFeedback(feedback_for, verdict).data())
            for verdict, label in VERDICT_LABELS.items()
        ])
    return InlineKeyboardMarkup(rows) if rows else None


def without_more_button(markup: InlineKeyboardMarkup | None) -> InlineKeyboardMarkup | None:
    """The keyboard of an answer once its "Fler träffar" has been used: the note buttons stay."""
    if markup is None:
        return None
    rows = [
        list(row)
        for row in markup.inline_keyboard
        if not any(isinstance(button.callback_data, str) and button.callback_data.startswith(f"{MORE_HITS}:")
                   for button in row)
    ]
    return InlineKeyboardMarkup(rows) if rows else None
