"""Swedish municipalities: recognising them as labels in notes, as mentions, and in questions."""

from __future__ import annotations

import re
import unicodedata
from functools import cache

from index import DATA

# Names that are also ordinary words or common first names count as a mention only next to "kommun".
AMBIGUOUS = {
    "Ale", "Berg", "Bjuv", "Boden", "Eda", "Flen", "Habo", "Hjo", "Kil", "Lund", "Mark", "Mora",
    "Nora", "Orsa", "Sala", "Salem", "Tanum", "Tibro", "Vara", "Ydre", "Ånge", "Åre",
}
ORGANISATION_BEFORE = re.compile(
    r"(?:Region|Regionförbundet|Samordningsförbundet|Samordningsförbund|Föreningen|föreningen|Landstinget|"
    r"Finsam)\s+$"
)
"""A word that makes the municipality's name part of an organisation's ("Samordningsförbundet Skellefteå")."""
NAME_GOES_ON = re.compile(r"^s?\s+(?:mot|för|utan|med|i|på)\s+(?P<word>[A-ZÅÄÖ][\wåäö]+)")
"""A name that runs on with a capitalised word ("Kalmar mot Ensamhet") is an organisation's."""
PREPOSITIONS = {"i", "från", "till", "på", "för", "med", "av", "om", "inom", "utanför", "mot", "vid", "ur"}


@cache
def municipalities() -> tuple[str, ...]:
    """All 290 names, longest first so that "Upplands Väsby" wins over a shorter match."""
    lines = (DATA / "kommuner.txt").read_text(encoding="utf-8").splitlines()
    names = [line.strip() for line in lines if line.strip() and not line.startswith("#")]
    return tuple(sorted(names, key=len, reverse=True))


@cache
def _alternation() -> str:
    return "|".join(re.escape(name) for name in municipalities())


@cache
def label_pattern() -> re.Pattern[str]:
    """A municipality heading a part of a text: "Knivsta: …", "Håbo (integration) …",
    "Östhammar (Nyanlända, Långtidsarbetslösa): …"."""
    return re.compile(
        rf"(?<![\wÅÄÖåäö-])(?P<prev>\w+ )?(?P<name>{_alternation()})"
        rf"(?:\s*:|\s*\([^()\n]{{1,80}}\)\s*:?)(?=\s)"
    )


def labels(text: str) -> list[tuple[int, str]]:
    """(offset, municipality) of every label, leaving out mentions such as "i Uppsala:"."""
    found = []
    for match in label_pattern().finditer(text):
        previous = (match.group("prev") or "").strip().lower()
        if previous in PREPOSITIONS:
            continue
        found.append((match.start("name"), match.group("name")))
    return found


@cache
def _mention_pattern() -> re.Pattern[str]:
    return re.compile(rf"(?<![\wÅÄÖåäö-])(?P<name>{_alternation()})s?(?P<kommun> kommun)?(?![\wåäö-])")


def mentions(text: str) -> tuple[str, ...]:
    """Municipalities a text names, in order of first mention; a county ("Stockholms län") or an
    organisation named after a place ("Region Örebro", "Kalmar mot Ensamhet") is not one."""
    found: dict[str, None] = {}
    for match in _mention_pattern().finditer(text):
        name = match.group("name")
        if name in AMBIGUOUS and not match.group("kommun"):
            continue
        if _names_something_else(text, match):
            continue
        found[name] = None
    return tuple(found)


def _names_something_else(text: str, match: re.Match[str]) -> bool:
    after = text[match.end("name") : match.end("name") + 60]
    before = text[max(0, match.start() - 30) : match.start()]
    if re.match(r"^s?\s+läns?\b", after) or ORGANISATION_BEFORE.search(before):
        return True
    runs_on = NAME_GOES_ON.match(after)
    return bool(runs_on) and runs_on.group("word") not in municipalities()


def fold(text: str) -> str:
    """Lower case without diacritics, so "enkoping" finds "Enköping"."""
    decomposed = unicodedata.normalize("NFKD", text.lower())
    return "".join(c for c in decomposed if not unicodedata.combining(c))


@cache
def _folded_names() -> dict[str, str]:
    return {fold(name): name for name in municipalities() if name not in AMBIGUOUS}


@cache
def _most_words() -> int:
    """Words in the longest name ("Upplands Väsby": 2)."""
    return max(len(name.split()) for name in _folded_names())


WORD = re.compile(r"[a-z0-9]+(?:-[a-z0-9]+)*")
"""A word of a folded question; a hyphen joins ("Upplands-Bro", "Dals-Ed")."""


def in_question(question: str) -> tuple[str, ...]:
    """Municipalities a question names, typed with or without å/ä/ö, in any case and in genitive
    ("Knivstas"); a county ("Stockholms län") is not one.

    The question's runs of one to three words are looked up among the folded names, longest first:
    no pattern of 290 names to compile on every cold start."""
    names = _folded_names()
    longest = _most_words()
    tokens = WORD.findall(fold(question))
    found: dict[str, None] = {}
    start = 0
    while start < len(tokens):
        for length in range(min(longest, len(tokens) - start), 0, -1):
            run = " ".join(tokens[start : start + length])
            name = names.get(run) or (names.get(run[:-1]) if run.endswith("s") else None)
            if name and tokens[start + length : start + length + 1] not in (["lan"], ["lans"]):
                found[name] = None
                start += length
                break
        else:
            start += 1
    return tuple(found)
