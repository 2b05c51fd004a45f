"""The next meeting and its RSVP, changeable until the meeting starts."""

from datetime import timedelta

from sqlalchemy import func, select, update

from bot.app import App
from bot.db.models import Meeting, Rsvp
from bot.demo import DemoData
from tests.conftest import joined
from tests.transcript import Chat

RSVP = ["Hadir", "Tidak bisa hadir", "Belum tahu", "Menu"]


async def _rsvp(app: App) -> tuple[str, str | None] | None:
    async with app.db.transaction() as session:
        row = await session.scalar(select(Rsvp))
    return (row.answer, row.reason) if row else None


async def test_meeting_shows_indonesian_date_and_place(chat: Chat, demo: DemoData) -> None:
    await joined(chat)
    await chat.say("pertemuan")
    chat.expect_reply(
        contains=[
            "Sirnajaya 1",
            "Sesi 1, Menjadi Orang Tua yang Lebih Baik",
            "Sabtu, 5 Desember 2026 pukul 09.00 WIB",
            "Balai Desa Sirnajaya",
            "akan hadir?",
        ],
        buttons=RSVP,
    )


async def test_cannot_attend_with_reason_then_change_to_attending(
    chat: Chat, app: App, demo: DemoData
) -> None:
    await joined(chat)
    await chat.say("pertemuan")
    await chat.tap("Tidak bisa hadir")
    chat.expect_reply(contains="Boleh tahu alasannya", buttons=["Lewati", "Menu"])
    assert await _rsvp(app) == ("no", None)
    await chat.say("Anak sakit, harus ke Puskesmas")
    chat.expect_reply(contains="alasan sudah dicatat")
    assert await _rsvp(app) == ("no", "Anak sakit, harus ke Puskesmas")
    await chat.tap("Ubah jawaban")
    chat.expect_reply(contains="Jawaban Ibu/Bapak: Tidak bisa hadir", buttons=RSVP)
    await chat.say("1")  # typed number = Hadir
    chat.expect_reply(contains="Jawaban Ibu/Bapak: Hadir")
    assert await _rsvp(app) == ("yes", None)
    async with app.db.transaction() as session:
        assert await session.scalar(select(func.count()).select_from(Rsvp)) == 1


async def test_reason_too_long_is_refused_politely(chat: Chat, app: App, demo: DemoData) -> None:
    await joined(chat)
    await chat.say("pertemuan")
    await chat.tap("Tidak bisa hadir")
    await chat.say("x" * 5000)
    chat.expect_reply(contains="Terlalu panjang")
    assert await _rsvp(app) == ("no", None)
    await chat.tap("Lewati")
    chat.expect_reply(contains="Tidak bisa hadir")


async def test_answer_is_locked_once_the_meeting_starts(chat: Chat, app: App, demo: DemoData) -> None:
    await joined(chat)
    await chat.say("pertemuan")
    await chat.tap("Belum tahu")
    assert await _rsvp(app) == ("maybe", None)
    async with app.db.transaction() as session:
        starts = await session.scalar(select(Meeting.starts_at))
    chat.clock.now = starts + timedelta(minutes=1)
    await chat.tap_id(f"rsvp:{demo.meeting_id}:yes")  # an old reminder's button
    chat.expect_reply(contains="sudah dimulai")
    assert await _rsvp(app) == ("maybe", None)


async def test_rsvp_for_another_groups_or_cancelled_meeting_is_refused(
    chat: Chat, app: App, demo: DemoData
) -> None:
    await joined(chat)
    await chat.tap_id("rsvp:999:yes")
    chat.expect_reply(contains="bukan pertemuan kelompok")
    async with app.db.transaction() as session:
        await session.execute(update(Meeting).values(status="cancelled"))
    await chat.tap_id(f"rsvp:{demo.meeting_id}:yes")
    chat.expect_reply(contains="dibatalkan")
    await chat.tap_id(f"rsvp:{demo.meeting_id}:perhaps")
    assert await _rsvp(app) is None


async def test_without_a_group_the_meeting_menu_explains_how_to_join(chat: Chat) -> None:
    await chat.say("pertemuan")
    chat.expect_reply(contains="belum masuk kelompok")
