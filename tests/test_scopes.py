"""Scopes on the knowledge side: corpus sub-folders name documents, copies stay per scope, and
retrieval filters inside the ranking (tests/scoped_corpus.py)."""

from __future__ import annotations

from pathlib import Path

import pytest
from conftest import BuiltIndex, write_corpus
from scoped_corpus import (
    GAVLEBORG,
    GAVLEBORG_DOC,
    GAVLEBORG_SIP,
    ROOT_DOC,
    SHARED_NAME,
    UPPSALA,
    UPPSALA_DOC,
    UPPSALA_ONLY_WORD,
)

from index.corpus import Corpus
from index.retrieval import Retriever
from index.scopes import Scope, ScopeError, describe, folder_of

pytest_plugins = ("scope_fixtures",)

GAVLE = Scope.of(GAVLEBORG)
UPPS = Scope.of(UPPSALA)


def test_scope_parsing() -> None:
    assert Scope.parse("uppsala;gavleborg") == Scope.of("gavleborg", "uppsala")
    assert Scope.parse(" Gävleborg/ ") == Scope.of("gävleborg")
    assert Scope.parse("*") is None
    assert describe(Scope.parse("uppsala;gavleborg")) == "gavleborg;uppsala"
    assert describe(None) == "*"
    for wrong in ("", " ; ", "a/b", "../x", ".dold"):
        with pytest.raises(ScopeError):
            Scope.parse(wrong)


def test_a_document_belongs_to_its_top_folder() -> None:
    assert folder_of("gavleborg/2024/protokoll.txt") == "gavleborg"
    assert folder_of("protokoll.txt") is None
    assert Scope.of("Gävleborg").admits("gävleborg/2024/protokoll.txt")
    assert not GAVLE.admits("protokoll.txt")
    assert not GAVLE.admits("uppsala/gavleborg.txt")


def test_corpus_reads_sub_folders_with_relative_names(scoped_folders: tuple[Path, Path]) -> None:
    folder = scoped_folders[0]
    write_corpus(folder / ".git", {"notes.txt": "versionshantering"})
    write_corpus(folder / GAVLEBORG / "2024", {"protokoll.md": "# Protokoll\n\nStyrelsen beslutade om budget.\n"})
    write_corpus(folder / GAVLEBORG, {".utkast.txt": "ett utkast"})
    corpus = Corpus(folder)
    names = [corpus.name(path) for path in corpus.files()]
    assert {GAVLEBORG_DOC, UPPSALA_DOC, ROOT_DOC, f"{GAVLEBORG}/2024/protokoll.md"} <= set(names)
    assert not [name for name in names if "/." in f"/{name}"]
    assert set(corpus.fingerprint()) == set(names)
    documents, _ = corpus.read()
    assert f"{GAVLEBORG}/2024/protokoll.md" in [document.name for document in documents]


def test_a_copy_in_another_scope_keeps_its_notes(scoped_index: BuiltIndex) -> None:
    documents = {doc.doc: doc for doc in scoped_index.report.documents}
    for scope in (GAVLEBORG, UPPSALA):
        shared = documents[f"{scope}/{SHARED_NAME}"]
        assert shared.notes >= 1 and shared.copy_of is None


def test_a_scope_sees_only_its_notes(scoped_retriever: Retriever) -> None:
    for question in ("Vad sades om SIP?", "psykisk hälsa hos unga vuxna", "Hur fungerar kvarnbomodellen?"):
        for scope in (GAVLE, UPPS):
            answer = scoped_retriever.ask(question, 10, scope=scope)
            assert all(scope.admits(hit.note.doc) for hit in answer.hits), (question, scope)


def test_filtering_happens_inside_retrieval(scoped_retriever: Retriever) -> None:
    """Uppsala has more SIP notes than retrieval takes candidates; Gävleborg still gets its own."""
    everything = scoped_retriever.ask("Vad sades om SIP?", 20)
    assert all(hit.note.doc == UPPSALA_DOC for hit in everything.hits)
    gavle = scoped_retriever.ask("Vad sades om SIP?", 5, scope=GAVLE)
    assert gavle.hits and gavle.hits[0].note.doc == GAVLEBORG_DOC
    assert GAVLEBORG_SIP in gavle.hits[0].note.text


def test_scoped_paging_continues_within_the_scope(scoped_retriever: Retriever) -> None:
    first = scoped_retriever.ask("Vad sades om SIP?", 3, scope=UPPS)
    more = scoped_retriever.ask("Vad sades om SIP?", 3, offset=3, scope=UPPS)
    assert [hit.rank for hit in more.hits] == [4, 5, 6]
    assert not {hit.note.id for hit in first.hits} & {hit.note.id for hit in more.hits}
    assert all(hit.note.doc == UPPSALA_DOC for hit in more.hits)


def test_a_note_of_another_scope_is_not_there(scoped_retriever: Retriever) -> None:
    uppsala_note = scoped_retriever.ask(f"Vad är {UPPSALA_ONLY_WORD}?", 1, scope=UPPS).hits[0].note
    assert scoped_retriever.note(uppsala_note.id, UPPS) == uppsala_note
    assert scoped_retriever.note(uppsala_note.id) == uppsala_note
    assert scoped_retriever.note(uppsala_note.id, GAVLE) is None


def test_documents_outside_folders_are_for_unscoped_chats_only(scoped_retriever: Retriever) -> None:
    question = "Vad visar den nationella rapporten om fontänhus?"
    assert scoped_retriever.ask(question, 3).hits[0].note.doc == ROOT_DOC
    for scope in (GAVLE, UPPS, Scope.of(GAVLEBORG, UPPSALA)):
        assert all(hit.note.doc != ROOT_DOC for hit in scoped_retriever.ask(question, 10, scope=scope).hits)


def test_a_table_named_in_another_scope_is_not_boosted_in(scoped_retriever: Retriever) -> None:
    answer = scoped_retriever.ask("Vad sa bord 40?", 5, scope=GAVLE)
    assert all(hit.note.doc.startswith(f"{GAVLEBORG}/") for hit in answer.hits)
