"""Telegram and the outbox together: a pendamping claims the role and broadcasts from Telegram, the
delivery worker sends it through the real aiogram client, a 429 storm pauses and then completes
delivery, and a member who blocked the bot is marked and skipped."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import timedelta

import pytest
from sqlalchemy import select

from bot.app import App
from bot.catalogs import load_translators
from bot.channels.telegram import TelegramChannel
from bot.db.models import Identity, Kelompok, OutboxMessage, Pendamping
from bot.db.pendamping import create_pendamping
from bot.delivery import DeliveryWorker
from bot.demo import DemoData
from bot.pacing import PacedSender
from tests.fakes.telegram_api import FakeBotAPI, text_of
from tests.transcript import FakeClock


@pytest.fixture
async def telegram(app: App, api: FakeBotAPI) -> AsyncIterator[TelegramChannel]:
    channel = TelegramChannel(api.token, api_url=api.url, clock=app.clock, polling_timeout=1)
    app.connect(channel, PacedSender(channel.sender, 25, replies_skip_budget=True))
    await channel.start()
    try:
        yield channel
    finally:
        await channel.stop()


async def test_pendamping_broadcast_over_telegram_survives_a_429_storm(
    app: App, demo: DemoData, api: FakeBotAPI, telegram: TelegramChannel, clock: FakeClock
) -> None:
    async with app.db.transaction() as session:
        new = await create_pendamping(session, "Bu Rina", clock.now)
    # Three KPM join the demo kelompok from Telegram; the demo kelompok moves to Bu Rina below.
    members = [api.user(5000 + i, first_name=f"Ibu {i}") for i in range(3)]
    for i, member in enumerate(members):
        await member.say("/start SIRNA1")
        await member.tap("Saya setuju")
        await member.say(f"Ibu Anggota {'ABC'[i]}")
    rina = api.user(7000, first_name="Rina")
    await rina.say(f"/start {new.claim_code}")
    await rina.tap("Ya")
    assert "Menu utama" in rina.text
    async with app.db.transaction() as session:
        rina_id = (await session.scalars(select(Pendamping.id).where(Pendamping.name == "Bu Rina"))).one()
        kelompok = await session.get(Kelompok, demo.kelompok_id)
        assert kelompok is not None
        kelompok.pendamping_id = rina_id
    await rina.say("pengumuman")
    await rina.tap(f"bcast:k:{demo.kelompok_id}")
    await rina.say("Ibu-ibu, Sabtu bawa Buku KIA.")
    assert "3 anggota" in rina.text
    paced = PacedSender(telegram.sender, 25)
    worker = DeliveryWorker(app.db, {"telegram": paced}, app.curriculum, load_translators(), "id", app.clock)
    await worker.run_once()  # the meeting invitations their joining planned
    await rina.tap("Kirim")

    api.fail("sendMessage", 429, count=2, retry_after=1)  # a short storm
    api.fail("sendMessage", 403, chat_id=5002)  # this member blocked the bot
    await worker.run_once()
    assert paced.paused_for > 0  # the 429 paused the channel
    for _ in range(5):  # the fake clock moves past every retry; the real pause is a second
        clock.now += timedelta(seconds=2)
        await worker.run_once()
    delivered = [m for m in members[:2] if any("Buku KIA" in text_of(msg) for msg in m.messages)]
    assert delivered == members[:2]
    async with app.db.transaction() as session:
        statuses = (
            await session.scalars(select(OutboxMessage.status).where(OutboxMessage.kind == "broadcast"))
        ).all()
        blocked = (await session.scalars(select(Identity).where(Identity.address == "5002"))).one()
    assert sorted(statuses) == ["sent", "sent", "unreachable"]
    assert not blocked.reachable
    await rina.say("pengumuman")
    await rina.tap("Status")
    assert "3 penerima: 2 terkirim, 0 menunggu, 0 gagal, 1 tidak bisa dihubungi" in rina.text
