"""The WhatsApp channel end to end: signed webhooks from a fake Meta into the real service and database,
replies out through the real httpx client to the fake Graph API, which refuses anything over WhatsApp's
limits. The same handlers as every other channel; nothing here is WhatsApp-specific but the transport."""

from __future__ import annotations

import json
import logging
from collections.abc import AsyncIterator
from datetime import timedelta

import pytest
from sqlalchemy import func, select

from bot.app import App
from bot.channels.whatsapp import WhatsAppChannel
from bot.core.delivery import Envelope, Sent, Template, Undeliverable
from bot.core.messages import Outbound
from bot.db.models import Identity, InboundKey, Meeting, OutboxMessage, Pendamping, Rsvp
from bot.demo import DemoData
from tests.builders import add_members, demo_pendamping_id
from tests.fakes.whatsapp_api import (
    APP_SECRET,
    TOKEN,
    VERIFY_TOKEN,
    FakeGraphAPI,
    WhatsAppUser,
)
from tests.transcript import FakeClock
from tests.whatsapp_running import running_whatsapp

WA_ID = "6281234567890"


@pytest.fixture
async def fake(clock: FakeClock) -> AsyncIterator[FakeGraphAPI]:
    async with FakeGraphAPI(clock) as server:
        yield server


@pytest.fixture
async def channel(app: App, fake: FakeGraphAPI) -> AsyncIterator[WhatsAppChannel]:
    async with running_whatsapp(app, fake, lambda sender: sender) as (running, _):
        yield running


@pytest.fixture
def user(fake: FakeGraphAPI, channel: WhatsAppChannel) -> WhatsAppUser:
    return WhatsAppUser(fake, WA_ID, channel.drain)


async def join(user: WhatsAppUser) -> None:
    await user.say("SIRNA1")
    await user.tap("Saya setuju")
    await user.say("Ibu Siti")
    user.expect_reply(contains="anggota kelompok Sirnajaya 1")


async def count(app: App, model: type) -> int:
    async with app.db.transaction() as session:
        return int(await session.scalar(select(func.count()).select_from(model)) or 0)


async def rsvp(app: App) -> str | None:
    async with app.db.transaction() as session:
        return await session.scalar(select(Rsvp.answer))


async def test_a_kpm_joins_reads_takes_a_quiz_and_rsvps_by_tapping(
    user: WhatsAppUser, app: App, demo: DemoData, fake: FakeGraphAPI
) -> None:
    await user.say("SIRNA1")  # WhatsApp has no /start payload: the code is typed
    user.expect_reply(contains="Yang kami simpan", buttons=["Saya setuju", "Tidak setuju"])
    assert user.replies[-1].content["type"] == "button"
    await user.tap("Saya setuju")
    user.expect_reply(contains="ingin dipanggil siapa")
    await user.say("Ibu Siti")
    user.expect_reply(contains=["Senang berkenalan, Ibu Siti", "anggota kelompok Sirnajaya 1"])

    session = app.curriculum.session(1)
    assert session is not None
    await user.say("belajar")
    assert user.replies[-1].content["type"] == "list"  # five modules and the menu
    await user.tap("Modul 1")
    await user.tap("Sesi 1")
    for index in range(1, len(session.cards) + 1):
        user.expect_reply(contains=f"kartu {index} dari {len(session.cards)}", buttons=["Lanjut", "Menu"])
        await user.tap("Lanjut")
    user.expect_reply(contains="Coba di rumah", buttons=["Mulai kuis", "Sesi berikutnya", "Menu"])

    await user.tap("Mulai kuis")
    for number, question in enumerate(session.quiz, 1):
        user.expect_reply(contains=[f"pertanyaan {number} dari {len(session.quiz)}", question.question])
        await user.tap("ABCD"[question.correct_index])
        user.expect_reply(contains="Benar!")
    user.expect_reply(contains=["Kuis Sesi 1 selesai.", "5 dari 5"])

    await user.say("pertemuan")
    user.expect_reply(
        contains=["Sabtu, 5 Desember 2026 pukul 09.00 WIB", "akan hadir?"],
        buttons=["Hadir", "Tidak bisa hadir", "Belum tahu", "Menu"],
    )
    assert user.replies[-1].content["type"] == "list"
    await user.tap("Tidak bisa hadir")
    assert await rsvp(app) == "no"
    await user.tap("Lewati")
    await user.tap("Ubah jawaban")
    await user.tap("Hadir")
    user.expect_reply(contains="Jawaban Ibu/Bapak: Hadir")
    assert await rsvp(app) == "yes"

    assert fake.rejected == []
    assert {m.type for m in fake.sent} == {"text", "interactive"}


async def test_typed_numbers_work_for_a_list(user: WhatsAppUser, app: App, demo: DemoData) -> None:
    await join(user)
    await user.say("pertemuan")
    await user.say("1")
    user.expect_reply(contains="Jawaban Ibu/Bapak: Hadir")
    assert await rsvp(app) == "yes"


@pytest.mark.parametrize(
    ("kind", "content"),
    [
        ("image", None),
        ("sticker", {"mime_type": "image/webp", "sha256": "x", "id": "2"}),
        ("audio", {"mime_type": "audio/ogg", "sha256": "x", "id": "3", "voice": True}),
        ("location", {"latitude": -6.3, "longitude": 107.1}),
    ],
)
async def test_pictures_voice_notes_and_locations_get_please_type_or_tap(
    user: WhatsAppUser, kind: str, content: dict[str, object] | None
) -> None:
    await user.say("menu")  # a first message of any kind gets the welcome
    await (user.send_image() if content is None else user.send(kind, content))
    user.expect_reply(
        contains="Saya hanya bisa membaca tulisan. Silakan ketik, atau tekan salah satu tombol."
    )


async def test_a_reaction_needs_no_answer(user: WhatsAppUser, fake: FakeGraphAPI) -> None:
    assert await user.send("reaction", {"message_id": "wamid.FAKE1", "emoji": "👍"}) == []


async def test_one_users_messages_are_answered_in_the_order_they_came(
    user: WhatsAppUser, channel: WhatsAppChannel, fake: FakeGraphAPI
) -> None:
    expected = [m.text for m in await user.say("menu")] + [m.text for m in await user.say("bantuan")]
    fake.sent.clear()
    # Both in one webhook, then each in its own webhook posted back to back.
    both = [fake.message(WA_ID, "text", {"body": "menu"}), fake.message(WA_ID, "text", {"body": "bantuan"})]
    assert await fake.post_webhook(fake.payload(both)) == (200, "ok")
    for text in ("menu", "bantuan"):
        assert await fake.post_webhook(fake.payload([fake.message(WA_ID, "text", {"body": text})])) == (
            200,
            "ok",
        )
    await channel.drain()
    assert [m.text for m in fake.sent] == expected * 2


async def test_forged_or_missing_signatures_process_nothing(
    channel: WhatsAppChannel, fake: FakeGraphAPI, app: App, demo: DemoData
) -> None:
    payload = fake.payload([fake.message(WA_ID, "text", {"body": "SIRNA1"})])
    body = json.dumps(payload).encode()
    other_secret = FakeGraphAPI(app_secret="not-the-app-secret").sign(body)
    for signature in (None, "", "sha256=" + "0" * 64, other_secret, fake.sign(body + b" "), "sha1=abc"):
        assert await fake.post_webhook(body, signature=signature) == (401, "unauthorized"), signature
    reserialised = json.dumps(payload, indent=2).encode()  # same JSON, other bytes: the HMAC is over bytes
    assert (await fake.post_webhook(reserialised, signature=fake.sign(body)))[0] == 401
    await channel.drain()
    assert fake.sent == [] and fake.requests == 0
    assert await count(app, InboundKey) == 0
    async with app.db.transaction() as session:
        assert (
            await session.scalar(
                select(func.count()).select_from(Identity).where(Identity.channel == "whatsapp")
            )
            == 0
        )


async def test_garbage_with_a_valid_signature_is_a_400_and_odd_shapes_are_ignored(
    channel: WhatsAppChannel, fake: FakeGraphAPI
) -> None:
    for garbage in (b"{not json", b"\xff\xfe\x00", b"[1, 2]", b"null", b""):
        assert (await fake.post_webhook(garbage))[0] == 400, garbage
    for odd in ({}, {"entry": "x"}, {"entry": [{"changes": [{"value": {"messages": [{"type": "text"}]}}]}]}):
        assert await fake.post_webhook(odd) == (200, "ok")
    await channel.drain()
    assert fake.sent == []


async def test_messages_for_another_business_number_are_ignored(
    channel: WhatsAppChannel, fake: FakeGraphAPI
) -> None:
    payload = fake.payload([fake.message(WA_ID, "text", {"body": "menu"})])
    payload["entry"][0]["changes"][0]["value"]["metadata"]["phone_number_id"] = "999"
    assert await fake.post_webhook(payload) == (200, "ok")
    await channel.drain()
    assert fake.sent == []


async def test_a_redelivered_webhook_is_processed_once(user: WhatsAppUser, app: App, demo: DemoData) -> None:
    first = await user.say("SIRNA1")
    assert len(first) == 1
    assert await user.redeliver() == []
    assert await count(app, InboundKey) == 1


async def test_verification_handshake(channel: WhatsAppChannel, fake: FakeGraphAPI) -> None:
    assert await fake.handshake(VERIFY_TOKEN, challenge="1158201444") == (200, "1158201444")
    assert (await fake.handshake("wrong-token"))[0] == 403
    assert (await fake.handshake(VERIFY_TOKEN, mode="unsubscribe"))[0] == 403
    assert (await fake.handshake(""))[0] == 403


async def test_a_reminder_to_a_user_silent_for_a_day_goes_as_a_template_and_its_button_works(
    user: WhatsAppUser,
    channel: WhatsAppChannel,
    app: App,
    demo: DemoData,
    fake: FakeGraphAPI,
    clock: FakeClock,
) -> None:
    await join(user)
    async with app.db.transaction() as session:
        last = await session.scalar(select(Identity.last_inbound_at).where(Identity.address == WA_ID))
    clock.advance(hours=25)
    buttons = tuple(
        (f"rsvp:{demo.meeting_id}:{code}", label) for code, label in [("yes", "Hadir"), ("no", "Tidak")]
    )
    params = ("Ibu Siti", "Sesi 1", "Sabtu, 5 Desember 2026 pukul 09.00 WIB", "Balai Desa Sirnajaya")
    reminder = Envelope(
        WA_ID,
        Outbound("Pengingat pertemuan"),
        reply=False,
        template=Template("reminder", params, buttons),
        last_inbound_at=last,
    )
    outcome = await channel.sender.send(reminder)
    sent = fake.sent[-1]
    assert outcome == Sent((sent.wamid,)) and sent.type == "template"
    assert sent.content["name"] == "p2k2_pengingat"

    user.replies = [sent]  # the template with its quick replies is what the user sees
    await user.tap(f"rsvp:{demo.meeting_id}:yes")
    user.expect_reply(contains="Jawaban Ibu/Bapak: Hadir")
    assert await rsvp(app) == "yes"

    clock.advance(hours=25)
    requests = fake.requests
    broadcast = Envelope(
        WA_ID,
        Outbound("Kabar"),
        reply=False,
        template=Template("broadcast", ("Kabar",)),
        last_inbound_at=last,
    )
    assert await channel.sender.send(broadcast) == Undeliverable("window closed")
    assert fake.requests == requests


async def test_statuses_in_any_order_move_the_outbox_row_forward_only(
    user: WhatsAppUser, app: App, fake: FakeGraphAPI, channel: WhatsAppChannel
) -> None:
    await user.say("halo")
    now = app.clock()
    async with app.db.transaction() as session:
        for n in (1, 2):
            session.add(
                OutboxMessage(
                    dedupe_key=f"test:{n}",
                    kind="broadcast",
                    payload={},
                    due_at=now,
                    status="sent",
                    created_at=now,
                    sent_at=now,
                    provider_message_id=f"wamid.OUT{n}",
                )
            )

    async def post(*statuses: dict[str, object]) -> None:
        assert await fake.post_webhook(fake.payload(statuses=list(statuses))) == (200, "ok")
        await channel.drain()

    async def row(n: int) -> tuple[str, str | None, str | None]:
        async with app.db.transaction() as session:
            outbox = await session.scalar(
                select(OutboxMessage).where(OutboxMessage.dedupe_key == f"test:{n}")
            )
            assert outbox is not None
            return outbox.status, outbox.provider_status, outbox.last_error

    await post(fake.status("wamid.OUT1", "delivered", WA_ID))
    assert await row(1) == ("sent", "delivered", None)
    await post(fake.status("wamid.OUT1", "read", WA_ID), fake.status("wamid.OUT1", "sent", WA_ID))
    await post(fake.status("wamid.OUT1", "delivered", WA_ID))  # late and duplicated
    assert await row(1) == ("sent", "read", None)

    failed = fake.status("wamid.OUT2", "failed", WA_ID, error=(131026, "Message undeliverable"))
    await post(fake.status("wamid.OUT2", "sent", WA_ID), failed)
    await post(fake.status("wamid.OUT2", "delivered", WA_ID), failed)
    assert await row(2) == ("failed", "failed", "131026 Message undeliverable")
    async with app.db.transaction() as session:
        identity = await session.scalar(select(Identity).where(Identity.address == WA_ID))
    assert (
        identity is not None and not identity.reachable and identity.unreachable_reason == "not on WhatsApp"
    )
    await post(fake.status("wamid.UNKNOWN", "read", WA_ID))  # a reply's status: no outbox row, no error


async def test_a_reply_to_a_number_not_on_whatsapp_marks_it_unreachable(
    user: WhatsAppUser, app: App, fake: FakeGraphAPI
) -> None:
    await user.say("menu")
    fake.fail_next(131026)
    assert await user.say("menu") == []
    async with app.db.transaction() as session:
        identity = await session.scalar(select(Identity).where(Identity.address == WA_ID))
    assert identity is not None and (identity.reachable, identity.unreachable_reason) == (
        False,
        "not on WhatsApp",
    )


async def test_stop_finishes_the_webhook_in_hand_then_refuses_new_ones(
    channel: WhatsAppChannel, fake: FakeGraphAPI
) -> None:
    fake.user_wrote(WA_ID)
    payload = fake.payload([fake.message(WA_ID, "text", {"body": "menu"})])
    assert await fake.post_webhook(payload) == (200, "ok")
    await channel.stop()
    assert len(fake.messages_to(WA_ID)) == 1
    assert (await fake.post_webhook(fake.payload([fake.message(WA_ID, "text", {"body": "menu"})])))[0] == 503


async def test_logs_name_no_phone_number_and_no_token(
    user: WhatsAppUser, fake: FakeGraphAPI, demo: DemoData, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    await join(user)
    await user.send_image()
    fake.fail_next(131026)
    await user.say("menu")
    await fake.post_webhook(fake.payload(statuses=[fake.status("wamid.X", "failed", WA_ID, (131026, "x"))]))
    await user.settle()
    # Ours and the HTTP libraries': database drivers echo SQL parameters at DEBUG (never on in production).
    ours = [
        r
        for r in caplog.records
        if r.name.split(".")[0] in ("bot", "handlers", "httpx", "httpcore", "aiohttp")
    ]
    assert any(r.name.startswith("bot.channels.whatsapp") or r.name == "bot.replies" for r in ours)
    text = "\n".join(f"{r.getMessage()} {r.__dict__}" for r in ours)
    assert WA_ID not in text and TOKEN not in text and APP_SECRET not in text


PENDAMPING_WA_ID = "6281100000001"


async def test_attendance_for_25_members_is_paged_within_the_list_limit(
    app: App, demo: DemoData, fake: FakeGraphAPI, channel: WhatsAppChannel, clock: FakeClock
) -> None:
    names = [f"Ibu Anggota {n:02}" for n in range(1, 26)]
    await add_members(app, demo.kelompok_id, names)
    pendamping_id = await demo_pendamping_id(app)
    async with app.db.transaction() as session:
        pendamping_user = await session.scalar(
            select(Pendamping.user_id).where(Pendamping.id == pendamping_id)
        )
        assert pendamping_user is not None
        session.add(
            Identity(
                user_id=pendamping_user, channel="whatsapp", address=PENDAMPING_WA_ID, created_at=clock()
            )
        )
        starts = await session.scalar(select(Meeting.starts_at).where(Meeting.id == demo.meeting_id))
    assert starts is not None
    clock.now = starts + timedelta(hours=2)
    pendamping = WhatsAppUser(fake, PENDAMPING_WA_ID, channel.drain)

    await pendamping.say("kehadiran")
    await pendamping.tap("5/12 Sirnajaya 1")
    seen: list[str] = []
    for number in range(1, 6):
        pendamping.expect_reply(contains=[f"Halaman {number} dari 5", "0 dari 25 anggota hadir."])
        last = pendamping.replies[-1]
        assert last.content["type"] == "list" and len(last.choices) <= 10
        seen += [title for _, title in last.choices if title.startswith("Ibu")]
        if number < 5:
            await pendamping.tap("Berikutnya ›")
    assert seen == names  # every member once, across five lists, no wall of numbered text
    assert pendamping.labels[-2:] == ["‹ Sebelumnya", "Selesai"]

    await pendamping.tap("Semua hadir")
    pendamping.expect_reply(contains="25 dari 25 anggota hadir.")
    await pendamping.tap(f"✓ {names[24]}")
    pendamping.expect_reply(contains=[f"{names[24]}: tidak hadir", "24 dari 25 anggota hadir."])
    await pendamping.tap("Selesai")
    pendamping.expect_reply(contains=["Kehadiran tersimpan", "24 dari 25 anggota hadir."])
    assert fake.rejected == []
    assert all(m.type != "text" or len(m.text) < 1024 for m in fake.sent)
