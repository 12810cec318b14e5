"""Who did what at a meeting: roles read from the forms minutes and reports write them in.

Three forms carry a role: a label ("Ordförande: Anna Ek", "Antecknat av Bo Berg", a label alone
on its line with the name on the next, as in a signature block), a name followed by its role
("Anna Ek (S), ordförande") and a role in brackets before a name ("(moderator Anna Ek)").
"""

from __future__ import annotations

import re
from collections.abc import Iterable

from index.notes import Role

ROLE_WORDS = {
    "ordförande": "ordförande", "ordf": "ordförande", "mötesordförande": "ordförande", "mötesledare": "ordförande",
    "vice ordförande": "vice ordförande",
    "sekreterare": "sekreterare", "sekr": "sekreterare", "protokollförare": "sekreterare",
    "vid protokollet": "sekreterare",
    "justerare": "justerare", "justeras": "justerare", "justeringsperson": "justerare",
    "protokolljusterare": "justerare", "utses att justera": "justerare",
    "moderator": "moderator", "moderatorer": "moderator",
    "föredragande": "föredragande", "föredragare": "föredragande", "föreläsare": "föredragande",
    "presentatör": "föredragande", "talare": "talare",
    "processledare": "processledare", "samtalsledare": "samtalsledare", "bordsledare": "samtalsledare",
    "bordsvärd": "samtalsledare", "facilitator": "processledare", "ledare": "ledare", "leds av": "ledare",
    "värd": "värd", "ansvarig": "ansvarig",
    "dokumenterat av": "antecknare", "antecknat av": "antecknare", "nedtecknat av": "antecknare",
    "sammanställt av": "antecknare", "protokollfört av": "antecknare", "antecknare": "antecknare",
    "dokumentatör": "antecknare", "sekreterare/antecknare": "antecknare",
}
QUESTION_WORDS = {
    "ordförande": "ledde", "moderator": "ledde modererade", "processledare": "ledde", "samtalsledare": "ledde",
    "ledare": "ledde", "föredragande": "presenterade föreläste talade", "talare": "talade",
    "antecknare": "antecknade dokumenterade skrev", "sekreterare": "protokoll antecknade", "justerare": "justerade",
}
"""How a "vem …?" question asks for a role ("vem presenterade?" wants the föredragande)."""
_ROLE_ALTERNATION = "|".join(sorted((re.escape(word) for word in ROLE_WORDS), key=len, reverse=True))
NAME = r"[A-ZÅÄÖÉ][\wåäöéÅÄÖÉ.'-]*(?:[ -][A-ZÅÄÖÉ][\wåäöéÅÄÖÉ.'-]*){0,3}"
PARTY = r"(?:\s*\([A-ZÅÄÖ]{1,4}\))?"


def _role(group: str = "role") -> str:
    return rf"(?i:(?P<{group}>{_ROLE_ALTERNATION}))"


ROLE = _role()
LABEL = re.compile(rf"^[ \t]*{ROLE}\.?(?:[ \t]*[:|][ \t]*|[ \t]+(?=[A-ZÅÄÖ]))(?P<value>[^\n]+)$", re.MULTILINE)
LONE_LABEL = re.compile(
    rf"^[ \t]*{ROLE}[ \t]*:?[ \t]*\n+"
    rf"(?P<value>(?:(?![ \t]*(?i:{_ROLE_ALTERNATION})[ \t]*(?:\n|$))[ \t]*{NAME}{PARTY}[ \t]*(?:\n|$))+)",
    re.MULTILINE,
)
"""A label alone on its line and the names on the lines below it, as in a signature block."""
NAME_THEN_ROLE = re.compile(
    rf"(?<!\w)(?P<value>{NAME}){PARTY}(?:,[ \t]*{ROLE}\b(?!\s*:)|[ \t]*\({_role('role2')}\))"
)
ROLE_THEN_NAME = re.compile(rf"(?<!\w){ROLE}(?i:e?n)?\.?[ \t]*:?[ \t]+\(?(?P<value>{NAME})(?![\w(])")
PASSIVE = re.compile(
    rf"(?<!\w)(?i:(?P<verb>leddes|modererades|dokumenterades|antecknades|sammanställdes)) av (?P<value>{NAME})"
)
PASSIVE_ROLES = {"leddes": "ledare", "modererades": "moderator", "dokumenterades": "antecknare",
                 "antecknades": "antecknare", "sammanställdes": "antecknare"}
ORGANISATION_WORD = re.compile(
    r"(?:förbund|förbundet|kommun|region|regionen|landsting|landstinget|förening|föreningen|skolan|"
    r"verket|kassan|förmedlingen|myndighet|myndigheten|stad|län|gymnasiet|centrum|universitet|"
    r"universitetet|högskola|högskolan|AB|SKL|SKR)$",
    re.IGNORECASE,
)


def roles_in(text: str) -> tuple[Role, ...]:
    """Every role the text states, in order of appearance, each person once per role."""
    found: list[tuple[int, Role]] = []
    for pattern in (LABEL, LONE_LABEL, NAME_THEN_ROLE, ROLE_THEN_NAME, PASSIVE):
        for match in pattern.finditer(text):
            if pattern is PASSIVE:
                role = PASSIVE_ROLES[match.group("verb").lower()]
            else:
                groups = match.groupdict()
                role = ROLE_WORDS[(groups["role"] or groups["role2"]).lower()]
            value = match.group("value")
            if pattern is LABEL:
                names = people(value)
            elif pattern is LONE_LABEL:
                names = tuple(name for line in value.split("\n") for name in _one_person(line, single_word=True))
            else:
                names = _one_person(value)
            found.extend((match.start(), Role(role, name)) for name in names)
    found.sort(key=lambda item: item[0])
    return settled(role for _, role in found)


def settled(roles: Iterable[Role]) -> tuple[Role, ...]:
    """Each role once; the chair, who signs a protocol beside its checkers, is not one of them."""
    unique = tuple(dict.fromkeys(roles))
    chairs = {role.name for role in unique if role.role == "ordförande"}
    return tuple(role for role in unique if not (role.role == "justerare" and role.name in chairs))


def people(value: str) -> tuple[str, ...]:
    """The persons in a label's value: "Anna Ek och Bo Berg, Region X" → Anna Ek, Bo Berg.

    Affiliations after a name are left out; a value that reads as prose yields nothing."""
    names: list[str] = []
    for person in re.split(r"\s+(?:och|samt|&)\s+|\s*[;/]\s*", value.strip()):
        pieces = [piece.strip() for piece in person.split(",")]
        for index, piece in enumerate(pieces):
            name = _one_person(piece, single_word=True)
            if not name:
                break
            if index and names and _is_organisation(piece):
                break
            names.extend(name)
    return tuple(dict.fromkeys(names))


def _one_person(value: str, single_word: bool = False) -> tuple[str, ...]:
    """The value as a name: two to four capitalised words (one where a label says it is a name),
    a party mark in brackets dropped."""
    value = re.sub(r"\s*\([^()]*\)\s*$", "", value.strip()).strip(" .,")
    words = len(value.split())
    if not re.fullmatch(NAME, value) or _is_organisation(value) or words > 4 or (words < 2 and not single_word):
        return ()
    return (value,)


def _is_organisation(value: str) -> bool:
    return any(ORGANISATION_WORD.search(word) for word in value.split())
