"""The bot's messages as Telegram HTML: answers, whole notes, sources, help and status.

Pure functions of their inputs. Everything that comes from documents or users is escaped.
Telegram refuses messages over 4096 characters, so answers are split between hits and a single
overlong text is cut where it can be (the whole note stays one button away).
"""

from __future__ import annotations

import html
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from bot.terminal import NOTHING_FOUND, NOTHING_FOUND_HINT, meeting_text, related_heading, roles_text
from bot.uploads import PlannedUpload
from index.answer import Answer, Hit
from index.build import BuildReport
from index.notes import SECTION_SEPARATOR, Note, Role
from index.scopes import Scope
from index.store import DocumentInfo, Manifest

MESSAGE_LIMIT = 4096
QUESTION_SHOWN = 300
"""Characters of the question repeated above an answer."""
HEADER_ROOM = 600
"""Room kept for the header (question, notice) on the first page; a hit never needs more than
the rest, so a page always holds at least one hit."""
BLOCK_GAP = "\n\n"
CUT_MARK = " […]"
EXAMPLE_QUESTIONS = (
    "Vad sades om SIP?",
    "Vem ledde bord 2?",
    "Vad kom fram om det kommunala aktivitetsansvaret?",
    "Vilka framgångsfaktorer nämndes för unga som varken arbetar eller studerar?",
)


@dataclass(frozen=True)
class AnswerPage:
    """One Telegram message of an answer and the hits it shows (their buttons go under it)."""

    html: str
    hits: tuple[Hit, ...]


@dataclass(frozen=True)
class StatusFacts:
    manifest: Manifest
    uptime_seconds: float
    questions: int
    abstained: int
    rebuilding: bool
    access: str
    thumbs_up: int = 0
    thumbs_down: int = 0


def escape(text: str) -> str:
    return html.escape(text, quote=False)


def telegram_length(text: str) -> int:
    """Length as Telegram counts it (UTF-16 code units); counting the markup too keeps it safe."""
    return len(text.encode("utf-16-le")) // 2


def fit(text: str, limit: int) -> str:
    """`text` escaped, cut at a word boundary with a mark when its escaped form exceeds `limit`."""
    escaped = escape(text)
    if telegram_length(escaped) <= limit:
        return escaped
    kept = text[:limit]
    while kept and telegram_length(escape(kept) + CUT_MARK) > limit:
        kept = kept[: int(len(kept) * 0.9)]
        if " " in kept[len(kept) // 2 :]:
            kept = kept.rsplit(" ", 1)[0]
    return escape(kept.rstrip()) + CUT_MARK


def render_answer(answer: Answer, notice: str | None = None) -> list[AnswerPage]:
    """The hits as quotes with their sources, in as few messages as fit; `notice` goes on top
    (e.g. that the question was cut)."""
    top = f"<i>{escape(notice)}</i>\n\n" if notice else ""
    if not answer.shows_hits:
        return [AnswerPage(top + nothing_found_html(), ())]
    opening = "<b>Fråga:</b>" if answer.hits[0].rank == 1 else "<b>Fler träffar för</b>"
    header = f"{top}{opening} <i>{fit(answer.question, QUESTION_SHOWN)}</i>"
    if not answer.answered:
        header += f"\n<b>{escape(related_heading(answer))}</b>"
    pages: list[AnswerPage] = []
    text, hits = header, []
    for hit in answer.hits:
        block = hit_html(hit, MESSAGE_LIMIT - HEADER_ROOM)
        if hits and telegram_length(text + BLOCK_GAP + block) > MESSAGE_LIMIT:
            pages.append(AnswerPage(text, tuple(hits)))
            text, hits = block, []
        else:
            text = text + BLOCK_GAP + block
        hits.append(hit)
    pages.append(AnswerPage(text, tuple(hits)))
    return pages


def hit_html(hit: Hit, limit: int = MESSAGE_LIMIT) -> str:
    """A hit's quote as a blockquote with its source below, within `limit` characters."""
    source = f"<i>Källa:</i> {source_html(hit.note)}"
    room = limit - telegram_length(source) - 40
    return f"<b>{hit.rank}.</b>\n<blockquote>{fit(hit.quote, room)}</blockquote>\n{source}"


def source_html(note: Note) -> str:
    """Title, section, roles, meeting (place, date, organiser) and page: where to find the words
    in the original."""
    parts = [f"<b>{fit(note.title, 300)}</b>"]
    section = [heading for heading in note.section if heading != note.title]
    if section:
        parts.append(fit(SECTION_SEPARATOR.join(section), 400))
    if note.roles:
        parts.append(fit(roles_text(note.roles), 400))
    if meeting := meeting_text(note):
        parts.append(fit(meeting, 300))
    if note.page is not None:
        parts.append(f"s. {note.page}")
    return " · ".join(parts)


def nothing_found_html() -> str:
    return f"{escape(NOTHING_FOUND)}\n<i>{escape(NOTHING_FOUND_HINT)}</i>"


def render_note(note: Note) -> list[str]:
    """A whole note with its source, split between messages at paragraph or line ends."""
    head = f"<b>Hela anteckningen</b>\n{source_html(note)}\n\n"
    room = MESSAGE_LIMIT - telegram_length(head)
    chunks = split_escaped(note.text, room)
    return [head + chunks[0], *chunks[1:]]


def split_escaped(text: str, limit: int) -> list[str]:
    """`text` escaped and split into pieces of at most `limit`, preferring paragraph, then line,
    then word boundaries."""
    pieces: list[str] = []
    rest = text.strip()
    while rest:
        if telegram_length(escape(rest)) <= limit:
            pieces.append(escape(rest))
            break
        cut = _cut_point(rest, limit)
        pieces.append(escape(rest[:cut].rstrip()))
        rest = rest[cut:].lstrip()
    return pieces or [""]


def _cut_point(text: str, limit: int) -> int:
    """The furthest boundary before which `text` escapes to at most `limit` characters."""
    end = min(len(text), limit)
    while end > 1 and telegram_length(escape(text[:end])) > limit:
        end = int(end * 0.9)
    for separator in ("\n\n", "\n", " "):
        at = text.rfind(separator, 0, end)
        if at > end // 2:
            return at + len(separator)
    return end


def pack(blocks: Sequence[str], limit: int = MESSAGE_LIMIT) -> list[str]:
    """Blocks (each within `limit`) joined into as few messages as fit, never splitting one."""
    messages: list[str] = []
    for block in blocks:
        if messages and telegram_length(messages[-1] + "\n" + block) <= limit:
            messages[-1] += "\n" + block
        else:
            messages.append(block)
    return messages


def when(iso: str) -> str:
    """An index build time as Swedes read it, in Swedish time when the zone database is there."""
    try:
        moment = datetime.fromisoformat(iso)
    except ValueError:
        return iso
    try:
        moment = moment.astimezone(ZoneInfo("Europe/Stockholm"))
    except ZoneInfoNotFoundError:
        return moment.strftime("%Y-%m-%d %H:%M %Z")
    return moment.strftime("%Y-%m-%d %H:%M")


def documents_in(manifest: Manifest, scope: Scope | None) -> list[DocumentInfo]:
    """The documents a chat of this scope may know of."""
    return [doc for doc in manifest.documents if scope is None or scope.admits(doc.doc)]


def start_html(manifest: Manifest, scope: Scope | None = None, questions_logged: bool = False) -> str:
    """What the bot knows (in this chat's scope) and, for transparency, what it keeps about people."""
    documents = documents_in(manifest, scope)
    notes = sum(doc.notes for doc in documents)
    kept_question = "frågans text" if questions_logged else "inte frågans text"
    return (
        "Hej! Jag svarar på frågor om anteckningar från dialogbord, workshopar och open space – "
        "med citat ur anteckningarna och var de står, aldrig med egna ord.\n\n"
        f"Jag känner till <b>{sum(1 for doc in documents if not doc.copy_of)}</b> dokument med "
        f"<b>{notes}</b> anteckningar (indexet byggdes {when(manifest.built_at)}).\n\n"
        "Skriv en fråga, t.ex. <i>Vad sades om SIP?</i> – /hjalp visar fler exempel och /kallor dokumenten.\n\n"
        "<i>Det här sparas: för varje svar tid, vilka anteckningar som visades och om du tryckte 👍 eller 👎 – "
        f"{kept_question}. Ditt Telegram-id sparas bara som en nyckelhash, aldrig i klartext. Svarar du på "
        "min fråga efter ett 👎 sparas det du skriver.</i>"
    )


def help_html(admin: bool = False) -> str:
    examples = "\n".join(f"• {escape(question)}" for question in EXAMPLE_QUESTIONS)
    text = (
        "<b>Så frågar du</b>\n"
        "Skriv din fråga som ett vanligt meddelande. I en grupp: nämn mig (@-namnet), svara på "
        "ett av mina meddelanden eller skriv /fraga följt av frågan.\n\n"
        f"<b>Exempel</b>\n{examples}\n\n"
        "Svaret är citat ur anteckningarna med källa (dokument, bord eller avsnitt, ledare, sida). "
        "Knapparna under svaret visar fler träffar eller hela anteckningen. Med 👍 eller 👎 säger du om "
        "svaret hjälpte – det gör sökningen bättre.\n\n"
        "<b>Kommandon</b>\n"
        "/fraga &lt;fråga&gt; – ställ en fråga\n"
        "/kallor – dokumenten jag känner till\n"
        "/start – vad jag vet\n"
        "/hjalp – den här texten"
    )
    if admin:
        text += (
            "\n\n<b>För administratörer</b>\n"
            "/reindex – bygg om indexet från korpusmappen\n"
            "/status – index, drifttid och antal frågor\n"
            "Skicka en fil (.pdf, .docx, .txt, .md) till mig så läggs den i korpusen och indexeras."
        )
    return text


def sources_html(manifest: Manifest, scope: Scope | None = None) -> list[str]:
    """The documents (of this chat's scope) with titles, dates and note counts, as few messages as fit."""
    documents = documents_in(manifest, scope)
    lines = [f"<b>Dokumenten</b> ({len(documents)} st, indexet byggt {when(manifest.built_at)})"]
    for doc in documents:
        facts = [fact for fact in (doc.date, doc.organiser) if fact]
        detail = f" ({fit(', '.join(facts), 200)})" if facts else ""
        copy = doc.copy_of and not doc.notes
        count = f"samma text som {fit(doc.copy_of, 200)}" if copy else f"{doc.notes} anteckningar"
        lines.append(f"• <b>{fit(doc.title, 400)}</b>{detail} – {count}\n  <code>{fit(doc.doc, 200)}</code>")
    return pack(lines)


def status_html(facts: StatusFacts) -> str:
    manifest = facts.manifest
    return (
        "<b>Status</b>\n"
        f"Index: byggt {when(manifest.built_at)}, {manifest.note_count} anteckningar i "
        f"{len(manifest.documents)} dokument\n"
        f"Inbäddning: {escape(manifest.embedder)} ({'exakt' if manifest.dense_index == 'exact' else 'IVF'})\n"
        f"Omindexering: {'pågår' if facts.rebuilding else 'ingen pågår'}\n"
        f"Drifttid: {duration(facts.uptime_seconds)}\n"
        f"Frågor besvarade: {facts.questions} (varav {facts.abstained} utan träff)\n"
        f"Återkoppling: {feedback_share(facts.thumbs_up, facts.thumbs_down)}\n"
        f"Åtkomst: {escape(facts.access)}"
    )


def feedback_share(up: int, down: int) -> str:
    if not up + down:
        return "inga 👍/👎 ännu"
    return f"👍 {up} · 👎 {down} ({round(100 * up / (up + down))} % hjälpte)"


def duration(seconds: float) -> str:
    minutes = int(seconds // 60)
    days, minutes = divmod(minutes, 24 * 60)
    hours, minutes = divmod(minutes, 60)
    if days:
        return f"{days} d {hours} h {minutes} min"
    if hours:
        return f"{hours} h {minutes} min"
    return f"{minutes} min" if minutes else f"{int(seconds)} s"


def refusal_html(user_id: int, chat_id: int, private: bool) -> str:
    """Polite, and with the ids an admin needs to let the person in."""
    if private:
        return (
            "Hej! Jag svarar bara behöriga användare. Vill du ha tillgång, be en administratör lägga "
            f"till ditt Telegram-id <code>{user_id}</code>."
        )
    return (
        "Hej! Jag svarar bara behöriga användare och grupper. En administratör kan lägga till ditt "
        f"Telegram-id <code>{user_id}</code> eller den här gruppens id <code>{chat_id}</code>."
    )


def rebuild_progress_html(done: int | None, total: int | None) -> str:
    head = "<b>Bygger om indexet</b> från korpusmappen …\n"
    if total is None:
        step = "Läser och delar dokumenten."
    elif total == 0:
        step = "Inga nya anteckningar att bädda in; sparar indexet."
    else:
        step = f"Bäddar in anteckningar: {done} av {total}."
    return f"{head}{step}\n<i>Frågor besvaras från det nuvarande indexet under tiden.</i>"


def rebuilt_html(report: BuildReport) -> str:
    text = (
        f"<b>Indexet är ombyggt</b> och används nu: {report.files} filer, {report.notes} anteckningar "
        f"({report.embedded} nya inbäddningar, {report.reused} återanvända), {report.seconds:.1f} s."
    )
    return text + _skipped_html(report)


def rebuild_failed_html(reason: str) -> str:
    return f"<b>Omindexeringen misslyckades:</b> {fit(reason, 3000)}\nDet tidigare indexet används fortfarande."


def uploaded_html(plan: PlannedUpload, original_name: str | None, report: BuildReport) -> str:
    """How many notes the uploaded document added, and anything the admin should know."""
    name = f"<b>{escape(plan.name)}</b>"
    if original_name != plan.target.name:
        name += f" (sparad under det namnet; originalet hette {fit(original_name or '', 200)})"
    info = next((doc for doc in report.documents if doc.doc == plan.name), None)
    if info is None:
        text = f"{name} sparades, men inga anteckningar kunde delas ut ur den."
    elif info.copy_of and not info.notes:
        text = f"{name} innehåller samma text som {escape(info.copy_of)}, så inga nya anteckningar tillkom."
    else:
        action = "ersatte den tidigare versionen" if plan.replaces else "är sparad i korpusen"
        text = f"{name} {action} och är indexerad: <b>{info.notes}</b> anteckningar tillagda."
    text += f" Indexet har nu {report.notes} anteckningar."
    if info is not None:
        text += "\n" + _document_summary_html(info)
    return text + _skipped_html(report)


def _document_summary_html(info: DocumentInfo) -> str:
    """What the splitter found in an uploaded document, so the admin can tell a good read from a bad one."""
    lines = [f"Titel: <b>{fit(info.title, 300)}</b>"]
    meeting = [fact for fact in (info.place, info.date, info.organiser) if fact]
    if meeting:
        lines.append("Möte: " + fit(", ".join(meeting), 300))
    roles = roles_text(Role(item["role"], item["name"]) for item in info.roles)
    lines.append("Roller: " + (fit(roles, 600) if roles else "inga hittades"))
    return "\n".join(lines)


def _skipped_html(report: BuildReport) -> str:
    lines = [f"\n• {fit(item.name, 200)}: {fit(item.reason, 300)}" for item in report.skipped[:10]]
    return "\n\nHoppade över:" + "".join(lines) if lines else ""
