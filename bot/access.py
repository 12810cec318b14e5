"""Who may use the bot: admins always; others when listed, when in a listed chat, or when open."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field


@dataclass
class AccessPolicy:
    """Denies everyone but admins unless told otherwise: the notes are not public by default."""

    admins: frozenset[int] = frozenset()
    allowed_users: frozenset[int] = frozenset()
    allowed_chats: frozenset[int] = frozenset()
    open_access: bool = False
    _refused: set[tuple[int, int]] = field(default_factory=set, repr=False)

    @classmethod
    def of(
        cls, admins: Iterable[int], allowed_users: Iterable[int], allowed_chats: Iterable[int], open_access: bool
    ) -> AccessPolicy:
        return cls(frozenset(admins), frozenset(allowed_users), frozenset(allowed_chats), open_access)

    def is_admin(self, user_id: int) -> bool:
        return user_id in self.admins

    def allows(self, user_id: int, chat_id: int) -> bool:
        return (
            self.open_access
            or user_id in self.admins
            or user_id in self.allowed_users
            or chat_id in self.allowed_chats
        )

    def first_refusal(self, user_id: int, chat_id: int) -> bool:
        """True the first time this user is refused in this chat: an outsider is told once, and
        further attempts are ignored instead of answered with the same text again."""
        key = (user_id, chat_id)
        if key in self._refused:
            return False
        self._refused.add(key)
        return True

    def describe(self) -> str:
        """The access mode in a few Swedish words, for /status."""
        if self.open_access:
            return "öppen för alla"
        return (
            f"begränsad (administratörer: {len(self.admins)}, användare: {len(self.allowed_users)}, "
            f"grupper: {len(self.allowed_chats)})"
        )
