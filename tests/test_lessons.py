"""Lessons card by card, with progress kept for users who agreed, and resuming after a restart."""

from sqlalchemy import select

from bot.app import App, build_app
from bot.db.models import LessonProgress
from bot.demo import DemoData
from bot.settings import Settings
from tests.conftest import joined
from tests.transcript import Chat, FakeClock


async def test_every_session_can_be_read_card_by_card(chat: Chat, app: App) -> None:
    for session in app.curriculum.sessions:
        await chat.say("belajar")
        await chat.tap(f"Modul {session.module}")
        await chat.tap(f"Sesi {session.number}")
        for index, card in enumerate(session.cards, 1):
            chat.expect_reply(
                contains=[f"kartu {index} dari {len(session.cards)}", card.title, card.text],
                buttons=["Lanjut", "Menu"],
            )
            await chat.say("lanjut")  # typed word works like the button
        chat.expect_reply(
            contains=["Coba di rumah", session.task, f"sudah menyelesaikan Sesi {session.number}"]
        )
        assert "Mulai kuis" in chat.labels


async def test_reading_without_consent_stores_no_progress(chat: Chat, app: App) -> None:
    await chat.tap_id("learn:s:9")
    await chat.tap("Lanjut")
    async with app.db.transaction() as session:
        assert (await session.scalars(select(LessonProgress))).all() == []
    for _ in range(5):
        await chat.tap("Lanjut")
    chat.expect_reply(contains="Kemajuan belajar belum disimpan. Ketik DAFTAR")


async def test_progress_is_kept_and_resumed_after_a_restart(
    settings: Settings, clock: FakeClock, app: App, demo: DemoData
) -> None:
    chat = Chat(app.service, "kpm-1")
    await joined(chat)
    await chat.tap_id("learn:s:5")
    await chat.tap("Lanjut")
    chat.expect_reply(contains="kartu 2 dari")
    await app.close()
    restarted = await build_app(settings, clock)
    try:
        chat = Chat(restarted.service, "kpm-1")
        await chat.say("belajar")
        chat.expect_reply(
            buttons=["Lanjut Sesi 5", "Modul 1", "Modul 2", "Modul 3", "Modul 4", "Modul 5", "Menu"]
        )
        await chat.tap("Lanjut Sesi 5")
        chat.expect_reply(contains="Sesi 5: Mengelola Keuangan Keluarga · kartu 3 dari")
        async with restarted.db.transaction() as session:
            row = (await session.scalars(select(LessonProgress))).one()
        assert (row.session_number, row.last_card_id, row.completed_at) == (5, "s05k3", None)
    finally:
        await restarted.close()


async def test_finishing_a_session_marks_it_completed(chat: Chat, app: App, demo: DemoData) -> None:
    await joined(chat)
    await chat.tap_id("learn:s:3")
    while "Lanjut" in chat.labels:
        await chat.tap("Lanjut")
    chat.expect_reply(contains="Coba di rumah", buttons=["Mulai kuis", "Sesi berikutnya", "Menu"])
    async with app.db.transaction() as session:
        row = (await session.scalars(select(LessonProgress))).one()
    assert row.completed_at == app.clock()
    await chat.say("belajar")
    assert "Lanjut Sesi 3" not in chat.labels


async def test_forged_lesson_buttons_fall_back_to_the_overview(chat: Chat) -> None:
    for forged in ["learn:s:0", "learn:s:15", "learn:c:s99k1", "learn:m:9", "learn:task:abc", "learn:zzz"]:
        await chat.tap_id(forged)
        chat.expect_reply(contains="5 modul dan 14 sesi")
