"""The facts of the meeting a document records: who organised it, where and when.

They stand once in the header ("Plats och tid: …", a Tid/Plats table of a Word file, the first
lines of a PDF) but belong to every note of the meeting, so they are read here and attached to all.
"""

from __future__ import annotations

import re
from datetime import date

MONTHS = (
    "januari", "februari", "mars", "april", "maj", "juni",
    "juli", "augusti", "september", "oktober", "november", "december",
)
_MONTH_ALTERNATION = "|".join(rf"{month[:3]}(?:{month[3:]}|\.)?" for month in MONTHS)
ISO_DATE = re.compile(r"\b(?P<y>(?:19|20)\d\d)[-.](?P<m>[01]?\d)[-.](?P<d>[0-3]?\d)\b")
WORD_DATE = re.compile(
    rf"\b(?P<d>[0-3]?\d)(?::e|:a)?\s+(?P<month>{_MONTH_ALTERNATION})\s+(?P<y>(?:19|20)\d\d)\b", re.IGNORECASE
)
HEADER_CHARS = 1200
"""How far into a document its header reaches."""
LABELS = {
    "place": r"Plats|Lokal|Mötesplats|Var",
    "time": r"Plats och tid|Tid och plats|Datum och tid|Tid och datum|Datum och plats|Tid|Datum|När|Mötesdatum",
    "organiser": r"Arrangör|Arrangörer|Organisatör|Anordnare|Värd för mötet|Organisation",
}
FACT_LINE = re.compile(
    rf"^[ \t]*(?P<label>{'|'.join(LABELS.values())})[ \t]*(?::|\|)[ \t]*(?P<value>[^\n]+)$",
    re.MULTILINE | re.IGNORECASE,
)
ORGANISER_LINE = re.compile(r"^[ \t]*(?P<value>[A-ZÅÄÖ][^\n]{0,80}förbund[^\n]{0,60})$", re.MULTILINE)
ORGANISED_BY = re.compile(
    r"\b(?:arrangerades|anordnades|organiserades|arrangerad|anordnad|organiserad)\s+av\s+"
    r"(?P<value>[A-ZÅÄÖ][\wåäö-]*(?:\s+(?:i\s+)?[A-ZÅÄÖ][\wåäö-]*){0,4})"
)
TIME_OF_DAY = re.compile(
    r"\b(?:kl\.?\s*)?\d{1,2}[.:]\d{2}(?:\s*[-–]\s*\d{1,2}[.:]\d{2})?|\bkl\.?\s*\d{1,2}(?:\s*[-–]\s*\d{1,2})?"
)


def meeting_facts(text: str) -> dict[str, str]:
    """Organiser, place and date (ISO) from a document's header; only those it states."""
    header = text[:HEADER_CHARS]
    facts: dict[str, str] = {}
    for match in FACT_LINE.finditer(header):
        label = match.group("label").lower()
        value = match.group("value").strip(" |")
        if re.fullmatch(LABELS["organiser"], label, re.IGNORECASE):
            facts.setdefault("organiser", value)
            continue
        found = find_date(value)
        if found and "date" not in facts:
            facts["date"] = found.isoformat()
        if "plats" in label or re.fullmatch(LABELS["place"], label, re.IGNORECASE):
            place = _place_in(value)
            if place:
                facts.setdefault("place", place)
    if "date" not in facts and (found := find_date(header)):
        facts["date"] = found.isoformat()
    organiser = ORGANISED_BY.search(header) or ORGANISER_LINE.search(header[:300])
    if "organiser" not in facts and organiser:
        facts["organiser"] = organiser.group("value").strip()
    return facts


def find_date(text: str) -> date | None:
    """The first date written as 2016-12-05, 2016.12.05 or "5 december 2016"."""
    candidates = []
    for match in ISO_DATE.finditer(text):
        candidates.append((match.start(), int(match.group("y")), int(match.group("m")), int(match.group("d"))))
    for match in WORD_DATE.finditer(text):
        month = next(i for i, name in enumerate(MONTHS, 1) if name.startswith(match.group("month").lower()[:3]))
        candidates.append((match.start(), int(match.group("y")), month, int(match.group("d"))))
    for _, year, month, day in sorted(candidates):
        try:
            return date(year, month, day)
        except ValueError:
            continue
    return None


def spoken_date(iso: str) -> str:
    """"2016-12-05" → "5 december 2016": how questions name a date."""
    try:
        day = date.fromisoformat(iso)
    except ValueError:
        return iso
    return f"{day.day} {MONTHS[day.month - 1]} {day.year}"


def _place_in(value: str) -> str:
    """A "Plats och tid" value without its date and time: "Folkets hus, Vretstorp"."""
    value = ISO_DATE.sub("", value)
    value = WORD_DATE.sub("", value)
    value = TIME_OF_DAY.sub("", value)
    value = re.sub(r"\b(?:måndag|tisdag|onsdag|torsdag|fredag|lördag|söndag)(?:en)?\b|\bden\b", "", value,
                   flags=re.IGNORECASE)
    parts = [part.strip(" ,;–-") for part in re.split(r"[,;]|\s[–-]\s", value)]
    return ", ".join(part for part in parts if part and re.search(r"[A-ZÅÄÖa-zåäö]{2}", part))
