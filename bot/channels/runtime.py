"""The part every chat channel shares: per-chat ordering, bounded concurrency, background work that a
stop waits for, and the hand-off of each inbound message to the conversation (which answers it and
sends the replies through the outbox's fast path, see `bot.replies`).

Per-chat ordering lives here and only here: a chat's work runs one piece at a time, in the order it
was submitted, so a user's second message is handled after their first and its replies go out after
the first's. Different chats run side by side, at most `concurrency` at once."""

from __future__ import annotations

import asyncio
import logging
from collections import deque
from collections.abc import Awaitable, Callable, Coroutine
from dataclasses import dataclass, field
from typing import Any

from bot.channels.channel import ChannelEvents
from bot.core.messages import Inbound

log = logging.getLogger(__name__)

Converse = Callable[[Inbound], Awaitable[object]]
Work = Callable[[], Awaitable[None]]
STOP_GRACE = 30.0  # seconds stop() waits for work in hand before cancelling it


@dataclass
class _Job:
    work: Work
    skippable: bool
    done: asyncio.Future[bool] = field(default_factory=lambda: asyncio.get_running_loop().create_future())


class ChannelRuntime:
    def __init__(
        self,
        channel: str,
        converse: Converse,
        events: ChannelEvents,
        concurrency: int = 16,
        stop_grace: float = STOP_GRACE,
    ) -> None:
        self.channel = channel
        self.events = events
        self._converse = converse
        self._slots = asyncio.Semaphore(concurrency)
        self._chats: dict[str, deque[_Job]] = {}
        self._tasks: set[asyncio.Task[None]] = set()
        self._stopping = asyncio.Event()
        self._stop_grace = stop_grace

    @property
    def stopping(self) -> bool:
        return self._stopping.is_set()

    async def converse(self, inbound: Inbound) -> None:
        """Answers one message now. Only from inside the chat's own submitted work."""
        await self._converse(inbound)

    def answer(self, inbound: Inbound, skippable: bool = False) -> asyncio.Future[bool]:
        """Queues one message of its chat for the conversation."""
        return self.submit(inbound.address, lambda: self.converse(inbound), skippable)

    def submit(self, chat: str, work: Work, skippable: bool = False) -> asyncio.Future[bool]:
        """Queues work for one chat. The future is True when the work has run (its failures are logged,
        never raised), False when it was skippable and stop() came before it began: the platform will
        deliver it again after a restart."""
        job = _Job(work, skippable)
        queue = self._chats.get(chat)
        if queue is not None:
            queue.append(job)
        else:
            self._chats[chat] = deque([job])
            self.spawn(self._serve(chat))
        return job.done

    def spawn(self, work: Coroutine[Any, Any, None]) -> None:
        """Background work that stop() waits for (a status webhook, a chat's queue)."""
        task = asyncio.create_task(work)
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)

    async def _serve(self, chat: str) -> None:
        queue = self._chats[chat]
        try:
            while queue:
                job = queue.popleft()
                if job.skippable and self.stopping:
                    job.done.set_result(False)
                    continue
                try:
                    async with self._slots:
                        await job.work()
                except Exception:
                    log.exception("%s update failed", self.channel, extra={"channel": self.channel})
                finally:
                    if not job.done.done():
                        job.done.set_result(True)
        finally:
            for job in queue:  # cancelled by stop(): nothing left may wait forever
                if not job.done.done():
                    job.done.set_result(False)
            del self._chats[chat]

    async def drain(self) -> None:
        """Waits until all work taken so far is done (tests use it instead of sleeping)."""
        while self._tasks:
            await asyncio.wait(set(self._tasks))

    async def stop(self) -> None:
        """Takes no new skippable work, finishes what is in hand (cancelling it after the grace)."""
        self._stopping.set()
        if not self._tasks:
            return
        _, late = await asyncio.wait(set(self._tasks), timeout=self._stop_grace)
        for task in late:
            task.cancel()
        if late:
            await asyncio.wait(late)
