"""Changes a handler asks for. Handlers return events; the service persists them in the same
transaction as the dialog state, so a reply and its effects are stored together or not at all."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Event:
    """Base of every event; events are named in the past tense."""


@dataclass(frozen=True)
class LocaleChosen(Event):
    locale: str
