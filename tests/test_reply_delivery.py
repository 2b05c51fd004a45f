"""Replies are durable: one the platform does not take at once is sent later by the delivery worker,
once, in order with the chat's later replies; one that waited too long comes with a line saying so."""

from __future__ import annotations

from collections import deque
from datetime import timedelta

from sqlalchemy import select

from bot.app import App
from bot.core.delivery import RetryLater
from bot.core.messages import Inbound
from bot.db.models import OutboxMessage
from tests.builders import delivery_worker
from tests.fakes.recording_sender import RecordingSender
from tests.transcript import FakeClock


async def _say(app: App, sender: RecordingSender, text: str) -> None:
    await app.service.converse(Inbound.typed("console", "kpm-1", text, app.clock()), sender)


async def test_a_rate_limited_reply_arrives_once_after_the_pause_and_before_later_replies(
    app: App, clock: FakeClock
) -> None:
    sender = RecordingSender(script=deque([RetryLater(40, "Too Many Requests", pause_channel=True)]))
    await _say(app, sender, "bantuan")  # refused: the platform says wait 40 s
    await _say(app, sender, "menu")  # must not overtake the first reply
    assert sender.texts() == []
    worker = delivery_worker(app, sender)
    await worker.run_once()
    assert sender.texts() == []  # still within the pause
    clock.advance(seconds=41)
    while await worker.run_once():
        pass
    texts = sender.texts("kpm-1")
    assert len(texts) == 2
    assert "Cara memakai obrolan ini" in texts[0] and "Menu utama" in texts[1]
    async with app.db.transaction() as session:
        statuses = (
            await session.scalars(select(OutboxMessage.status).where(OutboxMessage.kind == "reply"))
        ).all()
    assert list(statuses) == ["sent", "sent"]


async def test_a_reply_older_than_the_limit_comes_with_a_late_notice(app: App, clock: FakeClock) -> None:
    sender = RecordingSender(script=deque([RetryLater(5, "Internal Server Error")]))
    await _say(app, sender, "menu")
    clock.advance(minutes=16)
    await delivery_worker(app, sender, reply_max_age=timedelta(minutes=15)).run_once()
    [late] = sender.sent
    assert late.message.text.startswith("Maaf, balasan ini terlambat karena ada gangguan.")
    assert "Menu utama" in late.message.text and late.message.buttons  # the screen they were on


async def test_a_reply_that_keeps_failing_ends_with_its_reason(app: App, clock: FakeClock) -> None:
    sender = RecordingSender(script=deque([RetryLater(1, "Bad Gateway")] * 10))
    await _say(app, sender, "menu")
    worker = delivery_worker(app, sender, max_attempts=3)
    for _ in range(5):
        clock.advance(seconds=60)
        await worker.run_once()
    async with app.db.transaction() as session:
        row = (await session.scalars(select(OutboxMessage).where(OutboxMessage.kind == "reply"))).one()
    assert row.status == "failed" and row.last_error == "gave up after 3 tries: Bad Gateway"
    assert sender.sent == []
