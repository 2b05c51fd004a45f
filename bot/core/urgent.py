"""Urgent words: a message that has one of them is answered first with the number to call. Words match
whole, within longer sentences, whatever their case or accents ("Anak saya KEJANG!", "pingsán")."""

from __future__ import annotations

import re
from collections.abc import Sequence

from bot.core.choices import normalize
from bot.core.content import UrgentHelp


def _pattern(word: str) -> re.Pattern[str]:
    parts = (re.escape(part) for part in normalize(word).split())
    return re.compile(r"(?<!\w)" + r"\s+".join(parts) + r"(?!\w)")


class UrgentWords:
    def __init__(self, helps: Sequence[UrgentHelp]) -> None:
        self._helps = [(help_, [_pattern(w) for w in help_.words]) for help_ in helps]

    def find(self, text: str) -> tuple[UrgentHelp, ...]:
        """The helps whose words are in `text`, in the order of the content file."""
        folded = normalize(text)
        return tuple(h for h, patterns in self._helps if any(p.search(folded) for p in patterns))
