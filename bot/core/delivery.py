"""What a channel adapter reports after trying to send one message, and what it needs to send it.

Adapters map their transport errors onto these outcomes; the delivery worker decides what to do next
(store the provider id, retry later, give up on the message, or mark the identity unreachable)."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Protocol

from bot.core.messages import Outbound


@dataclass(frozen=True)
class Sent:
    provider_ids: tuple[str, ...]  # one per platform message (a long text may be split)


@dataclass(frozen=True)
class RetryLater:
    seconds: float
    reason: str
    pause_channel: bool = False  # a platform-wide 429: every send on this channel waits
    tried: bool = True  # False when the platform was not asked (the channel is paused): no attempt used


@dataclass(frozen=True)
class Failed:
    """This message cannot be sent as it is (e.g. a bad request); the identity stays reachable."""

    reason: str


@dataclass(frozen=True)
class Undeliverable:
    """The identity cannot be reached (blocked the bot, no account, window closed without template)."""

    reason: str


Outcome = Sent | RetryLater | Failed | Undeliverable
# Why a WhatsApp message outside the 24-hour window was not sent: a recorded end, not an unreachable user.
WINDOW_CLOSED = "window closed"


@dataclass(frozen=True)
class Template:
    """A pre-approved template to use where a platform forbids free messages (WhatsApp outside the
    24-hour window). `kind` is reminder | broadcast | nudge | meeting_change; `params` fill its variables
    in order; `buttons` are quick replies (id, label)."""

    kind: str
    params: tuple[str, ...]
    buttons: tuple[tuple[str, str], ...] = ()


@dataclass(frozen=True)
class Envelope:
    """One message on its way to one chat."""

    address: str
    message: Outbound
    reply: bool  # an answer to the user's own message (not bulk)
    template: Template | None = None
    last_inbound_at: datetime | None = None
    tags: dict[str, str] = field(default_factory=dict)


class ChannelSender(Protocol):
    @property
    def channel(self) -> str: ...

    async def send(self, envelope: Envelope) -> Outcome: ...
