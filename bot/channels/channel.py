"""The shape every chat channel adapter has, so the composition root can run any of them the same way.

An adapter parses raw updates into `Inbound`, hands them to the injected `handle`, sends the replies
through the injected reply sender (the composition root wraps the adapter's own sender with the
channel's rate limits), reports reachability and delivery statuses through `ChannelEvents`, and maps
transport errors onto `bot.core.delivery` outcomes. It never decides what the bot says."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Protocol

from aiohttp import web

from bot.core.delivery import ChannelSender, Envelope, Outcome, RetryLater, Sent, Undeliverable
from bot.core.messages import Inbound, Outbound

Handle = Callable[[Inbound], Awaitable[list[Outbound]]]


async def send_replies(
    sender: ChannelSender,
    address: str,
    replies: list[Outbound],
    wait: Callable[[float], Awaitable[None]],
    retry_max: float,
    report: Callable[[Outcome], Awaitable[None]],
) -> None:
    """Sends a reply's messages in order. A rate limit of at most `retry_max` seconds is waited out once;
    every message that is not sent is reported, and sending stops where the rest would arrive out of
    order (a longer rate limit) or could not arrive at all (the chat is unreachable)."""
    for message in replies:
        envelope = Envelope(address, message, reply=True)
        outcome = await sender.send(envelope)
        if isinstance(outcome, RetryLater) and outcome.seconds <= retry_max:
            await wait(outcome.seconds)
            outcome = await sender.send(envelope)
        if isinstance(outcome, Sent):
            continue
        await report(outcome)
        if isinstance(outcome, Undeliverable | RetryLater):
            return


class ChannelEvents(Protocol):
    async def reachability(self, channel: str, address: str, reachable: bool, reason: str) -> None:
        """The user blocked (False) or unblocked (True) the bot, or the platform says they cannot be reached."""
        ...

    async def delivery_status(self, channel: str, provider_id: str, status: str, error: str | None) -> None:
        """A platform's later word on a sent message: sent | delivered | read | failed (with the error)."""
        ...


class Channel(Protocol):
    @property
    def name(self) -> str: ...

    @property
    def sender(self) -> ChannelSender:
        """The adapter's raw sender; the composition root wraps it with rate limits."""
        ...

    def attach(self, handle: Handle, reply_sender: ChannelSender, events: ChannelEvents) -> None:
        """Called once before `start`."""
        ...

    def add_routes(self, app: web.Application) -> None:
        """Webhook routes on the shared HTTP server (none for a polling channel)."""
        ...

    async def start(self) -> None: ...

    async def stop(self) -> None:
        """Stops taking updates and finishes the one in hand."""
        ...
