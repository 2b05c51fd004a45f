"""The delivery worker: claims due outbox rows, renders each in its recipient's language, sends it through
the channel's paced sender and records the outcome.

Crash safety: rows are claimed with a lease. If the process dies mid-batch, rows it claimed but had not
finished are reclaimed when the lease ends and sent again. So after a crash a recipient may get one
message twice, but only messages of the batch that was in flight: at most `batch_size` duplicates."""

from __future__ import annotations

import asyncio
import logging
import random
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta

from bot.catalogs import GettextTranslator
from bot.core.content import Curriculum
from bot.core.delivery import ChannelSender, Envelope, Failed, Outcome, RetryLater, Sent, Undeliverable
from bot.core.messages import Button
from bot.core.ports import MeetingView
from bot.db import dialog_store, outbox
from bot.db.broadcast_progress import report_progress
from bot.db.channel_events import SqlChannelEvents
from bot.db.engine import Database
from bot.db.meetings import SqlMeetingReader
from bot.db.reminders import MEETING_KINDS
from bot.metrics import ERRORS, OUTBOX_DEPTH, SENDS
from handlers.notices import render_notice

log = logging.getLogger(__name__)
MAX_ATTEMPTS = 5
# What a member who stopped messages still gets: news of a meeting they may go to, and the answer to a
# question they asked themselves.
SENT_WHEN_STOPPED = frozenset({"meeting_change", "answer"})


@dataclass(frozen=True)
class DeliveryConfig:
    batch_size: int = 200
    lease: timedelta = timedelta(minutes=2)
    idle_poll: float = 0.5
    backoff_base: float = 5.0  # seconds; doubles per attempt
    addresses: tuple[str, ...] | None = None  # only these chats (the terminal chat's own worker)


class DeliveryWorker:
    def __init__(
        self,
        db: Database,
        senders: dict[str, ChannelSender],
        curriculum: Curriculum,
        translators: dict[str, GettextTranslator],
        default_locale: str,
        clock: Callable[[], datetime],
        config: DeliveryConfig | None = None,
    ) -> None:
        self._db = db
        self._senders = senders
        self._curriculum = curriculum
        self._translators = translators
        self._default_locale = default_locale
        self._clock = clock
        self._config = config or DeliveryConfig()
        self._events = SqlChannelEvents(db)

    async def run(self, stop: asyncio.Event) -> None:
        """Delivers until `stop` is set; the batch in hand is finished first."""
        while not stop.is_set():
            try:
                done = await self.run_once()
            except Exception:
                ERRORS.labels("delivery").inc()
                log.exception("delivery batch failed")
                done = 0
            if not done:
                try:
                    await asyncio.wait_for(stop.wait(), self._config.idle_poll)
                except TimeoutError:
                    pass

    async def run_once(self) -> int:
        """Claims and sends one batch; returns how many rows it handled."""
        now = self._clock()
        async with self._db.transaction() as session:
            claimed = await outbox.claim(
                session, now, self._config.batch_size, self._config.lease, self._config.addresses
            )
            meetings = {}
            reader = SqlMeetingReader(session)
            for meeting_id in {c.meeting_id for c in claimed if c.meeting_id is not None}:
                meetings[meeting_id] = await reader.get(meeting_id)
            OUTBOX_DEPTH.set(await outbox.depth(session))
        if not claimed:
            return 0
        shown: dict[int, tuple[Button, ...]] = {}
        results = await asyncio.gather(
            *(self._deliver(c, meetings.get(c.meeting_id or 0), now, shown) for c in claimed)
        )
        async with self._db.transaction() as session:
            await outbox.finish(session, results, self._clock())
            sent = {r.id for r in results if r.status == outbox.SENT}
            pushed = {c.user_id: shown[c.id] for c in claimed if c.id in sent and c.id in shown and c.user_id}
            await dialog_store.show_pushed(session, pushed, self._clock())
            await report_progress(session, {c.broadcast_id for c in claimed if c.broadcast_id}, self._clock())
        for row, result in zip(claimed, results, strict=True):
            if result.status == outbox.UNREACHABLE and result.error != "window closed":
                await self._events.reachability(
                    row.channel, row.address, False, result.error or "unreachable"
                )
        return len(claimed)

    async def _deliver(
        self,
        row: outbox.Claimed,
        meeting: MeetingView | None,
        now: datetime,
        shown: dict[int, tuple[Button, ...]],
    ) -> outbox.Finished:
        """Sends one row. The buttons of a sent notice go into `shown`: the recipient's typed "1" or
        "hadir" then answers that notice, not the screen they had before it."""
        if row.stopped and row.kind not in SENT_WHEN_STOPPED:
            return outbox.Finished(row.id, outbox.CANCELLED, error="recipient stopped messages")
        if not row.reachable:
            return outbox.Finished(row.id, outbox.UNREACHABLE, error="recipient unreachable")
        sender = self._senders.get(row.channel)
        if sender is None:
            return outbox.Finished(
                row.id,
                outbox.PENDING,
                error=f"channel {row.channel} is not running",
                retry_at=now + timedelta(minutes=5),
            )
        if row.kind in MEETING_KINDS and meeting is not None and meeting.starts_at <= now:
            return outbox.Finished(row.id, outbox.CANCELLED, error="meeting already started")
        t = self._translators.get(row.locale) or self._translators[self._default_locale]
        notice = render_notice(t, self._curriculum, row.kind, row.payload, row.name, meeting)
        if notice is None:
            return outbox.Finished(row.id, outbox.CANCELLED, error="stale: the meeting changed")
        envelope = Envelope(
            row.address,
            notice.message,
            reply=False,
            template=notice.template,
            last_inbound_at=row.last_inbound_at,
        )
        if notice.message.buttons:
            shown[row.id] = notice.message.buttons
        try:
            outcome: Outcome = await sender.send(envelope)
        except Exception as exc:  # a sender bug must not stop the batch
            log.exception("sender raised", extra={"outbox_id": row.id, "channel": row.channel})
            outcome = RetryLater(self._config.backoff_base, f"sender error: {type(exc).__name__}")
        return self._finished(row, outcome, now)

    def _finished(self, row: outbox.Claimed, outcome: Outcome, now: datetime) -> outbox.Finished:
        SENDS.labels(row.channel, type(outcome).__name__.lower()).inc()
        match outcome:
            case Sent(provider_ids=ids):
                return outbox.Finished(row.id, outbox.SENT, provider_message_id=ids[-1] if ids else None)
            case RetryLater(seconds=seconds, reason=reason, pause_channel=pause):
                if row.attempts >= MAX_ATTEMPTS:
                    return outbox.Finished(
                        row.id, outbox.FAILED, error=f"gave up after {row.attempts} tries: {reason}"
                    )
                # A pause is the platform's own figure; otherwise back off exponentially, with jitter.
                wait = seconds if pause else max(seconds, self._config.backoff_base * 2 ** (row.attempts - 1))
                wait *= 1 if pause else random.uniform(1.0, 1.2)  # noqa: S311 - jitter, not security
                return outbox.Finished(
                    row.id, outbox.PENDING, error=reason, retry_at=now + timedelta(seconds=wait)
                )
            case Undeliverable(reason=reason):
                return outbox.Finished(row.id, outbox.UNREACHABLE, error=reason)
            case Failed(reason=reason):
                return outbox.Finished(row.id, outbox.FAILED, error=reason)
