"""The `samordna` command line: ask, chat, index build|info, eval, bot.

Imports stay inside the commands so that `samordna ask` loads only what answering needs: a cold
start is part of the product.
"""

from __future__ import annotations

import argparse
import gc
import io
import json
import sys
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from rich.console import Console

    from bot.feedback import FeedbackStore
    from bot.settings import BotSettings
    from index.retrieval import Retriever
    from index.scopes import Scope
    from index.settings import Settings


def main(argv: list[str] | None = None) -> int:
    parser = _parser()
    args = parser.parse_args(argv)
    if not hasattr(args, "run"):
        parser.print_help()
        return 2
    from index.errors import SamordnaError

    try:
        return args.run(args)
    except SamordnaError as error:
        from rich.markup import escape

        _stderr().print(f"[red]Fel:[/red] {escape(error.message)}", highlight=False)
        return error.exit_code
    except KeyboardInterrupt:
        _stderr().print("Avbrutet.")
        return 130


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="samordna",
        description="Sök i anteckningar från dialogbord, workshopar och open space – svar med citat och källa.",
    )
    commands = parser.add_subparsers(title="kommandon", metavar="KOMMANDO")

    ask = commands.add_parser("ask", help="ställ en fråga")
    ask.add_argument("question", nargs="?", help="frågan, t.ex. \"vad sades om SIP?\"")
    ask.add_argument("--top-k", type=_positive, default=None, metavar="K", help="antal träffar (standard 5)")
    ask.add_argument("--json", action="store_true", help="skriv svaret som JSON")
    ask.add_argument("--questions", type=Path, metavar="FIL", help="en fråga per rad; med --json blir det JSONL")
    _scope_option(ask)
    ask.set_defaults(run=_ask)

    chat = commands.add_parser("chat", help="fråga en sak i taget interaktivt")
    chat.add_argument("--top-k", type=_positive, default=None, metavar="K")
    _scope_option(chat)
    chat.set_defaults(run=_chat)

    index = commands.add_parser("index", help="bygg eller visa indexet")
    index_commands = index.add_subparsers(title="indexkommandon", metavar="KOMMANDO")
    build = index_commands.add_parser("build", help="bygg indexet från korpusmappen")
    build.set_defaults(run=_index_build)
    info = index_commands.add_parser("info", help="visa vad indexet innehåller")
    info.add_argument("--json", action="store_true", help="skriv indexets fakta och dokument som JSON")
    info.set_defaults(run=_index_info)

    notes = commands.add_parser("notes", help="visa hur ett dokument delades i anteckningar")
    notes.add_argument("file", help="dokumentets filnamn i korpusmappen (en sökväg går också)")
    notes.add_argument("--json", action="store_true", help="skriv anteckningarna som JSON")
    notes.set_defaults(run=_notes)

    evaluate = commands.add_parser("eval", help="mät sökkvaliteten mot en frågefil (JSONL)")
    evaluate.add_argument(
        "files", type=Path, nargs="+", metavar="FIL", help="en eller flera frågefiler, t.ex. ../shared/eval/dev.jsonl"
    )
    evaluate.add_argument("--json", action="store_true", help="skriv resultatet som ett JSON-objekt")
    evaluate.add_argument(
        "--ranking", choices=("hybrid", "dense", "bm25"), default="hybrid",
        help="hybrid (produkten), eller bara täta vektorer / bara BM25 som jämförelse",
    )
    _scope_option(evaluate)
    evaluate.set_defaults(run=_eval)

    feedback = commands.add_parser("feedback", help="visa 👍/👎 från Telegram per vecka och utfall")
    _scope_option(feedback, "bara svar som gavs i chattar inom de här mapparna")
    feedback.set_defaults(run=_feedback)
    feedback_commands = feedback.add_subparsers(title="återkopplingskommandon", metavar="KOMMANDO")
    export = feedback_commands.add_parser("export", help="skriv frågorna med 👍/👎 som en frågefil för eval (JSONL)")
    export.add_argument("file", type=Path, metavar="FIL", help="filen som skrivs, t.ex. feedback.jsonl")
    _scope_option(export, "bara svar som gavs i chattar inom de här mapparna", argparse.SUPPRESS)
    export.set_defaults(run=_feedback_export)

    bot = commands.add_parser("bot", help="starta Telegram-boten")
    bot.set_defaults(run=_bot)
    return parser


def _scope_option(
    parser: argparse.ArgumentParser, what: str = "sök bara i de här mapparna av korpusen", default: object = None
) -> None:
    """`--scope`; a sub-command gives SUPPRESS as default so its parent's value is kept when unset."""
    parser.add_argument(
        "--scope", type=_scope, default=default, metavar="MAPP", help=f"{what}, t.ex. gavleborg eller uppsala;gavleborg"
    )


def _scope(value: str) -> Scope | None:
    from index.scopes import Scope, ScopeError

    try:
        return Scope.parse(value)
    except ScopeError as error:
        raise argparse.ArgumentTypeError(str(error)) from None


def _checked_scope(retriever: Retriever, scope: Scope | None) -> Scope | None:
    """The scope, when the index has documents in each of its folders; else a clear error."""
    from index.errors import SamordnaError
    from index.scopes import folder_key, folder_of

    if scope is None:
        return None
    folders = {folder_key(name) for doc in retriever.manifest.documents if (name := folder_of(doc.doc))}
    unknown = sorted(scope.folders - folders)
    if unknown:
        known = ", ".join(sorted(folders)) or "inga – alla dokument ligger direkt i korpusmappen"
        raise SamordnaError(f"Mappen {', '.join(unknown)} finns inte i indexet (mappar: {known}).")
    return scope


def _positive(value: str) -> int:
    number = int(value)
    if number < 1:
        raise argparse.ArgumentTypeError("måste vara minst 1")
    return number


def _stderr() -> Console:
    from rich.console import Console

    return Console(stderr=True)


def _settings() -> Settings:
    with _long_lived():
        from index.settings import Settings

        return Settings.load()


@contextmanager
def _long_lived() -> Iterator[None]:
    """Loading pydantic and the index makes a few hundred thousand objects that live as long as the
    process. The cyclic garbage collector would walk them again and again while they are made, and
    all of them once more at exit: paused meanwhile and then told they stay (`gc.freeze`), a cold
    start is ~60 ms (a tenth) shorter. Garbage without cycles is freed as always."""
    gc.disable()
    try:
        yield
    finally:
        gc.freeze()
        gc.enable()


def _as_typed(text: str) -> str:
    """A question from the command line or stdin as valid text: bytes that were not UTF-8 (kept
    by Python as lone surrogates) become U+FFFD instead of failing deep inside the embedder."""
    return text.encode("utf-8", "surrogateescape").decode("utf-8", "replace")


def _bounded(question: str, settings: Settings) -> str:
    """At most SAMORDNA_MAX_QUESTION_CHARS characters, saying so when it cuts, as the bot does."""
    limit = settings.max_question_chars
    if len(question) <= limit:
        return question
    _stderr().print(f"Frågan var lång, så jag söker bara på de första {limit} tecknen.", style="dim")
    return question[:limit]


def _read_questions(path: Path) -> list[str]:
    """One question per line, in whatever encoding the file was saved in."""
    from index.corpus import UnreadableFile, decode_text, os_reason
    from index.errors import SamordnaError

    try:
        text = decode_text(path.read_bytes())
    except OSError as error:
        raise SamordnaError(f"Frågefilen {path} kunde inte läsas: {os_reason(error)}.") from error
    except UnreadableFile as error:
        raise SamordnaError(f"Frågefilen {path} kunde inte läsas: den {error}.") from error
    questions = [line.strip() for line in text.splitlines() if line.strip()]
    if not questions:
        raise SamordnaError(f"Frågefilen {path} innehåller inga frågor.")
    return questions


def _open_retriever(settings: Settings) -> Retriever:
    """The current index; built first (with a progress bar) when there is none yet."""
    from index.errors import IndexMissing

    with _long_lived():
        from index.retrieval import Retriever

        try:
            return Retriever.open(settings)
        except IndexMissing:
            pass
    _stderr().print("Inget index ännu – bygger det första gången …")
    _build(settings)
    with _long_lived():
        return Retriever.open(settings)


def _build(settings: Settings) -> None:
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeRemainingColumn

    from bot.terminal import render_build
    from index.build import build_index

    console = _stderr()
    with Progress(
        TextColumn("Bäddar in anteckningar"), BarColumn(), MofNCompleteColumn(), TimeRemainingColumn(),
        console=console, transient=True,
    ) as bar:
        task = bar.add_task("embed", total=None)
        report = build_index(settings, progress=lambda done, total: bar.update(task, completed=done, total=total))
    render_build(console, report)


def _ask(args: argparse.Namespace) -> int:
    from index.errors import EmptyQuestion

    if args.questions is not None:
        questions = _read_questions(args.questions)
    elif args.question is None or not args.question.strip():
        raise EmptyQuestion()
    else:
        questions = [_as_typed(args.question)]
    settings = _settings()
    questions = [_bounded(question, settings) for question in questions]
    retriever = _open_retriever(settings)
    scope = _checked_scope(retriever, args.scope)
    top_k = args.top_k or settings.top_k
    if args.json:
        for question in questions:
            answer = retriever.ask(question, top_k, scope=scope)
            sys.stdout.write(json.dumps(answer.to_dict(), ensure_ascii=False) + "\n")
        return 0
    from rich.console import Console
    from rich.text import Text

    from bot.terminal import render_answer

    console = Console()
    for question in questions:
        if len(questions) > 1:
            console.rule(Text(question))
        render_answer(console, retriever.ask(question, top_k, scope=scope))
    return 0


def _chat(args: argparse.Namespace) -> int:
    from rich.console import Console

    from bot.terminal import render_answer
    from index.errors import EmptyQuestion

    settings = _settings()
    retriever = _open_retriever(settings)
    scope = _checked_scope(retriever, args.scope)
    if isinstance(sys.stdin, io.TextIOWrapper):
        sys.stdin.reconfigure(errors="surrogateescape")  # a stray non-UTF-8 byte is not fatal
    console = Console()
    console.print("Ställ en fråga om anteckningarna. Tom rad eller Ctrl-D avslutar.", style="dim")
    for line in _prompt_lines(console):
        question = _bounded(_as_typed(line), settings)
        try:
            render_answer(console, retriever.ask(question, args.top_k or settings.top_k, scope=scope))
        except EmptyQuestion as error:
            console.print(error.message)
    return 0


def _prompt_lines(console: Console) -> Iterable[str]:
    while True:
        try:
            line = console.input("[bold]fråga>[/bold] ")
        except EOFError:
            return
        if not line.strip():
            return
        yield line


def _index_build(args: argparse.Namespace) -> int:
    _build(_settings())
    return 0


def _index_info(args: argparse.Namespace) -> int:
    from rich.console import Console

    from bot.terminal import render_manifest
    from index.corpus import Corpus
    from index.store import StoredIndex

    settings = _settings()
    manifest = StoredIndex.load(settings.index_dir).manifest  # every file read and checked, not just the manifest
    reason = manifest.outdated_for(settings, Corpus(settings.corpus_dir).fingerprint())
    if args.json:
        from dataclasses import asdict

        facts = {
            "location": str(settings.index_dir),
            "built_at": manifest.built_at,
            "notes": manifest.note_count,
            "embedder": manifest.embedder,
            "dense_index": manifest.dense_index,
            "sentence_index": manifest.sentence_index,
            "outdated": reason,
            "documents": [asdict(doc) for doc in manifest.documents],
            "skipped": manifest.skipped,
        }
        sys.stdout.write(json.dumps(facts, ensure_ascii=False) + "\n")
        return 1 if reason else 0
    console = Console()
    render_manifest(console, manifest, str(settings.index_dir))
    if reason:
        console.print(f"[yellow]Indexet är inaktuellt:[/yellow] {reason}. Kör `samordna index build`.")
        return 1
    return 0


def _notes(args: argparse.Namespace) -> int:
    """A document's notes as the index holds them: how the splitter read it."""
    from index.errors import SamordnaError
    from index.store import read_manifest, stored_notes

    settings = _settings()
    name = Path(args.file).name
    manifest = read_manifest(settings.index_dir)
    info = next((doc for doc in manifest.documents if doc.doc == name), None)
    if info is None:
        known = ", ".join(doc.doc for doc in manifest.documents[:20])
        raise SamordnaError(f"Indexet har inget dokument som heter {name}. Dokumenten är: {known}.")
    notes = [note for note in stored_notes(settings.index_dir) if note.doc == name]
    if args.json:
        rows = [{"id": note.id, "length": len(note.text), **note.to_dict()} for note in notes]
        sys.stdout.write(json.dumps({"doc": name, "title": info.title, "copy_of": info.copy_of, "notes": rows},
                                    ensure_ascii=False) + "\n")
        return 0
    from rich.console import Console

    from bot.terminal import render_notes

    render_notes(Console(), info, notes)
    return 0


def _eval(args: argparse.Namespace) -> int:
    from index.evaluation import judge, load_questions, summarise

    sets = [(path.name, load_questions(path)) for path in args.files]
    retriever = _open_retriever(_settings())
    scope = _checked_scope(retriever, args.scope)
    results = [
        judge(question, retriever.ask(question.question, 5, ranking=args.ranking, scope=scope), source)
        for source, questions in sets
        for question in questions
    ]
    report = summarise(results)
    if args.json:
        sys.stdout.write(json.dumps({"ranking": args.ranking, **report.to_dict()}, ensure_ascii=False) + "\n")
        return 0
    from rich.console import Console

    from bot.terminal import render_eval

    render_eval(Console(), report, args.ranking)
    return 0


def _feedback_store(args: argparse.Namespace) -> tuple[FeedbackStore, BotSettings]:
    """The bot's feedback database, which must exist already (the bot creates it)."""
    from bot.feedback import DATABASE, FeedbackStore
    from bot.settings import BotSettings
    from index.errors import SamordnaError

    settings = BotSettings.load()
    if not (settings.data_dir / DATABASE).is_file():
        raise SamordnaError(
            f"Ingen återkoppling ännu: {settings.data_dir / DATABASE} finns inte. Boten skapar den när den startar "
            "(mappen anges med SAMORDNA_DATA_DIR)."
        )
    return FeedbackStore.open(settings.data_dir), settings


def _feedback(args: argparse.Namespace) -> int:
    from rich.console import Console

    from bot.terminal import render_feedback

    store, settings = _feedback_store(args)
    try:
        weeks, disliked = store.weeks(args.scope), store.most_disliked(scope=args.scope)
        render_feedback(Console(), weeks, disliked, settings.log_questions)
    finally:
        store.close()
    return 0


def _feedback_export(args: argparse.Namespace) -> int:
    """Write the questions with verdicts as an eval file, replacing FILE only when all is written."""
    import os

    from index.errors import SamordnaError

    store, _ = _feedback_store(args)
    try:
        report = store.export(args.scope)
    finally:
        store.close()
    skipped = []
    if report.without_text:
        skipped.append(f"{report.without_text} svar utan sparad frågetext (SAMORDNA_LOG_QUESTIONS var av)")
    if report.only_down:
        skipped.append(
            f"{_questions(report.only_down)} med bara 👎 (ingen anteckning känd som rätt; se samordna feedback)"
        )
    detail = "".join(f"\n  – {reason}" for reason in skipped)
    if not report.questions:
        raise SamordnaError(f"Det finns inga frågor att exportera.{detail}")
    partial = args.file.with_name(f".{args.file.name}.partial")
    try:
        with partial.open("w", encoding="utf-8") as out:
            for question in report.questions:
                out.write(json.dumps(question.to_dict(), ensure_ascii=False) + "\n")
        os.replace(partial, args.file)
    except OSError as error:
        partial.unlink(missing_ok=True)
        raise SamordnaError(f"{args.file} kunde inte skrivas: {error.strerror or error}") from error
    _stderr().print(f"Skrev {_questions(len(report.questions))} till {args.file}.{' Utelämnade:' if skipped else ''}"
                    f"{detail}", highlight=False, markup=False)
    return 0


def _questions(count: int) -> str:
    return f"{count} fråga" if count == 1 else f"{count} frågor"


def _bot(args: argparse.Namespace) -> int:
    from bot.settings import BotSettings
    from bot.telegram_app import run_bot

    return run_bot(BotSettings.load())


if __name__ == "__main__":
    sys.exit(main())
