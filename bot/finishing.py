"""What a send's outcome means for its outbox row, and recording it the moment the platform answers.

Both the reply fast path and the delivery worker map outcomes here, so a reply and a reminder that meet
the same platform answer end the same way. `Finisher` writes each outcome as soon as it is known: while
one write is in progress the outcomes that arrive meanwhile wait and go in the next one (a group commit),
so under load a burst costs a few transactions, and after a crash only the sends in flight (and the
outcomes of at most one write) can be repeated."""

from __future__ import annotations

import asyncio
import random
from collections.abc import AsyncIterator, Awaitable, Callable, Sequence
from contextlib import asynccontextmanager
from dataclasses import dataclass, field, replace
from datetime import datetime, timedelta

from sqlalchemy.ext.asyncio import AsyncSession

from bot.core.delivery import Failed, Outcome, RetryLater, Sent, Undeliverable
from bot.core.messages import Button
from bot.db import dialog_store, outbox
from bot.db.engine import Database

MAX_ATTEMPTS = 5


@dataclass(frozen=True)
class RetryPolicy:
    max_attempts: int = MAX_ATTEMPTS
    backoff_base: float = 5.0  # seconds; doubles per attempt


def finished(
    row_id: int, attempts: int, outcome: Outcome, now: datetime, policy: RetryPolicy, reply: bool = False
) -> outbox.Finished:
    """The row's new state after one try (`attempts` counts this one)."""
    return replace(_finished(row_id, attempts, outcome, now, policy), reply=reply)


def _finished(
    row_id: int, attempts: int, outcome: Outcome, now: datetime, policy: RetryPolicy
) -> outbox.Finished:
    match outcome:
        case Sent(provider_ids=ids):
            return outbox.Finished(row_id, outbox.SENT, provider_message_id=ids[-1] if ids else None)
        case RetryLater(seconds=seconds, reason=reason, tried=False):
            return handed_back(row_id, attempts, now + timedelta(seconds=seconds), reason)
        case RetryLater(seconds=seconds, reason=reason, pause_channel=pause):
            if attempts >= policy.max_attempts:
                return outbox.Finished(
                    row_id, outbox.FAILED, error=f"gave up after {attempts} tries: {reason}"
                )
            # A pause is the platform's own figure; otherwise back off exponentially, with jitter.
            wait = seconds if pause else max(seconds, policy.backoff_base * 2 ** (attempts - 1))
            wait *= 1 if pause else random.uniform(1.0, 1.2)  # noqa: S311 - jitter, not security
            return outbox.Finished(
                row_id, outbox.PENDING, error=reason, retry_at=now + timedelta(seconds=wait)
            )
        case Undeliverable(reason=reason):
            return outbox.Finished(row_id, outbox.UNREACHABLE, error=reason)
        case Failed(reason=reason):
            return outbox.Finished(row_id, outbox.FAILED, error=reason)


def handed_back(row_id: int, attempts: int, due: datetime, reason: str) -> outbox.Finished:
    """A row not tried (an earlier message to the same chat was not sent, or the channel is paused): it
    waits until `due`, and the claim that did not send it does not count as a try."""
    return outbox.Finished(row_id, outbox.PENDING, error=reason, retry_at=due, attempts=max(0, attempts - 1))


@dataclass
class _Waiting:
    results: list[outbox.Finished]
    shown: dict[int, tuple[Button, ...]]
    done: asyncio.Future[None] = field(default_factory=lambda: asyncio.get_running_loop().create_future())


class Finisher:
    """Records outcomes as they come. `record` returns once they are committed. `shown` holds the
    buttons a sent message carried, per user: their typed "1" or "hadir" then answers that message.

    Outcomes also ride along in a transaction that is about to run anyway (see `riding`): under load
    the inbound messages' own transactions record the replies sent before them, and the writer finds
    nothing left to do (it then opens no transaction at all)."""

    def __init__(self, db: Database, clock: Callable[[], datetime]) -> None:
        self._db = db
        self._clock = clock
        self._waiting: list[_Waiting] = []
        self._writer: asyncio.Task[None] | None = None

    async def record(
        self, results: Sequence[outbox.Finished], shown: dict[int, tuple[Button, ...]] | None = None
    ) -> None:
        if not results:
            return
        waiting = _Waiting(list(results), dict(shown or {}))
        self._waiting.append(waiting)
        self._start_writer()
        await asyncio.shield(waiting.done)

    @asynccontextmanager
    async def riding(self) -> AsyncIterator[Callable[[AsyncSession], Awaitable[None]]]:
        """Around a transaction: the function it yields writes the outcomes waiting at that moment into
        the transaction's session. They count as recorded once the transaction commits; if it fails
        they go back to the writer."""
        taken: list[_Waiting] = []

        async def write(session: AsyncSession) -> None:
            if self._waiting:
                taken.extend(self._waiting)
                self._waiting = []
                await self._write_batch(session, taken)

        try:
            yield write
        except BaseException:
            if taken:
                self._waiting[:0] = taken
                self._start_writer()
            raise
        for w in taken:
            if not w.done.done():
                w.done.set_result(None)

    def _start_writer(self) -> None:
        if self._writer is None or self._writer.done():
            self._writer = asyncio.create_task(self._write())

    async def _write_batch(self, session: AsyncSession, batch: Sequence[_Waiting]) -> None:
        now = self._clock()
        await outbox.finish(session, [r for w in batch for r in w.results], now)
        shown = {user: buttons for w in batch for user, buttons in w.shown.items()}
        await dialog_store.show_pushed(session, shown, now)

    async def _write(self) -> None:
        while self._waiting:
            batch: list[_Waiting] = []
            try:
                async with self._db.transaction() as session:
                    # Taken only once the transaction may start: what a transaction ahead of this one
                    # took along is not written twice, and an empty turn touches no database.
                    batch, self._waiting = self._waiting, []
                    if batch:
                        await self._write_batch(session, batch)
            except Exception as exc:
                for w in batch:
                    if not w.done.done():
                        w.done.set_exception(exc)
                continue
            for w in batch:
                if not w.done.done():
                    w.done.set_result(None)
