"""Rendering answers, build reports and index facts for a terminal (rich), in Swedish.

Everything that comes from outside (file names, titles, reasons, questions) is escaped or put in
`Text`: a file called `[link=file:///etc/passwd]x[/link].txt` must print as just that."""

from __future__ import annotations

from collections.abc import Iterable
from typing import TYPE_CHECKING

from rich.console import Console, Group
from rich.markup import escape
from rich.panel import Panel
from rich.table import Table
from rich.text import Text

from index.answer import Answer, Hit, Outcome
from index.build import BuildReport
from index.cleaning import REMOVAL_WARNING
from index.evaluation import EvalReport
from index.notes import Note, Role
from index.store import DocumentInfo, Manifest

if TYPE_CHECKING:
    from bot.feedback import DislikedQuestion, WeekCount

NOTHING_FOUND = "Jag hittade inget om det i anteckningarna."
NOTHING_FOUND_HINT = "Prova andra ord, ett kommunnamn eller ett bordsnummer (t.ex. \"bord 9\")."


def related_heading(answer: Answer) -> str:
    """The honest heading over notes that are close to the question but do not use its words."""
    if answer.missing_terms:
        quoted = ", ".join(f"'{term}'" for term in answer.missing_terms)
        subject = "Ordet" if len(answer.missing_terms) == 1 else "Orden"
        return f"{subject} {quoted} förekommer inte i anteckningarna. Det här ligger närmast:"
    return "Anteckningarna svarar inte direkt på frågan. Det här ligger närmast:"


def source_line(hit: Hit) -> str:
    """Where a quote comes from: document, section, roles, meeting, page."""
    note = hit.note
    parts = [note.title]
    if note.section:
        parts.append(note.section_path)
    if note.roles:
        parts.append(roles_text(note.roles))
    if meeting := meeting_text(note):
        parts.append(meeting)
    if note.page is not None:
        parts.append(f"s. {note.page}")
    return " · ".join(parts)


def roles_text(roles: Iterable[Role]) -> str:
    """"ordförande: Anna Ek; sekreterare: Bo Berg, Cia Lund": each role once, its people after it."""
    people: dict[str, list[str]] = {}
    for role in roles:
        people.setdefault(role.role, []).append(role.name)
    return "; ".join(f"{role}: {', '.join(names)}" for role, names in people.items())


def meeting_text(note: Note) -> str:
    """"Folkets hus, Vretstorp, 2016-12-05 (Samordningsförbundet X)": where and when the meeting
    was and who held it; the organiser is left out when the title already names it."""
    meeting = note.meeting
    text = ", ".join(meeting[key] for key in ("place", "date") if key in meeting)
    organiser = meeting.get("organiser")
    if organiser and organiser not in note.title:
        text = f"{text} ({organiser})" if text else organiser
    return text


def render_answer(console: Console, answer: Answer) -> None:
    if answer.outcome is Outcome.NOTHING:
        console.print(Text(NOTHING_FOUND, style="bold"))
        console.print(Text(NOTHING_FOUND_HINT, style="dim"))
        return
    if not answer.hits:
        console.print(Text("Inga fler träffar.", style="dim"))
    elif answer.outcome is Outcome.RELATED:
        console.print(Text(related_heading(answer), style="bold yellow"))
    for hit in answer.hits:
        body = Group(
            Text(hit.quote, style="italic"),
            Text(""),
            Text(f"Källa: {source_line(hit)}", style="cyan"),
            Text(f"Fil: {hit.note.doc}", style="dim"),
        )
        console.print(Panel(body, title=f"[bold]{hit.rank}[/bold]", title_align="left", expand=True))


def render_build(console: Console, report: BuildReport) -> None:
    console.print(
        f"[green]Indexet är byggt:[/green] {report.files} filer, {report.notes} anteckningar "
        f"({report.embedded} nya inbäddningar, {report.reused} återanvända), {report.seconds:.1f} s, "
        f"{'exakt' if report.dense_index == 'exact' else 'approximativ (IVF)'} vektorsökning."
    )
    for copy, original in sorted(report.copies.items()):
        console.print(f"[dim]{escape(copy)} upprepar {escape(original)}: dess anteckningar indexeras en gång.[/dim]")
    for doc in report.documents:
        if doc.removed_share > REMOVAL_WARNING:
            console.print(
                f"[yellow]Varning:[/yellow] rensningen tog bort {doc.removed_share:.0%} av texten i "
                f"{escape(doc.doc)}. Kontrollera att inget innehåll har försvunnit."
            )
    for skipped in report.skipped:
        console.print(f"[yellow]Hoppade över {escape(skipped.name)}:[/yellow] {escape(skipped.reason)}")


def render_manifest(console: Console, manifest: Manifest, location: str) -> None:
    facts = Table.grid(padding=(0, 2))
    facts.add_row("Plats", Text(location))
    facts.add_row("Byggt", Text(manifest.built_at))
    facts.add_row("Anteckningar", str(manifest.note_count))
    facts.add_row("Inbäddning", Text(f"{manifest.embedder} ({manifest.dim} dim)"))
    searches = {"exact": "exakt", "ivf": "approximativ (IVF)"}
    facts.add_row(
        "Vektorsökning",
        f"anteckningar {searches[manifest.dense_index]}, meningar {searches[manifest.sentence_index]}",
    )
    facts.add_row("Format", str(manifest.format))
    console.print(facts)
    documents = Table("Fil", "Titel", "Anteckningar", "Datum", "Plats", "Arrangör", "Bortrensat", title="Dokument")
    for doc in manifest.documents:
        count = f"kopia av {doc.copy_of}" if doc.copy_of and not doc.notes else str(doc.notes)
        cells = (doc.doc, doc.title, count, doc.date or "", doc.place or "", doc.organiser or "")
        removed = Text(f"{doc.removed_share:.0%}", style="yellow" if doc.removed_share > REMOVAL_WARNING else "")
        documents.add_row(*(Text(cell) for cell in cells), removed)
    console.print(documents)
    for skipped in manifest.skipped:
        console.print(f"[yellow]Överhoppad:[/yellow] {escape(skipped['name'])}: {escape(skipped['reason'])}")


def render_notes(console: Console, info: DocumentInfo, notes: list[Note]) -> None:
    """One panel per note: where it stands, who and what it names, and its text."""
    console.print(Text(f"{info.title} ({info.doc}): {len(notes)} anteckningar", style="bold"))
    if info.copy_of and not notes:
        console.print(Text(f"Samma text som {info.copy_of}; anteckningarna finns under det dokumentet."))
    for number, note in enumerate(notes, start=1):
        facts = Table.grid(padding=(0, 2))
        facts.add_row("Avsnitt", Text(note.section_path or "–"))
        facts.add_row("Roller", Text(roles_text(note.roles) or "–"))
        facts.add_row("Deltagare", Text(", ".join(note.participants) or "–"))
        facts.add_row("Kommuner", Text(", ".join(note.municipalities) or "–"))
        facts.add_row("Möte", Text(meeting_text(note) or "–"))
        facts.add_row("Sida", str(note.page) if note.page is not None else "–")
        facts.add_row("Längd", f"{len(note.text)} tecken")
        body = Group(facts, Text(""), Text(note.text))
        console.print(Panel(body, title=f"[bold]{number}[/bold]", title_align="left", expand=True))


def render_eval(console: Console, report: EvalReport, label: str) -> None:
    table = Table(title=f"Utvärdering ({label})")
    table.add_column("Mått")
    table.add_column("Värde", justify="right")
    for key, value in report.recall.items():
        table.add_row(f"recall{key}", f"{value:.3f}")
    table.add_row("MRR@5", f"{report.mrr_at_5:.3f}")
    table.add_row("citatet håller spannet", f"{report.quote_recall:.3f}")
    table.add_row("andel spann bland träffarna", f"{report.span_recall:.3f}")
    table.add_row("besvarbara som inte fick något", f"{report.answerable_shown_nothing:.3f}")
    table.add_row("besvarade där anteckningarna har frågans ord", f"{report.answered_where_words_match:.3f}")
    table.add_row("obesvarbara som inte markerades besvarade", f"{report.unanswerable_not_answered:.3f}")
    table.add_row("frågor (besvarbara/obesvarbara)", f"{report.questions} ({report.answerable}/{report.unanswerable})")
    console.print(table)
    for title, groups in (("Per frågetyp", report.by_kind), ("Per frågefil", report.by_source)):
        if not groups:
            continue
        rows = Table("", "Frågor", "recall@5", "MRR@5", "citat", "besvarad", "närliggande", "inget", title=title)
        for name, figures in groups.items():
            rows.add_row(
                escape(name),
                str(figures["questions"]),
                *(_figure(figures.get(key)) for key in ("recall@5", "mrr@5", "quote_recall")),
                *(_figure(figures.get(key)) for key in ("answered", "related", "nothing")),
            )
        console.print(rows)
    if report.missed:
        console.print("[bold]Missade frågor[/bold]")
        for miss in report.missed:
            console.print(Text(f"  {miss['id']} ({miss['kind']}): {miss['question']} — {miss['why']}"))


def _figure(value: float | None) -> str:
    return "" if value is None else f"{value:.2f}"


OUTCOME_NAMES = {Outcome.ANSWERED: "besvarad", Outcome.RELATED: "närliggande", Outcome.NOTHING: "inget hittat"}


def render_feedback(
    console: Console, weeks: list[WeekCount], disliked: list[DislikedQuestion], questions_logged: bool
) -> None:
    """`samordna feedback`: answers, 👍 and 👎 per week and outcome, then the most 👎 questions."""
    if not weeks:
        console.print("Inga svar sparade ännu.")
        return
    table = Table(title="Svar och återkoppling per vecka")
    for column in ("Vecka", "Utfall", "Svar", "👍", "👎"):
        table.add_column(column, justify="right" if column in ("Svar", "👍", "👎") else "left")
    for row in weeks:
        table.add_row(row.week, OUTCOME_NAMES[row.outcome], str(row.answers), str(row.up), str(row.down))
    console.print(table)
    if disliked:
        listing = Table(title="Frågor som oftast fått 👎")
        for column in ("Fråga", "👎", "👍", "Förslag från användarna"):
            listing.add_column(column)
        for item in disliked:
            listing.add_row(Text(item.question), str(item.down), str(item.up), Text("\n".join(item.comments)))
        console.print(listing)
    else:
        hint = "" if questions_logged else " (frågornas text sparas bara med SAMORDNA_LOG_QUESTIONS=true)"
        console.print(f"Ingen fråga med sparad text har fått 👎{hint}.", style="dim", highlight=False)
