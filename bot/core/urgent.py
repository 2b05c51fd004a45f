"""Urgent words: a message that has one of them is answered first with the number to call. Words match
whole, within longer sentences, whatever their case or accents ("Anak saya KEJANG!", "pingsán")."""

from __future__ import annotations

import re
from collections.abc import Sequence

from bot.core.choices import normalize
from bot.core.content import UrgentHelp


def _pattern(words: Sequence[str]) -> re.Pattern[str]:
    """One pattern for all of a help's words: each whole, its parts separated by any spaces."""
    phrases = (r"\s+".join(re.escape(part) for part in normalize(word).split()) for word in words)
    return re.compile(r"(?<!\w)(?:" + "|".join(phrases) + r")(?!\w)")


class UrgentWords:
    def __init__(self, helps: Sequence[UrgentHelp]) -> None:
        self._helps = [(help_, _pattern(help_.words)) for help_ in helps]

    def find(self, text: str) -> tuple[UrgentHelp, ...]:
        """The helps whose words are in `text`, in the order of the content file."""
        folded = normalize(text)
        return tuple(h for h, pattern in self._helps if pattern.search(folded))
