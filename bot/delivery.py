"""The delivery worker: claims due outbox rows, renders each in its recipient's language, sends it through
the channel's paced sender and records the outcome the moment the platform answers.

It is the safety net of the reply fast path (`bot.replies`) as well as the sender of every proactive
message. Each chat's rows go one at a time, replies first and in order; a message that must be retried
holds back the chat's later ones. A reply older than `reply_max_age` is not sent as it was: the newest
one goes with a line saying it is late, and older ones are dropped, so nobody is left with stale
buttons.

Crash safety: rows are claimed with a lease and marked one by one as the platform confirms them. If the
process dies, rows it had claimed and not finished are sent again: at once when it restarts under the
same `worker` name, by anyone when the lease ends. So after a crash a recipient may get one message
twice, but only the messages in flight at that moment."""

from __future__ import annotations

import asyncio
import itertools
import logging
from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace
from datetime import datetime, timedelta

from bot.catalogs import GettextTranslator
from bot.core.content import Curriculum
from bot.core.delivery import WINDOW_CLOSED, ChannelSender, Envelope, Outcome, RetryLater, Sent
from bot.core.messages import Button, Outbound
from bot.core.ports import MeetingView
from bot.db import outbox
from bot.db.broadcast_progress import report_progress
from bot.db.channel_events import SqlChannelEvents
from bot.db.engine import Database
from bot.db.meetings import SqlMeetingReader
from bot.db.reminders import MEETING_KINDS
from bot.finishing import MAX_ATTEMPTS, Finisher, RetryPolicy, finished, handed_back
from bot.metrics import ERRORS, OUTBOX_DEPTH, REPLIES, REPLY_LATENCY, SENDS
from bot.replies import reply_outcome
from handlers.notices import render_notice

log = logging.getLogger(__name__)
# What a member who stopped messages still gets: the answer to their own message (STOP's confirmation
# among them), news of a meeting they may go to, and the answer to a question they asked themselves.
SENT_WHEN_STOPPED = frozenset({outbox.REPLY, "meeting_change", "answer"})


@dataclass(frozen=True)
class DeliveryConfig:
    batch_size: int = 200
    lease: timedelta = timedelta(minutes=2)
    idle_poll: float = 0.5
    backoff_base: float = 5.0  # seconds; doubles per attempt
    max_attempts: int = MAX_ATTEMPTS
    addresses: tuple[str, ...] | None = None  # only these chats (the terminal chat's own worker)
    worker: str = "local"  # this process's name on the rows it claims; stable across restarts
    reply_max_age: timedelta = timedelta(minutes=15)


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
        self._retry = RetryPolicy(self._config.max_attempts, self._config.backoff_base)
        self._events = SqlChannelEvents(db)
        self._finisher = Finisher(db, clock)

    async def take_back_own(self) -> int:
        """Rows this worker had claimed before a restart are due again at once (no wait for the lease)."""
        async with self._db.transaction() as session:
            released = await outbox.release_own(session, self._config.worker, self._clock())
        if released:
            log.info("took back %d unfinished outbox messages of worker %s", released, self._config.worker)
        return released

    async def run(self, stop: asyncio.Event) -> None:
        """Delivers until `stop` is set; the batch in hand is finished first."""
        await self.take_back_own()
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
        config = self._config
        async with self._db.transaction() as session:
            claimed = await outbox.claim(
                session, now, config.batch_size, config.lease, config.addresses, config.worker
            )
            meetings = {}
            reader = SqlMeetingReader(session)
            for meeting_id in {c.meeting_id for c in claimed if c.meeting_id is not None}:
                meetings[meeting_id] = await reader.get(meeting_id)
            for kind, waiting in (await outbox.depth(session)).items():
                OUTBOX_DEPTH.labels(kind).set(waiting)
        if not claimed:
            return 0
        chats = [list(rows) for _, rows in itertools.groupby(claimed, key=lambda c: c.identity_id)]
        results = await asyncio.gather(*(self._deliver_chat(rows, meetings, now) for rows in chats))
        async with self._db.transaction() as session:
            await report_progress(session, {c.broadcast_id for c in claimed if c.broadcast_id}, self._clock())
        for rows, chat_results in zip(chats, results, strict=True):
            for row, result in zip(rows, chat_results, strict=True):
                if result.status == outbox.UNREACHABLE and result.error != WINDOW_CLOSED:
                    await self._events.reachability(
                        row.channel, row.address, False, result.error or "unreachable"
                    )
                    break
        return len(claimed)

    async def _deliver_chat(
        self, rows: Sequence[outbox.Claimed], meetings: dict[int, MeetingView | None], now: datetime
    ) -> list[outbox.Finished]:
        """One chat's rows, one at a time (replies first); each outcome is recorded as it comes. A
        message to be retried holds back the ones after it, which wait behind it untried."""
        results: list[outbox.Finished] = []
        messages = self._replies_to_send(rows, now, results)
        await self._finisher.record(results)
        dropped = {r.id for r in results}
        for n, row in enumerate(rows):
            if row.id in dropped:
                continue
            result, shown = await self._deliver(row, meetings.get(row.meeting_id or 0), now, messages)
            await self._finisher.record([result], shown)
            results.append(result)
            if result.status == outbox.PENDING:
                due = result.retry_at or now
                rest = [
                    handed_back(r.id, r.attempts, due, "waits for an earlier message")
                    for r in rows[n + 1 :]
                    if r.id not in dropped
                ]
                await self._finisher.record(rest)
                results.extend(rest)
                break
        order = {row.id: n for n, row in enumerate(rows)}
        return sorted(results, key=lambda r: order[r.id])

    def _replies_to_send(
        self, rows: Sequence[outbox.Claimed], now: datetime, results: list[outbox.Finished]
    ) -> dict[int, Outbound]:
        """The reply messages to send, by row. Replies older than `reply_max_age` are dropped (added to
        `results`), except the newest when no fresher reply follows: it goes with a line saying it is
        late, so the user sees where they are now."""
        replies = [r for r in rows if r.reply]
        messages = {r.id: Outbound.from_payload(r.payload) for r in replies}
        old = [r for r in replies if now - r.created_at > self._config.reply_max_age]
        if not old:
            return messages
        if old[-1] is replies[-1]:
            last = old.pop()
            t = self._translator(last.locale)
            late = t.gettext("Sorry, this answer is late because of a disruption. Here is where we were:")
            message = messages[last.id]
            messages[last.id] = replace(message, text=f"{late}\n\n{message.text}")
        for row in old:
            results.append(
                outbox.Finished(row.id, outbox.CANCELLED, error="stale: a later reply replaces it")
            )
            REPLIES.labels(row.channel, "replaced_stale").inc()
        return messages

    def _translator(self, locale: str) -> GettextTranslator:
        return self._translators.get(locale) or self._translators[self._default_locale]

    async def _deliver(
        self,
        row: outbox.Claimed,
        meeting: MeetingView | None,
        now: datetime,
        replies: dict[int, Outbound],
    ) -> tuple[outbox.Finished, dict[int, tuple[Button, ...]]]:
        """Sends one row. The buttons of a sent notice are returned with it: the recipient's typed "1"
        or "hadir" then answers that notice, not the screen they had before it. (A reply's buttons
        are already the user's screen: the conversation saved them.)"""
        if row.stopped and row.kind not in SENT_WHEN_STOPPED:
            return outbox.Finished(row.id, outbox.CANCELLED, error="recipient stopped messages"), {}
        if not row.reachable:
            return self._ended(
                row,
                outbox.Finished(row.id, outbox.UNREACHABLE, error="recipient unreachable", reply=row.reply),
            )
        sender = self._senders.get(row.channel)
        if sender is None:
            not_running = outbox.Finished(
                row.id,
                outbox.PENDING,
                error=f"channel {row.channel} is not running",
                retry_at=now + timedelta(minutes=5),
            )
            return not_running, {}
        if row.reply:
            envelope = Envelope(row.address, replies[row.id], reply=True, last_inbound_at=row.last_inbound_at)
            return self._ended(row, await self._send(sender, row, envelope, now))
        if row.kind in MEETING_KINDS and meeting is not None and meeting.starts_at <= now:
            return outbox.Finished(row.id, outbox.CANCELLED, error="meeting already started"), {}
        t = self._translator(row.locale)
        notice = render_notice(t, self._curriculum, row.kind, row.payload, row.name, meeting)
        if notice is None:
            return outbox.Finished(row.id, outbox.CANCELLED, error="stale: the meeting changed"), {}
        envelope = Envelope(
            row.address,
            notice.message,
            reply=False,
            template=notice.template,
            last_inbound_at=row.last_inbound_at,
        )
        result = await self._send(sender, row, envelope, now)
        shown = {row.user_id: notice.message.buttons} if notice.message.buttons and row.user_id else {}
        return result, shown if result.status == outbox.SENT else {}

    async def _send(
        self, sender: ChannelSender, row: outbox.Claimed, envelope: Envelope, now: datetime
    ) -> outbox.Finished:
        try:
            outcome: Outcome = await sender.send(envelope)
        except Exception as exc:  # a sender bug must not stop the batch
            log.exception("sender raised", extra={"outbox_id": row.id, "channel": row.channel})
            outcome = RetryLater(self._config.backoff_base, f"sender error: {type(exc).__name__}")
        SENDS.labels(row.channel, type(outcome).__name__.lower()).inc()
        if row.reply and isinstance(outcome, Sent):
            REPLIES.labels(row.channel, "sent_late").inc()
            REPLY_LATENCY.observe(max(0.0, (self._clock() - row.created_at).total_seconds()))
        return finished(row.id, row.attempts, outcome, now, self._retry, reply=row.reply)

    @staticmethod
    def _ended(
        row: outbox.Claimed, result: outbox.Finished
    ) -> tuple[outbox.Finished, dict[int, tuple[Button, ...]]]:
        """A reply's terminal outcomes are counted (a sent one is counted where it is sent)."""
        if row.reply and result.status not in (outbox.SENT, outbox.PENDING):
            REPLIES.labels(row.channel, reply_outcome(result)).inc()
        return result, {}
