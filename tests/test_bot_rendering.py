"""The bot's HTML, checked as Telegram would: allowed tags only, balanced, escaped, and within
4096 characters however long the question, the quotes or the note."""

from __future__ import annotations

import html

import pytest
from botapi_standin import telegram_html_problems, visible_length, visible_text

from bot.buttons import CALLBACK_LIMIT, MoreHits, QuestionMemory, ShowNote, answer_keyboard, parse_callback
from bot.buttons import without_more_button as keyboard_without_more
from bot.rendering import (
    MESSAGE_LIMIT,
    fit,
    render_answer,
    render_note,
    sources_html,
    telegram_length,
)
from index.answer import Answer, Hit, Outcome
from index.notes import Note, Role
from index.store import DocumentInfo, Manifest

NASTY = 'Bord <3> & "kultur" </blockquote><b>fet</b> &amp; 😀'


def note(text: str, **facts: object) -> Note:
    values: dict = {"doc": "a.txt", "title": "Titel & <mer>", "section": ("Bord 1", NASTY),
                    "roles": (Role("ledare", "A & B"),), "page": 3, "extra": {"date": "2024-05-01"}}
    values.update(facts)
    return Note(text=text, **values)


def hit(rank: int, quote: str, text: str | None = None) -> Hit:
    return Hit(rank=rank, score=1.0 / rank, note=note(text or quote), quote=quote)


def answer(*hits: Hit, question: str = "Vad sades om <b>SIP</b> & samverkan?") -> Answer:
    return Answer(question=question, outcome=Outcome.ANSWERED, hits=hits)


def test_document_and_user_text_is_escaped() -> None:
    [page] = render_answer(answer(hit(1, NASTY)))
    assert telegram_html_problems(page.html) == []
    shown = visible_text(page.html)
    assert "Vad sades om <b>SIP</b> & samverkan?" in shown
    assert shown.count(NASTY) == 2  # the quote and the section of its source
    assert "Titel & <mer>" in shown and "ledare: A & B" in shown and "s. 3" in shown and "2024-05-01" in shown


def test_many_long_hits_are_split_between_hits_never_inside_one() -> None:
    hits = [hit(rank, f"Citat {rank}. " + "Långt resonemang om samverkan & stöd. " * 30) for rank in range(1, 13)]
    pages = render_answer(answer(*hits))
    assert len(pages) > 1
    assert [h.rank for page in pages for h in page.hits] == list(range(1, 13))
    for page in pages:
        assert telegram_html_problems(page.html) == []
        assert telegram_length(page.html) <= MESSAGE_LIMIT
        for h in page.hits:
            assert html.escape(h.quote, quote=False) in page.html  # whole quotes only


def test_an_enormous_quote_and_question_are_cut_to_fit() -> None:
    huge = "ord " * 5000
    [page] = render_answer(answer(hit(1, huge), question="fråga " * 2000))
    assert telegram_html_problems(page.html) == []
    assert telegram_length(page.html) <= MESSAGE_LIMIT
    assert page.html.count("[…]") == 2


def test_length_is_counted_as_telegram_does() -> None:
    assert telegram_length("😀") == 2
    text = fit("😀" * 3000, 4000)
    assert telegram_length(text) <= 4000 and text.endswith("[…]")
    assert fit("a & b", 100) == "a &amp; b"


def test_abstention_is_plain() -> None:
    [page] = render_answer(Answer(question="x", outcome=Outcome.NOTHING, hits=()))
    assert visible_text(page.html).startswith("Jag hittade inget om det i anteckningarna.")
    assert page.hits == ()


@pytest.mark.parametrize("text", ["Kort anteckning & <taggar>.", ("Stycke med text. " * 40 + "\n\n") * 20, "x" * 9000])
def test_a_whole_note_is_split_where_it_can_be(text: str) -> None:
    messages = render_note(note(text))
    for message in messages:
        assert telegram_html_problems(message) == []
        assert telegram_length(message) <= MESSAGE_LIMIT
    body = "".join(visible_text(message) for message in messages)
    assert "".join(text.split()) in "".join(body.split())


def test_sources_fit_in_messages() -> None:
    documents = [DocumentInfo(doc=f"dok{i}.pdf", title=f"Dokument {i} & <bilaga>", notes=i, date="2024", organiser="X")
                 for i in range(200)]
    manifest = Manifest(format=1, embedder="e", embedding_model="m", query_prefix=None, passage_prefix=None, dim=3,
                        corpus={}, note_count=10, built_at="2024-05-01T10:00:00+00:00", dense_index="exact",
                        sentence_index="exact", documents=documents)
    messages = sources_html(manifest)
    assert len(messages) > 1
    assert all(telegram_html_problems(m) == [] and telegram_length(m) <= MESSAGE_LIMIT for m in messages)
    assert sum(visible_text(m).count("Dokument ") for m in messages) == 200


def test_callback_data_is_small_and_round_trips() -> None:
    memory = QuestionMemory()
    more = MoreHits(memory.remember("Vad sades om SIP? " * 50), offset=99995)
    show = ShowNote("0123456789abcdef")
    for action in (more, show):
        assert len(action.data().encode()) <= CALLBACK_LIMIT
        assert parse_callback(action.data()) == action
    assert memory.recall(more.question_key) == "Vad sades om SIP? " * 50
    assert parse_callback("n:../etc") is None and parse_callback(None) is None and parse_callback("m:abc:x") is None


def test_question_memory_forgets_the_oldest() -> None:
    memory = QuestionMemory(capacity=2)
    first = memory.remember("ett")
    memory.remember("två")
    memory.remember("tre")
    assert memory.recall(first) is None


def test_the_used_more_button_is_removed_and_note_buttons_stay() -> None:
    hits = [hit(1, "a"), hit(2, "b")]
    keyboard = answer_keyboard(hits, MoreHits("abc", 2))
    remaining = keyboard_without_more(keyboard)
    assert [row[0].text for row in remaining.inline_keyboard] == [f"{n}. Visa hela anteckningen" for n in (1, 2)]
    assert keyboard_without_more(answer_keyboard([], MoreHits("abc", 5))) is None


def test_the_standin_checks_html_like_telegram() -> None:
    assert telegram_html_problems("<b>ok</b> &amp; &lt;") == []
    assert telegram_html_problems("<b>open")
    assert telegram_html_problems("a & b")
    assert telegram_html_problems("<div>x</div>")
    assert telegram_html_problems("<b><i>x</b></i>")
    assert visible_length("<b>ab</b>&amp;") == 3
