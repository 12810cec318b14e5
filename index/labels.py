"""The labels a table's note names its people with: who led it, who asked, who wrote it down.

Kept apart from `roles` (which reads every form a role is written in, at build time) so that
picking quotes at question time does not compile the role patterns.
"""

from __future__ import annotations

import re

LEADER_LABEL = re.compile(
    r"^(?P<label>Samtalsledare|Ledare|Moderator|Bordsvärd|Bordsledare|Processledare|Facilitator|"
    r"Värd|Ansvarig|Föreläsare|Presentatör|Leds av)\s*:\s*(?P<value>[^\n]+)$",
    re.MULTILINE | re.IGNORECASE,
)
SCRIBE = re.compile(r"^(?:Nedtecknat|Antecknat|Dokumenterat|Sammanställt|Protokollfört) av\b", re.IGNORECASE)
ASKER_LABEL = re.compile(r"(?:Frågeställare|Sammankallande|Initiativtagare)\s*:")
