"""Quizzes as transcripts: one question at a time, feedback with the explanation, the score, retrying the
missed questions, every answer stored, restarts, stale and forged buttons, and consent first."""

from __future__ import annotations

from sqlalchemy import func, select

from bot.app import App, build_app
from bot.core.content import Question
from bot.db.models import QuizAnswer
from bot.settings import Settings
from tests.transcript import Chat, FakeClock

LETTERS = "ABCD"


def quiz_of(app: App, number: int) -> tuple[Question, ...]:
    session = app.curriculum.session(number)
    assert session is not None
    return session.quiz


def right(question: Question) -> str:
    return LETTERS[question.correct_index]


def wrong(question: Question) -> str:
    return LETTERS[(question.correct_index + 1) % len(question.options)]


def letters(question: Question) -> list[str]:
    return list(LETTERS[: len(question.options)])


async def consent(chat: Chat) -> None:
    await chat.say("daftar")
    await chat.tap("Saya setuju")
    await chat.say("Ibu Siti")


async def stored(app: App) -> list[QuizAnswer]:
    async with app.db.transaction() as session:
        return list((await session.scalars(select(QuizAnswer).order_by(QuizAnswer.id))).all())


async def count(app: App) -> int:
    async with app.db.transaction() as session:
        return int(await session.scalar(select(func.count()).select_from(QuizAnswer)) or 0)


async def test_a_whole_quiz_by_tapping_stores_every_answer(chat: Chat, app: App, clock: FakeClock) -> None:
    quiz = quiz_of(app, 1)
    await consent(chat)
    await chat.say("kuis")
    await chat.tap("Sesi 1")
    chat.expect_reply(
        contains=[
            "Kuis Sesi 1: Menjadi Orang Tua yang Lebih Baik",
            "Ada 5 pertanyaan",
            "Kuis Sesi 1 · pertanyaan 1 dari 5",
            quiz[0].question,
            # Full option texts are in the message; the buttons carry only the letters.
            "\n\nA. Membentak Budi supaya ia jera.\nB. Mencubit tangan Budi",
        ],
        buttons=["A", "B", "C", "D"],
    )
    assert chat.replies[0].buttons == ()
    times = []
    for i, question in enumerate(quiz):
        clock.advance(minutes=1)
        times.append(clock.now)
        await chat.tap(right(question))
        chat.expect_reply(contains=["Benar!", question.explanation])
        assert len(chat.replies) == 2 and chat.replies[0].buttons == ()
        if i + 1 < len(quiz):
            chat.expect_reply(contains=f"pertanyaan {i + 2} dari 5", buttons=letters(quiz[i + 1]))
    chat.expect_reply(
        contains=["Kuis Sesi 1 selesai.", "Ibu/Bapak menjawab benar 5 dari 5 pertanyaan.", "Semua benar"],
        buttons=["Sesi berikutnya", "Menu"],
    )
    assert chat.button("Sesi berikutnya").id == "learn:s:2"
    rows = await stored(app)
    assert [(r.session_number, r.question_id, r.choice, r.correct, r.attempt) for r in rows] == [
        (1, q.id, q.correct_index, True, 1) for q in quiz
    ]
    assert [r.answered_at for r in rows] == times
    assert all(r.user_id is not None for r in rows)


async def test_typed_letters_wrong_feedback_and_retrying_the_missed_ones(chat: Chat, app: App) -> None:
    quiz = quiz_of(app, 1)
    await consent(chat)
    await chat.say("kuis")
    await chat.say("1")  # the number typed from the list of sessions
    chat.expect_reply(contains="Kuis Sesi 1 · pertanyaan 1 dari 5")
    await chat.say(right(quiz[0]).lower())
    chat.expect_reply(contains="Benar!")
    await chat.say(wrong(quiz[1]).lower())
    chat.expect_reply(
        contains=[
            "Belum tepat. Jawaban yang benar: "
            f"{right(quiz[1])}. {quiz[1].options[quiz[1].correct_index].text}",
            quiz[1].explanation,
            "pertanyaan 3 dari 5",
        ]
    )
    await chat.say(right(quiz[2]))
    await chat.say(wrong(quiz[3]))
    await chat.say(right(quiz[4]))
    chat.expect_reply(
        contains=[
            "Ibu/Bapak menjawab benar 3 dari 5 pertanyaan.",
            "bisa mengulang pertanyaan yang belum tepat",
        ],
        buttons=["Ulangi soal tadi", "Sesi berikutnya", "Menu"],
    )

    await chat.tap("Ulangi soal tadi")
    chat.expect_reply(
        contains=["Mari ulangi 2 pertanyaan yang belum tepat.", "pertanyaan 1 dari 2", quiz[1].question],
        buttons=letters(quiz[1]),
    )
    await chat.say(right(quiz[1]))
    chat.expect_reply(contains=["Benar!", "pertanyaan 2 dari 2", quiz[3].question])
    await chat.say(wrong(quiz[3]))
    chat.expect_reply(
        contains=["Belum tepat", "Ibu/Bapak menjawab benar 1 dari 2 pertanyaan."],
        buttons=["Ulangi soal tadi", "Sesi berikutnya", "Menu"],
    )
    # A second retry asks only the one still missed, as attempt 3.
    await chat.say("ulangi yang salah")
    chat.expect_reply(contains=["Mari ulangi 1 pertanyaan", "pertanyaan 1 dari 1", quiz[3].question])
    await chat.say(right(quiz[3]))
    chat.expect_reply(contains="benar 1 dari 1", buttons=["Sesi berikutnya", "Menu"])

    rows = await stored(app)
    assert [(r.question_id, r.correct, r.attempt) for r in rows] == [
        (quiz[0].id, True, 1),
        (quiz[1].id, False, 1),
        (quiz[2].id, True, 1),
        (quiz[3].id, False, 1),
        (quiz[4].id, True, 1),
        (quiz[1].id, True, 2),
        (quiz[3].id, False, 2),
        (quiz[3].id, True, 3),
    ]
    assert rows[1].choice == LETTERS.index(wrong(quiz[1]))


async def test_a_restart_in_the_middle_resumes_at_the_same_question(
    settings: Settings, clock: FakeClock
) -> None:
    first = await build_app(settings, clock)
    quiz = quiz_of(first, 2)
    chat = Chat(first.service, "kpm-1")
    await consent(chat)
    await chat.tap_id("quiz:start:2")
    await chat.tap(right(quiz[0]))
    await chat.tap(wrong(quiz[1]))
    chat.expect_reply(contains="Kuis Sesi 2 · pertanyaan 3 dari 5")
    await first.close()

    second = await build_app(settings, clock)
    try:
        chat = Chat(second.service, "kpm-1")
        await chat.say("kuis")
        chat.expect_reply(contains="sedang mengerjakan kuis Sesi 2 (pertanyaan 3 dari 5)")
        assert chat.labels[-2:] == ["Lanjutkan kuis", "Menu"]
        await chat.tap("Lanjutkan kuis")
        chat.expect_reply(contains=["pertanyaan 3 dari 5", quiz[2].question], buttons=letters(quiz[2]))
        await chat.say(right(quiz[2]))
        chat.expect_reply(contains=["Benar!", "pertanyaan 4 dari 5"])
        for question in quiz[3:]:
            await chat.say(right(question))
        chat.expect_reply(contains="benar 4 dari 5", buttons=["Ulangi soal tadi", "Sesi berikutnya", "Menu"])
        rows = await stored(second)
        assert [(r.question_id, r.attempt) for r in rows] == [(q.id, 1) for q in quiz]
    finally:
        await second.close()


async def test_a_typed_letter_right_after_a_restart_answers_the_current_question(
    settings: Settings, clock: FakeClock
) -> None:
    first = await build_app(settings, clock)
    quiz = quiz_of(first, 3)
    await consent(Chat(first.service, "kpm-1"))
    await Chat(first.service, "kpm-1").tap_id("quiz:start:3")
    await first.close()
    second = await build_app(settings, clock)
    try:
        chat = Chat(second.service, "kpm-1")
        await chat.say(right(quiz[0]).lower())
        chat.expect_reply(contains=["Benar!", "Kuis Sesi 3 · pertanyaan 2 dari 4"])
        assert [r.question_id for r in await stored(second)] == [quiz[0].id]
    finally:
        await second.close()


async def test_an_old_question_button_changes_nothing_and_shows_the_current_question(
    chat: Chat, app: App
) -> None:
    quiz = quiz_of(app, 1)
    await consent(chat)
    await chat.tap_id("quiz:start:1")
    await chat.tap(right(quiz[0]))
    old = f"quiz:a:{quiz[0].id}:{quiz[0].correct_index}"
    await chat.tap_id(old)
    chat.expect_reply(
        contains=["Pertanyaan itu sudah lewat.", "pertanyaan 2 dari 5", quiz[1].question],
        buttons=letters(quiz[1]),
    )
    assert chat.replies[0].text == "Pertanyaan itu sudah lewat."
    # A question further ahead is not the current one either.
    await chat.tap_id(f"quiz:a:{quiz[3].id}:0")
    chat.expect_reply(contains=["Pertanyaan itu sudah lewat.", "pertanyaan 2 dari 5"])
    assert await count(app) == 1
    # The quiz goes on where it was.
    await chat.tap(right(quiz[1]))
    chat.expect_reply(contains=["Benar!", "pertanyaan 3 dari 5"])
    assert await count(app) == 2

    # With no quiz in progress, an old answer button leads to the list of sessions.
    await chat.say("menu")
    await chat.tap_id(f"quiz:a:{quiz[2].id}:{quiz[2].correct_index}")
    chat.expect_reply(contains=["Pertanyaan itu sudah lewat.", "Kuis. Silakan pilih sesi:"])
    assert "Lanjutkan kuis" not in chat.labels
    assert await count(app) == 2


async def test_forged_buttons_are_answered_politely_and_store_nothing(chat: Chat, app: App) -> None:
    quiz = quiz_of(app, 1)
    await consent(chat)
    await chat.tap_id("quiz:start:1")
    forged = [
        f"quiz:a:{quiz[0].id}:4",  # the first question has four options, 0-3
        f"quiz:a:{quiz[0].id}:9",
        f"quiz:a:{quiz[0].id}:x",
        f"quiz:a:{quiz[0].id}:-1",
        f"quiz:a:{quiz[0].id}",
        "quiz:a:s99q9:0",
        "quiz:a:'; DROP TABLE quiz_answers; --:0",
        "quiz:start:99",
        "quiz:start:abc",
        "quiz:retry:abc",
        "quiz:zzz",
    ]
    for button_id in forged:
        await chat.tap_id(button_id)
        chat.expect_reply(
            contains=["Tombol itu sudah tidak berlaku", "pertanyaan 1 dari 5", quiz[0].question],
            buttons=letters(quiz[0]),
        )
    assert await count(app) == 0
    await chat.tap(right(quiz[0]))
    chat.expect_reply(contains=["Benar!", "pertanyaan 2 dari 5"])
    assert await count(app) == 1


async def test_free_text_during_a_quiz_gets_a_hint_and_the_question_again(chat: Chat, app: App) -> None:
    quiz = quiz_of(app, 1)
    assert len(quiz[0].options) == 4 and len(quiz[1].options) == 3
    await consent(chat)
    await chat.tap_id("quiz:start:1")
    for text in ["halo", "🙏", "x" * 5000, "5"]:
        await chat.say(text)
        chat.expect_reply(
            contains=["Silakan pilih A, B, C, atau D.", "ketik MENU", "pertanyaan 1 dari 5"],
            buttons=["A", "B", "C", "D"],
        )
    await chat.say(right(quiz[0]))
    await chat.say("d")  # the second question has only A, B and C
    chat.expect_reply(
        contains=["Silakan pilih A, B, atau C.", "pertanyaan 2 dari 5"], buttons=["A", "B", "C"]
    )
    assert await count(app) == 1
    await chat.say("menu")
    chat.expect_reply(contains="Menu utama")


async def test_without_consent_the_quiz_asks_for_agreement_and_stores_nothing(chat: Chat, app: App) -> None:
    quiz = quiz_of(app, 1)
    await chat.say("kuis")
    await chat.tap("Sesi 1")
    chat.expect_reply(contains="Apakah Ibu/Bapak setuju?", buttons=["Saya setuju", "Tidak setuju"])
    await chat.tap_id(f"quiz:a:{quiz[0].id}:{quiz[0].correct_index}")
    await chat.tap_id("quiz:retry:1")
    assert await count(app) == 0
    await chat.tap_id("quiz:start:1")
    await chat.tap("Tidak setuju")
    chat.expect_reply(contains="Kami tidak menyimpan data")
    assert await count(app) == 0

    # Agreeing leads straight back to the quiz that was asked for.
    await chat.tap_id("quiz:start:1")
    await chat.tap("Saya setuju")
    await chat.say("Ibu Siti")
    chat.expect_reply(buttons=["Lanjutkan", "Menu"])
    await chat.tap("Lanjutkan")
    chat.expect_reply(contains="Kuis Sesi 1 · pertanyaan 1 dari 5", buttons=["A", "B", "C", "D"])
    await chat.tap(right(quiz[0]))
    assert await count(app) == 1


async def test_the_session_list_shows_all_fourteen_and_the_last_session_offers_learning(
    chat: Chat, app: App
) -> None:
    await consent(chat)
    await chat.tap("Kuis")  # from the main menu shown after the name
    chat.expect_reply(
        contains=[
            "Kuis. Silakan pilih sesi:",
            "1. Menjadi Orang Tua",
            "14. Pentingnya Kesejahteraan Lanjut Usia",
        ],
        buttons=[f"Sesi {n}" for n in range(1, 15)] + ["Menu"],
    )
    await chat.say("14")
    chat.expect_reply(contains="Kuis Sesi 14 · pertanyaan 1 dari 4")
    for question in quiz_of(app, 14):
        await chat.tap(right(question))
    chat.expect_reply(contains="benar 4 dari 4", buttons=["Belajar", "Menu"])
    assert chat.button("Belajar").id == "learn"
    await chat.say("/kuis 3")
    chat.expect_reply(contains="Kuis Sesi 3 · pertanyaan 1 dari 4")


async def test_starting_the_same_quiz_again_midway_continues_it(chat: Chat, app: App) -> None:
    quiz = quiz_of(app, 1)
    await consent(chat)
    await chat.tap_id("quiz:start:1")
    await chat.tap(wrong(quiz[0]))
    await chat.tap_id("quiz:start:1")  # an old "take the quiz" button from the lesson
    chat.expect_reply(contains=["Kuis ini belum selesai", "pertanyaan 2 dari 5"])
    await chat.say("kuis")
    await chat.tap("Sesi 2")  # another session starts afresh
    chat.expect_reply(contains="Kuis Sesi 2 · pertanyaan 1 dari 5")
    await chat.tap_id("quiz:start:1")  # session 1 again: a new attempt from the first question
    chat.expect_reply(contains="Kuis Sesi 1 · pertanyaan 1 dari 5")
    await chat.tap(right(quiz[0]))
    rows = await stored(app)
    assert [(r.question_id, r.correct, r.attempt) for r in rows] == [
        (quiz[0].id, False, 1),
        (quiz[0].id, True, 2),
    ]


async def test_a_stale_retry_button_offers_the_whole_quiz_and_stores_nothing(
    chat: Chat, app: App, clock: FakeClock
) -> None:
    quiz = quiz_of(app, 1)
    await consent(chat)
    await chat.tap_id("quiz:start:1")
    for question in quiz:
        await chat.tap(wrong(question))
    chat.expect_reply(contains="benar 0 dari 5", buttons=["Ulangi soal tadi", "Sesi berikutnya", "Menu"])
    await chat.say("menu")
    clock.advance(days=1)
    await chat.tap_id("quiz:retry:1")
    chat.expect_reply(contains="Tidak ada pertanyaan untuk diulang", buttons=["Mulai kuis", "Menu"])
    assert await count(app) == 5
    await chat.tap("Mulai kuis")
    chat.expect_reply(contains="Kuis Sesi 1 · pertanyaan 1 dari 5")
    await chat.tap(right(quiz[0]))
    assert (await stored(app))[-1].attempt == 2
