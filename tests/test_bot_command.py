"""`samordna bot` as an operator starts it: settings checked first, the token kept out of every
log line, the index built when there is none, and a clean stop on SIGTERM."""

from __future__ import annotations

import asyncio
import os
import signal
import subprocess
import sys
from pathlib import Path

import pytest
from bot_corpus import BOT_CORPUS
from bot_harness import ADMIN, OUTSIDER, TOKEN
from botapi_standin import BotApiStandIn

from bot.settings import BotSettings, BotSettingsError
from bot.telegram_app import run_bot

pytest_plugins = ("bot_fixtures",)  # the fixtures bot_template and folders


def test_a_missing_token_is_a_clear_error_before_anything_starts(tmp_path: Path) -> None:
    with BotApiStandIn(TOKEN) as api:
        settings = BotSettings(_env_file=None, telegram_token=None, telegram_base_url=api.base_url,
                               corpus_dir=tmp_path, index_dir=tmp_path / "index")
        with pytest.raises(BotSettingsError, match="SAMORDNA_TELEGRAM_TOKEN saknas"):
            run_bot(settings)
        assert api.calls == []


@pytest.mark.parametrize("token", ["abc", "123456789 AAHtestTOKENtestTOKENtestTOKENtest12", f"'{TOKEN}'"])
def test_a_malformed_token_is_refused_without_being_repeated(tmp_path: Path, token: str) -> None:
    with BotApiStandIn(TOKEN) as api:
        settings = BotSettings(_env_file=None, telegram_token=token, telegram_base_url=api.base_url,
                               corpus_dir=tmp_path, index_dir=tmp_path / "index")
        with pytest.raises(BotSettingsError) as refused:
            run_bot(settings)
        assert "ser inte ut som en token" in refused.value.message
        assert token not in refused.value.message and "AAHtest" not in refused.value.message
        assert api.calls == []


def test_a_token_telegram_rejects_is_reported(folders: tuple[Path, Path]) -> None:
    wrong = "987654321:AAHwrongTOKENwrongTOKENwrongTOKEN12"
    with BotApiStandIn(TOKEN) as api:
        settings = BotSettings(_env_file=None, telegram_token=wrong, telegram_base_url=api.base_url,
                               corpus_dir=folders[0], index_dir=folders[1])
        try:
            with pytest.raises(BotSettingsError, match="Telegram godtar inte"):
                run_bot(settings)
        finally:
            asyncio.set_event_loop(None)  # run_bot ran in this thread and closed its loop
        assert api.calls == []  # the stand-in, like Telegram, answered 401 to the wrong token


def test_samordna_bot_serves_a_new_user_and_stops_on_sigterm(tmp_path: Path, bot_folders: tuple[Path, Path]) -> None:
    corpus, _ = bot_folders
    index = tmp_path / "fresh-index"  # none yet: the bot builds it before it starts
    with BotApiStandIn(TOKEN) as api:
        environment = {
            **{key: value for key, value in os.environ.items() if not key.startswith("SAMORDNA_")},
            "SAMORDNA_TELEGRAM_TOKEN": TOKEN,
            "SAMORDNA_TELEGRAM_BASE_URL": api.base_url,
            "SAMORDNA_CORPUS_DIR": str(corpus),
            "SAMORDNA_INDEX_DIR": str(index),
            "SAMORDNA_ADMINS": f"{ADMIN}",
        }
        process = subprocess.Popen(
            [sys.executable, "-m", "bot.cli", "bot"], cwd=tmp_path, env=environment,
            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
        )
        try:
            api.wait_for(lambda: api.calls_to("getUpdates") or process.poll() is not None, timeout=120,
                         what="the bot to start polling")
            assert process.poll() is None, process.communicate()
            api.message("/start", OUTSIDER)
            [refusal] = api.wait_for_sent(OUTSIDER, 1)
            assert str(OUTSIDER) in refusal["text"]
            api.message("/start", ADMIN)
            [welcome] = api.wait_for_sent(ADMIN, 1)
            assert "18</b> anteckningar" in welcome["text"]
        finally:
            process.send_signal(signal.SIGTERM)
            out, err = process.communicate(timeout=30)
    assert process.returncode == 0, err
    assert "Startar med long polling" in err and "Det finns inget index" in err
    assert TOKEN not in out + err and TOKEN.split(":")[1] not in out + err


@pytest.fixture
def bot_folders(tmp_path: Path) -> tuple[Path, Path]:
    """A corpus with no index yet."""
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    for name, text in BOT_CORPUS.items():
        (corpus / name).write_text(text, encoding="utf-8")
    return corpus, tmp_path / "index"


def test_settings_name_the_wrong_setting_but_not_its_value() -> None:
    with pytest.raises(BotSettingsError) as refused:
        BotSettings.load(_env_file=None, admins="12, abc", webhook_port=0)
    assert "SAMORDNA_ADMINS" in refused.value.message and "SAMORDNA_WEBHOOK_PORT" in refused.value.message
    assert "abc" not in refused.value.message
