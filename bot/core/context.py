"""What a handler receives and what it returns."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from bot.core.dialog import DialogState
from bot.core.events import Event
from bot.core.i18n import Translator
from bot.core.messages import Outbound
from bot.core.ports import Ports
from bot.core.users import UserView


@dataclass(frozen=True)
class Result:
    replies: tuple[Outbound, ...]
    state: DialogState
    events: tuple[Event, ...] = ()


@dataclass(frozen=True)
class Context:
    user: UserView
    state: DialogState
    now: datetime
    t: Translator
    ports: Ports

    def _(self, message: str) -> str:
        return self.t.gettext(message)

    def reply(
        self, *replies: Outbound, state: DialogState | None = None, events: tuple[Event, ...] = ()
    ) -> Result:
        return Result(replies=replies, state=self.state if state is None else state, events=events)
