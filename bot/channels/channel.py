"""The shape every chat channel adapter has, so the composition root can run any of them the same way.

An adapter parses raw updates into `Inbound` and hands them to its `ChannelRuntime` (per-chat order,
concurrency, stop and drain), renders `Outbound` into the platform's format within its limits through
its sender, maps transport errors onto `bot.core.delivery` outcomes, and declares its HTTP routes.
Replies are sent by the conversation through the outbox's fast path, with the sender the composition
root wraps with the channel's rate limits. An adapter never decides what the bot says."""

from __future__ import annotations

from typing import TYPE_CHECKING, Protocol

from aiohttp import web

from bot.core.delivery import ChannelSender

if TYPE_CHECKING:
    from bot.channels.runtime import ChannelRuntime


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

    def attach(self, runtime: ChannelRuntime) -> None:
        """Called once before `start`."""
        ...

    def add_routes(self, app: web.Application) -> None:
        """Webhook routes on the shared HTTP server (none for a polling channel)."""
        ...

    async def start(self) -> None: ...

    async def stop(self) -> None:
        """Stops taking updates and finishes the one in hand."""
        ...
