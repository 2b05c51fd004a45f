"""`p2k2-bot run`: every configured channel, the HTTP server, the delivery worker and the scheduler,
started together and stopped cleanly (the update and the batch in hand are finished first)."""

from __future__ import annotations

import asyncio
import gc
import logging
import signal
from contextlib import suppress

from aiohttp import web

from bot.app import App
from bot.catalogs import load_translators
from bot.channels.channel import Channel
from bot.core.delivery import ChannelSender
from bot.db import inbound_keys, nudges, pendamping
from bot.delivery import DeliveryWorker
from bot.metrics import ERRORS
from bot.pacing import PacedSender
from bot.settings import Settings
from bot.web import make_web_app
from scheduler.jobs import INBOUND_KEY_RETENTION, build_scheduler

log = logging.getLogger("bot")
NO_CHANNEL = (
    "No chat channel is configured. Set TELEGRAM_BOT_TOKEN, or WHATSAPP_ACCESS_TOKEN and "
    "WHATSAPP_PHONE_NUMBER_ID, in the environment or .env (see .env.example). "
    "To try the bot without any token, run: p2k2-bot chat --demo"
)


def build_channels(settings: Settings, app: App) -> list[Channel]:
    channels: list[Channel] = []
    if settings.telegram_bot_token:
        from bot.channels.telegram import TelegramChannel  # aiogram takes seconds to import: only when used

        channels.append(
            TelegramChannel(
                token=settings.telegram_bot_token.get_secret_value(),
                api_url=settings.telegram_api_url,
                webhook_url=settings.telegram_webhook_url,
                webhook_secret=(
                    settings.telegram_webhook_secret.get_secret_value()
                    if settings.telegram_webhook_secret
                    else None
                ),
                clock=app.clock,
            )
        )
    if settings.whatsapp_access_token and settings.whatsapp_phone_number_id:
        from bot.channels.whatsapp import WhatsAppChannel

        assert settings.whatsapp_app_secret and settings.whatsapp_verify_token  # checked by Settings
        channels.append(
            WhatsAppChannel(
                access_token=settings.whatsapp_access_token.get_secret_value(),
                phone_number_id=settings.whatsapp_phone_number_id,
                app_secret=settings.whatsapp_app_secret.get_secret_value(),
                verify_token=settings.whatsapp_verify_token.get_secret_value(),
                api_url=settings.whatsapp_api_url,
                templates={
                    "reminder": settings.whatsapp_template_reminder,
                    "broadcast": settings.whatsapp_template_broadcast,
                    "nudge": settings.whatsapp_template_nudge,
                    "meeting_change": settings.whatsapp_template_meeting_change,
                    "meeting_cancel": settings.whatsapp_template_meeting_cancel,
                },
                template_language=settings.whatsapp_template_language,
                clock=app.clock,
            )
        )
    return channels


def paced(settings: Settings, channel: Channel) -> PacedSender:
    telegram = channel.name == "telegram"
    return PacedSender(
        channel.sender,
        settings.telegram_rate_limit if telegram else settings.whatsapp_rate_limit,
        settings.rate_limit_storage,
        replies_skip_budget=telegram,
    )


async def _pendamping_menus(app: App, channel: Channel) -> None:
    """Telegram scopes command menus per chat, not per role: give each pendamping chat its menu."""
    set_menu = getattr(channel, "set_pendamping_commands", None)
    if set_menu is None:
        return
    async with app.db.transaction() as session:
        addresses = await pendamping.chat_addresses(session, channel.name)
    for address in addresses:
        await set_menu(address)


async def serve(settings: Settings, app: App) -> None:
    channels = build_channels(settings, app)
    senders: dict[str, ChannelSender] = {}
    web_app = make_web_app(app.db)
    for channel in channels:
        sender = paced(settings, channel)
        senders[channel.name] = sender
        app.connect(channel, sender)
        channel.add_routes(web_app)
    worker = DeliveryWorker(
        app.db, senders, app.curriculum, load_translators(), settings.default_locale, app.clock, app.delivery
    )

    async def prune_inbound_keys() -> None:
        async with app.db.transaction() as session:
            await inbound_keys.prune(session, app.clock() - INBOUND_KEY_RETENTION)

    async def plan_nudges(zone: str) -> None:
        async with app.db.transaction() as session:
            await nudges.plan_nudges(session, zone, app.clock())

    jobs = build_scheduler(
        prune_inbound_keys,
        plan_nudges,
        settings.nudge_day,
        settings.nudge_hour,
        lambda n: ERRORS.labels(n).inc(),
    )
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(sig, stop.set)
    runner = web.AppRunner(web_app)
    started: list[Channel] = []
    delivering: asyncio.Task[None] | None = None
    try:
        await runner.setup()
        await web.TCPSite(runner, settings.http_host, settings.http_port).start()
        log.info("HTTP server on http://%s:%s", settings.http_host, settings.http_port)
        for channel in channels:
            await channel.start()
            started.append(channel)
            log.info("channel %s started", channel.name)
            await _pendamping_menus(app, channel)
        if not channels:
            log.warning(NO_CHANNEL)
        jobs.start()
        delivering = asyncio.create_task(worker.run(stop))
        # Everything long-lived exists now: keep it out of the collector's full passes, which otherwise
        # walk hundreds of thousands of library objects and stall replies for hundreds of milliseconds.
        gc.freeze()
        await stop.wait()
        log.info("stopping")
    finally:
        stop.set()
        if jobs.running:
            jobs.shutdown(wait=False)
        for channel in reversed(started):
            with suppress(Exception):
                await channel.stop()
        if delivering is not None:
            await delivering
        await runner.cleanup()
