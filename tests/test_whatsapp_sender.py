"""The WhatsApp sender against the fake Graph API: what goes out inside and outside the 24-hour window,
documents, and how every error answer maps onto a delivery outcome."""

from __future__ import annotations

import logging
import socket
from collections.abc import AsyncIterator
from datetime import timedelta

import pytest

from bot.channels.whatsapp_sender import WhatsAppSender
from bot.core.delivery import Envelope, Failed, RetryLater, Sent, Template, Undeliverable
from bot.core.messages import Button, Document, Outbound
from tests.fakes.whatsapp_api import PHONE_NUMBER_ID, TOKEN, FakeGraphAPI
from tests.transcript import FakeClock

WA_ID = "6281234567890"
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
TEMPLATES = {"reminder": "p2k2_pengingat", "broadcast": None, "nudge": "p2k2_ajakan_belajar"}
REMINDER = Template(
    "reminder",
    (
        "Ibu Siti",
        "Sesi 1: Menjadi Orang Tua yang Lebih Baik",
        "Sabtu, 5 Desember 2026 pukul 09.00 WIB",
        "Balai Desa",
    ),
    buttons=(("rsvp:1:yes", "Hadir"), ("rsvp:1:no", "Tidak bisa hadir"), ("rsvp:1:maybe", "Belum tahu")),
)


@pytest.fixture
async def fake(clock: FakeClock) -> AsyncIterator[FakeGraphAPI]:
    async with FakeGraphAPI(clock) as server:
        yield server


def make_sender(
    fake: FakeGraphAPI, clock: FakeClock, token: str = TOKEN, api_url: str | None = None
) -> WhatsAppSender:
    return WhatsAppSender(token, PHONE_NUMBER_ID, clock, api_url or fake.api_url, TEMPLATES, "id")


@pytest.fixture
async def sender(fake: FakeGraphAPI, clock: FakeClock) -> AsyncIterator[WhatsAppSender]:
    sender = make_sender(fake, clock)
    await sender.open()
    yield sender
    await sender.close()


def reply(text: str, *labels: str) -> Envelope:
    return Envelope(
        WA_ID, Outbound(text, tuple(Button(f"b:{n}", label) for n, label in enumerate(labels))), reply=True
    )


async def test_a_reply_returns_the_wamid_and_the_fake_accepted_it(
    fake: FakeGraphAPI, sender: WhatsAppSender
) -> None:
    fake.user_wrote(WA_ID)
    outcome = await sender.send(reply("Halo", "Lanjut", "Menu"))
    assert outcome == Sent((fake.sent[0].wamid,))
    assert fake.sent[0].payload["to"] == WA_ID and fake.sent[0].type == "interactive"
    assert fake.rejected == []


async def test_long_messages_are_split_within_limits(fake: FakeGraphAPI, sender: WhatsAppSender) -> None:
    fake.user_wrote(WA_ID)
    text = "\n\n".join(f"Paragraf {n}." + " kata" * 200 for n in range(12))  # ~12,000 characters
    for labels in [(), ("Lanjut", "Menu"), ("A", "B", "C", "D"), tuple(f"Sesi {n}" for n in range(1, 15))]:
        fake.sent.clear()
        outcome = await sender.send(reply(text, *labels))
        assert isinstance(outcome, Sent) and len(outcome.provider_ids) == len(fake.sent) >= 3
    assert fake.rejected == []


async def test_more_than_ten_buttons_go_as_numbered_text(fake: FakeGraphAPI, sender: WhatsAppSender) -> None:
    fake.user_wrote(WA_ID)
    await sender.send(reply("Pilih sesi:", *[f"Sesi {n}" for n in range(1, 15)]))
    [message] = fake.sent
    assert message.type == "text" and "\n1. Sesi 1\n" in message.text and message.text.endswith("14. Sesi 14")


async def test_inside_the_window_a_reminder_is_a_normal_message(
    fake: FakeGraphAPI, sender: WhatsAppSender, clock: FakeClock
) -> None:
    fake.user_wrote(WA_ID)
    clock.advance(hours=20)
    envelope = Envelope(
        WA_ID,
        Outbound("Pengingat", (Button("rsvp:1:yes", "Hadir"),)),
        reply=False,
        template=REMINDER,
        last_inbound_at=clock.now - timedelta(hours=20),
    )
    assert isinstance(await sender.send(envelope), Sent)
    assert [m.type for m in fake.sent] == ["interactive"]


async def test_outside_the_window_a_reminder_goes_as_its_template(
    fake: FakeGraphAPI, sender: WhatsAppSender, clock: FakeClock
) -> None:
    fake.user_wrote(WA_ID)
    last = clock.now
    clock.advance(hours=25)
    envelope = Envelope(WA_ID, Outbound("Pengingat"), reply=False, template=REMINDER, last_inbound_at=last)
    outcome = await sender.send(envelope)
    [message] = fake.sent
    assert outcome == Sent((message.wamid,))
    assert message.type == "template" and message.content["name"] == "p2k2_pengingat"
    assert message.content["language"] == {"code": "id"}
    body, *quick_replies = message.content["components"]
    assert [p["text"] for p in body["parameters"]] == list(REMINDER.params)
    assert [(q["index"], q["parameters"][0]["payload"]) for q in quick_replies] == [
        ("0", "rsvp:1:yes"),
        ("1", "rsvp:1:no"),
        ("2", "rsvp:1:maybe"),
    ]


async def test_outside_the_window_without_a_template_nothing_is_sent(
    fake: FakeGraphAPI, sender: WhatsAppSender, clock: FakeClock
) -> None:
    last = clock.now - timedelta(hours=30)
    unconfigured = Envelope(
        WA_ID,
        Outbound("Kabar"),
        reply=False,
        template=Template("broadcast", ("Kabar",)),
        last_inbound_at=last,
    )
    no_template = Envelope(WA_ID, Outbound("Kabar"), reply=False, last_inbound_at=last)
    never_wrote = Envelope(WA_ID, Outbound("Kabar"), reply=False, template=Template("meeting_change", ("x",)))
    for envelope in (unconfigured, no_template, never_wrote):
        assert await sender.send(envelope) == Undeliverable("window closed")
    assert fake.requests == 0


async def test_when_whatsapp_says_the_window_closed_the_template_takes_over(
    fake: FakeGraphAPI, sender: WhatsAppSender, clock: FakeClock
) -> None:
    # Our record says the user wrote an hour ago; WhatsApp does not know it (131047).
    envelope = Envelope(
        WA_ID,
        Outbound("Pengingat"),
        reply=False,
        template=REMINDER,
        last_inbound_at=clock.now - timedelta(hours=1),
    )
    assert isinstance(await sender.send(envelope), Sent)
    assert [m.type for m in fake.sent] == ["template"] and len(fake.rejected) == 1
    plain = Envelope(WA_ID, Outbound("Halo"), reply=False, last_inbound_at=clock.now - timedelta(hours=1))
    assert await sender.send(plain) == Undeliverable("window closed")


@pytest.mark.parametrize(
    ("filename", "mime_type", "uploaded_as"),
    [
        ("rekap-kehadiran.csv", "text/csv", "text/plain"),  # WhatsApp has no CSV type
        ("rekap-kehadiran.xlsx", XLSX, XLSX),
    ],
)
async def test_documents_are_uploaded_then_sent(
    fake: FakeGraphAPI, sender: WhatsAppSender, filename: str, mime_type: str, uploaded_as: str
) -> None:
    fake.user_wrote(WA_ID)
    document = Document(filename, b"nama,hadir\nSiti,ya\n", mime_type)
    outcome = await sender.send(Envelope(WA_ID, Outbound("Rekap kehadiran", document=document), reply=True))
    [upload] = fake.uploads.values()
    assert (upload.filename, upload.content, upload.mime_type) == (filename, document.content, uploaded_as)
    [message] = fake.sent
    assert outcome == Sent((message.wamid,))
    assert message.content == {"id": upload.media_id, "filename": filename, "caption": "Rekap kehadiran"}


async def test_a_file_type_whatsapp_refuses_fails_the_message(
    fake: FakeGraphAPI, sender: WhatsAppSender
) -> None:
    fake.user_wrote(WA_ID)
    document = Document("data.zip", b"PK", "application/zip")
    outcome = await sender.send(Envelope(WA_ID, Outbound("Data", document=document), reply=True))
    assert isinstance(outcome, Failed) and outcome.reason.startswith("131053 ")
    assert fake.sent == []


@pytest.mark.parametrize(
    ("code", "status", "expected"),
    [
        (130429, 400, RetryLater(60, "", pause_channel=True)),
        (131056, 400, RetryLater(10, "")),
        (131047, 400, Undeliverable("window closed")),
        (131026, 400, Undeliverable("not on WhatsApp")),
        (131049, 400, RetryLater(24 * 3600, "")),
        (131050, 400, Failed("user stopped marketing messages")),  # still reachable otherwise
        (190, 401, RetryLater(300, "", pause_channel=True)),
        (10, 403, RetryLater(300, "", pause_channel=True)),
        (200, 403, RetryLater(300, "", pause_channel=True)),
        (131000, 500, RetryLater(10, "")),
        (131016, 503, RetryLater(10, "")),
        (2, 502, RetryLater(10, "")),
        (131009, 400, Failed("")),
        (132001, 404, Failed("")),
    ],
)
async def test_error_codes_map_to_outcomes(
    fake: FakeGraphAPI, sender: WhatsAppSender, code: int, status: int, expected: object
) -> None:
    fake.user_wrote(WA_ID)
    fake.fail_next(code, status=status, message=f"(#{code}) Something happened")
    outcome = await sender.send(reply("Halo"))
    assert type(outcome) is type(expected)
    if isinstance(expected, RetryLater):
        assert isinstance(outcome, RetryLater)
        assert (outcome.seconds, outcome.pause_channel) == (expected.seconds, expected.pause_channel)
        assert outcome.reason.startswith(f"{code} ")
    elif isinstance(expected, Failed) and code != 131050:
        assert outcome == Failed(f"{code} (#{code}) Something happened")
    else:
        assert outcome == expected
    assert fake.sent == []
    assert isinstance(await sender.send(reply("Halo")), Sent)  # the failure was for one send only


async def test_an_invalid_token_is_logged_loudly_without_the_token(
    fake: FakeGraphAPI, clock: FakeClock, caplog: pytest.LogCaptureFixture
) -> None:
    fake.user_wrote(WA_ID)
    bad = make_sender(fake, clock, token="EAAG-revoked-secret-token")
    caplog.set_level(logging.DEBUG)
    try:
        outcome = await bad.send(reply("Halo"))
    finally:
        await bad.close()
    assert isinstance(outcome, RetryLater) and outcome.pause_channel and outcome.seconds == 300
    errors = [r for r in caplog.records if r.levelno == logging.ERROR]
    assert errors and "WHATSAPP_ACCESS_TOKEN" in errors[0].getMessage()
    assert "revoked-secret" not in caplog.text and WA_ID not in caplog.text


async def test_network_errors_retry_later(clock: FakeClock, fake: FakeGraphAPI) -> None:
    with socket.socket() as probe:  # a port nobody listens on
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    sender = make_sender(fake, clock, api_url=f"http://127.0.0.1:{port}/v23.0")
    try:
        outcome = await sender.send(reply("Halo"))
    finally:
        await sender.close()
    assert isinstance(outcome, RetryLater) and outcome.reason.startswith("network error")


async def test_a_failure_after_the_first_part_reports_the_failure(
    fake: FakeGraphAPI, sender: WhatsAppSender
) -> None:
    fake.user_wrote(WA_ID)
    text = "\n\n".join(f"Paragraf {n}." + " kata" * 200 for n in range(12))  # three text messages
    fake.fail_next(131056, after=1)
    outcome = await sender.send(reply(text))
    assert isinstance(outcome, RetryLater) and outcome.seconds == 10
    assert len(fake.sent) == 1
