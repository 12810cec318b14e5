"""A large synthetic corpus made from the bundled one, for measuring the index at scale.

Copies would not do: de-duplication collapses them into the original notes. Documents are
therefore rewritten: the sentences of the bundled notes are pooled by the kind of note they come
from (dialogue table, municipality part, prose), and new documents of each kind are composed from
shuffled draws of their pool, with renumbered tables ("Bord N"), other municipalities as labels,
new leader names and new titles. Each segment written is sized to become exactly one note, so the
number of notes can be aimed at; the build reports how many it actually got.
"""

from __future__ import annotations

import random
import re
from dataclasses import dataclass
from pathlib import Path

from index import places
from index.notes import Note
from index.sentences import sentence_spans
from index.splitting import ASKER_LABEL, LEADER_LABEL, PARTICIPANTS_LABEL, TABLE_HEADING

NOTE_CHARS = (250, 1100)
"""Body length of one written segment: well under the splitter's 1500-character cap."""
THEMES = (
    "Unga", "Integration", "Nyanlända", "Sjukskrivningsprocessen", "Långtidsarbetslösa",
    "Funktionsnedsättning", "Psykisk ohälsa", "Försörjningsstöd", "Arbetsmarknad", "Skola",
)
ORGANISATIONS = ("kommun", "Region", "Samordningsförbund", "Arbetsförmedlingen", "Försäkringskassan")


@dataclass(frozen=True)
class SentencePools:
    """The bundled corpus taken apart: sentences by kind of note, and the parts of its framing."""

    table: tuple[str, ...]
    municipality: tuple[str, ...]
    prose: tuple[str, ...]
    titles: tuple[str, ...]
    """Questions and table titles: what a dialogue table or a prose section is about."""
    headings: tuple[str, ...]
    """Section headings of municipality compilations ("Individens utmaningar Unga")."""
    first_names: tuple[str, ...]
    last_names: tuple[str, ...]
    municipalities: tuple[str, ...]

    @classmethod
    def from_notes(cls, notes: list[Note]) -> SentencePools:
        pools: dict[str, list[str]] = {"table": [], "municipality": [], "prose": []}
        titles: set[str] = set()
        headings: set[str] = set()
        people: set[str] = set()
        for note in notes:
            kind = note_kind(note)
            if kind == "table" and len(note.section) > 1:
                titles.add(note.section[1])
            if kind == "municipality" and len(note.section) > 1:
                headings.add(note.section[0])
            people.update(note.leaders + note.participants)
            pools[kind].extend(_usable_sentences(note))
        for sentences in pools.values():
            titles.update(s for s in sentences if s.endswith("?") and 20 <= len(s) <= 100)
        names = [name.split(",")[0].split(" och ")[0].split() for name in people]
        full_names = [parts for parts in names if len(parts) >= 2 and all(len(p) > 2 for p in parts[:2])]
        return cls(
            table=tuple(dict.fromkeys(pools["table"])),
            municipality=tuple(dict.fromkeys(pools["municipality"])),
            prose=tuple(dict.fromkeys(pools["prose"])),
            titles=tuple(sorted(titles)),
            headings=tuple(sorted(headings)),
            first_names=tuple(sorted({parts[0] for parts in full_names})),
            last_names=tuple(sorted({parts[1] for parts in full_names})),
            municipalities=tuple(sorted(set(places.municipalities()) - places.AMBIGUOUS)),
        )


def note_kind(note: Note) -> str:
    """table, municipality or prose: which pool a note's sentences go to."""
    if note.section and TABLE_HEADING.match(note.section[0]):
        return "table"
    if note.municipalities and note.section[-1:] == note.municipalities[:1]:
        return "municipality"
    return "prose"


def _usable_sentences(note: Note) -> list[str]:
    """Sentences that carry content and would not change how a document is split: nothing a
    splitter takes for a heading (a short line without closing punctuation), no labels of leaders,
    askers or participants, and no municipality labels."""
    found = []
    for start, end in sentence_spans(note.text):
        sentence = note.text[start:end].strip()
        if note.municipalities and note.section[-1:] == note.municipalities[:1]:
            sentence = re.sub(rf"^{re.escape(note.municipalities[0])}(?:\s*\([^()]*\))?\s*:?\s*", "", sentence)
        if (
            len(sentence.split()) < 4
            or (len(sentence) <= 80 and not sentence.endswith((".", "!", "?", ":", ";", ",")))
            or sentence in note.section
            or sentence.startswith("#")
            or TABLE_HEADING.match(sentence)
            or LEADER_LABEL.search(sentence)
            or ASKER_LABEL.search(sentence)
            or PARTICIPANTS_LABEL.search(sentence)
            or places.labels(sentence)
        ):
            continue
        found.append(sentence)
    return found


class CorpusWriter:
    """Writes documents of the three kinds in turn until the notes aimed at are planned."""

    def __init__(self, pools: SentencePools, seed: int) -> None:
        self.pools = pools
        self.rng = random.Random(seed)

    def write(self, folder: Path, notes_wanted: int, prefix: str = "syn") -> int:
        """Fill `folder` with documents worth about `notes_wanted` notes; returns the notes planned."""
        folder.mkdir(parents=True, exist_ok=True)
        planned = 0
        number = 0
        kinds = (self.table_document, self.municipality_document, self.prose_document)
        while planned < notes_wanted:
            text, notes = kinds[number % len(kinds)]()
            (folder / f"{prefix}_{number:06d}.txt").write_text(text, encoding="utf-8")
            planned += notes
            number += 1
        return planned

    def table_document(self) -> tuple[str, int]:
        """A compilation of dialogue tables: "Bord N", a question, its leader, what was said."""
        rng, pools = self.rng, self.pools
        place = rng.choice(pools.municipalities)
        title = f"Mötesplats {rng.choice(THEMES).lower()} {place} {rng.randint(2009, 2025)}"
        parts = [title, "Sammanställning dialogbord"]
        tables = rng.randint(8, 30)
        first = rng.randint(1, 60)
        for number in range(first, first + tables):
            leader = f"{self._person()}, {self._organisation()}"
            parts += [f"Bord {number}", rng.choice(pools.titles), f"Samtalsledare: {leader}"]
            parts += self._paragraphs(pools.table)
        return "\n\n".join(parts) + "\n", tables

    def municipality_document(self) -> tuple[str, int]:
        """A compilation by municipality: each section heading, then "Kommun: what it said"."""
        rng, pools = self.rng, self.pools
        theme = rng.choice(THEMES)
        parts = [f"Sammanställning av kommunernas workshopar – {theme} {rng.randint(2009, 2025)}"]
        members = rng.sample(pools.municipalities, rng.randint(4, 9))
        sections = rng.sample(pools.headings, min(len(pools.headings), rng.randint(2, 4)))
        for heading in sections:
            parts.append(heading)
            for name in members:
                parts.append(f"{name}: " + " ".join(self._sentences(pools.municipality, NOTE_CHARS[1] - 300)))
        return "\n\n".join(parts) + "\n", len(sections) * len(members)

    def prose_document(self) -> tuple[str, int]:
        """Minutes in running text under markdown headings, one section per heading."""
        rng, pools = self.rng, self.pools
        parts = [f"# Workshop om {rng.choice(THEMES).lower()} i {rng.choice(pools.municipalities)}"]
        sections = rng.randint(5, 20)
        for number in range(sections):
            parts.append(f"## {number // 4 + 1}.{number % 4 + 1} {rng.choice(THEMES)}: {rng.choice(pools.titles)}")
            parts += self._paragraphs(pools.prose)
        return "\n\n".join(parts) + "\n", sections

    def _paragraphs(self, pool: tuple[str, ...]) -> list[str]:
        """One segment's sentences in up to three paragraphs."""
        sentences = self._sentences(pool, NOTE_CHARS[1])
        cuts = self.rng.sample(range(1, len(sentences)), min(2, len(sentences) - 1))
        bounds = [0, *sorted(cuts), len(sentences)]
        return [" ".join(sentences[a:b]) for a, b in zip(bounds, bounds[1:], strict=False)]

    def _sentences(self, pool: tuple[str, ...], most: int) -> list[str]:
        """Shuffled draws from `pool`, together between NOTE_CHARS[0] and `most` characters.

        The last one is spliced from two: a small pool repeats its sentences, and notes ending
        alike would all be compared with each other by the de-duplication."""
        wanted = self.rng.randint(NOTE_CHARS[0], most)
        chosen: list[str] = []
        length = 0
        while length < wanted:
            sentence = self.rng.choice(pool)
            if chosen and length + len(sentence) > most:
                break
            chosen.append(sentence)
            length += len(sentence) + 1
        chosen[-1] = self._spliced(chosen[-1], self.rng.choice(pool))
        return chosen

    def _spliced(self, head: str, tail: str) -> str:
        """One sentence, less its last few words, ending in the last few words of another."""
        head_words, tail_words = head.split(), tail.split()
        kept = len(head_words) - self.rng.randint(0, min(3, len(head_words) - 2))
        return " ".join(head_words[:kept] + tail_words[-self.rng.randint(1, 3) :])

    def _person(self) -> str:
        return f"{self.rng.choice(self.pools.first_names)} {self.rng.choice(self.pools.last_names)}"

    def _organisation(self) -> str:
        kind = self.rng.choice(ORGANISATIONS)
        place = self.rng.choice(self.pools.municipalities)
        return f"{place} kommun" if kind == "kommun" else f"{kind} {place}"
