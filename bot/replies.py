"""The reply fast path: a reply's messages, already durable in the outbox, are sent at once after the
inbound transaction commits, and each is marked the moment the platform answers.

Whatever is not confirmed is left to the delivery worker, in order: the message that failed waits for
its retry (or ends with its reason), and the messages after it wait behind it. So a reply is never
lost to a rate limit, an outage or a crash; at worst it arrives later, through the worker."""

from __future__ import annotations

import logging
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime

from bot.channels.channel import ChannelEvents
from bot.core.delivery import WINDOW_CLOSED, ChannelSender, Envelope, Outcome, RetryLater, Sent, Undeliverable
from bot.core.messages import Outbound
from bot.db import outbox
from bot.finishing import Finisher, RetryPolicy, finished, handed_back
from bot.metrics import REPLIES, REPLY_LATENCY

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Answer:
    """The replies to one inbound message. `row_ids` are their outbox rows (none when nothing may be
    stored: a group chat, or the apology after a failed transaction); `send_now` is False when an
    earlier reply to the chat is still unsent, so these wait behind it in the worker's hands."""

    channel: str
    address: str
    received_at: datetime
    replies: tuple[Outbound, ...]
    row_ids: tuple[int, ...] = ()
    send_now: bool = False


def reply_outcome(result: outbox.Finished) -> str:
    """The reply metric's word for how a row ended."""
    if result.status == outbox.UNREACHABLE and result.error == WINDOW_CLOSED:
        return "window_closed"
    if result.status == outbox.FAILED and (result.error or "").startswith("gave up"):
        return "gave_up"
    return result.status


async def dispatch(
    answer: Answer,
    sender: ChannelSender,
    finisher: Finisher,
    events: ChannelEvents,
    clock: Callable[[], datetime],
    policy: RetryPolicy,
) -> None:
    """Sends the answer's messages in order and records each outcome; stops at the first one not sent."""
    envelopes = [
        Envelope(answer.address, message, reply=True, last_inbound_at=answer.received_at)
        for message in answer.replies
    ]
    if not answer.row_ids:
        await _send_unstored(sender, envelopes)
        return
    if not answer.send_now:
        REPLIES.labels(answer.channel, "fell_back").inc(len(envelopes))
        return
    results: list[outbox.Finished] = []
    for n, (row_id, envelope) in enumerate(zip(answer.row_ids, envelopes, strict=True)):
        outcome = await _send(sender, envelope)
        now = clock()
        result = finished(row_id, 1, outcome, now, policy, reply=True)
        results.append(result)
        if isinstance(outcome, Sent):
            REPLIES.labels(answer.channel, "sent").inc()
            REPLY_LATENCY.observe(max(0.0, (now - answer.received_at).total_seconds()))
            continue
        rest = answer.row_ids[n + 1 :]
        due = result.retry_at or now
        results.extend(handed_back(r, 1, due, "waits for an earlier message") for r in rest)
        left = result.status == outbox.PENDING
        REPLIES.labels(answer.channel, "fell_back" if left else reply_outcome(result)).inc()
        REPLIES.labels(answer.channel, "fell_back").inc(len(rest))
        log.warning(
            "reply to a %s chat not sent at once: %s",
            answer.channel,
            outcome,
            extra={"channel": answer.channel},
        )
        if isinstance(outcome, Undeliverable) and outcome.reason != WINDOW_CLOSED:
            await events.reachability(answer.channel, answer.address, False, outcome.reason)
        break
    await finisher.record(results)


async def _send(sender: ChannelSender, envelope: Envelope) -> Outcome:
    try:
        return await sender.send(envelope)
    except Exception as exc:  # a sender bug must not lose the reply: the worker tries again
        log.exception("sender raised", extra={"channel": sender.channel})
        return RetryLater(5.0, f"sender error: {type(exc).__name__}")


async def _send_unstored(sender: ChannelSender, envelopes: Sequence[Envelope]) -> None:
    """A reply with no row (nothing about its chat may be stored): sent once, in order, best effort."""
    for envelope in envelopes:
        outcome = await _send(sender, envelope)
        if not isinstance(outcome, Sent):
            log.warning("unstored reply not sent: %s", outcome, extra={"channel": sender.channel})
            return
