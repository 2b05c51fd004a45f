"""The Telegram channel end to end: the real aiogram client against the fake Bot API server, the real
service and database. Long polling: a KPM joins by deep link, consents, reads a lesson, takes a quiz
and RSVPs; blocking, photos, groups, redelivery and a clean stop. The webhook: secret checked,
garbage refused, a redelivered update handled once."""

from __future__ import annotations

import asyncio
import json
import socket
from collections.abc import AsyncIterator
from typing import Any

import pytest
from aiohttp import web
from sqlalchemy import func, select

from bot.app import App
from bot.channels.runtime import ChannelRuntime
from bot.channels.telegram import TelegramChannel
from bot.channels.telegram_commands import KPM_COMMANDS, PENDAMPING_COMMANDS
from bot.core.messages import Inbound
from bot.db.channel_events import SqlChannelEvents
from bot.db.models import Identity, QuizAnswer, Rsvp, User
from bot.demo import DemoData
from tests.fakes.telegram_api import FakeBotAPI, FakeUser, keyboard, text_of

SECRET = "webhook-Secret_123"


def channel_for(app: App, api: FakeBotAPI, **options: Any) -> TelegramChannel:
    channel = TelegramChannel(api.token, api_url=api.url, clock=app.clock, polling_timeout=1, **options)
    app.connect(channel, channel.sender)
    return channel


@pytest.fixture
async def polling(app: App, api: FakeBotAPI) -> AsyncIterator[TelegramChannel]:
    channel = channel_for(app, api)
    await channel.start()
    try:
        yield channel
    finally:
        await channel.stop()


async def count(app: App, model: type) -> int:
    async with app.db.transaction() as session:
        return int(await session.scalar(select(func.count()).select_from(model)) or 0)


async def identity(app: App, address: str) -> Identity | None:
    async with app.db.transaction() as session:
        return await session.scalar(
            select(Identity).where(Identity.channel == "telegram", Identity.address == address)
        )


def expect(user: FakeUser, contains: str | list[str], buttons: list[str] | None = None) -> None:
    assert user.replies, "the bot did not answer"
    for fragment in [contains] if isinstance(contains, str) else contains:
        assert fragment in user.text, f"{fragment!r} not in:\n{user.text}"
    if buttons is not None:
        assert user.labels == buttons, f"{user.labels} != {buttons}"
    # Only the last message of a reply carries buttons.
    assert all(not keyboard(m) for m in user.replies[:-1])


# Long polling ---------------------------------------------------------------------------------------


async def test_start_registers_the_indonesian_command_menu(polling: TelegramChannel, api: FakeBotAPI) -> None:
    assert polling.username == "p2k2_test_bot"
    assert polling.deep_link("SIRNA1") == "https://t.me/p2k2_test_bot?start=SIRNA1"
    default = api.commands[json.dumps({"type": "default"})]
    assert [(c["command"], c["description"]) for c in default] == list(KPM_COMMANDS)
    assert api.called("deleteWebhook") and not api.webhook_url
    assert await polling.set_pendamping_commands(5001)
    chat_scope = json.dumps({"chat_id": 5001, "type": "chat"}, sort_keys=True)
    assert [c["command"] for c in api.commands[chat_scope]] == [c for c, _ in PENDAMPING_COMMANDS]
    assert await polling.clear_pendamping_commands(5001)
    assert chat_scope not in api.commands


async def test_a_kpm_joins_consents_reads_takes_a_quiz_and_rsvps(
    polling: TelegramChannel, api: FakeBotAPI, app: App, demo: DemoData
) -> None:
    user = api.user(5001)
    await user.say("/start SIRNA1")  # the deep link t.me/<bot>?start=SIRNA1
    expect(user, "NIK")
    assert user.labels[0] == "Saya setuju"
    assert [b["callback_data"] for row in keyboard(user.replies[-1]) for b in row] == [
        "consent:yes",
        "consent:no",
    ]

    await user.tap("Saya setuju")
    expect(user, "Ibu/Bapak ingin dipanggil siapa?")
    await user.say("Ibu Siti")
    expect(user, ["Ibu/Bapak sekarang anggota kelompok Sirnajaya 1", "Menu utama"])
    assert [[b["callback_data"] for b in row] for row in keyboard(user.replies[-1])] == [
        ["learn", "quiz"],
        ["meeting", "progress"],
        ["help", "settings"],
    ]

    await user.tap("Belajar")
    await user.tap("Modul 1")
    await user.tap("Sesi 1")
    session = app.curriculum.session(1)
    assert session is not None
    for n, card in enumerate(session.cards, 1):
        expect(user, [f"kartu {n} dari {len(session.cards)}", card.title], buttons=["Lanjut", "Menu"])
        await user.tap("Lanjut")
    expect(user, ["Coba di rumah", session.task], buttons=["Mulai kuis", "Sesi berikutnya", "Menu"])

    await user.tap("Mulai kuis")
    assert len(user.replies) == 2  # the intro, then the first question with its letters
    for question in session.quiz:
        expect(user, question.question, buttons=["A", "B", "C", "D"][: len(question.options)])
        await user.tap(f"quiz:a:{question.id}:{question.correct_index}")
        expect(user, "Benar!")
    expect(user, "Kuis Sesi 1 selesai.")
    assert await count(app, QuizAnswer) == len(session.quiz)

    await user.say("pertemuan")
    expect(user, ["Sirnajaya 1", "Sabtu, 5 Desember 2026 pukul 09.00 WIB"])
    await user.tap("Hadir")
    expect(user, "Jawaban Ibu/Bapak: Hadir")
    async with app.db.transaction() as db:
        rsvp = await db.scalar(select(Rsvp))
    assert rsvp is not None and rsvp.answer == "yes"

    # Every tap was answered, so no button kept spinning; no text ever needed markup.
    taps = [u for u in api.calls if u.method == "answerCallbackQuery"]
    assert len(taps) == len(api.answered) == len(api._queries)
    assert all("parse_mode" not in c.params for c in api.called("sendMessage"))
    found = await identity(app, "5001")
    assert found is not None and found.reachable


async def test_blocking_marks_the_identity_unreachable_and_unblocking_reachable_again(
    polling: TelegramChannel, api: FakeBotAPI, app: App
) -> None:
    user = api.user(5002)
    await user.say("/start")
    await user.send(api.member_update(5002, "kicked"))
    found = await identity(app, "5002")
    assert found is not None and (found.reachable, found.unreachable_reason) == (False, "blocked")
    assert user.replies == []  # nothing is sent to a user who blocked the bot
    await user.send(api.member_update(5002, "member"))
    found = await identity(app, "5002")
    assert found is not None and (found.reachable, found.unreachable_reason) == (True, None)


async def test_a_photo_gets_please_type_or_tap(polling: TelegramChannel, api: FakeBotAPI) -> None:
    user = api.user(5003)
    await user.say("/start")  # a first message of any kind gets the welcome
    await user.send(api.photo_update(5003))
    expect(user, "Saya hanya bisa membaca tulisan. Silakan ketik, atau tekan salah satu tombol.")


async def test_a_group_gets_a_private_chat_answer_and_nothing_is_stored(
    polling: TelegramChannel, api: FakeBotAPI, app: App
) -> None:
    api.user(5004)
    update = api.group_update(-1001234, 5004, "/start")
    await api.push(update)
    await api.until_handled(update["update_id"])
    [reply] = api.sent_to(-1001234)
    assert "obrolan pribadi" in text_of(reply) and not keyboard(reply)
    assert await count(app, User) == 0 and await count(app, Identity) == 0


async def test_an_update_delivered_twice_is_handled_once(polling: TelegramChannel, api: FakeBotAPI) -> None:
    user = api.user(5005)
    update = api.text_update(5005, "bantuan")
    await api.push(update)
    await user.send(update)  # the same update_id again, as after a restart before confirming
    assert api.fetched.count(update["update_id"]) == 2
    assert len(api.sent_to(5005)) == 1


async def test_a_stale_button_is_still_answered(polling: TelegramChannel, api: FakeBotAPI) -> None:
    user = api.user(5006)
    update = api.callback_update(5006, "quiz:a:nope:9")
    await user.send(update)
    assert update["callback_query"]["id"] in api.answered
    expect(user, "Silakan pilih lagi")


async def test_stop_finishes_the_update_in_hand_and_confirms_it(app: App, api: FakeBotAPI) -> None:
    started = asyncio.Event()

    channel = TelegramChannel(api.token, api_url=api.url, clock=app.clock, polling_timeout=1)

    async def slow(inbound: Inbound) -> None:
        started.set()
        await asyncio.sleep(0.3)
        await app.service.converse(inbound, channel.sender)

    channel.attach(ChannelRuntime(channel.name, slow, SqlChannelEvents(app.db)))
    await channel.start()
    user = api.user(5008)
    update = api.text_update(5008, "bantuan")
    await api.push(update)
    await asyncio.wait_for(started.wait(), 5)
    await channel.stop()
    assert len(user.messages) == 1  # answered before stopping
    assert api.confirmed > update["update_id"]  # and confirmed, so a restart does not repeat it


# Webhook -------------------------------------------------------------------------------------------


@pytest.fixture
async def webhook(app: App, api: FakeBotAPI) -> AsyncIterator[TelegramChannel]:
    listening = socket.socket()
    listening.bind(("127.0.0.1", 0))
    port = listening.getsockname()[1]
    channel = channel_for(
        app, api, webhook_url=f"http://127.0.0.1:{port}/telegram/webhook", webhook_secret=SECRET
    )
    server = web.Application()
    channel.add_routes(server)
    runner = web.AppRunner(server, access_log=None)
    await runner.setup()
    await web.SockSite(runner, listening).start()
    await channel.start()
    try:
        yield channel
    finally:
        await channel.stop()
        await runner.cleanup()


async def test_webhook_mode_registers_the_webhook_with_its_secret(
    webhook: TelegramChannel, api: FakeBotAPI
) -> None:
    [call] = api.called("setWebhook")
    assert call.params["url"].endswith("/telegram/webhook")
    assert call.params["secret_token"] == SECRET
    assert call.params["allowed_updates"] == ["message", "callback_query", "my_chat_member"]
    assert api.called("getUpdates", status=None) == []


async def test_webhook_refuses_a_missing_or_wrong_secret_and_processes_nothing(
    webhook: TelegramChannel, api: FakeBotAPI, app: App
) -> None:
    api.user(6001)
    update = api.text_update(6001, "/start")
    assert await api.deliver(update, secret=None) == 401
    assert await api.deliver(update, secret="wrong-secret") == 401
    assert await api.deliver(update, secret=SECRET + "x") == 401
    await webhook.stop()  # waits for anything in hand
    assert api.called("sendMessage", status=None) == []
    assert await count(app, User) == 0


async def test_webhook_handles_a_valid_update_once_even_when_redelivered(
    webhook: TelegramChannel, api: FakeBotAPI, app: App
) -> None:
    api.user(6002)
    update = api.text_update(6002, "/start")
    assert await api.deliver(update) == 200
    assert await api.deliver(update) == 200  # Telegram's redelivery: same update_id
    await api.wait_for(lambda: len(api.sent_to(6002)) >= 1, what="the reply")
    await webhook.stop()
    [reply] = api.sent_to(6002)
    assert "asisten P2K2" in text_of(reply)
    assert await count(app, User) == 1


async def test_webhook_answers_400_to_garbage(webhook: TelegramChannel, api: FakeBotAPI, app: App) -> None:
    assert await api.deliver(b"{not json") == 400
    assert await api.deliver(b"[1, 2]") == 400
    assert await api.deliver({"message": "no update id"}) == 400
    await webhook.stop()
    assert api.called("sendMessage", status=None) == []


async def test_webhook_callback_is_answered_and_blocking_is_recorded(
    webhook: TelegramChannel, api: FakeBotAPI, app: App
) -> None:
    api.user(6003)
    assert await api.deliver(api.text_update(6003, "menu")) == 200
    await api.wait_for(lambda: len(api.sent_to(6003)) == 1, what="the menu")
    tap = api.callback_update(6003, "help", api.sent_to(6003)[0])
    assert await api.deliver(tap) == 200
    await api.wait_for(lambda: len(api.sent_to(6003)) == 2, what="the help text")
    assert tap["callback_query"]["id"] in api.answered
    assert await api.deliver(api.member_update(6003, "kicked")) == 200
    await webhook.stop()
    found = await identity(app, "6003")
    assert found is not None and not found.reachable
