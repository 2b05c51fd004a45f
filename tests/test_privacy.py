"""BERHENTI / MULAI and HAPUS DATA: confirmed first, and after deletion nothing personal remains."""

from sqlalchemy import select, text

from bot.app import App
from bot.db.models import Attendance, Base, QuizAnswer, User
from bot.demo import DemoData
from tests.conftest import joined
from tests.transcript import Chat


async def _user(app: App) -> User | None:
    async with app.db.transaction() as session:
        return await session.scalar(select(User).where(User.role == "kpm"))


async def test_stop_needs_confirmation_and_resume_turns_messages_back_on(
    chat: Chat, app: App, demo: DemoData
) -> None:
    await joined(chat)
    await chat.say("BERHENTI")
    chat.expect_reply(contains="Hentikan semua pengingat", buttons=["Ya, hentikan", "Batal"])
    await chat.tap("Batal")
    assert (await _user(app)).stopped_at is None
    await chat.say("stop")
    await chat.tap("Ya, hentikan")
    chat.expect_reply(contains="Ketik MULAI")
    assert (await _user(app)).stopped_at == app.clock()
    await chat.say("berhenti")
    chat.expect_reply(contains="Pesan sudah dihentikan")
    await chat.say("MULAI")
    chat.expect_reply(contains="Selamat datang kembali")
    assert (await _user(app)).stopped_at is None


async def test_settings_offer_language_stop_and_delete(chat: Chat, app: App, demo: DemoData) -> None:
    await joined(chat)
    await chat.say("pengaturan")
    chat.expect_reply(buttons=["Bahasa", "Hentikan pesan", "Hapus data saya", "Menu"])
    await chat.tap("Bahasa")
    await chat.tap("English")
    await chat.say("menu")
    chat.expect_reply(
        contains="Main menu", buttons=["Learn", "Quiz", "Meetings", "My progress", "Help", "Settings"]
    )


async def _all_text(app: App) -> str:
    """Every value in every table, as one string, to look for personal data."""
    chunks = []
    async with app.db.transaction() as session:
        for table in Base.metadata.sorted_tables:
            rows = (await session.execute(text(f"SELECT * FROM {table.name}"))).all()
            chunks.extend(repr(tuple(row)) for row in rows)
    return "\n".join(chunks)


async def test_delete_data_removes_everything_personal(chat: Chat, app: App, demo: DemoData) -> None:
    await joined(chat, name="Ibu Kartini")
    await chat.say("pertemuan")
    await chat.tap("Tidak bisa hadir")
    await chat.say("Menjaga ibu mertua yang sakit")
    await chat.tap_id("learn:s:1")
    await chat.tap("Lanjut")
    async with app.db.transaction() as session:
        user = await session.scalar(select(User).where(User.role == "kpm"))
        session.add(
            QuizAnswer(
                user_id=user.id,
                session_number=1,
                question_id="s01q1",
                choice=0,
                correct=True,
                attempt=1,
                answered_at=app.clock(),
            )
        )
        session.add(
            Attendance(meeting_id=demo.meeting_id, user_id=user.id, present=True, recorded_at=app.clock())
        )
    before = await _all_text(app)
    assert "Ibu Kartini" in before and "mertua" in before and "'kpm-1'" in before

    await chat.say("HAPUS DATA")
    chat.expect_reply(contains="tidak bisa dikembalikan", buttons=["Ya, hapus", "Batal"])
    await chat.tap("Batal")
    assert "Ibu Kartini" in await _all_text(app)
    await chat.say("hapus data")
    await chat.tap("Ya, hapus")
    chat.expect_reply(contains=["sudah dihapus", "nama", "nomor WhatsApp atau akun Telegram", "tanpa nama"])

    after = await _all_text(app)
    for personal in ("Ibu Kartini", "mertua", "'kpm-1'"):
        assert personal not in after
    assert await _user(app) is None
    async with app.db.transaction() as session:
        answer = (await session.scalars(select(QuizAnswer))).one()
        attendance = (await session.scalars(select(Attendance))).one()
    assert answer.user_id is None and answer.correct  # the count remains, anonymous
    assert attendance.user_id is None and attendance.present

    await chat.say("halo")  # writing again starts fresh, as a stranger
    chat.expect_reply(contains=["asisten P2K2", "kode kelompok"])
    assert (await _user(app)).display_name is None
