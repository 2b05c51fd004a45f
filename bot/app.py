"""Composition root: builds the database, content, catalogs, router and service from settings."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from bot.catalogs import load_translators
from bot.channels.channel import Channel
from bot.channels.runtime import ChannelRuntime
from bot.content_loader import load_curriculum, load_urgent
from bot.core.content import Curriculum
from bot.core.delivery import ChannelSender
from bot.core.ports import Links
from bot.core.reminders import ReminderPolicy
from bot.db import migrate
from bot.db.channel_events import SqlChannelEvents
from bot.db.engine import Database, make_engine
from bot.delivery import DeliveryConfig
from bot.service import Clock, ConversationService
from bot.settings import Settings
from handlers import build_router


class StartupError(Exception):
    """Start-up cannot continue; the message tells the operator what to do."""


def utc_now() -> datetime:
    return datetime.now(UTC)


@dataclass
class App:
    settings: Settings
    db: Database
    curriculum: Curriculum
    service: ConversationService
    clock: Clock

    @property
    def delivery(self) -> DeliveryConfig:
        """The delivery worker's settings; the same worker name and lease as the reply fast path."""
        return DeliveryConfig(
            worker=self.settings.worker_id,
            reply_max_age=timedelta(minutes=self.settings.reply_max_age_minutes),
        )

    def connect(self, channel: Channel, sender: ChannelSender) -> ChannelRuntime:
        """Puts the channel on the shared runtime; its replies go out through `sender` (the channel's
        own sender wrapped with its rate limits)."""
        runtime = ChannelRuntime(
            channel.name, lambda inbound: self.service.converse(inbound, sender), SqlChannelEvents(self.db)
        )
        channel.attach(runtime)
        return runtime

    async def close(self) -> None:
        await self.db.close()


async def prepare_schema(db: Database) -> None:
    """Creates the schema in an empty database; refuses to run on an outdated one."""
    current = await migrate.current_revision(db.engine)
    if current is None:
        await migrate.upgrade(db.engine)
    elif current != migrate.head_revision():
        raise StartupError(f"the database schema is at revision {current}; run `p2k2-bot migrate` first")


async def build_app(settings: Settings, clock: Clock = utc_now) -> App:
    curriculum = load_curriculum()
    translators = load_translators()
    db = Database(make_engine(settings.database_url))
    try:
        await prepare_schema(db)
    except Exception:
        await db.close()
        raise
    policy = ReminderPolicy(tuple(settings.offsets), settings.quiet)
    links = Links(settings.telegram_bot_username, settings.whatsapp_display_number)
    router = build_router(load_urgent())
    service = ConversationService(
        db,
        router,
        curriculum,
        translators,
        settings.default_locale,
        clock,
        policy,
        links,
        worker=settings.worker_id,
        lease=DeliveryConfig().lease,
    )
    return App(settings, db, curriculum, service, clock)
