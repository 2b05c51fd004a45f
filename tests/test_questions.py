"""Questions for a person: free text a member types is offered to their pendamping, who answers in the chat;
urgent words get the number to call first. Questions are personal: scoped to the pendamping, deleted with
HAPUS DATA."""

from __future__ import annotations

from sqlalchemy import select

from bot.app import App
from bot.catalogs import load_translators
from bot.db.models import AuditEntry, Consent, Identity, MemberQuestion, OutboxMessage, Rsvp, User
from bot.delivery import DeliveryConfig, DeliveryWorker
from bot.demo import DemoData
from handlers.notices import render_notice
from tests.builders import second_pendamping
from tests.conftest import joined
from tests.fakes.recording_sender import RecordingSender
from tests.test_privacy import _all_text
from tests.transcript import Chat, FakeClock

OFFER = ["Tanya pendamping", "Menu"]


async def _notices(app: App, kind: str) -> list[tuple[str, str]]:
    """(recipient name, rendered text) of the outbox rows of one kind."""
    async with app.db.transaction() as session:
        rows = (
            await session.execute(
                select(User.display_name, OutboxMessage.payload)
                .join(User, User.id == OutboxMessage.user_id)
                .where(OutboxMessage.kind == kind)
                .order_by(OutboxMessage.id)
            )
        ).all()
    t = app.service.translator("id")
    rendered = []
    for name, payload in rows:
        notice = render_notice(t, app.curriculum, kind, payload, str(name), None)
        assert notice is not None
        rendered.append((str(name), notice.message.text))
    return rendered


async def _questions(app: App) -> list[MemberQuestion]:
    async with app.db.transaction() as session:
        return list((await session.scalars(select(MemberQuestion).order_by(MemberQuestion.id))).all())


async def ask(chat: Chat, text: str) -> None:
    await chat.say(text)
    chat.expect_reply(contains="belum bisa menjawab", buttons=OFFER)
    await chat.tap("Tanya pendamping")
    chat.expect_reply(contains="Pertanyaan sudah diteruskan ke pendamping", buttons=["Menu"])


async def test_member_asks_and_the_pendamping_answers(app: App, clock: FakeClock, demo: DemoData) -> None:
    member = Chat(app.service, "kpm-1")
    await joined(member, "Ibu Siti")
    await member.say("Assalamualaikum bu, kapan bansos cair?")
    member.expect_reply(contains=["belum bisa menjawab", "pendamping"], buttons=OFFER)
    assert await _questions(app) == []  # held in the dialog state until the tap
    await member.tap("Tanya pendamping")
    member.expect_reply(
        contains="Pertanyaan sudah diteruskan ke pendamping Pendamping Demo", buttons=["Menu"]
    )
    await member.tap_id("ask:send")  # a second tap forwards nothing twice
    member.expect_reply(contains="sudah diteruskan")
    [question] = await _questions(app)
    assert (question.text, question.status) == ("Assalamualaikum bu, kapan bansos cair?", "open")
    assert question.kelompok_id == demo.kelompok_id
    [(to, text)] = await _notices(app, "question")
    assert to == "Pendamping Demo"
    assert "Ibu Siti (Sirnajaya 1)" in text and "kapan bansos cair?" in text

    clock.advance(minutes=5)
    await ask(member, "Anak saya demam sejak kemarin")
    pendamping = Chat(app.service, "pendamping")
    await pendamping.say("menu")
    pendamping.expect_reply(contains="2 pertanyaan anggota belum dijawab")
    assert "Pertanyaan anggota" in pendamping.labels
    await pendamping.tap("Pertanyaan anggota")
    pendamping.expect_reply(contains="Pertanyaan anggota yang belum dijawab")
    assert pendamping.text.index("demam") < pendamping.text.index("bansos")  # newest first
    assert pendamping.labels == ["1. Ibu Siti", "2. Ibu Siti", "Menu"]
    await pendamping.tap("2. Ibu Siti")
    pendamping.expect_reply(
        contains=["Pertanyaan dari Ibu Siti (Sirnajaya 1)", "kapan bansos cair?", "Ketik jawaban Anda"],
        buttons=["Tutup tanpa jawaban", "Menu"],
    )
    await pendamping.say("Bulan depan, Bu. Kalau darurat, telepon 119.")  # not screened for a pendamping
    pendamping.expect_reply(
        contains="Jawaban sudah dikirim ke Ibu Siti", buttons=["Pertanyaan anggota", "Menu"]
    )

    [(to, text)] = await _notices(app, "answer")
    assert to == "Ibu Siti"
    assert "Jawaban dari pendamping Anda, Pendamping Demo:" in text
    assert "Bulan depan, Bu. Kalau darurat, telepon 119." in text and "kapan bansos cair?" in text
    first, second = await _questions(app)
    assert (first.status, first.answer, first.answered_at) == (
        "answered",
        "Bulan depan, Bu. Kalau darurat, telepon 119.",
        clock.now,
    )
    assert second.status == "open"
    await pendamping.say("menu")
    pendamping.expect_reply(contains="1 pertanyaan anggota belum dijawab")
    await pendamping.tap_id(f"pq:o:{first.id}")  # an answered question is shown, not answered twice
    pendamping.expect_reply(contains=["sudah dijawab", "Bulan depan"], buttons=["Pertanyaan anggota", "Menu"])


async def test_a_question_can_be_closed_without_answer(app: App, demo: DemoData) -> None:
    member = Chat(app.service, "kpm-1")
    await joined(member, "Ibu Siti")
    await ask(member, "Bu, posyandu bulan ini jadi tanggal berapa?")
    pendamping = Chat(app.service, "pendamping")
    await pendamping.say("menu")
    await pendamping.tap("Pertanyaan anggota")
    await pendamping.tap("1. Ibu Siti")
    await pendamping.tap("Tutup tanpa jawaban")
    pendamping.expect_reply(contains="Pertanyaan ditutup tanpa jawaban")
    [question] = await _questions(app)
    assert question.status == "closed" and question.answer is None
    assert await _notices(app, "answer") == []
    await pendamping.tap("Pertanyaan anggota")
    pendamping.expect_reply(contains="Tidak ada pertanyaan anggota yang belum dijawab", buttons=["Menu"])


async def test_only_the_members_own_pendamping_sees_the_question(app: App, demo: DemoData) -> None:
    member = Chat(app.service, "kpm-1")
    await joined(member, "Ibu Siti")
    await ask(member, "Rahasia: suami saya kehilangan pekerjaan")
    [question] = await _questions(app)
    other, _, _, _, _ = await second_pendamping(app)
    await other.say("menu")
    assert "belum dijawab" not in other.text
    await other.tap("Pertanyaan anggota")
    other.expect_reply(contains="Tidak ada pertanyaan anggota yang belum dijawab")
    for forged in (f"pq:o:{question.id}", f"pq:c:{question.id}", "pq:o:999"):
        await other.tap_id(forged)
        other.expect_reply(contains="bukan dari anggota kelompok Anda", buttons=["Menu"])
        assert "Rahasia" not in other.text
    neighbour = Chat(app.service, "kpm-2")
    await joined(neighbour, "Ibu Ani")
    await neighbour.tap_id(f"pq:o:{question.id}")
    neighbour.expect_reply(contains="hanya untuk pendamping")
    assert "Rahasia" not in neighbour.text
    assert (await _questions(app))[0].status == "open"
    async with app.db.transaction() as session:
        refused = (await session.scalars(select(AuditEntry).where(AuditEntry.allowed.is_(False)))).all()
    assert [(a.action, a.target_id) for a in refused] == [
        ("question.open", question.id),
        ("question.close", question.id),
        ("question.open", 999),
        ("question.open", question.id),
    ]
    assert [to for to, _ in await _notices(app, "question")] == ["Pendamping Demo"]


async def test_without_a_kelompok_the_member_is_told_how_to_join(app: App, demo: DemoData) -> None:
    now = app.clock()
    async with app.db.transaction() as session:
        user = User(role="kpm", display_name="Ibu Lina", locale="id", created_at=now)
        session.add(user)
        await session.flush()
        session.add(Identity(user_id=user.id, channel="console", address="kpm-9", created_at=now))
        session.add(Consent(user_id=user.id, text_version="1", given_at=now))
    loner = Chat(app.service, "kpm-9")
    await loner.say("kapan bansos cair?")
    loner.expect_reply(contains=["setelah Ibu/Bapak bergabung", "kode kelompok"])
    assert "Tanya pendamping" not in loner.labels
    await loner.tap_id("ask:send")
    loner.expect_reply(contains="setelah Ibu/Bapak bergabung")
    assert await _questions(app) == []
    pendamping = Chat(app.service, "pendamping")
    await pendamping.say("kapan rapat koordinasi?")
    pendamping.expect_reply(contains="Ketik MENU untuk menu pendamping")
    assert "Tanya pendamping" not in pendamping.labels


async def test_an_answer_that_starts_like_a_button_is_sent_as_the_answer(app: App, demo: DemoData) -> None:
    member = Chat(app.service, "kpm-1")
    await joined(member, "Ibu Siti")
    await ask(member, "Bu, kapan pertemuan berikutnya?")
    pendamping = Chat(app.service, "pendamping")
    await pendamping.say("menu")
    await pendamping.tap("Pertanyaan anggota")
    await pendamping.tap("1. Ibu Siti")
    pendamping.expect_reply(buttons=["Tutup tanpa jawaban", "Menu"])
    await pendamping.say("Tutup dulu buku catatannya, Bu: pertemuan hari Sabtu jam 9")
    pendamping.expect_reply(contains="Jawaban sudah dikirim ke Ibu Siti")
    [question] = await _questions(app)
    assert question.status == "answered" and question.answer is not None
    assert question.answer.startswith("Tutup dulu buku")


async def test_a_member_who_stopped_messages_still_gets_the_answer(app: App, demo: DemoData) -> None:
    member = Chat(app.service, "kpm-1")
    await joined(member, "Ibu Siti")
    await ask(member, "Bu, apakah anak SMA juga dapat bantuan?")
    await member.say("berhenti")
    await member.tap("Ya, hentikan")
    pendamping = Chat(app.service, "pendamping")
    await pendamping.say("menu")
    await pendamping.tap("Pertanyaan anggota")
    await pendamping.tap("1. Ibu Siti")
    await pendamping.say("Dapat, Bu, selama masih sekolah.")
    sender = RecordingSender()
    worker = DeliveryWorker(
        app.db, {"console": sender}, app.curriculum, load_translators(), "id", app.clock, DeliveryConfig()
    )  # type: ignore[dict-item]
    await worker.run_once()
    answers = sender.texts("kpm-1")
    assert len(answers) == 1 and "Dapat, Bu, selama masih sekolah." in answers[0]


async def test_a_long_question_is_cut_with_a_note(app: App, demo: DemoData) -> None:
    member = Chat(app.service, "kpm-1")
    await joined(member, "Ibu Siti")
    await member.say("Bu, " + "saya mau tanya soal bantuan sekolah anak. " * 20)
    await member.tap("Tanya pendamping")
    member.expect_reply(contains=["sudah diteruskan", "hanya 500 huruf pertama"])
    [question] = await _questions(app)
    assert len(question.text) <= 500 and question.text.startswith("Bu, saya mau tanya")


async def test_delete_data_removes_questions_and_answers(app: App, demo: DemoData) -> None:
    member = Chat(app.service, "kpm-1")
    await joined(member, "Ibu Kartini")
    await ask(member, "Apakah PKH bisa untuk biaya berobat ibu mertua?")
    await ask(member, "Boleh tanya soal kartu KIS yang hilang?")
    pendamping = Chat(app.service, "pendamping")
    await pendamping.say("menu")
    await pendamping.tap("Pertanyaan anggota")
    await pendamping.tap("2. Ibu Kartini")
    await pendamping.say("Bisa lewat BPJS, Bu, nanti saya bantu urus.")
    before = await _all_text(app)
    assert "mertua" in before and "KIS" in before and "BPJS" in before

    await member.say("hapus data")
    await member.tap("Ya, hapus")
    member.expect_reply(contains="sudah dihapus")
    after = await _all_text(app)
    for personal in ("mertua", "KIS", "BPJS", "Ibu Kartini"):
        assert personal not in after
    assert await _questions(app) == []
    await pendamping.say("menu")
    assert "belum dijawab" not in pendamping.text


async def test_urgent_words_get_the_number_first(app: App, demo: DemoData) -> None:
    member = Chat(app.service, "kpm-1")
    await joined(member, "Ibu Siti")
    await member.say("Bu tolong, anak saya KEJANG dan panas tinggi")
    assert "119" in member.replies[0].text
    member.expect_reply(contains="teruskan pesan Ibu/Bapak ke pendamping", buttons=OFFER)
    await member.tap("Tanya pendamping")
    member.expect_reply(contains="sudah diteruskan")
    [question] = await _questions(app)
    assert question.text == "Bu tolong, anak saya KEJANG dan panas tinggi"

    # In the middle of a flow (the reason for not attending), accents and case do not matter.
    await member.say("pertemuan")
    await member.tap("Tidak bisa hadir")
    member.expect_reply(contains="Boleh tahu alasannya")
    await member.say("Saya DIPUKUL suami semalam")
    assert "129" in member.replies[0].text and "08111-129-129" in member.replies[0].text
    assert "119" not in member.replies[0].text
    assert member.labels == OFFER
    await member.say("Anak pingsán tadi pagi, ini darurat!")
    assert "119" in member.replies[0].text
    await member.say("Menjaga anak di rumah")  # the flow is still waiting for the reason
    async with app.db.transaction() as session:
        assert (await session.scalar(select(Rsvp.reason))) == "Menjaga anak di rumah"

    # Whole words only: a longer word that merely contains one is not urgent.
    await member.say("kejangkauan sinyal di desa kami buruk")
    assert "119" not in member.text
    member.expect_reply(contains="belum bisa menjawab", buttons=OFFER)


async def test_urgent_words_answer_someone_not_in_a_kelompok_too(app: App) -> None:
    stranger = Chat(app.service, "kpm-5")
    await stranger.say("tolong ada kekerasan di rumah saya")
    assert "129" in stranger.replies[0].text
    assert "Tanya pendamping" not in stranger.labels
