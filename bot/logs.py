"""Logging for the bot: one plain format, quiet HTTP libraries, and secrets never written.

httpx logs every request URL at INFO, and Bot API URLs contain the token; PTB logs its base URL
at DEBUG. Rather than trusting every library, each handler redacts the secrets from whatever
passes it, tracebacks included.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable

REDACTED = "[hemlig]"
FORMAT = "%(asctime)s %(levelname)s %(name)s: %(message)s"


class RedactSecrets(logging.Filter):
    def __init__(self, secrets: Iterable[str]) -> None:
        super().__init__()
        self.secrets = [secret for secret in secrets if secret]

    def redact(self, text: str) -> str:
        for secret in self.secrets:
            text = text.replace(secret, REDACTED)
        return text

    def filter(self, record: logging.LogRecord) -> bool:
        message = record.getMessage()
        record.msg, record.args = self.redact(message), None
        if record.exc_info and not record.exc_text:
            record.exc_text = logging.Formatter().formatException(record.exc_info)
        if record.exc_text:
            record.exc_text = self.redact(record.exc_text)
        if record.stack_info:
            record.stack_info = self.redact(record.stack_info)
        return True


def configure_logging(secrets: Iterable[str], level: int = logging.INFO) -> None:
    """Log to stderr (journald under systemd) with `secrets` redacted on every handler."""
    logging.basicConfig(level=level, format=FORMAT)
    for noisy in ("httpx", "httpcore", "bm25s"):
        logging.getLogger(noisy).setLevel(logging.WARNING)
    redactor = RedactSecrets(secrets)
    for handler in logging.getLogger().handlers:
        handler.addFilter(redactor)
