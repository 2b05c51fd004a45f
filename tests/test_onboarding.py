"""Joining a kelompok with its code, consent first, and the name to address the user by."""

from datetime import timedelta

from sqlalchemy import func, select, update

from bot.app import App
from bot.db.models import Consent, Kelompok, Membership, User
from bot.demo import DemoData
from tests.conftest import joined
from tests.transcript import Chat


async def _count(app: App, model: type) -> int:
    async with app.db.transaction() as session:
        return int(await session.scalar(select(func.count()).select_from(model)) or 0)


async def test_typed_code_then_consent_then_name_joins_the_group(
    chat: Chat, app: App, demo: DemoData
) -> None:
    await chat.say("sirna1")
    chat.expect_reply(
        contains=["Yang kami simpan", "operator kabupaten", "HAPUS DATA"],
        buttons=["Saya setuju", "Tidak setuju"],
    )
    assert await _count(app, Consent) == 0 and await _count(app, Membership) == 0
    await chat.tap("Saya setuju")
    chat.expect_reply(contains="ingin dipanggil siapa")
    await chat.say("Ibu Siti")
    chat.expect_reply(
        contains=["Senang berkenalan, Ibu Siti", "anggota kelompok Sirnajaya 1", "Pendamping Demo"]
    )
    async with app.db.transaction() as session:
        consent = (await session.scalars(select(Consent))).one()
        user = (await session.scalars(select(User).where(User.role == "kpm"))).one()
    assert consent.given_at == app.clock() and consent.text_version
    assert user.display_name == "Ibu Siti"
    assert await _count(app, Membership) == 1


async def test_deep_link_start_payload_joins_too(chat: Chat, demo: DemoData) -> None:
    await chat.say("/start SIRNA1")
    chat.expect_reply(buttons=["Saya setuju", "Tidak setuju"])
    await chat.tap_id("consent:yes")
    await chat.say("Bu Ani")
    chat.expect_reply(contains="anggota kelompok Sirnajaya 1")


async def test_declining_stores_nothing_and_explains_how_to_come_back(
    chat: Chat, app: App, demo: DemoData
) -> None:
    await chat.say("SIRNA1")
    await chat.tap("Tidak setuju")
    chat.expect_reply(contains=["tidak menyimpan data", "ketik DAFTAR"])
    assert await _count(app, Consent) == 0 and await _count(app, Membership) == 0
    async with app.db.transaction() as session:
        assert (await session.scalars(select(User).where(User.role == "kpm"))).one().display_name is None
    await chat.say("daftar")
    chat.expect_reply(buttons=["Saya setuju", "Tidak setuju"])


async def test_unknown_expired_and_deleted_codes_get_a_clear_answer(
    chat: Chat, app: App, demo: DemoData
) -> None:
    await chat.say("ZZZ999")
    chat.expect_reply(contains="Kode ZZZ999 tidak dikenal")
    async with app.db.transaction() as session:
        await session.execute(
            update(Kelompok).values(join_code_expires_at=app.clock() - timedelta(minutes=1))
        )
    await chat.say("SIRNA1")
    chat.expect_reply(contains="Kode SIRNA1 tidak dikenal atau sudah tidak berlaku")
    async with app.db.transaction() as session:
        await session.execute(update(Kelompok).values(join_code_expires_at=None, deleted_at=app.clock()))
    await chat.say("SIRNA1")
    chat.expect_reply(contains="tidak dikenal")
    assert await _count(app, Consent) == 0


async def test_name_refuses_id_numbers_and_odd_input(chat: Chat, app: App, demo: DemoData) -> None:
    await chat.say("SIRNA1")
    await chat.tap("Saya setuju")
    for bad in ["3201234567890001", "Ibu 081234567890", "x", "🙂🙂", "a" * 41, "'; DROP TABLE users; --"]:
        await chat.say(bad)
        assert "nama" in chat.text.lower(), chat.text
    async with app.db.transaction() as session:
        names = (await session.scalars(select(User.display_name))).all()
    assert all(n in (None, "Pendamping Demo") for n in names)
    await chat.say("Ibu Siti Aminah")
    chat.expect_reply(contains="Senang berkenalan, Ibu Siti Aminah")


async def test_joining_another_group_asks_first(chat: Chat, app: App, demo: DemoData) -> None:
    await joined(chat)
    async with app.db.transaction() as session:
        first = (await session.scalars(select(Kelompok))).one()
        session.add(
            Kelompok(
                pendamping_id=first.pendamping_id,
                name="Sirnajaya 2",
                desa="Sirnajaya",
                kecamatan="Serang Baru",
                kabupaten="Bekasi",
                timezone="Asia/Jakarta",
                join_code="SIRNA2",
                created_at=app.clock(),
            )
        )
    await chat.say("SIRNA2")
    chat.expect_reply(contains="Pindah ke kelompok Sirnajaya 2", buttons=["Ya, pindah", "Tidak"])
    await chat.tap("Tidak")
    chat.expect_reply(contains="tetap di kelompok")
    await chat.say("SIRNA2")
    await chat.tap("Ya, pindah")
    chat.expect_reply(contains="anggota kelompok Sirnajaya 2")
    async with app.db.transaction() as session:
        active = (await session.scalars(select(Membership).where(Membership.left_at.is_(None)))).all()
    assert len(active) == 1
    await chat.say("SIRNA2")
    chat.expect_reply(contains="sudah menjadi anggota kelompok Sirnajaya 2")


async def test_an_ordinary_six_letter_word_is_not_taken_for_a_code(chat: Chat, demo: DemoData) -> None:
    await chat.say("makasi")
    chat.expect_reply(contains="Sama-sama")
    assert "Kode" not in chat.text
