"""Quiz results per kelompok and session, from a known set of answers: participation, average score (latest
answers) and the hardest question (most members wrong on their first try)."""

from __future__ import annotations

from sqlalchemy import update

from bot.app import App
from bot.core.ports import SessionResult
from bot.db.models import Membership, QuizAnswer
from bot.db.pendamping_reader import SqlPendampingReader
from bot.demo import DemoData
from tests.builders import add_kelompok, add_members, demo_pendamping_id
from tests.transcript import Chat

# (member, session, question number, correct, attempt), in the order answered.
ANSWERS = [
    *[("Ibu Ani", 1, q, True, 1) for q in range(1, 6)],
    ("Ibu Butet", 1, 1, False, 1),
    ("Ibu Butet", 1, 2, False, 1),
    *[("Ibu Butet", 1, q, True, 1) for q in range(3, 6)],
    ("Ibu Butet", 1, 1, True, 2),  # the retry of the wrong ones: q1 now right, q2 wrong again
    ("Ibu Butet", 1, 2, False, 2),
    ("Ibu Citra", 1, 1, False, 1),  # stopped after three questions
    ("Ibu Citra", 1, 2, True, 1),
    ("Ibu Citra", 1, 3, False, 1),
    ("Ibu Eka", 1, 2, False, 1),  # left the kelompok: not counted
    ("Ibu Eka", 1, 3, False, 1),
    ("Ibu Wati", 1, 4, False, 1),  # another kelompok: not counted
]


async def seed(app: App, demo: DemoData) -> dict[str, int]:
    ids = dict(
        zip(
            ["Ibu Ani", "Ibu Butet", "Ibu Citra", "Ibu Dewi", "Ibu Eka"],
            await add_members(
                app, demo.kelompok_id, ["Ibu Ani", "Ibu Butet", "Ibu Citra", "Ibu Dewi", "Ibu Eka"]
            ),
            strict=True,
        )
    )
    other = await add_kelompok(app, await demo_pendamping_id(app), "Sirnajaya 2", "SIRNA2")
    ids["Ibu Wati"] = (await add_members(app, other, ["Ibu Wati"]))[0]
    sessions = {s.number: s for s in app.curriculum.sessions}
    two = sessions[2].quiz
    answers = ANSWERS + [("Ibu Ani", 2, n, True, 1) for n in range(1, len(two) + 1)]
    now = app.clock()
    async with app.db.transaction() as session:
        for name, number, question, correct, attempt in answers:
            session.add(
                QuizAnswer(
                    user_id=ids[name],
                    session_number=number,
                    question_id=sessions[number].quiz[question - 1].id,
                    choice=0,
                    correct=correct,
                    attempt=attempt,
                    answered_at=now,
                )
            )
        await session.execute(
            update(Membership).where(Membership.user_id == ids["Ibu Eka"]).values(left_at=now)
        )
    return ids


async def test_reader_numbers(app: App, demo: DemoData) -> None:
    await seed(app, demo)
    pendamping = await demo_pendamping_id(app)
    async with app.db.transaction() as session:
        rows = await SqlPendampingReader(session, app.curriculum).results(pendamping, demo.kelompok_id)
        assert (
            await SqlPendampingReader(session, app.curriculum).results(pendamping + 1, demo.kelompok_id)
            is None
        )
    q1 = app.curriculum.sessions[0].quiz[0].id
    assert rows is not None and len(rows) == 2
    first, second = rows
    assert first == SessionResult(1, 3, first.average_percent, q1, first.hardest_wrong_percent, 2, 3)
    assert round(first.average_percent, 2) == round(100 * (5 + 4 + 1) / 15, 2)
    assert round(first.hardest_wrong_percent, 2) == 66.67
    assert second == SessionResult(2, 1, 100.0, None, 0.0, 0, 0)


async def test_results_in_the_chat(app: App, demo: DemoData) -> None:
    await seed(app, demo)
    one, two = app.curriculum.sessions[0], app.curriculum.sessions[1]
    pendamping = Chat(app.service, "pendamping")
    await pendamping.say("menu")
    await pendamping.tap("Hasil kuis")
    pendamping.expect_reply(buttons=["Sirnajaya 1", "Sirnajaya 2", "Menu"])
    await pendamping.tap("Sirnajaya 1")
    question = " ".join(one.quiz[0].question.split())
    shown = question if len(question) <= 90 else question[:89].rstrip() + "…"
    assert pendamping.text == (
        "Hasil kuis Sirnajaya 1 (4 anggota):\n"
        "\n"
        f"Sesi 1, {one.title}\n"
        "3 dari 4 ikut; nilai rata-rata 67%.\n"
        f"Pertanyaan paling sulit: “{shown}”\n"
        "2 dari 3 anggota salah menjawab pada percobaan pertama.\n"
        "\n"
        f"Sesi 2, {two.title}\n"
        "1 dari 4 ikut; nilai rata-rata 100%.\n"
        "Semua jawaban pertama benar."
    )
    assert pendamping.labels == ["Kelompok lain", "Menu"]
    await pendamping.tap("Kelompok lain")
    await pendamping.say("2")
    pendamping.expect_reply(
        contains=["Hasil kuis Sirnajaya 2 (1 anggota):", "Sesi 1", "1 dari 1 ikut; nilai rata-rata 0%."]
    )


async def test_no_answers_yet(app: App, demo: DemoData) -> None:
    await add_members(app, demo.kelompok_id, ["Ibu Ani"])
    pendamping = Chat(app.service, "pendamping")
    await pendamping.say("hasil kuis")  # one kelompok: shown directly
    pendamping.expect_reply(
        contains=["Hasil kuis Sirnajaya 1 (1 anggota):", "Belum ada anggota yang mengerjakan kuis."],
        buttons=["Menu"],
    )
