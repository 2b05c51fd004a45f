"""Routes an inbound message to one handler. For typed text, in this order:
1. screens: words that must be answered before anything else (urgent words);
2. the buttons on screen, by their number or whole label, then by a looser reading (yes/no words, first
   word, one typo; see `bot.core.choices`): what the user sees wins over global words, so "setuju" at
   the consent question is the consent button. A reading that fits two buttons asks which one was meant.
   MENU, BATAL and BANTUAN are never read loosely;
3. commands, the user's role's own first (a pendamping's "pertemuan" opens their meetings);
4. the flow waiting for free text, then the fallback."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import replace
from typing import TypeVar

from bot.core.choices import exact_choice, loose_choice, normalize
from bot.core.context import Context, Result
from bot.core.dialog import DialogState
from bot.core.messages import Button, Inbound, InboundKind, Outbound
from bot.core.users import Role

Handler = Callable[[Context, Inbound], Awaitable[Result]]
Check = Callable[[Inbound], bool]
K = TypeVar("K")

# Typed on their own, these always do what they say, whatever a loose reading of the buttons might find.
_ESCAPES = frozenset({"menu", "batal", "bantuan", "help"})


def command_args(inbound: Inbound) -> str:
    """The words after a leading command: "/start ABC123" -> "ABC123"."""
    parts = inbound.text.strip().split(maxsplit=1)
    return parts[1].strip() if len(parts) == 2 else ""


def ask_which(candidates: tuple[Button, ...]) -> Handler:
    """The answer to a typed word that fits several buttons: the user picks one of them."""

    async def which(ctx: Context, _msg: Inbound) -> Result:
        text = ctx._("Which one do you mean? Tap one, or type its number:")
        return ctx.reply(Outbound(text, candidates))

    return which


class Router:
    def __init__(self) -> None:
        self._screens: list[tuple[Check, Handler]] = []
        self._commands: dict[tuple[str, Role | None], Handler] = {}
        self._buttons: dict[str, Handler] = {}
        self._flows: dict[str, Handler] = {}
        self._fallback: Handler | None = None

    def screen(self, check: Check) -> Callable[[Handler], Handler]:
        """A handler for typed text that `check` picks out, before buttons, commands and flows."""

        def register(handler: Handler) -> Handler:
            self._screens.append((check, handler))
            return handler

        return register

    def command(self, *words: str, role: Role | None = None) -> Callable[[Handler], Handler]:
        """`role`: the words mean this handler only for users of that role (and win over the others)."""

        def register(handler: Handler) -> Handler:
            for word in words:
                self._add(self._commands, (normalize(word), role), handler)
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
        self._screens.extend(other._screens)
        for key, handler in other._commands.items():
            self._add(self._commands, key, handler)
        for table, theirs in ((self._buttons, other._buttons), (self._flows, other._flows)):
            for name, handler in theirs.items():
                self._add(table, name, handler)
        if other._fallback is not None:
            self._fallback = other._fallback

    def resolve(self, state: DialogState, inbound: Inbound, role: Role = Role.KPM) -> tuple[Handler, Inbound]:
        if self._fallback is None:
            raise RuntimeError("router has no fallback handler")
        if inbound.kind is InboundKind.BUTTON:
            return self._buttons.get(inbound.button_id.split(":", 1)[0], self._fallback), inbound
        if inbound.kind is not InboundKind.TEXT:
            return self._fallback, inbound
        screened = next((handler for check, handler in self._screens if check(inbound)), None)
        if screened is not None:
            return screened, inbound
        chosen = exact_choice(state.buttons, inbound.text)
        if chosen is not None:
            return self.resolve(state, self._tap(inbound, chosen), role)
        text = normalize(inbound.text)
        if text not in _ESCAPES:
            loose = loose_choice(state.buttons, inbound.text)
            if loose.ambiguous:
                return ask_which(loose.candidates), inbound
            if loose.button is not None:
                return self.resolve(state, self._tap(inbound, loose.button), role)
        command = self._command(text, role)
        if command is not None:
            return command, inbound
        if state.flow in self._flows:
            return self._flows[state.flow], inbound
        return self._fallback, inbound

    def _command(self, text: str, role: Role) -> Handler | None:
        first, _, rest = text.partition(" ")
        # "/start CODE" and "kuis 3": a command word with its argument after it.
        for word in (text, first) if first.startswith("/") or rest.isdigit() else (text,):
            handler = self._commands.get((word, role)) or self._commands.get((word, None))
            if handler is not None:
                return handler
        return None

    @staticmethod
    def _tap(inbound: Inbound, button: Button) -> Inbound:
        return replace(inbound, kind=InboundKind.BUTTON, button_id=button.id)

    @staticmethod
    def _add(table: dict[K, Handler], key: K, handler: Handler) -> None:
        if key in table and table[key] is not handler:
            raise ValueError(f"two handlers registered for {key!r}")
        table[key] = handler
