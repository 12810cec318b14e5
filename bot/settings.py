"""Settings of the Telegram bot, read from the environment / `.env` (prefix `SAMORDNA_`).

Problems are reported in Swedish and by setting name only: a pydantic error would echo the
offending value, and one of the values is the bot token.
"""

from __future__ import annotations

import re
import secrets
from pathlib import Path
from typing import Annotated, Any, ClassVar
from urllib.parse import urlsplit

from pydantic import Field, SecretStr, field_validator
from pydantic_settings import NoDecode

from index.errors import SettingsInvalid
from index.scopes import EVERYTHING, Scope, ScopeError
from index.settings import Settings

OFFICIAL_BASE_URL = "https://api.telegram.org"
TOKEN_SHAPE = re.compile(r"\d{3,20}:[A-Za-z0-9_-]{30,100}")
"""What BotFather hands out: the bot's numeric id, a colon and 35 URL-safe characters."""
SECRET_TOKEN_SHAPE = re.compile(r"[A-Za-z0-9_-]{1,256}")
"""What Telegram accepts as a webhook secret token."""

TelegramIds = Annotated[tuple[int, ...], NoDecode]
ScopeMap = Annotated[dict[int, str], NoDecode]


class BotSettingsError(SettingsInvalid):
    """A bot setting is missing or wrong; raised before anything connects to Telegram."""


class BotSettings(Settings):
    """Everything `samordna bot` needs beyond the index settings."""

    invalid: ClassVar[type[SettingsInvalid]] = BotSettingsError

    telegram_token: SecretStr | None = None
    telegram_base_url: str = OFFICIAL_BASE_URL
    """Root of the Bot API server; `/bot<token>/…` and `/file/bot<token>/…` are added to it."""
    webhook_url: str | None = None
    """Public HTTPS address Telegram posts updates to; unset means long polling."""
    webhook_listen: str = Field(default="127.0.0.1", min_length=1, max_length=255)
    webhook_port: int = Field(default=8443, ge=1, le=65535)
    webhook_secret_token: SecretStr | None = None
    """Checked on every webhook call; a random one is made at each start when unset."""
    allowed_users: TelegramIds = ()
    allowed_chats: TelegramIds = ()
    admins: TelegramIds = ()
    open_access: bool = False
    log_questions: bool = False
    rate_limit_questions: int = Field(default=10, ge=1, le=10_000)
    rate_limit_seconds: float = Field(default=60.0, gt=0, le=86_400, allow_inf_nan=False)
    max_upload_mb: float = Field(default=20.0, gt=0, le=2000, allow_inf_nan=False)
    """The official Bot API lets bots download files up to 20 MB (a local Bot API server 2000 MB)."""
    data_dir: Path = Path("var")
    """Where the feedback database and its hashing key live."""
    scopes: ScopeMap = {}
    """Chat or user id → the corpus sub-folders it sees, e.g. `-100123=gavleborg,111=uppsala;gavleborg`."""
    scope_default: str = EVERYTHING
    """What a chat without an entry in `scopes` sees; `*` is everything."""

    @field_validator("scopes", mode="before")
    @classmethod
    def _parse_scopes(cls, value: Any) -> Any:
        """`id=folder;folder, id=folder` (commas or new lines between entries) into id → scope."""
        if not isinstance(value, str):
            return value
        mapping: dict[int, str] = {}
        for entry in (part.strip() for part in re.split(r"[,\n]", value)):
            if not entry:
                continue
            chat, equals, folders = (part.strip() for part in entry.partition("="))
            if not equals or not re.fullmatch(r"-?\d+", chat):
                raise ValueError(
                    f"”{entry}” ska skrivas som id=mapp, t.ex. -1001234567890=gavleborg "
                    "eller 11111111=uppsala;gavleborg"
                )
            if int(chat) in mapping:
                raise ValueError(f"id {chat} står mer än en gång")
            mapping[int(chat)] = _checked_scope(folders, f"id {chat}")
        return mapping

    @field_validator("scope_default", mode="before")
    @classmethod
    def _check_scope_default(cls, value: Any) -> Any:
        return _checked_scope(value, "standardomfattningen") if isinstance(value, str) else value

    def scope_of(self, chat_id: int) -> Scope | None:
        """The sub-folders a chat sees (a private chat's id is its user's), None for everything."""
        return Scope.parse(self.scopes.get(chat_id, self.scope_default))

    @property
    def named_scopes(self) -> set[str]:
        """Every folder the settings name as (part of) a scope."""
        scopes = (Scope.parse(text) for text in (*self.scopes.values(), self.scope_default))
        return {folder for scope in scopes if scope is not None for folder in scope.folders}

    @field_validator("allowed_users", "allowed_chats", "admins", mode="before")
    @classmethod
    def _split_ids(cls, value: Any) -> Any:
        """Accept `123, -100456` (the natural way to write ids in an env file) as well as `[123]`."""
        if isinstance(value, int):
            return (value,)
        if isinstance(value, str):
            return tuple(part for part in re.split(r"[,\s]+", value.strip().strip("[]")) if part)
        return value

    @field_validator("telegram_base_url")
    @classmethod
    def _check_base_url(cls, value: str) -> str:
        if urlsplit(value).scheme not in ("http", "https") or not urlsplit(value).netloc:
            raise ValueError("måste vara en http(s)-adress, t.ex. https://api.telegram.org")
        return value.rstrip("/")

    @field_validator("webhook_url")
    @classmethod
    def _check_webhook_url(cls, value: str | None) -> str | None:
        if not value:
            return None
        parts = urlsplit(value)
        if parts.scheme not in ("http", "https") or not parts.netloc:
            raise ValueError("måste vara en fullständig adress, t.ex. https://bot.example.se/telegram")
        return value

    @field_validator("webhook_secret_token")
    @classmethod
    def _check_secret_token(cls, value: SecretStr | None) -> SecretStr | None:
        if value is not None and not SECRET_TOKEN_SHAPE.fullmatch(value.get_secret_value()):
            raise ValueError("får bara innehålla A–Z, a–z, 0–9, _ och - (1–256 tecken)")
        return value

    def checked_token(self) -> str:
        """The bot token, or a clear error when it is missing or cannot be one."""
        if self.telegram_token is None or not self.telegram_token.get_secret_value().strip():
            raise BotSettingsError(
                "SAMORDNA_TELEGRAM_TOKEN saknas. Skapa en bot hos @BotFather i Telegram och lägg "
                "token i miljön eller i .env (se docs/bot.md)."
            )
        token = self.telegram_token.get_secret_value().strip()
        if not TOKEN_SHAPE.fullmatch(token):
            raise BotSettingsError(
                "SAMORDNA_TELEGRAM_TOKEN ser inte ut som en token från @BotFather (formen är "
                "123456789:AA…, med ett kolon och inga citattecken eller mellanslag). Kontrollera värdet."
            )
        return token

    def webhook_secret(self) -> str:
        """The configured secret token, or a fresh random one (Telegram is told it at each start)."""
        if self.webhook_secret_token is not None:
            return self.webhook_secret_token.get_secret_value()
        return secrets.token_urlsafe(32)

    @property
    def webhook_path(self) -> str:
        """The path the webhook server listens on: the path of the public URL (a reverse proxy
        forwards it unchanged)."""
        return urlsplit(self.webhook_url or "").path.strip("/")

    @property
    def max_upload_bytes(self) -> int:
        return int(self.max_upload_mb * 1024 * 1024)


def _checked_scope(text: str, what: str) -> str:
    """`text` when it names folders or `*`, else a Swedish error about `what`."""
    try:
        scope = Scope.parse(text)
    except ScopeError as error:
        raise ValueError(f"{what}: {error}; skriv mappnamn åtskilda med ; eller * för alla dokument") from None
    return str(scope) if scope is not None else EVERYTHING
