"""What the bot does with each update: questions, commands, buttons, uploads and errors.

Access is checked once, ahead of every handler (`gate`), so no path — message, command or
button — reaches note content for someone who is not let in.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager, suppress
from dataclasses import replace

from telegram import (
    BotCommand,
    BotCommandScopeChat,
    Message,
    ReplyParameters,
    Update,
)
from telegram.constants import ChatAction
from telegram.error import BadRequest, NetworkError, TelegramError
from telegram.ext import (
    Application,
    ApplicationHandlerStop,
    CallbackQueryHandler,
    CommandHandler,
    ContextTypes,
    MessageHandler,
    TypeHandler,
    filters,
)

from bot.access import AccessPolicy
from bot.addressing import is_addressed, is_private, replies_to_bot, without_mention
from bot.buttons import (
    GiveFeedback,
    MoreHits,
    QuestionMemory,
    ShowNote,
    answer_keyboard,
    parse_callback,
    without_more_button,
)
from bot.feedback import FeedbackStore, Verdict
from bot.live_index import CorpusChange, LiveIndex, RebuildRunning
from bot.rate_limit import LogThrottle, QuestionRateLimit
from bot.rendering import (
    StatusFacts,
    escape,
    help_html,
    rebuild_failed_html,
    rebuild_progress_html,
    rebuilt_html,
    refusal_html,
    render_answer,
    render_note,
    sources_html,
    start_html,
    status_html,
    uploaded_html,
)
from bot.settings import BotSettings
from bot.uploads import UploadCaption, UploadRefused, check_content, plan_upload, upload_folder
from index.answer import Answer, Outcome
from index.build import BuildReport
from index.errors import SamordnaError
from index.scopes import Scope

log = logging.getLogger(__name__)

Context = ContextTypes.DEFAULT_TYPE

PUBLIC_COMMANDS = (
    BotCommand("start", "Vad jag kan svara på"),
    BotCommand("hjalp", "Hur du frågar, med exempel"),
    BotCommand("fraga", "Ställ en fråga: /fraga vad sades om SIP?"),
    BotCommand("kallor", "Dokumenten jag känner till"),
)
ADMIN_COMMANDS = (
    BotCommand("reindex", "Bygg om indexet från korpusmappen"),
    BotCommand("status", "Index, drifttid och antal frågor"),
)
TYPING_INTERVAL = 4.0
"""Telegram shows "typing…" for five seconds per chat action."""
PROGRESS_INTERVAL = 1.0
"""How often a rebuild's progress message is edited (Telegram limits edits per chat)."""

APOLOGY = "Förlåt, något gick fel när jag skulle svara. Försök igen om en stund."
ADMINS_ONLY = "Det kommandot är bara för administratörer."
UPLOAD_ADMINS_ONLY = "Bara administratörer kan lägga till dokument i korpusen."
ASK_WHAT = "Skriv frågan efter kommandot, t.ex. <code>/fraga Vad sades om SIP?</code>"
NO_MORE_HITS = "Det finns inga fler träffar på den frågan."
STALE_NOTE = "Den här knappen är inaktuell: anteckningen har ändrats sedan svaret gavs. Ställ frågan igen."
STALE_QUESTION = "Den här knappen är inaktuell (boten har startats om sedan svaret gavs). Ställ frågan igen."
UNKNOWN_COMMAND = "Det kommandot känner jag inte till."
STALE_FEEDBACK = "Det svaret finns inte längre sparat, så omdömet kunde inte sparas. Tack ändå!"
THANKS = {Verdict.UP: "Tack! Skönt att svaret hjälpte.", Verdict.DOWN: "Tack för att du sa till."}
CHANGED = {Verdict.UP: "Ändrat till 👍 – tack!", Verdict.DOWN: "Ändrat till 👎 – tack!"}
ASK_FOR_BETTER = (
    "Tack för att du sa till, {name}. Vill du hjälpa mig bli bättre? <b>Svara på det här meddelandet</b> "
    "med anteckningen du letade efter eller hur du hade formulerat frågan. <i>Det du skriver sparas för "
    "att förbättra sökningen.</i>"
)
COMMENT_KEPT = "Tack! Det är sparat och hjälper till att förbättra sökningen."


class BotHandlers:
    """The bot's behaviour, holding what lives as long as the process: access policy, rate limit,
    remembered questions and counters for /status."""

    def __init__(self, settings: BotSettings, live: LiveIndex, feedback: FeedbackStore) -> None:
        self.settings = settings
        self.live = live
        self.feedback = feedback
        self.access = AccessPolicy.of(
            settings.admins, settings.allowed_users, settings.allowed_chats, settings.open_access
        )
        self.rate_limit = QuestionRateLimit(settings.rate_limit_questions, settings.rate_limit_seconds)
        self.questions = QuestionMemory()
        self.refusals_logged = LogThrottle()
        self.started = time.monotonic()
        self.served = 0
        self.abstained = 0

    def install(self, application: Application) -> None:
        new_message = filters.UpdateType.MESSAGE
        application.add_handler(TypeHandler(Update, self.gate), group=-1)
        application.add_handler(CommandHandler("start", self.start, filters=new_message))
        application.add_handler(CommandHandler(["hjalp", "help"], self.help, filters=new_message))
        application.add_handler(CommandHandler("fraga", self.ask_command, filters=new_message))
        application.add_handler(CommandHandler("kallor", self.sources, filters=new_message))
        application.add_handler(CommandHandler("reindex", self.reindex, filters=new_message))
        application.add_handler(CommandHandler("status", self.status, filters=new_message))
        application.add_handler(MessageHandler(new_message & filters.COMMAND, self.unknown_command))
        application.add_handler(MessageHandler(new_message & filters.TEXT, self.text))
        application.add_handler(MessageHandler(new_message & filters.Document.ALL, self.document))
        application.add_handler(MessageHandler(new_message & ~filters.StatusUpdate.ALL, self.other_message))
        application.add_handler(CallbackQueryHandler(self.button))
        application.add_error_handler(self.on_error)

    async def register_commands(self, application: Application) -> None:
        """The command menu: everyone's commands, and for each admin also the admin ones."""
        await application.bot.set_my_commands(PUBLIC_COMMANDS)
        for admin in sorted(self.access.admins):
            try:
                await application.bot.set_my_commands(
                    PUBLIC_COMMANDS + ADMIN_COMMANDS, scope=BotCommandScopeChat(admin)
                )
            except BadRequest as error:  # an admin who has never opened a chat with the bot
                log.warning("Adminkommandona kunde inte visas för %d: %s", admin, error.message)
        log.info("Boten @%s är igång.", application.bot.username)
        self.warn_about_empty_scopes()

    def warn_about_empty_scopes(self) -> None:
        """A scope naming a folder without documents is most likely a typo in SAMORDNA_SCOPES."""
        for folder in sorted(self.settings.named_scopes):
            if not self.live.documents_in_folder(folder):
                log.warning("Mappen %r i SAMORDNA_SCOPES/SAMORDNA_SCOPE_DEFAULT har inga indexerade dokument.", folder)

    async def shutdown(self, application: Application) -> None:
        await asyncio.to_thread(self.feedback.close)

    # Access

    async def gate(self, update: Update, context: Context) -> None:
        """Let members through; refuse everyone else once, politely, with the id to add."""
        user, chat = update.effective_user, update.effective_chat
        if user is None or chat is None:
            raise ApplicationHandlerStop
        if self.access.allows(user.id, chat.id):
            return
        if update.callback_query is not None:
            self._log_refusal(user.id, chat.id, " (knapp)")
            await update.callback_query.answer(
                f"Du har inte tillgång till boten. Be en administratör lägga till ditt Telegram-id {user.id}.",
                show_alert=True,
            )
        elif update.message is not None and is_addressed(update.message, context.bot.username, context.bot.id):
            self._log_refusal(user.id, chat.id)
            if self.access.first_refusal(user.id, chat.id):
                await update.message.reply_text(refusal_html(user.id, chat.id, is_private(update.message)))
        raise ApplicationHandlerStop

    def _log_refusal(self, user_id: int, chat_id: int, what: str = "") -> None:
        held = self.refusals_logged.admit(user_id)
        if held is not None:
            more = f", {held} fler avvisningar sedan förra raden" if held else ""
            log.info("Avvisad user=%d chat=%d%s%s", user_id, chat_id, what, more)

    async def _admin(self, update: Update) -> bool:
        """Whether the sender is an admin; tells them the command is not theirs if not."""
        if self.access.is_admin(update.effective_user.id):
            return True
        await update.effective_message.reply_text(ADMINS_ONLY)
        return False

    # Questions

    async def text(self, update: Update, context: Context) -> None:
        message = update.message
        if not is_addressed(message, context.bot.username, context.bot.id):
            return
        if replies_to_bot(message, context.bot.id) and await self.keep_comment(message, update.effective_user.id):
            return
        question = message.text if is_private(message) else without_mention(message.text, context.bot.username)
        await self.answer_question(update, context, question)

    async def ask_command(self, update: Update, context: Context) -> None:
        question = "".join(update.message.text.split(maxsplit=1)[1:])
        if not question.strip():
            await update.message.reply_text(ASK_WHAT)
            return
        await self.answer_question(update, context, question)

    async def answer_question(self, update: Update, context: Context, question: str) -> None:
        message, user = update.message, update.effective_user
        question = question.strip()
        if not question:
            await message.reply_text(help_html(self.access.is_admin(user.id)))
            return
        decision = self.rate_limit.check(user.id)
        if not decision.allowed:
            if decision.first_refusal:
                await message.reply_text(
                    "Du har ställt många frågor på kort tid. Vänta ungefär "
                    f"{max(1, round(decision.retry_in))} sekunder och fråga sedan igen."
                )
            return
        notice = None
        limit = self.settings.max_question_chars
        if len(question) > limit:
            question = question[:limit]
            notice = f"Meddelandet var långt, så jag sökte bara på de första {limit} tecknen."
        reply_to = None if is_private(message) else message.message_id
        await self.send_answer(context, message.chat_id, user.id, question, 0, notice, reply_to)

    async def keep_comment(self, message: Message, user_id: int) -> bool:
        """A reply to the bot's invitation after a 👎 is kept as that verdict's comment."""
        text = message.text[: self.settings.max_question_chars]
        store = self.feedback
        if not await store.run(store.add_comment, message.chat_id, user_id, message.reply_to_message.message_id, text):
            return False
        await message.reply_text(COMMENT_KEPT)
        return True

    async def send_answer(
        self,
        context: Context,
        chat_id: int,
        user_id: int,
        question: str,
        offset: int,
        notice: str | None = None,
        reply_to: int | None = None,
    ) -> None:
        """Retrieve off the event loop with "typing…" showing, then send the answer's pages with
        their buttons; one log line per question."""
        started = time.perf_counter()
        top_k = self.settings.top_k
        scope = self.settings.scope_of(chat_id)
        try:
            async with showing_typing(context, chat_id):
                answer = await self.live.ask(question, top_k + 1, offset, scope)
        except SamordnaError as error:  # e.g. a question with no words in it
            await context.bot.send_message(chat_id, escape(error.message))
            return
        more = len(answer.hits) > top_k
        answer = replace(answer, hits=answer.hits[:top_k])
        self.served += 1
        self.abstained += answer.outcome is Outcome.NOTHING
        if offset and not answer.hits:
            await context.bot.send_message(chat_id, NO_MORE_HITS)
            return
        more_button = MoreHits(self.questions.remember(question), offset + len(answer.hits)) if more else None
        answer_id = await self.remember_answer(chat_id, scope, answer)
        pages = render_answer(answer, notice)
        for number, page in enumerate(pages):
            last = number == len(pages) - 1
            await context.bot.send_message(
                chat_id,
                page.html,
                reply_markup=answer_keyboard(
                    page.hits, more_button if last else None, answer_id if last else None
                ),
                reply_parameters=(
                    ReplyParameters(reply_to, allow_sending_without_reply=True) if reply_to and number == 0 else None
                ),
            )
        milliseconds = round((time.perf_counter() - started) * 1000)
        facts = [user_id, len(answer.hits), answer.outcome, milliseconds]
        if self.settings.log_questions:
            log.info("Fråga user=%d hits=%d outcome=%s ms=%d question=%r", *facts, question)
        else:
            log.info("Fråga user=%d hits=%d outcome=%s ms=%d", *facts)

    async def remember_answer(self, chat_id: int, scope: Scope | None, answer: Answer) -> int | None:
        """Store the answer for its 👍/👎; without the store the answer still goes out, without them."""
        question = answer.question if self.settings.log_questions else None
        store = self.feedback
        try:
            return await store.run(store.record_answer, chat_id, scope, answer, question)
        except Exception:
            log.exception("Svaret kunde inte sparas för återkoppling")
            return None

    async def button(self, update: Update, context: Context) -> None:
        query = update.callback_query
        chat_id = update.effective_chat.id
        action = parse_callback(query.data)
        if isinstance(action, ShowNote):
            note = self.live.note(action.note_id, self.settings.scope_of(chat_id))
            if note is None:
                await query.answer(STALE_NOTE, show_alert=True)
                return
            await query.answer()
            for text in render_note(note):
                await context.bot.send_message(chat_id, text)
        elif isinstance(action, MoreHits):
            question = self.questions.recall(action.question_key)
            if question is None:
                await query.answer(STALE_QUESTION, show_alert=True)
                return
            decision = self.rate_limit.check(update.effective_user.id)
            if not decision.allowed:
                await query.answer(f"Vänta ungefär {max(1, round(decision.retry_in))} sekunder och försök igen.")
                return
            await query.answer()
            if isinstance(query.message, Message):
                with suppress(BadRequest):  # the message is gone or already without the button
                    await query.edit_message_reply_markup(without_more_button(query.message.reply_markup))
            await self.send_answer(context, chat_id, update.effective_user.id, question, action.offset)
        elif isinstance(action, GiveFeedback):
            await self.give_feedback(update, context, action)
        else:
            await query.answer(STALE_QUESTION, show_alert=True)

    async def give_feedback(self, update: Update, context: Context, action: GiveFeedback) -> None:
        """Store the verdict (a second press changes it); the first 👎 invites a better wording."""
        query, user, chat_id = update.callback_query, update.effective_user, update.effective_chat.id
        store = self.feedback
        given = await store.run(store.give_verdict, action.answer_id, chat_id, user.id, action.verdict)
        if given is None:
            await query.answer(STALE_FEEDBACK, show_alert=True)
            return
        if given.previous == action.verdict:
            await query.answer(THANKS[action.verdict])
            return
        await query.answer(CHANGED[action.verdict] if given.previous else THANKS[action.verdict])
        if action.verdict is Verdict.DOWN and not given.invited:
            invitation = await context.bot.send_message(
                chat_id,
                ASK_FOR_BETTER.format(name=escape(user.first_name)),
                reply_parameters=(
                    ReplyParameters(query.message.message_id, allow_sending_without_reply=True)
                    if isinstance(query.message, Message) else None
                ),
            )
            await store.run(store.invite_comment, action.answer_id, user.id, invitation.message_id)

    # Commands

    async def start(self, update: Update, context: Context) -> None:
        scope = self.settings.scope_of(update.effective_chat.id)
        await update.message.reply_text(start_html(self.live.manifest, scope, self.settings.log_questions))

    async def help(self, update: Update, context: Context) -> None:
        await update.message.reply_text(help_html(self.access.is_admin(update.effective_user.id)))

    async def sources(self, update: Update, context: Context) -> None:
        for text in sources_html(self.live.manifest, self.settings.scope_of(update.effective_chat.id)):
            await update.message.reply_text(text)

    async def status(self, update: Update, context: Context) -> None:
        if not await self._admin(update):
            return
        up, down = await self.feedback.run(self.feedback.totals)
        facts = StatusFacts(
            manifest=self.live.manifest,
            uptime_seconds=time.monotonic() - self.started,
            questions=self.served,
            abstained=self.abstained,
            rebuilding=self.live.rebuilding,
            access=self.access.describe(),
            thumbs_up=up,
            thumbs_down=down,
        )
        await update.message.reply_text(status_html(facts))

    async def unknown_command(self, update: Update, context: Context) -> None:
        message = update.message
        if is_addressed(message, context.bot.username, context.bot.id) and (
            is_private(message) or "@" in message.text.split(maxsplit=1)[0]
        ):
            admin = self.access.is_admin(update.effective_user.id)
            await message.reply_text(f"{UNKNOWN_COMMAND}\n\n{help_html(admin)}")

    async def other_message(self, update: Update, context: Context) -> None:
        """Stickers, photos, voice…: in a private chat, how to ask instead."""
        if is_private(update.message):
            await update.message.reply_text(help_html(self.access.is_admin(update.effective_user.id)))

    # Rebuilding

    async def reindex(self, update: Update, context: Context) -> None:
        if not await self._admin(update):
            return
        if self.live.rebuilding:
            await update.message.reply_text(RebuildRunning().message)
            return
        status = await update.message.reply_text(rebuild_progress_html(None, None))
        await self._rebuild(status, None, rebuilt_html)

    async def document(self, update: Update, context: Context) -> None:
        """An admin's upload: checked, saved into the corpus (the folder the caption names, else the
        chat's scope) and indexed in one rebuild. In a group only a document sent to the bot counts."""
        message = update.message
        admin = self.access.is_admin(update.effective_user.id)
        caption = message.caption or ""
        if not is_private(message):
            addressed = replies_to_bot(message, context.bot.id) or f"@{context.bot.username}".lower() in caption.lower()
            if not (admin and addressed):
                return
            caption = without_mention(caption, context.bot.username)
        if not admin:
            await message.reply_text(UPLOAD_ADMINS_ONLY)
            return
        document = message.document
        wish = UploadCaption.parse(caption)
        settings = self.settings
        try:
            folder = upload_folder(
                settings.corpus_dir, wish.folder, settings.scope_of(message.chat_id), settings.named_scopes
            )
            plan = plan_upload(
                document.file_name, document.file_size, settings.corpus_dir, settings.max_upload_bytes, wish.replace,
                folder,
            )
            if self.live.rebuilding:
                raise UploadRefused(RebuildRunning().message)
        except UploadRefused as refusal:
            await message.reply_text(escape(refusal.message))
            return
        status = await message.reply_text(f"Tar emot <b>{escape(plan.name)}</b> …")
        try:
            telegram_file = await context.bot.get_file(document.file_id)
            data = bytes(await telegram_file.download_as_bytearray(read_timeout=60))
            upload = await asyncio.to_thread(check_content, plan, data, settings.max_upload_bytes)
        except UploadRefused as refusal:
            await status.edit_text(escape(refusal.message))
            return
        except TelegramError as error:
            await status.edit_text(f"Filen kunde inte hämtas från Telegram: {escape(error.message)}")
            return
        await self._rebuild(status, upload, lambda report: uploaded_html(plan, document.file_name, report))

    async def _rebuild(
        self, status: Message, change: CorpusChange | None, describe: Callable[[BuildReport], str]
    ) -> None:
        """Rebuild while editing `status` with the progress, then with the outcome."""
        progress = BuildProgress()
        ticker = asyncio.create_task(self._show_progress(status, progress))
        try:
            report = await self.live.rebuild(progress.update, change)
        except RebuildRunning as error:
            outcome = error.message
        except SamordnaError as error:
            outcome = rebuild_failed_html(error.message)
        except Exception:
            log.exception("Omindexeringen misslyckades")
            outcome = rebuild_failed_html("ett oväntat fel (se loggen)")
        else:
            outcome = describe(report)
        finally:
            ticker.cancel()
            with suppress(asyncio.CancelledError):
                await ticker
        await status.edit_text(outcome)

    @staticmethod
    async def _show_progress(status: Message, progress: BuildProgress) -> None:
        shown = status.text_html
        while True:
            await asyncio.sleep(PROGRESS_INTERVAL)
            text = rebuild_progress_html(progress.done, progress.total)
            if text != shown:
                with suppress(TelegramError):
                    await status.edit_text(text)
                shown = text

    # Errors

    async def on_error(self, update: object, context: Context) -> None:
        """Log it, apologise to the user if there is one, keep running."""
        error = context.error
        if update is None and isinstance(error, NetworkError):
            log.warning("Nätverksfel mot Telegram: %s", error.message)
            return
        log.error("Fel när en uppdatering hanterades", exc_info=error)
        if not isinstance(update, Update) or update.effective_user is None or update.effective_chat is None:
            return
        if not self.access.allows(update.effective_user.id, update.effective_chat.id):
            return
        with suppress(TelegramError):
            if update.callback_query is not None:
                await update.callback_query.answer(APOLOGY, show_alert=True)
            else:
                await context.bot.send_message(update.effective_chat.id, APOLOGY)


class BuildProgress:
    """Where a rebuild is, written by the build thread and read by the progress ticker."""

    def __init__(self) -> None:
        self.done: int | None = None
        self.total: int | None = None

    def update(self, done: int, total: int) -> None:
        self.done, self.total = done, total


@asynccontextmanager
async def showing_typing(context: Context, chat_id: int) -> AsyncIterator[None]:
    """Show "typing…" in the chat until the block is done."""

    async def keep_typing() -> None:
        while True:
            try:
                await context.bot.send_chat_action(chat_id, ChatAction.TYPING)
            except TelegramError as error:
                log.debug("Chat action misslyckades: %s", error.message)
            await asyncio.sleep(TYPING_INTERVAL)

    task = asyncio.create_task(keep_typing())
    try:
        yield
    finally:
        task.cancel()
        with suppress(asyncio.CancelledError):
            await task
