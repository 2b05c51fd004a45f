"""Translation port. The locale is per user and passed explicitly in the handler context, never global."""

from __future__ import annotations

from typing import Protocol

SUPPORTED_LOCALES = ("id", "en")


class Translator(Protocol):
    @property
    def locale(self) -> str: ...

    def gettext(self, message: str) -> str: ...

    def ngettext(self, singular: str, plural: str, n: int) -> str: ...


def N_(message: str) -> str:
    """Marks a module-level string for extraction; it is translated later, where the locale is known."""
    return message
