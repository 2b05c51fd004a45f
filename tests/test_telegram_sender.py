"""The Telegram sender through the real aiogram client against the fake Bot API server: rendering within
the limits, and each transport failure mapped onto what the delivery worker should do."""

from __future__ import annotations

import socket
from collections.abc import AsyncIterator

import pytest
from aiogram import Bot
from aiogram.client.session.aiohttp import AiohttpSession
from aiogram.client.telegram import TelegramAPIServer

from bot.channels.telegram_render import units
from bot.channels.telegram_sender import Scrubber, TelegramSender
from bot.core.delivery import Envelope, Failed, RetryLater, Sent, Undeliverable
from bot.core.messages import Button, Document, Outbound
from tests.fakes.telegram_api import FakeBotAPI, keyboard, text_of

CHAT = 42
RSVP = (Button("rsvp:1:yes", "Hadir"), Button("rsvp:1:no", "Tidak bisa hadir"), Button("menu", "Menu"))


@pytest.fixture
async def api() -> AsyncIterator[FakeBotAPI]:
    async with FakeBotAPI() as fake:
        fake.user(CHAT)
        yield fake
        assert fake.rejected == [], "the bot broke a Bot API rule"


def make_sender(token: str, url: str) -> tuple[Bot, TelegramSender]:
    bot = Bot(token, session=AiohttpSession(api=TelegramAPIServer.from_base(url)))
    return bot, TelegramSender(bot, Scrubber(token))


@pytest.fixture
async def sender(api: FakeBotAPI) -> AsyncIterator[TelegramSender]:
    bot, sender = make_sender(api.token, api.url)
    yield sender
    await bot.session.close()


async def send(sender: TelegramSender, message: Outbound, chat: int = CHAT) -> object:
    return await sender.send(Envelope(str(chat), message, reply=False))


async def test_a_short_message_with_buttons_is_one_message_with_an_inline_keyboard(
    api: FakeBotAPI, sender: TelegramSender
) -> None:
    outcome = await send(sender, Outbound("Akan hadir? <b>*tebal*</b>", RSVP))
    [message] = api.sent_to(CHAT)
    assert outcome == Sent((str(message["message_id"]),))
    assert message["text"] == "Akan hadir? <b>*tebal*</b>"  # plain text: markup is shown as typed
    assert [[b["text"] for b in row] for row in keyboard(message)] == [
        ["Hadir", "Tidak bisa hadir"],
        ["Menu"],
    ]
    assert [b["callback_data"] for row in keyboard(message) for b in row] == [
        "rsvp:1:yes",
        "rsvp:1:no",
        "menu",
    ]
    [call] = api.called("sendMessage")
    assert "parse_mode" not in call.params


async def test_long_text_is_split_at_paragraphs_with_buttons_on_the_last_part_only(
    api: FakeBotAPI, sender: TelegramSender
) -> None:
    paragraphs = [f"Bagian {n}. " + "Anak belajar dari contoh orang tua. " * 27 for n in range(12)]
    outcome = await send(sender, Outbound("\n\n".join(p.strip() for p in paragraphs), RSVP))
    messages = api.sent_to(CHAT)
    assert len(messages) == 3
    assert outcome == Sent(tuple(str(m["message_id"]) for m in messages))
    assert all(units(m["text"]) <= 4096 for m in messages)
    assert [p for m in messages for p in m["text"].split("\n\n")] == [p.strip() for p in paragraphs]
    assert [bool(keyboard(m)) for m in messages] == [False, False, True]


async def test_emoji_heavy_text_stays_under_the_limit_in_utf16_units(
    api: FakeBotAPI, sender: TelegramSender
) -> None:
    outcome = await send(sender, Outbound("🌱 " * 3000))  # 9,000 UTF-16 units
    assert isinstance(outcome, Sent) and len(outcome.provider_ids) == 3


async def test_a_document_carries_its_text_as_caption_when_it_fits(
    api: FakeBotAPI, sender: TelegramSender
) -> None:
    export = Document("kehadiran.xlsx", b"PK\x03\x04 spreadsheet", "application/vnd.ms-excel")
    outcome = await send(sender, Outbound("Daftar hadir Sirnajaya 1.", (Button("menu", "Menu"),), export))
    [message] = api.sent_to(CHAT)
    assert outcome == Sent((str(message["message_id"]),))
    assert message["caption"] == "Daftar hadir Sirnajaya 1." and keyboard(message)
    assert message["document"]["file_name"] == "kehadiran.xlsx"
    assert api.files[message["document"]["file_id"]] == b"PK\x03\x04 spreadsheet"
    assert api.called("sendMessage") == []


async def test_a_document_with_a_long_text_sends_the_text_first(
    api: FakeBotAPI, sender: TelegramSender
) -> None:
    export = Document("data.csv", b"a,b\n1,2\n", "text/csv")
    outcome = await send(sender, Outbound("Ringkasan. " * 150, (Button("menu", "Menu"),), export))
    first, second = api.sent_to(CHAT)
    assert isinstance(outcome, Sent) and len(outcome.provider_ids) == 2
    assert text_of(first).startswith("Ringkasan.") and not keyboard(first)
    assert "caption" not in second and second["document"]["file_name"] == "data.csv" and keyboard(second)


async def test_429_asks_to_retry_after_the_given_seconds_and_pause_the_channel(
    api: FakeBotAPI, sender: TelegramSender
) -> None:
    api.fail("sendMessage", 429, retry_after=17)
    outcome = await send(sender, Outbound("Halo"))
    assert isinstance(outcome, RetryLater)
    assert (outcome.seconds, outcome.pause_channel) == (17, True)
    assert api.sent_to(CHAT) == []


async def test_403_blocked_is_undeliverable(api: FakeBotAPI, sender: TelegramSender) -> None:
    api.blocked.add(CHAT)
    assert await send(sender, Outbound("Halo")) == Undeliverable("blocked")
    api.fail("sendMessage", 403, "Forbidden: user is deactivated")
    api.blocked.clear()
    assert await send(sender, Outbound("Halo")) == Undeliverable("Forbidden: user is deactivated")


async def test_400_is_failed_with_the_reason_but_an_unknown_chat_is_undeliverable(
    api: FakeBotAPI, sender: TelegramSender
) -> None:
    api.fail("sendMessage", 400, "Bad Request: message is too long")
    assert await send(sender, Outbound("Halo")) == Failed("Bad Request: message is too long")
    outcome = await send(sender, Outbound("Halo"), chat=999)
    assert isinstance(outcome, Undeliverable) and "chat not found" in outcome.reason


async def test_server_errors_retry_soon_without_pausing_the_channel(
    api: FakeBotAPI, sender: TelegramSender
) -> None:
    api.fail("sendMessage", 502)
    assert await send(sender, Outbound("Halo")) == RetryLater(5.0, "Bad Gateway", pause_channel=False)
    assert isinstance(await send(sender, Outbound("Halo")), Sent)


async def test_network_errors_retry_soon_and_never_show_the_token() -> None:
    with socket.socket() as probe:  # a port nobody listens on
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    token = "987654321:AAnother-Secret_Token_for_this_test_123"
    bot, sender = make_sender(token, f"http://127.0.0.1:{port}")
    try:
        outcome = await send(sender, Outbound("Halo"))
    finally:
        await bot.session.close()
    assert isinstance(outcome, RetryLater) and outcome.seconds == 5.0 and not outcome.pause_channel
    assert token not in outcome.reason


async def test_a_split_message_cut_short_reports_the_failure(api: FakeBotAPI, sender: TelegramSender) -> None:
    api.fail("sendMessage", 429, retry_after=2, skip=1)  # the first part goes, the second is refused
    text = "\n\n".join("Paragraf panjang. " * 150 for _ in range(3))
    outcome = await send(sender, Outbound(text))
    assert isinstance(outcome, RetryLater) and outcome.seconds == 2 and outcome.pause_channel
    assert len(api.sent_to(CHAT)) == 1


async def test_bad_addresses_and_empty_messages_are_not_sent(api: FakeBotAPI, sender: TelegramSender) -> None:
    assert isinstance(await send(sender, Outbound("Halo"), chat="not-a-number"), Undeliverable)  # type: ignore[arg-type]
    assert await send(sender, Outbound("  ")) == Failed("empty message")
    assert api.called("sendMessage", status=None) == []
