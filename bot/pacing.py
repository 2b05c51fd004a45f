"""Rate limits in front of a channel's sender: a per-channel budget for bulk messages, at most one bulk
message per second per chat, and a pause of the whole channel when the platform answers "too many
requests". Limits live in a `limits` storage: in memory for one process, Redis to share them.

Replies to a user's own message are treated per platform: Telegram meters bulk notifications, not
conversation, so replies skip the bulk budget (a pause is still obeyed); WhatsApp's per-number budget
covers everything, so replies take their share of it first and bulk waits while a reply is waiting."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable

from limits import RateLimitItemPerSecond
from limits.aio.strategies import MovingWindowRateLimiter
from limits.storage import storage_from_string

from bot.core.delivery import ChannelSender, Envelope, Outcome, RetryLater


def async_storage(uri: str) -> object:
    """`memory://` or `redis://host:port` as the asyncio storage of the `limits` library."""
    return storage_from_string(uri if uri.startswith("async+") else f"async+{uri}")


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
        self._limiter = MovingWindowRateLimiter(async_storage(storage_uri))  # type: ignore[arg-type]
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
        # A loop, not an event: another 429 may extend the pause while this task sleeps.
        while (wait := self.paused_for) > 0:  # noqa: ASYNC110
            await asyncio.sleep(wait)

    async def send(self, envelope: Envelope) -> Outcome:
        if envelope.reply:
            self._replies_waiting += 1
            self._no_reply_waiting.clear()
            try:
                await self._wait_pause()
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
        return outcome
