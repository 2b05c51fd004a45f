"""The WhatsApp channel running on the shared runtime against the fake Graph API, its webhook served on
127.0.0.1 and registered with the fake: the end-to-end WhatsApp tests start it the way `p2k2-bot run`
does."""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from typing import TypeVar

from aiohttp import test_utils

from bot.app import App
from bot.channels.whatsapp import WhatsAppChannel
from bot.core.delivery import ChannelSender
from bot.web import make_web_app
from tests.fakes.whatsapp_api import APP_SECRET, PHONE_NUMBER_ID, TOKEN, VERIFY_TOKEN, FakeGraphAPI

S = TypeVar("S", bound=ChannelSender)
TEMPLATES = {"reminder": "p2k2_pengingat", "broadcast": None, "nudge": None, "meeting_change": None}


@asynccontextmanager
async def running_whatsapp(
    app: App, fake: FakeGraphAPI, pace: Callable[[ChannelSender], S]
) -> AsyncIterator[tuple[WhatsAppChannel, S]]:
    """The channel and the sender the runtime sends through: `pace` makes it from the channel's own
    (a `PacedSender`, or the sender itself)."""
    channel = WhatsAppChannel(
        access_token=TOKEN,
        phone_number_id=PHONE_NUMBER_ID,
        app_secret=APP_SECRET,
        verify_token=VERIFY_TOKEN,
        api_url=fake.api_url,
        templates=TEMPLATES,
        template_language="id",
        clock=app.clock,
    )
    sender = pace(channel.sender)
    app.connect(channel, sender)
    web_app = make_web_app(app.db)
    channel.add_routes(web_app)
    server = test_utils.TestServer(web_app, host="127.0.0.1")
    await server.start_server()
    fake.webhook_url = str(server.make_url("/whatsapp/webhook"))
    await channel.start()
    try:
        yield channel, sender
    finally:
        await channel.stop()
        await server.close()
