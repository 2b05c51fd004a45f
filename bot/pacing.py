"""Rate limits in front of a channel's sender: a per-channel budget for bulk messages, at most one bulk
message per second per chat, and a pause of the whole channel when the platform answers "too many
requests". Limits and the pause live in a `limits` storage: in memory for one process, or Redis, where
they are shared between processes and outlive a restart (a restarted bot does not send into a pause
or over a budget its previous run had used).

A reply that meets a pause is not held: it comes back untried, to be sent from the outbox when the pause
is over. Replies to a user's own message are otherwise treated per platform: Telegram meters bulk notifications, not
conversation, so replies skip the bulk budget (a pause is still obeyed); WhatsApp's per-number budget
covers everything, so replies take their share of it first and bulk waits while a reply is waiting."""

from __future__ import annotations

import asyncio
import math
import time
from collections.abc import Callable
from typing import cast

from limits import RateLimitItemPerSecond
from limits.aio.storage import Storage
from limits.aio.strategies import MovingWindowRateLimiter
from limits.storage import storage_from_string

from bot.core.delivery import ChannelSender, Envelope, Outcome, RetryLater

PAUSE_STEP = 1.0  # seconds


def async_storage(uri: str) -> Storage:
    """`memory://` or `redis://host:port` as the asyncio storage of the `limits` library."""
    return cast(Storage, storage_from_string(uri if uri.startswith("async+") else f"async+{uri}"))


class PacedSender:
    def __init__(
        self,
        inner: ChannelSender,
        per_second: int,
        storage_uri: str = "memory://",
        replies_skip_budget: bool = False,
        clock: Callable[[], float] = time.time,
    ) -> None:
        self._inner = inner
        self._storage = async_storage(storage_uri)
        self._limiter = MovingWindowRateLimiter(self._storage)
        self._pause_restored = False
        self._budget = RateLimitItemPerSecond(per_second)
        self._per_chat = RateLimitItemPerSecond(1)
        self._replies_skip_budget = replies_skip_budget
        self._clock = clock
        self._paused_until = 0.0
        self._replies_waiting = 0
        self._no_reply_waiting = asyncio.Event()
        self._no_reply_waiting.set()

    @property
    def channel(self) -> str:
        return self._inner.channel

    @property
    def paused_for(self) -> float:
        return max(0.0, self._paused_until - self._clock())

    def pause(self, seconds: float) -> None:
        self._paused_until = max(self._paused_until, self._clock() + seconds)

    @property
    def _pause_key(self) -> str:
        return f"p2k2/pause/{self.channel}"

    async def _stored_pause(self) -> float:
        """Seconds left of the pause the storage holds for this channel (0 when there is none)."""
        if not await self._storage.get(self._pause_key):
            return 0.0
        return max(0.0, await self._storage.get_expiry(self._pause_key) - time.time())

    async def _share_pause(self, seconds: float) -> None:
        """Writes the pause to the storage, where other processes and the next run find it."""
        if seconds > await self._stored_pause():
            await self._storage.clear(self._pause_key)
            await self._storage.incr(self._pause_key, math.ceil(seconds))

    async def _restore_pause(self) -> None:
        """A pause that a previous run (or another process) recorded and that is not over yet."""
        self._pause_restored = True
        if left := await self._stored_pause():
            self.pause(left)

    async def _take(self, item: RateLimitItemPerSecond, *key: str, behind_replies: bool = False) -> None:
        """Waits for a slot in the (possibly shared) moving window; bulk also waits while a reply does."""
        while True:
            if behind_replies:
                await self._no_reply_waiting.wait()
            if await self._limiter.hit(item, self.channel, *key):
                return
            stats = await self._limiter.get_window_stats(item, self.channel, *key)
            await asyncio.sleep(max(0.001, stats.reset_time - time.time()))

    async def _wait_pause(self) -> None:
        # A loop in short steps, not an event: another 429 may extend the pause while this task sleeps,
        # and the pause is measured on `clock`, which need not be the loop's.
        while (wait := self.paused_for) > 0:  # noqa: ASYNC110
            await asyncio.sleep(min(wait, PAUSE_STEP))

    async def send(self, envelope: Envelope) -> Outcome:
        if not self._pause_restored:
            await self._restore_pause()
        if envelope.reply and self.paused_for > 0:
            # Not held here for the pause: the reply is in the outbox, and the delivery worker sends it
            # (in order with the chat's later ones) when the pause is over.
            return RetryLater(self.paused_for, "the channel is paused", tried=False)
        if envelope.reply:
            self._replies_waiting += 1
            self._no_reply_waiting.clear()
            try:
                if not self._replies_skip_budget:
                    await self._take(self._budget, "all")
            finally:
                self._replies_waiting -= 1
                if not self._replies_waiting:
                    self._no_reply_waiting.set()
        else:
            await self._wait_pause()
            await self._take(self._per_chat, "chat", envelope.address)
            await self._take(self._budget, "all", behind_replies=True)
            await self._wait_pause()
        outcome = await self._inner.send(envelope)
        if isinstance(outcome, RetryLater) and outcome.pause_channel:
            self.pause(outcome.seconds)
            await self._share_pause(outcome.seconds)
        return outcome
