"""Scope settings and where an admin's upload goes: checked without Telegram."""

from __future__ import annotations

from pathlib import Path

import pytest

from bot.settings import BotSettings, BotSettingsError
from bot.uploads import UploadCaption, UploadRefused, plan_upload, upload_folder
from index.scopes import Scope


def load(**values: object) -> BotSettings:
    return BotSettings.load(_env_file=None, **values)


def test_scopes_map_chats_and_people(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SAMORDNA_SCOPES", "-1001234567890=gavleborg, 11111111=uppsala;gavleborg\n22=*")
    settings = load()
    assert settings.scope_of(-1001234567890) == Scope.of("gavleborg")
    assert settings.scope_of(11111111) == Scope.of("gavleborg", "uppsala")
    assert settings.scope_of(22) is None
    assert settings.scope_of(33) is None  # unmapped: everything by default
    assert load(scope_default="gemensamt").scope_of(33) == Scope.of("gemensamt")
    assert load(scopes="5=Uppsala").named_scopes == {"uppsala"}


@pytest.mark.parametrize(
    ("value", "said"),
    [
        ("gavleborg", "ska skrivas som id=mapp"),
        ("abc=gavleborg", "ska skrivas som id=mapp"),
        ("5=", "ingen mapp angiven"),
        ("5=a/b", "inget mappnamn"),
        ("5=a,5=b", "mer än en gång"),
    ],
)
def test_a_malformed_scope_map_is_named_in_swedish(monkeypatch: pytest.MonkeyPatch, value: str, said: str) -> None:
    monkeypatch.setenv("SAMORDNA_SCOPES", value)
    with pytest.raises(BotSettingsError) as raised:
        load()
    assert "SAMORDNA_SCOPES" in raised.value.message and said in raised.value.message


def test_a_malformed_scope_default_is_named() -> None:
    with pytest.raises(BotSettingsError, match="SAMORDNA_SCOPE_DEFAULT"):
        load(scope_default=" ; ")


def test_a_caption_may_name_a_folder_and_ask_to_replace() -> None:
    assert UploadCaption.parse("") == UploadCaption(False, None)
    assert UploadCaption.parse("Ersätt.") == UploadCaption(True, None)
    assert UploadCaption.parse("uppsala ersätt") == UploadCaption(True, "uppsala")
    assert UploadCaption.parse(" uppsala/ ") == UploadCaption(False, "uppsala")


@pytest.fixture
def corpus(tmp_path: Path) -> Path:
    for folder in ("Gavleborg", "uppsala", ".git"):
        (tmp_path / folder).mkdir()
    return tmp_path


def test_the_caption_wins_then_the_chats_scope(corpus: Path) -> None:
    assert upload_folder(corpus, None, None, set()) is None
    assert upload_folder(corpus, None, Scope.of("gavleborg"), set()) == "Gavleborg"  # the folder as it is on disk
    assert upload_folder(corpus, "uppsala", Scope.of("gavleborg"), set()) == "uppsala"
    assert upload_folder(corpus, "nytt", None, {"nytt"}) == "nytt"  # named in the settings: may be created
    assert upload_folder(corpus, None, Scope.of("stockholm"), set()) == "stockholm"


@pytest.mark.parametrize(
    ("named", "scope", "said"),
    [
        ("stockholm", None, "finns inte i korpusen"),
        ("a/b", None, "inget mappnamn"),
        ("uppsala;gavleborg", None, "inget mappnamn"),
        (".git", None, "inget mappnamn"),
        (None, Scope.of("uppsala", "gavleborg"), "flera mappar"),
    ],
)
def test_an_unclear_folder_is_refused(corpus: Path, named: str | None, scope: Scope | None, said: str) -> None:
    with pytest.raises(UploadRefused, match=said):
        upload_folder(corpus, named, scope, set())


def test_a_planned_upload_carries_its_folder(corpus: Path) -> None:
    plan = plan_upload("Protokoll maj.pdf", 100, corpus, 10_000, False, "uppsala")
    assert plan.name == "uppsala/Protokoll maj.pdf" and plan.target == corpus / "uppsala" / "Protokoll maj.pdf"
    (corpus / "uppsala" / "Protokoll maj.pdf").write_bytes(b"%PDF-")
    with pytest.raises(UploadRefused, match="ersätt"):
        plan_upload("Protokoll maj.pdf", 100, corpus, 10_000, False, "uppsala")
