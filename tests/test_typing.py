"""People who type: the consent answer typed as a word, greetings, typed words for buttons, loose join codes
and names with emoji. Each test is a transcript of what a KPM or a pendamping would really send."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from bot.app import App
from bot.db.models import Membership
from bot.demo import DemoData
from tests.conftest import joined
from tests.transcript import Chat


async def _members(app: App) -> int:
    async with app.db.transaction() as session:
        return len((await session.scalars(select(Membership).where(Membership.left_at.is_(None)))).all())


async def test_typing_setuju_at_the_consent_question_keeps_the_join(
    chat: Chat, app: App, demo: DemoData
) -> None:
    await chat.say("SIRNA1")
    await chat.say("setuju")
    chat.expect_reply(contains="ingin dipanggil siapa")
    await chat.say("1")
    chat.expect_reply(contains="nama")
    await chat.say("Bu Ina")
    chat.expect_reply(contains=["Senang berkenalan, Bu Ina", "anggota kelompok Sirnajaya 1"])
    await chat.say("MENU")
    await chat.say("3")
    assert "belum masuk kelompok" not in chat.text
    chat.expect_reply(contains="Sirnajaya 1")
    assert await _members(app) == 1


@pytest.mark.parametrize("word", ["daftar", "iya", "ok", "Ya"])
async def test_any_yes_at_the_consent_question_keeps_the_join(
    chat: Chat, app: App, demo: DemoData, word: str
) -> None:
    await chat.say("SIRNA1")
    await chat.say(word)
    if word == "daftar":  # asks again, keeping the pending join
        chat.expect_reply(buttons=["Saya setuju", "Tidak setuju"])
        await chat.tap("Saya setuju")
    await chat.say("Bu Ina")
    chat.expect_reply(contains="anggota kelompok Sirnajaya 1")


async def test_onboarding_without_a_code_says_there_is_no_group_yet(chat: Chat, demo: DemoData) -> None:
    await chat.say("daftar")
    await chat.say("ya")
    await chat.say("Bu Ina")
    chat.expect_reply(contains=["Senang berkenalan, Bu Ina", "belum masuk kelompok", "kode kelompok"])


@pytest.mark.parametrize(
    "first", ["Halo", "Assalamualaikum", "P", "pagi bu", "Assalamu'alaikum wr wb", "hai kak"]
)
@pytest.mark.parametrize("channel", ["whatsapp", "console"])
async def test_any_first_greeting_gets_the_welcome(
    app: App, demo: DemoData, first: str, channel: str
) -> None:
    chat = Chat(app.service, "6281234567890", channel=channel)
    await chat.say(first)
    chat.expect_reply(contains=["asisten P2K2", "kode kelompok"])
    assert "belum mengerti" not in chat.text


async def test_a_first_sticker_or_question_gets_the_welcome_too(app: App, demo: DemoData) -> None:
    sticker = Chat(app.service, "6281111111111", channel="whatsapp")
    await sticker.send_unsupported()
    sticker.expect_reply(contains="asisten P2K2")
    question = Chat(app.service, "6282222222222", channel="whatsapp")
    await question.say("bu kapan bansos cair?")
    question.expect_reply(contains=["asisten P2K2", "kode kelompok"])


async def test_a_known_member_is_welcomed_back_by_name_with_the_quiz_to_continue(
    chat: Chat, demo: DemoData
) -> None:
    await joined(chat)
    await chat.say("kuis 1")
    await chat.say("a")
    chat.expect_reply(contains="pertanyaan 2 dari")
    await chat.say("/start")  # the terminal chat restarted
    chat.expect_reply(contains=["Selamat datang kembali, Ibu Siti", "Kuis Sesi 1 belum selesai"])
    chat.expect_reply(contains="pertanyaan 2 dari")
    await chat.say("b")  # still answers the quiz question
    chat.expect_reply(contains="pertanyaan 3 dari")


async def test_a_greeting_offers_the_unfinished_lesson(chat: Chat, demo: DemoData) -> None:
    await joined(chat)
    await chat.say("belajar")
    await chat.tap("Modul 1")
    await chat.tap("Sesi 1")
    await chat.say("halo")
    chat.expect_reply(contains=["Selamat datang kembali, Ibu Siti", "Sesi 1"])
    await chat.tap("Lanjut Sesi 1")
    chat.expect_reply(contains="kartu 2 dari")


async def test_thanks_and_emoji_get_a_kind_answer(chat: Chat, demo: DemoData) -> None:
    await joined(chat)
    for said in ["terima kasih bu", "makasih", "Makasi 🙏"]:
        await chat.say(said)
        chat.expect_reply(contains="Sama-sama")


async def test_typed_words_for_buttons(chat: Chat, demo: DemoData) -> None:
    await joined(chat)
    await chat.say("belajar")
    await chat.say("modul 1")
    await chat.say("sesi 1")
    await chat.say("lanjutt")  # one letter too many
    chat.expect_reply(contains="kartu 2 dari")
    await chat.say("ok")
    chat.expect_reply(contains="kartu 3 dari")
    await chat.say("stop")
    await chat.say("iya")
    chat.expect_reply(contains="tidak akan menerima pengingat")


async def test_a_word_for_several_buttons_asks_which_one(chat: Chat, demo: DemoData) -> None:
    await joined(chat)
    await chat.say("kuis")
    await chat.say("sesi")
    chat.expect_reply(contains="Yang mana maksud")
    assert chat.labels[:2] == ["Sesi 1", "Sesi 2"]
    await chat.say("2")
    chat.expect_reply(contains="Kuis Sesi 2")


@pytest.mark.parametrize(
    "typed", ["SIRNA 1", "kode SIRNA1", "Kode: sirna 1", "kode kelompok SIRNA1", "sirna1"]
)
async def test_loose_join_codes_are_recognised(chat: Chat, demo: DemoData, typed: str) -> None:
    await chat.say(typed)
    chat.expect_reply(buttons=["Saya setuju", "Tidak setuju"])


async def test_an_unknown_code_after_the_word_kode_is_answered_as_a_code(chat: Chat, demo: DemoData) -> None:
    await chat.say("kode ZZZ 999")
    chat.expect_reply(contains="Kode ZZZ999 tidak dikenal")


async def test_a_name_with_emoji_gets_a_precise_message(chat: Chat, demo: DemoData) -> None:
    await chat.say("SIRNA1")
    await chat.tap("Saya setuju")
    await chat.say("Bu Siti 🌸")
    chat.expect_reply(contains="tanpa emoji")
    await chat.say("Bu Siti")
    chat.expect_reply(contains="Senang berkenalan, Bu Siti")


async def test_a_pendamping_gets_their_own_words_greeting_and_help(app: App, demo: DemoData) -> None:
    chat = Chat(app.service, "pendamping")
    await chat.say("pertemuan")
    assert "belum masuk kelompok" not in chat.text
    chat.expect_reply(contains="Sirnajaya 1")
    await chat.say("halo")
    chat.expect_reply(contains="sebagai pendamping")
    await chat.say("bantuan")
    chat.expect_reply(contains=["PERTEMUAN", "KEHADIRAN"])
    assert "tanyakan kepada pendamping" not in chat.text
    await chat.say("apa kabar")
    chat.expect_reply(contains="menu pendamping")


async def test_stop_and_delete_before_registering_say_there_is_nothing_to_stop(
    chat: Chat, demo: DemoData
) -> None:
    await chat.say("stop")
    chat.expect_reply(contains="belum terdaftar")
    assert "Ya, hentikan" not in chat.labels
    await chat.say("hapus data")
    chat.expect_reply(contains="Tidak ada yang perlu dihapus")
    assert "Ya, hapus" not in chat.labels
