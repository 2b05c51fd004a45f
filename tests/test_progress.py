"""Progress as transcripts: sessions finished and in progress, quiz scores and the next suggested session."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import select

from bot.app import App
from bot.db.models import Identity, LessonProgress
from tests.transcript import Chat, FakeClock


async def consent(chat: Chat) -> None:
    await chat.say("daftar")
    await chat.tap("Saya setuju")
    await chat.say("Ibu Siti")


async def read(
    app: App, clock: FakeClock, number: int, card: str | None, completed: bool = False, minutes: int = 0
) -> None:
    """Stores lesson progress as the lessons flow would; `minutes` orders which session was read last."""
    async with app.db.transaction() as session:
        user_id = await session.scalar(select(Identity.user_id).where(Identity.address == "kpm-1"))
        assert user_id is not None
        when = clock.now + timedelta(minutes=minutes)
        session.add(
            LessonProgress(
                user_id=user_id,
                session_number=number,
                last_card_id=card,
                completed_at=when if completed else None,
                updated_at=when,
            )
        )


async def test_without_consent_progress_says_nothing_is_saved(chat: Chat) -> None:
    await chat.say("progres")
    chat.expect_reply(contains=["Belum ada yang tersimpan", "ketik DAFTAR"], buttons=["Belajar", "Menu"])


async def test_a_newcomer_is_pointed_to_the_first_session(chat: Chat) -> None:
    await consent(chat)
    await chat.tap("Kemajuan belajar")
    chat.expect_reply(
        contains=[
            "Kemajuan belajar Ibu/Bapak:",
            "Sesi selesai: 0 dari 14",
            "Ibu/Bapak belum mulai belajar.",
            "Belum ada kuis yang dikerjakan.",
            "Saran berikutnya: Sesi 1: Menjadi Orang Tua yang Lebih Baik.",
        ],
        buttons=["Belajar Sesi 1", "Menu"],
    )
    assert chat.button("Belajar Sesi 1").id == "learn:s:1"
    assert chat.replies[0].buttons == ()


async def test_progress_shows_sessions_read_scores_and_the_next_session(
    chat: Chat, app: App, clock: FakeClock
) -> None:
    await consent(chat)
    session_1 = app.curriculum.session(1)
    assert session_1 is not None
    await chat.tap_id("quiz:start:1")
    for i, question in enumerate(session_1.quiz):
        # Right on the first three questions, wrong on the last two.
        choice = question.correct_index if i < 3 else (question.correct_index + 1) % len(question.options)
        await chat.tap("ABCD"[choice])
    chat.expect_reply(contains="benar 3 dari 5")
    await read(app, clock, 1, "s01k6", completed=True, minutes=1)
    await read(app, clock, 2, "s02k5", completed=True, minutes=2)
    await read(app, clock, 5, "s05k2", minutes=3)
    await read(app, clock, 4, None, completed=True, minutes=0)

    await chat.say("progres saya")
    chat.expect_reply(
        contains=[
            "Sesi selesai: 3 dari 14 (Sesi 1, 2, 4)",
            "Sedang dibaca:\n- Sesi 5: Mengelola Keuangan Keluarga (kartu 2 dari 6)",
            "Nilai kuis:\n- Sesi 1: benar 3 dari 5",
            # The session being read comes before the unread session 3.
            "Saran berikutnya: Sesi 5: Mengelola Keuangan Keluarga.",
        ],
        buttons=["Belajar Sesi 5", "Menu"],
    )
    assert "belum mulai" not in chat.text
    assert chat.button("Belajar Sesi 5").id == "learn:s:5"

    # Taking the quiz again, all right this time, raises the score shown.
    await chat.tap_id("quiz:start:1")
    for question in session_1.quiz:
        await chat.tap("ABCD"[question.correct_index])
    await chat.say("/progres")
    chat.expect_reply(contains="- Sesi 1: benar 5 dari 5")


async def test_the_next_session_is_the_lowest_unfinished_when_the_last_read_is_finished(
    chat: Chat, app: App, clock: FakeClock
) -> None:
    await consent(chat)
    await read(app, clock, 1, "s01k6", completed=True, minutes=1)
    await read(app, clock, 3, "s03k1", completed=True, minutes=2)
    await chat.say("progres")
    chat.expect_reply(
        contains=["Sesi selesai: 2 dari 14 (Sesi 1, 3)", "Saran berikutnya: Sesi 2:"],
        buttons=["Belajar Sesi 2", "Menu"],
    )
    assert "Sedang dibaca" not in chat.text


async def test_everything_finished_is_praised(chat: Chat, app: App, clock: FakeClock) -> None:
    await consent(chat)
    for session in app.curriculum.sessions:
        await read(app, clock, session.number, session.cards[-1].id, completed=True, minutes=session.number)
    await chat.say("progres")
    chat.expect_reply(
        contains=["Sesi selesai: 14 dari 14", "sudah menyelesaikan semua 14 sesi"], buttons=["Kuis", "Menu"]
    )
    assert chat.button("Kuis").id == "quiz"


async def test_sessions_read_through_the_lessons_show_in_progress(chat: Chat) -> None:
    await consent(chat)
    await chat.tap_id("learn:s:3")
    while "Lanjut" in chat.labels:
        await chat.tap("Lanjut")
    await chat.tap_id("learn:s:5")
    await chat.tap("Lanjut")
    await chat.say("progres")
    chat.expect_reply(
        contains=[
            "Sesi selesai: 1 dari 14 (Sesi 3)",
            "Sedang dibaca:\n- Sesi 5: Mengelola Keuangan Keluarga (kartu",
            "Saran berikutnya: Sesi 5: Mengelola Keuangan Keluarga.",
        ],
        buttons=["Belajar Sesi 5", "Menu"],
    )
