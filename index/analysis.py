"""Swedish terms for lexical matching: stemmed, folded, stop words out, compounds opened.

Staff type "praktik" and expect "sommarpraktik" and "praktikplatser"; they type "forsakringskassan"
without å/ä/ö. Terms are therefore Snowball-stemmed, then folded to ASCII, and long words of the
corpus are also indexed under the known words they end with (Swedish compounds put the meaning in
the last part).
"""

from __future__ import annotations

import importlib.util
import re
from collections.abc import Callable, Iterable
from functools import cache
from pathlib import Path
from types import ModuleType

import Stemmer

from index import DATA
from index.places import fold


def _bm25s_stop_words() -> ModuleType:
    """bm25s's stop word lists (NLTK's), loaded as their module alone: importing the bm25s package
    imports scipy, a third of a second that `samordna ask` has no other use for."""
    package = importlib.util.find_spec("bm25s")
    if package is None or not package.submodule_search_locations:
        raise ModuleNotFoundError("bm25s")
    path = Path(next(iter(package.submodule_search_locations))) / "stopwords.py"
    spec = importlib.util.spec_from_file_location("bm25s_stopwords", path)
    if spec is None or spec.loader is None:
        raise ModuleNotFoundError(f"bm25s stop words at {path}")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


_STOP_LISTS = _bm25s_stop_words()

WORD = re.compile(r"[0-9A-Za-zÀ-ÖØ-öø-ÿ]+(?:-[0-9A-Za-zÀ-ÖØ-öø-ÿ]+)*")
# The few frame words that general-Swedish statistics cannot decide: talking about talking. "snackade"
# is as rare as "praktik", but asks what was said, not what about. Matched by stem, so every
# inflection counts ("tyckte", "tycker", "tyckt").
FRAME_WORDS = (
    "säga sa sade sades sagt sägs prata pratade snacka snackade tycka tyckte diskutera diskuterades "
    "nämna nämndes nämns berätta ta tog togs tagits komma kom framkomma hända hände finnas fanns "
    "handla gälla undra kolla funka höra skriva står anteckning anteckningarna nån nåt något några "
    "någonstans nånstans dom folk typ va me ledde ledd höll hålla gjorde göra både bland kring upp "
    "fram vad vem vilka vilken vilket hur när var varför "
    "anything said say says told tell mentioned discussed notes talk talked"
)
ENGLISH_WORDS = frozenset(_STOP_LISTS.STOPWORDS_EN) | {
    "what", "which", "who", "whom", "whose", "when", "where", "why", "how", "about", "did", "does", "do",
    "was", "were", "has", "have", "had", "been", "any", "anything", "something", "there", "their", "they",
    "them", "we", "our", "you", "your", "he", "she", "his", "her", "its", "from", "than", "so", "can",
    "could", "should", "would", "say", "said", "all", "both", "also", "more", "most", "some", "those",
    "these", "this", "that", "with", "into", "over", "under", "between", "during", "each", "other",
}
STOP_WORDS = frozenset(_STOP_LISTS.STOPWORDS_SWEDISH) | frozenset(fold(w) for w in _STOP_LISTS.STOPWORDS_SWEDISH)
MIN_PART = 4


@cache
def _stemmer() -> Stemmer.Stemmer:
    return Stemmer.Stemmer("swedish")


def words(text: str) -> list[str]:
    return [w.lower() for w in WORD.findall(text)]


@cache
def stem(word: str) -> str:
    """Snowball stemming repeated until it settles, then folded to ASCII.

    One pass is inconsistent for Swedish: "dialogkonferensen" → "dialogkonferens" but
    "dialogkonferens" → "dialogkonfer". Repeating it maps every form of a word to one term. In a
    hyphenated word only the last part inflects ("ESF-projektet")."""
    return _last_part_stemmed(word, _settled)


@cache
def light_stem(word: str) -> str:
    """One Snowball pass, folded: the form a word's relatives in the corpus begin with ("mentorer" →
    "mentor", as in "mentorskap"), where the settled stem ("ment") would begin far too many words."""
    return _last_part_stemmed(word, _stemmer().stemWord)


def _settled(word: str) -> str:
    stemmer = _stemmer()
    while (shorter := stemmer.stemWord(word)) != word:
        word = shorter
    return word


def _last_part_stemmed(word: str, stemmed: Callable[[str], str]) -> str:
    """The word folded, with only its last hyphenated part stemmed: the part that inflects."""
    head, hyphen, last = word.rpartition("-")
    return f"{fold(head)}{hyphen}{fold(stemmed(last))}"


@cache
def frame_terms() -> frozenset[str]:
    return frozenset(stem(word) for word in FRAME_WORDS.split())


def terms(text: str, drop: frozenset[str] | set[str] = STOP_WORDS) -> list[str]:
    """The stemmed, folded terms of a text, in order, stop words removed."""
    return [stem(w) for w in words(text) if w not in drop and fold(w) not in drop and len(w) > 1]


def content_words(question: str) -> list[str]:
    """The words of a question that may name its topic, as typed: stop words, frame words
    ("vad sa dom om …") and English function words left out, each word once."""
    frame = frame_terms()
    found = [
        word for word in words(question)
        if len(word) > 1 and word not in STOP_WORDS and fold(word) not in STOP_WORDS
        and word not in ENGLISH_WORDS and stem(word) not in frame
    ]
    return list(dict.fromkeys(found))


def is_english(question: str) -> bool:
    """Staff sometimes ask in English; its function words give it away."""
    found = words(question)
    english = sum(1 for w in found if w in ENGLISH_WORDS and w not in STOP_WORDS)
    return english >= 1 and english >= 0.25 * len(found)


@cache
def _glossary() -> tuple[dict[str, str], re.Pattern[str]]:
    lines = (DATA / "english_swedish.tsv").read_text(encoding="utf-8")
    pairs = dict(
        line.split("\t", 1) for line in lines.splitlines() if line.strip() and not line.startswith("#")
    )
    phrases = sorted(pairs, key=len, reverse=True)
    return pairs, re.compile(r"\b(" + "|".join(re.escape(p) for p in phrases) + r")s?\b")


def to_swedish(question: str) -> str:
    """An English question with the words of the domain glossary replaced by the Swedish words
    the notes use: the bundled multilingual embedder alone ties "housing" to "bostäder" too loosely."""
    pairs, pattern = _glossary()
    return pattern.sub(lambda match: pairs[match.group(1)].strip(), question.lower())


class Decompounder:
    """Opens compounds into the vocabulary words they end with: "sommarpraktik" → "praktik"."""

    def __init__(self, vocabulary: Iterable[str]) -> None:
        self.vocabulary = {term for term in vocabulary if len(term) >= MIN_PART}

    def parts(self, term: str, whole: bool = False) -> list[str]:
        """The known words a compound ends with, and its known head; with `whole`, only when both
        are known ("spelberoende" is not about "beroende" in general)."""
        if len(term) < 2 * MIN_PART - 1:
            return []
        found = []
        for cut in range(MIN_PART - 1, len(term) - MIN_PART + 1):
            tail = term[cut:]
            if tail in self.vocabulary and tail != term:
                found.append(tail)
                head = term[:cut]
                for candidate in (head, head[:-1] if head.endswith(("s", "e")) else None):
                    if candidate and candidate in self.vocabulary:
                        found.append(candidate)
                        break
                break  # the longest known tail is the compound's head word
        return found if len(found) == 2 or not whole else []

    def expand(self, document_terms: list[str]) -> list[str]:
        return document_terms + [part for term in document_terms for part in self.parts(term)]


# English spellings whose Swedish cognates differ only in these letters: culture/kultur,
# competence/kompetens, philosophy/filosofi, theme/tema.
COGNATE_SPELLINGS = (("c", "k"), ("ph", "f"), ("th", "t"))


def cognates(term: str) -> list[str]:
    """Swedish spellings an English term may have."""
    variants = []
    for english, swedish in COGNATE_SPELLINGS:
        if english in term:
            variants.append(term.replace(english, swedish))
    if len(variants) > 1:
        combined = term
        for english, swedish in COGNATE_SPELLINGS:
            combined = combined.replace(english, swedish)
        variants.append(combined)
    return variants
