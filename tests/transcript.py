"""Conversation tests that read like transcripts: say, tap, expect a reply and its buttons."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from bot.core.delivery import Envelope, Outcome, Sent
from bot.core.messages import Button, Inbound, InboundKind, Outbound
from bot.service import ConversationService


@dataclass
class FakeClock:
    now: datetime

    def __call__(self) -> datetime:
        return self.now

    def advance(self, **kwargs: float) -> None:
        self.now += timedelta(**kwargs)


class Screen:
    """A chat's screen as a channel sender: every message sent to it is shown (and counts as sent)."""

    def __init__(self, channel: str) -> None:
        self.channel = channel
        self.shown: list[Outbound] = []

    async def send(self, envelope: Envelope) -> Outcome:
        self.shown.append(envelope.message)
        return Sent((f"shown-{len(self.shown)}",))


class Chat:
    """One user's chat. Replies go the way they go on a real channel: into the outbox with the inbound
    message, then out through the fast path to this chat's screen."""

    def __init__(self, service: ConversationService, address: str, channel: str = "console") -> None:
        self.service = service
        self.address = address
        self.channel = channel
        self.clock = service._clock
        self.screen = Screen(channel)
        self.replies: list[Outbound] = []

    async def send(self, inbound: Inbound) -> list[Outbound]:
        before = len(self.screen.shown)
        await self.service.converse(inbound, self.screen)
        self.replies = self.screen.shown[before:]
        return self.replies

    async def say(self, text: str, message_id: str = "") -> list[Outbound]:
        return await self.send(Inbound.typed(self.channel, self.address, text, self.clock(), message_id))

    async def tap(self, label: str) -> list[Outbound]:
        """Taps the button shown with this label (or id) in the last replies."""
        button = self.button(label)
        return await self.send(Inbound.tapped(self.channel, self.address, button.id, self.clock()))

    async def tap_id(self, button_id: str) -> list[Outbound]:
        return await self.send(Inbound.tapped(self.channel, self.address, button_id, self.clock()))

    async def send_unsupported(self) -> list[Outbound]:
        return await self.send(Inbound(self.channel, self.address, InboundKind.UNSUPPORTED, self.clock()))

    def button(self, label: str) -> Button:
        shown = [b for r in self.replies for b in r.buttons]
        for b in shown:
            if b.label == label or b.id == label:
                return b
        raise AssertionError(f"no button {label!r}; shown: {[b.label for b in shown]}")

    @property
    def text(self) -> str:
        return "\n---\n".join(r.text for r in self.replies)

    @property
    def labels(self) -> list[str]:
        return [b.label for r in self.replies for b in r.buttons]

    def expect_reply(self, contains: str | list[str] = (), buttons: list[str] | None = None) -> None:
        assert self.replies, "the bot did not answer"
        for fragment in [contains] if isinstance(contains, str) else contains:
            assert fragment in self.text, f"{fragment!r} not in reply:\n{self.text}"
        if buttons is not None:
            assert self.labels == buttons, f"buttons {self.labels} != {buttons}"
