"""Sentence boundaries in note text: the units that chunks are cut at and quotes are made of."""

from __future__ import annotations

import re

# A sentence ends at . ! or ? (with any closing quote or bracket) before a capital, digit, quote or
# bullet; an initial such as "N." in "Tarja N. Mats", the number of an item ("4. Språkpraktik") and
# "kl." before a time are not ends.
_END = re.compile(r"(?<!\b[A-ZÅÄÖ])(?<!^\d)(?<!^\d\d)(?<!\bkl)[.!?]+[\"”')\]]*\s+(?=[A-ZÅÄÖ0-9\"”'(•–-])")
# Inside very long unpunctuated runs (typical of transcribed tables), a new "Label: " starts a unit.
_LABEL_START = re.compile(r"(?<=[a-zåäö0-9)]) (?=[A-ZÅÄÖ][\wåäöÅÄÖ/-]*(?: [a-zåäö/-]+){0,3}: )")
LONG_SENTENCE = 400


def sentence_spans(text: str, start: int = 0, end: int | None = None) -> list[tuple[int, int]]:
    """(start, end) offsets of the sentences of `text[start:end]`, trimmed of surrounding space.

    Lines are units too, so bullets, labels and headings never run into each other."""
    end = len(text) if end is None else end
    spans: list[tuple[int, int]] = []
    for line in re.finditer(r"[^\n]+", text[start:end]):
        line_start = start + line.start()
        cuts = [line_start]
        cuts += [line_start + m.end() for m in _END.finditer(line.group())]
        cuts.append(line_start + len(line.group()))
        for a, b in zip(cuts, cuts[1:], strict=False):
            spans.extend(_split_long(text, a, b))
    return [trim_span(text, a, b) for a, b in spans if text[a:b].strip()]


def _split_long(text: str, start: int, end: int) -> list[tuple[int, int]]:
    if end - start <= LONG_SENTENCE:
        return [(start, end)]
    cuts = [start] + [start + m.end() for m in _LABEL_START.finditer(text[start:end])] + [end]
    return list(zip(cuts, cuts[1:], strict=False))


def trim_span(text: str, start: int, end: int) -> tuple[int, int]:
    """The span narrowed to exclude surrounding white space."""
    while start < end and text[start].isspace():
        start += 1
    while end > start and text[end - 1].isspace():
        end -= 1
    return start, end
