"""The bot's smaller parts on their own: settings, access, rate limit, uploads, log redaction and
the retrying of Bot API calls."""

from __future__ import annotations

import asyncio
import io
import logging
import zipfile
from datetime import timedelta
from pathlib import Path

import pytest
from telegram.error import BadRequest, NetworkError, RetryAfter, TimedOut

from bot.access import AccessPolicy
from bot.logs import REDACTED, RedactSecrets
from bot.rate_limit import QuestionRateLimit
from bot.retrying import RetryingRequests
from bot.settings import BotSettings, BotSettingsError
from bot.uploads import PlannedUpload, SavedUpload, UploadRefused, check_content, plan_upload, safe_file_name

TOKEN = "123456789:AAHtestTOKENtestTOKENtestTOKENtest12"

# Settings


def test_ids_are_read_the_way_people_write_them(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SAMORDNA_ADMINS", "12, 34")
    monkeypatch.setenv("SAMORDNA_ALLOWED_CHATS", "-100123 -100456")
    monkeypatch.setenv("SAMORDNA_ALLOWED_USERS", "[5,6]")
    settings = BotSettings.load(_env_file=None)
    assert settings.admins == (12, 34)
    assert settings.allowed_chats == (-100123, -100456)
    assert settings.allowed_users == (5, 6)
    assert not settings.open_access


def test_the_token_is_secret_and_checked(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SAMORDNA_TELEGRAM_TOKEN", f" {TOKEN} ")
    settings = BotSettings.load(_env_file=None)
    assert TOKEN not in repr(settings) and TOKEN not in str(settings.model_dump())
    assert settings.checked_token() == TOKEN


def test_base_url_and_webhook_settings() -> None:
    settings = BotSettings.load(_env_file=None, telegram_base_url="http://127.0.0.1:8081/",
                                webhook_url="https://bot.example.se/telegram/hook")
    assert settings.telegram_base_url == "http://127.0.0.1:8081"
    assert settings.webhook_path == "telegram/hook"
    first, second = settings.webhook_secret(), settings.webhook_secret()
    assert first != second and len(first) >= 32  # a fresh random secret when none is set
    with pytest.raises(BotSettingsError, match="SAMORDNA_WEBHOOK_SECRET_TOKEN"):
        BotSettings.load(_env_file=None, webhook_secret_token="inte tillåtet!")
    with pytest.raises(BotSettingsError, match="SAMORDNA_TELEGRAM_BASE_URL"):
        BotSettings.load(_env_file=None, telegram_base_url="api.telegram.org")


# Access and rate limit


def test_access_denies_everyone_but_admins_by_default() -> None:
    policy = AccessPolicy.of(admins=[1], allowed_users=[], allowed_chats=[], open_access=False)
    assert policy.allows(1, 1) and not policy.allows(2, 2)
    policy = AccessPolicy.of(admins=[1], allowed_users=[2], allowed_chats=[-100], open_access=False)
    assert policy.allows(2, 2) and policy.allows(3, -100) and not policy.allows(3, 3)
    assert AccessPolicy.of([], [], [], open_access=True).allows(9, 9)


def test_an_outsider_is_refused_once_per_chat() -> None:
    policy = AccessPolicy()
    assert policy.first_refusal(5, 5)
    assert not policy.first_refusal(5, 5)
    assert policy.first_refusal(5, -100)


def test_rate_limit_is_a_sliding_window_per_user() -> None:
    now = [0.0]
    limit = QuestionRateLimit(limit=2, period=60, clock=lambda: now[0])
    assert limit.check(1).allowed and limit.check(1).allowed
    refused = limit.check(1)
    assert not refused.allowed and refused.first_refusal and refused.retry_in == pytest.approx(60)
    assert not limit.check(1).first_refusal  # told once, then quiet
    assert limit.check(2).allowed  # others are not affected
    now[0] = 61
    assert limit.check(1).allowed


# Uploads


@pytest.mark.parametrize(
    ("raw", "safe"),
    [
        ("Protokoll 2024-05.pdf", "Protokoll 2024-05.pdf"),
        ("../../etc/passwd.txt", "passwd.txt"),
        ("C:\\Users\\x\\Anteckningar Öland.DOCX", "Anteckningar Öland.docx"),
        (".dold.md", "dold.md"),
        ("a<b>|c?.txt", "a_b_c.txt"),
    ],
)
def test_file_names_are_made_safe(raw: str, safe: str) -> None:
    assert safe_file_name(raw) == safe


@pytest.mark.parametrize("raw", ["program.exe", "utan-ändelse", None, "....txt", "sources.toml"])
def test_unsupported_or_empty_names_are_refused(raw: str | None) -> None:
    with pytest.raises(UploadRefused):
        safe_file_name(raw)


def test_an_upload_is_planned_before_downloading(tmp_path: Path) -> None:
    (tmp_path / "finns.txt").write_text("gammal")
    with pytest.raises(UploadRefused, match="gränsen"):
        plan_upload("stor.pdf", 30 * 1_048_576, tmp_path, 20 * 1_048_576, replace=False)
    with pytest.raises(UploadRefused, match="ersätt"):
        plan_upload("finns.txt", 10, tmp_path, 1000, replace=False)
    assert plan_upload("finns.txt", 10, tmp_path, 1000, replace=True).replaces
    with pytest.raises(UploadRefused, match="finns inte"):
        plan_upload("ny.txt", 10, tmp_path / "saknas", 1000, replace=False)


def test_content_must_match_its_name_and_hold_text(tmp_path: Path) -> None:
    def planned(name: str) -> PlannedUpload:
        return plan_upload(name, None, tmp_path, 10_000, replace=False)

    with pytest.raises(UploadRefused, match="ingen PDF"):
        check_content(planned("a.pdf"), b"hello", 10_000)
    with pytest.raises(UploadRefused, match="Word"):
        check_content(planned("a.docx"), b"PK\x03\x04 not a zip", 10_000)
    with pytest.raises(UploadRefused, match="binärfil"):
        check_content(planned("a.txt"), b"\x00\x01\x02", 10_000)
    with pytest.raises(UploadRefused, match="större"):
        check_content(planned("a.txt"), b"x" * 10_001, 10_000)
    archive = io.BytesIO()
    with zipfile.ZipFile(archive, "w") as docx:
        docx.writestr("word/document.xml", "<w:document/>")
    with pytest.raises(UploadRefused, match="kan inte indexeras"):  # a .docx without any text
        check_content(planned("a.docx"), archive.getvalue(), 10_000)
    assert list(tmp_path.iterdir()) == []  # nothing was written into the corpus


def test_a_saved_upload_is_undone_exactly(tmp_path: Path) -> None:
    (tmp_path / "finns.txt").write_text("gammal text")
    replacing = check_content(plan_upload("finns.txt", None, tmp_path, 1000, replace=True), b"ny text", 1000)
    replacing.apply()
    assert (tmp_path / "finns.txt").read_text() == "ny text"
    replacing.undo()
    assert (tmp_path / "finns.txt").read_text() == "gammal text"
    adding = SavedUpload(plan_upload("ny.txt", None, tmp_path, 1000, replace=False), b"text")
    adding.apply()
    adding.undo()
    assert sorted(path.name for path in tmp_path.iterdir()) == ["finns.txt"]


# Logs


def test_secrets_are_redacted_from_messages_and_tracebacks() -> None:
    stream = io.StringIO()
    handler = logging.StreamHandler(stream)
    handler.addFilter(RedactSecrets([TOKEN, "", "hemligt-ord"]))
    logger = logging.getLogger("test.redaction")
    logger.addHandler(handler)
    logger.propagate = False
    try:
        logger.warning("POST https://api.telegram.org/bot%s/getMe", TOKEN)
        try:
            raise RuntimeError(f"token {TOKEN} och hemligt-ord")
        except RuntimeError:
            logger.exception("fel")
    finally:
        logger.removeHandler(handler)
    output = stream.getvalue()
    assert TOKEN not in output and "hemligt-ord" not in output
    assert output.count(REDACTED) >= 3


# Retrying Bot API calls


class FlakyCall:
    def __init__(self, *failures: Exception) -> None:
        self.failures = list(failures)
        self.calls = 0

    async def __call__(self) -> bool:
        self.calls += 1
        if self.failures:
            raise self.failures.pop(0)
        return True


def retry(call: FlakyCall, **options: float) -> bool:
    requests = RetryingRequests(first_pause=0.01, **options)
    return asyncio.run(requests.process_request(call, (), {}, "sendMessage", {}, None))


@pytest.fixture(autouse=True)
def timedelta_periods(monkeypatch: pytest.MonkeyPatch) -> None:
    """As the bot runs PTB (see build_application): periods as timedelta, no deprecation warning."""
    monkeypatch.setenv("PTB_TIMEDELTA", "true")


def test_429s_and_network_errors_are_retried() -> None:
    call = FlakyCall(RetryAfter(timedelta(seconds=0.01)), NetworkError("weg"), TimedOut())
    assert retry(call) is True
    assert call.calls == 4


def test_bad_requests_are_not_retried_and_attempts_are_limited() -> None:
    call = FlakyCall(BadRequest("Bad Request: chat not found"))
    with pytest.raises(BadRequest):
        retry(call)
    assert call.calls == 1
    call = FlakyCall(*[NetworkError("weg")] * 10)
    with pytest.raises(NetworkError):
        retry(call, attempts=3)
    assert call.calls == 3
    call = FlakyCall(RetryAfter(timedelta(hours=1)))
    with pytest.raises(RetryAfter):  # not worth holding an answer for an hour
        retry(call)
