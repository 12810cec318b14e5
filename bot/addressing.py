"""Whether a message is meant for the bot, and the question it holds.

In a private chat everything is; in a group only a mention, a reply to the bot, or a command
that is not addressed to another bot (`/fraga@annanbot`).
"""

from __future__ import annotations

import re

from telegram import Message, MessageEntity
from telegram.constants import ChatType


def is_private(message: Message) -> bool:
    return message.chat.type == ChatType.PRIVATE


def command_for_us(message: Message, username: str) -> bool:
    """A message starting with a command that names no bot, or names this one."""
    text = message.text or message.caption or ""
    if not text.startswith("/"):
        return False
    command = text.split(maxsplit=1)[0]
    _, _, target = command.partition("@")
    return not target or target.lower() == username.lower()


def mentions_bot(message: Message, username: str, bot_id: int) -> bool:
    entities = message.parse_entities([MessageEntity.MENTION, MessageEntity.TEXT_MENTION])
    for entity, text in entities.items():
        if entity.type == MessageEntity.MENTION and text.lower() == f"@{username.lower()}":
            return True
        if entity.type == MessageEntity.TEXT_MENTION and entity.user is not None and entity.user.id == bot_id:
            return True
    return False


def replies_to_bot(message: Message, bot_id: int) -> bool:
    replied = message.reply_to_message
    return replied is not None and replied.from_user is not None and replied.from_user.id == bot_id


def is_addressed(message: Message, username: str, bot_id: int) -> bool:
    return (
        is_private(message)
        or command_for_us(message, username)
        or mentions_bot(message, username, bot_id)
        or replies_to_bot(message, bot_id)
    )


def without_mention(text: str, username: str) -> str:
    """The text with `@botnamn` taken out, so the mention is not searched for."""
    cleaned = re.sub(rf"@{re.escape(username)}\b", " ", text, flags=re.IGNORECASE)
    return " ".join(cleaned.split())
