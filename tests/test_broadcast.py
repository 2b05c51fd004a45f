"""Announcements: choose one or all kelompok, type, preview with the recipient count, send, change or
cancel; one outbox row per member who can be reached and did not stop messages; status counts."""

from __future__ import annotations

from sqlalchemy import func, select, update

from bot.app import App
from bot.db.models import AuditEntry, Broadcast, OutboxMessage, User
from bot.demo import DemoData
from handlers.notices import render_notice
from tests.builders import add_kelompok, add_members, demo_pendamping_id
from tests.conftest import joined
from tests.transcript import Chat, FakeClock

TEXT = "Ibu-ibu, besok Sabtu bawa buku KIA ya.\nTerima kasih."
CONFIRM = ["Kirim", "Ubah", "Batal"]


async def outbox(app: App) -> list[tuple[str, int | None, dict[str, object]]]:
    async with app.db.transaction() as session:
        rows = await session.execute(
            select(User.display_name, OutboxMessage.broadcast_id, OutboxMessage.payload)
            .join(User, User.id == OutboxMessage.user_id)
            .where(OutboxMessage.kind == "broadcast")
            .order_by(OutboxMessage.id)
        )
        return [(str(name), broadcast, payload) for name, broadcast, payload in rows]


async def broadcasts(app: App) -> list[tuple[int | None, str, int]]:
    async with app.db.transaction() as session:
        rows = await session.scalars(select(Broadcast).order_by(Broadcast.id))
        return [(b.kelompok_id, b.text, b.recipients) for b in rows]


async def test_one_kelompok_preview_change_and_send(app: App, demo: DemoData) -> None:
    await add_members(
        app,
        demo.kelompok_id,
        ["Ibu Ani", "Ibu Butet", "Ibu Citra"],
        stopped=("Ibu Butet",),
        unreachable=("Ibu Citra",),
    )
    await joined(Chat(app.service, "kpm-1"), "Ibu Siti")  # joined in the chat herself
    pendamping = Chat(app.service, "pendamping")
    await pendamping.say("menu")
    await pendamping.tap("Pengumuman")
    pendamping.expect_reply(
        contains="Kirim pengumuman ke kelompok yang mana?", buttons=["Sirnajaya 1", "Status", "Menu"]
    )
    await pendamping.tap("Sirnajaya 1")
    pendamping.expect_reply(
        contains=["Ketik pengumuman untuk Sirnajaya 1", "paling banyak 1000 huruf"], buttons=["Batal"]
    )

    await pendamping.say("   ")
    pendamping.expect_reply(contains="Silakan ketik isi pengumuman.", buttons=["Batal"])
    await pendamping.say("x" * 1001)
    pendamping.expect_reply(contains="Terlalu panjang: 1001 huruf", buttons=["Batal"])
    await pendamping.say("Besok kerja bakti")
    assert [r.text for r in pendamping.replies][
        1
    ] == "Pengumuman dari pendamping Pendamping Demo:\n\nBesok kerja bakti"
    await pendamping.tap("Ubah")
    pendamping.expect_reply(contains="Ketik pengumuman untuk Sirnajaya 1")
    await pendamping.say(TEXT)
    preview = [r.text for r in pendamping.replies]
    assert preview == [
        "Pratinjau: anggota akan menerima pesan seperti ini.",
        f"Pengumuman dari pendamping Pendamping Demo:\n\n{TEXT}",
        "Pengumuman akan dikirim ke 2 anggota Sirnajaya 1 yang bisa menerima pesan. Kirim sekarang?",
    ]
    assert [r.buttons for r in pendamping.replies[:2]] == [(), ()] and pendamping.labels == CONFIRM
    assert await broadcasts(app) == []

    await pendamping.tap("Kirim")
    pendamping.expect_reply(contains="masuk antrean untuk 2 anggota", buttons=["Status", "Menu"])
    assert await broadcasts(app) == [(demo.kelompok_id, TEXT, 2)]
    rows = await outbox(app)
    assert [name for name, _, _ in rows] == ["Ibu Ani", "Ibu Siti"]  # not the stopped nor the unreachable one
    assert rows[0][2] == {"text": TEXT, "from": "Pendamping Demo"}
    # What a member will get is exactly the preview.
    notice = render_notice(
        app.service.translator("id"), app.curriculum, "broadcast", rows[0][2], "Ibu Ani", None
    )
    assert notice is not None and notice.message.text == preview[1]
    async with app.db.transaction() as session:
        audit = (
            await session.scalars(select(AuditEntry).where(AuditEntry.action == "broadcast.queue"))
        ).all()
    assert [(a.target_type, a.target_id, a.detail["recipients"]) for a in audit] == [
        ("kelompok", demo.kelompok_id, 2)
    ]

    await pendamping.tap_id("bcast:send")  # a second tap on the old button sends nothing twice
    pendamping.expect_reply(contains="Pengumuman itu sudah dikirim atau dibatalkan.")
    assert len(await outbox(app)) == 2


async def test_cancel_at_every_step_sends_nothing(app: App, demo: DemoData) -> None:
    await add_members(app, demo.kelompok_id, ["Ibu Ani"])
    pendamping = Chat(app.service, "pendamping")
    await pendamping.say("pengumuman")
    await pendamping.tap("Sirnajaya 1")
    await pendamping.tap("Batal")
    pendamping.expect_reply(contains="Dibatalkan. Tidak ada yang dikirim.")
    await pendamping.say("pengumuman")
    await pendamping.say("1")
    await pendamping.say("Rapat diundur")
    await pendamping.say("BATAL")  # typed, at the confirmation
    pendamping.expect_reply(contains="Dibatalkan.")
    await pendamping.tap_id("bcast:send")
    pendamping.expect_reply(contains="sudah dikirim atau dibatalkan")
    await pendamping.say("pengumuman")
    await pendamping.say("1")
    await pendamping.say("Rapat diundur")
    await pendamping.say("3")  # the third button: Batal
    pendamping.expect_reply(contains="Tidak ada yang dikirim.")
    assert await broadcasts(app) == [] and await outbox(app) == []


async def test_all_kelompok_then_status(app: App, clock: FakeClock, demo: DemoData) -> None:
    second = await add_kelompok(app, await demo_pendamping_id(app), "Sirnajaya 2", "SIRNA2")
    await add_members(app, demo.kelompok_id, ["Ibu Ani", "Ibu Butet", "Ibu Citra"], stopped=("Ibu Citra",))
    await add_members(app, second, ["Ibu Dewi", "Ibu Eka", "Ibu Fitri"], unreachable=("Ibu Fitri",))
    pendamping = Chat(app.service, "pendamping")
    await pendamping.say("pengumuman")
    pendamping.expect_reply(buttons=["Sirnajaya 1", "Sirnajaya 2", "Semua kelompok saya", "Status", "Menu"])
    await pendamping.tap("Status")
    pendamping.expect_reply(contains="Anda belum pernah mengirim pengumuman.")
    await pendamping.tap("Pengumuman baru")
    await pendamping.tap("Semua kelompok saya")
    pendamping.expect_reply(contains="Ketik pengumuman untuk 2 kelompok Anda")
    await pendamping.say("Posyandu pindah ke balai desa.")
    pendamping.expect_reply(contains="dikirim ke 4 anggota 2 kelompok Anda", buttons=CONFIRM)
    await pendamping.say("Kirim")  # typed, not tapped
    pendamping.expect_reply(contains="masuk antrean untuk 4 anggota")
    assert await broadcasts(app) == [
        (demo.kelompok_id, "Posyandu pindah ke balai desa.", 2),
        (second, "Posyandu pindah ke balai desa.", 2),
    ]
    assert [name for name, _, _ in await outbox(app)] == ["Ibu Ani", "Ibu Butet", "Ibu Dewi", "Ibu Eka"]

    clock.advance(hours=1)
    await pendamping.say("pengumuman")
    await pendamping.tap("Sirnajaya 2")
    await pendamping.say("Jangan lupa arisan.")
    await pendamping.tap("Kirim")
    # Simulate delivery: the dispatcher would set these.
    async with app.db.transaction() as session:
        ids = {str(name): uid for name, uid in await session.execute(select(User.display_name, User.id))}
        for name, status in (("Ibu Ani", "sent"), ("Ibu Butet", "failed"), ("Ibu Dewi", "unreachable")):
            await session.execute(
                update(OutboxMessage)
                .where(OutboxMessage.user_id == ids[name], OutboxMessage.broadcast_id.is_not(None))
                .values(status=status)
            )
        latest = await session.scalar(select(func.max(Broadcast.id)))
        await session.execute(
            update(OutboxMessage)
            .where(OutboxMessage.user_id == ids["Ibu Eka"], OutboxMessage.broadcast_id == latest)
            .values(status="sent")
        )
        assert (
            await session.scalar(
                select(func.count(OutboxMessage.id)).where(OutboxMessage.kind == "broadcast")
            )
            == 6
        )
    await pendamping.tap("Status")
    assert pendamping.text == (
        "Pengumuman terakhir Anda:\n"
        "\n"
        "Kamis, 3 Desember 2026 pukul 09.00 WIB, Sirnajaya 2:\n"
        "“Jangan lupa arisan.”\n"
        "2 penerima: 1 terkirim, 0 menunggu, 0 gagal, 1 tidak bisa dihubungi\n"
        "\n"
        "Kamis, 3 Desember 2026 pukul 08.00 WIB, Sirnajaya 1, Sirnajaya 2:\n"
        "“Posyandu pindah ke balai desa.”\n"
        "4 penerima: 1 terkirim, 1 menunggu, 1 gagal, 1 tidak bisa dihubungi"
    )
    assert pendamping.labels == ["Pengumuman baru", "Menu"]


async def test_a_group_nobody_can_receive(app: App, demo: DemoData) -> None:
    await add_members(app, demo.kelompok_id, ["Ibu Ani"], stopped=("Ibu Ani",))
    pendamping = Chat(app.service, "pendamping")
    await pendamping.say("pengumuman")
    await pendamping.tap("Sirnajaya 1")
    pendamping.expect_reply(
        contains="tidak ada anggota Sirnajaya 1 yang bisa menerima pesan", buttons=["Menu"]
    )
