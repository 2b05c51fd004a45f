"""Replies through platform trouble, on the real clients against the fake platforms: a 429 pause on
Telegram, half a minute of server errors on Telegram and on WhatsApp, and a WhatsApp reply whose
24-hour window closed before it could go. Each reply arrives once, in order per chat, or ends with its
reason where the operator can see it."""

from __future__ import annotations

from collections.abc import AsyncIterator
from dataclasses import dataclass

import pytest
from prometheus_client import REGISTRY
from sqlalchemy import select

from bot.app import App
from bot.channels.telegram import TelegramChannel
from bot.core.delivery import ChannelSender
from bot.db.models import Identity, OutboxMessage
from bot.delivery import DeliveryWorker
from bot.demo import DemoData
from bot.pacing import PacedSender
from tests.builders import delivery_worker
from tests.fakes.telegram_api import FakeBotAPI, FakeUser, text_of
from tests.fakes.whatsapp_api import FakeGraphAPI, WhatsAppUser
from tests.transcript import FakeClock
from tests.whatsapp_running import running_whatsapp

WA_ID = "6281234567890"


@dataclass
class Running:
    """What sends for a channel on the shared runtime: its paced sender and its delivery worker."""

    paced: PacedSender
    worker: DeliveryWorker


@pytest.fixture
async def telegram(app: App, api: FakeBotAPI, clock: FakeClock) -> AsyncIterator[Running]:
    """Polling Telegram as `p2k2-bot run` builds it, its pauses measured on the test's clock."""
    channel = TelegramChannel(api.token, api_url=api.url, clock=app.clock, polling_timeout=1)
    paced = PacedSender(channel.sender, 25, replies_skip_budget=True, clock=lambda: clock.now.timestamp())
    app.connect(channel, paced)
    await channel.start()
    try:
        yield Running(paced, delivery_worker(app, paced))
    finally:
        await channel.stop()


@pytest.fixture
async def graph(clock: FakeClock) -> AsyncIterator[FakeGraphAPI]:
    async with FakeGraphAPI(clock) as server:
        yield server


@pytest.fixture
async def whatsapp(
    app: App, graph: FakeGraphAPI, clock: FakeClock
) -> AsyncIterator[tuple[Running, WhatsAppUser]]:
    """The WhatsApp channel, paced on the test's clock, and a user writing to it."""

    def pace(sender: ChannelSender) -> PacedSender:
        return PacedSender(sender, app.settings.whatsapp_rate_limit, clock=lambda: clock.now.timestamp())

    async with running_whatsapp(app, graph, pace) as (channel, paced):
        yield Running(paced, delivery_worker(app, paced)), WhatsAppUser(graph, WA_ID, channel.drain)


async def _join_telegram(user: FakeUser) -> None:
    await user.say("/start SIRNA1")
    await user.tap("Saya setuju")
    await user.say("Ibu Siti")


async def _deliver_until_done(app: App, worker: DeliveryWorker, clock: FakeClock) -> None:
    """The worker runs every ten seconds of the test's clock until no reply is left to send."""
    for _ in range(30):
        clock.advance(seconds=10)
        await worker.run_once()
        async with app.db.transaction() as session:
            unsent = await session.scalars(
                select(OutboxMessage.id).where(
                    OutboxMessage.kind == "reply", OutboxMessage.status.in_(("pending", "claimed"))
                )
            )
            if not unsent.all():
                return
    raise AssertionError("replies still unsent after five minutes")


async def _statuses(app: App) -> list[tuple[str, str | None]]:
    async with app.db.transaction() as session:
        rows = await session.execute(
            select(OutboxMessage.status, OutboxMessage.last_error)
            .where(OutboxMessage.kind == "reply")
            .order_by(OutboxMessage.id)
        )
        return [(status, error) for status, error in rows.all()]


async def _run_worker_for(worker: DeliveryWorker, clock: FakeClock, seconds: int) -> None:
    """The worker runs every five seconds of the test's clock for `seconds`."""
    for _ in range(seconds // 5):
        clock.advance(seconds=5)
        await worker.run_once()


def _replies(channel: str, outcome: str) -> float:
    return REGISTRY.get_sample_value("p2k2_replies_total", {"channel": channel, "outcome": outcome}) or 0.0


async def test_telegram_a_quiz_answer_during_a_40_s_pause_arrives_once_after_it_in_order(
    app: App, demo: DemoData, api: FakeBotAPI, telegram: Running, clock: FakeClock
) -> None:
    user = api.user(5001)
    await _join_telegram(user)
    await user.tap("Belajar")
    await user.tap("Modul 1")
    await user.tap("Sesi 1")
    session = app.curriculum.session(1)
    assert session is not None
    for _ in session.cards:
        await user.tap("Lanjut")
    await user.tap("Mulai kuis")
    await telegram.worker.run_once()  # the meeting invitation joining planned
    first, second = session.quiz[:2]
    before = len(user.messages)

    api.fail("sendMessage", 429, retry_after=40, chat_id=user.chat_id)
    assert await user.tap(f"quiz:a:{first.id}:{first.correct_index}") == []  # Telegram said: wait 40 s
    assert telegram.paced.paused_for > 39
    assert await user.say("menu") == []  # queued behind the answer, not sent past the pause
    await telegram.worker.run_once()
    clock.advance(seconds=30)
    await telegram.worker.run_once()
    assert user.messages[before:] == []  # still within the pause

    clock.advance(seconds=11)
    while await telegram.worker.run_once():
        pass
    texts = [text_of(m) for m in user.messages[before:]]
    assert "Benar!" in texts[0] and second.question in texts[1] and "Menu utama" in texts[-1]
    assert len(texts) == len(set(texts)) == 3  # each once
    assert [status for status, _ in await _statuses(app)][-3:] == ["sent"] * 3


async def test_telegram_replies_queued_during_30_s_of_server_errors_all_arrive_once_in_order(
    app: App, demo: DemoData, api: FakeBotAPI, telegram: Running, clock: FakeClock
) -> None:
    users = [api.user(5001), api.user(5002, first_name="Rina")]
    for user in users:
        await _join_telegram(user)
    await telegram.worker.run_once()  # the meeting invitations joining planned
    before = [len(u.messages) for u in users]

    api.fail("sendMessage", 500, count=10_000)
    for word in ("bantuan", "menu", "pertemuan"):
        for user in users:
            assert await user.say(word) == []
    await _run_worker_for(telegram.worker, clock, 30)
    assert [u.messages[n:] for u, n in zip(users, before, strict=True)] == [[], []]

    api.heal()
    await _deliver_until_done(app, telegram.worker, clock)
    for user, n in zip(users, before, strict=True):
        texts = [text_of(m) for m in user.messages[n:]]
        assert len(texts) == 3, texts  # one message per reply here, none twice
        assert "Cara memakai" in texts[0] and "Menu utama" in texts[1] and "Sirnajaya 1" in texts[2]


async def test_whatsapp_replies_queued_during_30_s_of_131000_all_arrive_once_in_order(
    app: App, demo: DemoData, graph: FakeGraphAPI, whatsapp: tuple[Running, WhatsAppUser], clock: FakeClock
) -> None:
    running, user = whatsapp
    await user.say("SIRNA1")
    await user.tap("Saya setuju")
    await user.say("Ibu Siti")
    await running.worker.run_once()  # the meeting invitation joining planned
    before = len(graph.messages_to(WA_ID))

    graph.fail_next(131000, times=10_000, status=500, message="Something went wrong")
    for word in ("bantuan", "menu", "pertemuan"):
        assert await user.say(word) == []
    await _run_worker_for(running.worker, clock, 30)
    assert graph.messages_to(WA_ID)[before:] == []

    graph.heal()
    await _deliver_until_done(app, running.worker, clock)
    texts = [m.text for m in graph.messages_to(WA_ID)[before:]]
    assert len(texts) == 3, texts
    assert "Cara memakai" in texts[0] and "Menu utama" in texts[1] and "Sirnajaya 1" in texts[2]


async def test_whatsapp_a_reply_whose_window_closed_during_an_outage_ends_as_window_closed(
    app: App, demo: DemoData, graph: FakeGraphAPI, whatsapp: tuple[Running, WhatsAppUser], clock: FakeClock
) -> None:
    running, user = whatsapp
    await user.say("SIRNA1")
    before = len(graph.messages_to(WA_ID))
    closed = _replies("whatsapp", "window_closed")

    # The Graph API fails, and the server is down until the next day: the reply's window has closed.
    graph.fail_next(131000, times=1, status=500, message="Something went wrong")
    assert await user.say("menu") == []
    clock.advance(hours=24, minutes=1)
    await running.worker.run_once()

    assert graph.messages_to(WA_ID)[before:] == []  # never sent as free text outside the window
    assert (await _statuses(app))[-1] == ("unreachable", "window closed")
    assert _replies("whatsapp", "window_closed") == closed + 1
    async with app.db.transaction() as session:
        identity = await session.scalar(select(Identity).where(Identity.address == WA_ID))
    assert identity is not None and identity.reachable  # a closed window is not a lost user
