"""Rate limits in front of a channel: the bulk budget, one bulk message per second per chat, replies
first, the pause after a platform 429, and replies that meet it coming back untried; with Redis, the
window and the pause outlive a restart. Timings use the real clock with small figures."""

import asyncio
import os
import time
import uuid

import pytest

from bot.core.delivery import Envelope, RetryLater
from bot.core.messages import Outbound
from bot.pacing import PacedSender
from tests.fakes.recording_sender import RecordingSender

REDIS_URL = os.environ.get("TEST_REDIS_URL", "")
needs_redis = pytest.mark.skipif(not REDIS_URL, reason="TEST_REDIS_URL is not set (CI sets it)")


def _env(address: str, reply: bool = False) -> Envelope:
    return Envelope(address, Outbound("x"), reply=reply)


async def test_bulk_keeps_to_the_channel_budget() -> None:
    paced = PacedSender(RecordingSender(), 20)
    started = time.monotonic()
    await asyncio.gather(*(paced.send(_env(f"chat-{i}")) for i in range(30)))
    # 20 fit in the first second, the other 10 wait for the window to move on.
    assert 0.9 < time.monotonic() - started < 2.0


async def test_bulk_sends_at_most_one_message_per_second_to_a_chat() -> None:
    raw = RecordingSender()
    paced = PacedSender(raw, 100)
    started = time.monotonic()
    await asyncio.gather(*(paced.send(_env("same-chat")) for _ in range(3)))
    assert 1.9 < time.monotonic() - started < 3.0
    assert len(raw.sent) == 3


async def test_telegram_replies_skip_the_bulk_budget() -> None:
    paced = PacedSender(RecordingSender(), 2, replies_skip_budget=True)
    started = time.monotonic()
    await asyncio.gather(*(paced.send(_env("chat", reply=True)) for _ in range(10)))
    assert time.monotonic() - started < 0.5


async def test_whatsapp_replies_go_before_waiting_bulk() -> None:
    raw = RecordingSender()
    paced = PacedSender(raw, 5)
    bulk = [asyncio.create_task(paced.send(_env(f"bulk-{i}"))) for i in range(8)]
    await asyncio.sleep(0.05)  # the first 5 bulk messages used this second's budget
    reply = asyncio.create_task(paced.send(_env("asker", reply=True)))
    await asyncio.gather(reply, *bulk)
    order = [e.address for e in raw.sent]
    assert order.index("asker") == 5  # right after the budget frees up, before the waiting bulk


async def test_a_429_pauses_every_send_on_the_channel() -> None:
    raw = RecordingSender()
    raw.script.append(RetryLater(0.6, "Too Many Requests: retry after 1", pause_channel=True))
    paced = PacedSender(raw, 100)
    assert isinstance(await paced.send(_env("a")), RetryLater)
    started = time.monotonic()
    await paced.send(_env("b"))
    assert time.monotonic() - started >= 0.55
    assert [e.address for e in raw.sent] == ["b"]


async def test_a_reply_that_meets_a_pause_comes_back_untried_with_the_time_left() -> None:
    raw = RecordingSender()
    raw.script.append(RetryLater(40, "Too Many Requests: retry after 40", pause_channel=True))
    paced = PacedSender(raw, 100)
    await paced.send(_env("a", reply=True))
    started = time.monotonic()
    outcome = await paced.send(_env("b", reply=True))
    assert time.monotonic() - started < 0.1  # not held for 40 s in the chat's turn
    assert isinstance(outcome, RetryLater) and not outcome.tried and 39 < outcome.seconds <= 40
    assert raw.sent == []  # the platform was not asked


@needs_redis
async def test_with_redis_a_restarted_sender_keeps_to_the_budget_its_previous_run_used() -> None:
    channel = f"test-{uuid.uuid4().hex}"
    first = PacedSender(RecordingSender(channel=channel), 5, REDIS_URL)
    await asyncio.gather(*(first.send(_env(f"chat-{i}")) for i in range(5)))
    restarted = PacedSender(RecordingSender(channel=channel), 5, REDIS_URL)
    started = time.monotonic()
    await restarted.send(_env("chat-9"))
    assert time.monotonic() - started > 0.5  # the window still holds the first run's five


@needs_redis
async def test_with_redis_a_429_pause_outlives_a_restart() -> None:
    channel = f"test-{uuid.uuid4().hex}"
    raw = RecordingSender(channel=channel)
    raw.script.append(RetryLater(30, "Too Many Requests: retry after 30", pause_channel=True))
    await PacedSender(raw, 100, REDIS_URL).send(_env("a"))
    restarted = PacedSender(RecordingSender(channel=channel), 100, REDIS_URL)
    outcome = await restarted.send(_env("b", reply=True))
    assert isinstance(outcome, RetryLater) and not outcome.tried and 28 < outcome.seconds <= 30
