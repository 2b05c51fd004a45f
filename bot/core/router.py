"""Routes an inbound message to one handler: commands first (so MENU always works), then buttons
(tapped, or typed as their number or word), then the flow waiting for free text, then the fallback."""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Awaitable, Callable
from dataclasses import replace

from bot.core.context import Context, Result
from bot.core.dialog import DialogState
from bot.core.messages import Button, Inbound, InboundKind

Handler = Callable[[Context, Inbound], Awaitable[Result]]

_SPACES = re.compile(r"\s+")


def normalize(text: str) -> str:
    """Case-, space- and emoji-insensitive form of typed text: " Progres  Saya 📈 " -> "progres saya"."""
    kept = "".join(ch for ch in text if unicodedata.category(ch)[0] in "LNZP" or ch in "/-")
    return _SPACES.sub(" ", kept).strip(" .,!?:;").casefold()


def command_args(inbound: Inbound) -> str:
    """The words after a leading command: "/start ABC123" -> "ABC123"."""
    parts = inbound.text.strip().split(maxsplit=1)
    return parts[1].strip() if len(parts) == 2 else ""


def match_button(buttons: tuple[Button, ...], text: str) -> Button | None:
    """A typed "2" or "Kuis" means the second button or the button labelled Kuis."""
    wanted = normalize(text)
    if not wanted:
        return None
    if wanted.isdigit() and 1 <= int(wanted) <= len(buttons):
        return buttons[int(wanted) - 1]
    return next((b for b in buttons if normalize(b.label) == wanted), None)


class Router:
    def __init__(self) -> None:
        self._commands: dict[str, Handler] = {}
        self._buttons: dict[str, Handler] = {}
        self._flows: dict[str, Handler] = {}
        self._fallback: Handler | None = None

    def command(self, *words: str) -> Callable[[Handler], Handler]:
        def register(handler: Handler) -> Handler:
            for word in words:
                self._add(self._commands, normalize(word), handler)
            return handler

        return register

    def button(self, prefix: str) -> Callable[[Handler], Handler]:
        """Handles button ids "prefix" and "prefix:anything"."""

        def register(handler: Handler) -> Handler:
            self._add(self._buttons, prefix, handler)
            return handler

        return register

    def flow(self, name: str) -> Callable[[Handler], Handler]:
        def register(handler: Handler) -> Handler:
            self._add(self._flows, name, handler)
            return handler

        return register

    def fallback(self, handler: Handler) -> Handler:
        self._fallback = handler
        return handler

    def include(self, other: Router) -> None:
        for table, theirs in (
            (self._commands, other._commands),
            (self._buttons, other._buttons),
            (self._flows, other._flows),
        ):
            for key, handler in theirs.items():
                self._add(table, key, handler)
        if other._fallback is not None:
            self._fallback = other._fallback

    def resolve(self, state: DialogState, inbound: Inbound) -> tuple[Handler, Inbound]:
        if self._fallback is None:
            raise RuntimeError("router has no fallback handler")
        if inbound.kind is InboundKind.BUTTON:
            return self._buttons.get(inbound.button_id.split(":", 1)[0], self._fallback), inbound
        if inbound.kind is InboundKind.UNSUPPORTED:
            return self._fallback, inbound
        text = normalize(inbound.text)
        if text in self._commands:
            return self._commands[text], inbound
        first = text.split(" ", 1)[0]
        if first.startswith("/") and first in self._commands:
            return self._commands[first], inbound
        chosen = match_button(state.buttons, inbound.text)
        if chosen is not None:
            tapped = replace(inbound, kind=InboundKind.BUTTON, button_id=chosen.id)
            return self.resolve(state, tapped)
        if state.flow in self._flows:
            return self._flows[state.flow], inbound
        return self._fallback, inbound

    @staticmethod
    def _add(table: dict[str, Handler], key: str, handler: Handler) -> None:
        if key in table and table[key] is not handler:
            raise ValueError(f"two handlers registered for {key!r}")
        table[key] = handler
