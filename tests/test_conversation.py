"""The foundation's path end to end: start, menu, help, fallback, typed choices, restarts, errors."""

import asyncio

from sqlalchemy import func, select

from bot.app import App, build_app
from bot.channels.runtime import ChannelRuntime
from bot.core.context import Context, Result
from bot.core.messages import Inbound, Outbound
from bot.core.router import Router
from bot.db.channel_events import SqlChannelEvents
from bot.db.models import DialogStateRow, Identity, InboundKey, User
from bot.demo import DemoData
from bot.service import ConversationService
from bot.settings import Settings
from tests.conftest import joined
from tests.transcript import Chat, FakeClock, Screen

MENU = ["Belajar", "Kuis", "Pertemuan", "Kemajuan belajar", "Bantuan", "Pengaturan"]


async def test_start_greets_and_shows_the_menu(chat: Chat) -> None:
    await chat.say("/start")
    chat.expect_reply(contains=["Halo! Saya asisten P2K2", "Menu utama"], buttons=MENU)


async def test_menu_by_word_number_and_button(chat: Chat) -> None:
    await chat.say("menu")
    chat.expect_reply(contains="Menu utama", buttons=MENU)
    await chat.say("5")
    chat.expect_reply(contains="Cara memakai obrolan ini", buttons=["Menu"])
    await chat.tap("Menu")
    await chat.say("bantuan")
    chat.expect_reply(contains="Ketik MENU kapan saja")


async def test_anything_unrecognised_gets_a_friendly_hint(chat: Chat, demo: DemoData) -> None:
    await joined(chat)
    await chat.say("bantuan")
    await chat.say("🙏🙏🙏")
    chat.expect_reply(contains="Maaf, saya belum mengerti", buttons=["Menu"])
    for text in ["asdfgh", "x" * 5000, "'; DROP TABLE users; --"]:  # could be a question for a person
        await chat.say(text)
        chat.expect_reply(contains="belum bisa menjawab", buttons=["Tanya pendamping", "Menu"])
    await chat.send_unsupported()
    chat.expect_reply(contains="Saya hanya bisa membaca tulisan")


async def test_stale_or_forged_button_gets_a_polite_answer(chat: Chat) -> None:
    await chat.tap_id("quiz:s99q9:7")
    chat.expect_reply(contains="Tombol itu sudah tidak berlaku")
    await chat.tap_id("learn:s:99")
    chat.expect_reply(contains="5 modul dan 14 sesi")


async def test_dialog_state_survives_a_restart(settings: Settings, clock: FakeClock) -> None:
    first = await build_app(settings, clock)
    await Chat(first.service, "kpm-1").say("belajar")
    await first.close()
    second = await build_app(settings, clock)
    try:
        chat = Chat(second.service, "kpm-1")
        await chat.say("3")  # "Modul 3" of the list shown before the restart
        chat.expect_reply(contains="Modul 3: Kesehatan dan Gizi")
    finally:
        await second.close()


async def test_redelivered_message_is_processed_once(chat: Chat, app: App) -> None:
    assert await chat.say("menu", message_id="m-1")
    assert await chat.say("menu", message_id="m-1") == []
    async with app.db.transaction() as session:
        assert await session.scalar(select(func.count()).select_from(InboundKey)) == 1


async def test_first_contact_stores_only_the_channel_identity(chat: Chat, app: App) -> None:
    await chat.say("halo")
    async with app.db.transaction() as session:
        user = (await session.scalars(select(User))).one()
        identity = (await session.scalars(select(Identity))).one()
    assert user.display_name is None and user.role == "kpm"
    assert (identity.channel, identity.address) == ("console", "kpm-1")


def _service(app: App, router: Router) -> ConversationService:
    return ConversationService(
        app.db, router, app.curriculum, {"id": app.service.translator("id")}, "id", app.clock
    )


async def test_a_failing_handler_is_answered_with_an_apology_and_changes_nothing(app: App) -> None:
    router = Router()

    @router.fallback
    async def broken(ctx: Context, msg: Inbound) -> Result:
        raise RuntimeError("boom")

    chat = Chat(_service(app, router), "kpm-9")
    await chat.say("halo", message_id="m-9")
    chat.expect_reply(contains="Maaf, ada gangguan di sistem kami")
    async with app.db.transaction() as session:
        assert await session.scalar(select(func.count()).select_from(User)) == 0
        assert await session.scalar(select(func.count()).select_from(InboundKey)) == 0


async def test_messages_from_one_user_never_race(app: App) -> None:
    router = Router()

    @router.fallback
    async def count(ctx: Context, msg: Inbound) -> Result:
        seen = int(ctx.state.data.get("n", 0))
        await asyncio.sleep(0.05)  # a slow handler: a racing second message would read the same n
        return ctx.reply(Outbound(str(seen + 1)), state=ctx.state.with_data(n=seen + 1))

    service = _service(app, router)
    screen = Screen("console")
    runtime = ChannelRuntime("console", lambda m: service.converse(m, screen), SqlChannelEvents(app.db))
    # Four messages of one chat arrive at once (as Meta may post webhooks side by side).
    await asyncio.gather(
        *(runtime.answer(Inbound.typed("console", "kpm-7", f"m{i}", app.clock())) for i in range(4))
    )
    assert [m.text for m in screen.shown] == ["1", "2", "3", "4"]
    async with app.db.transaction() as session:
        assert (await session.scalars(select(DialogStateRow))).one().state["data"] == {"n": 4}


async def test_different_users_are_served_concurrently(app: App) -> None:
    chats = [Chat(app.service, f"kpm-{i}") for i in range(5)]
    await asyncio.gather(*(c.say("menu") for c in chats))
    for c in chats:
        c.expect_reply(contains="Menu utama", buttons=MENU)
