"""Fixtures: a real database (SQLite file per test, or PostgreSQL when TEST_DATABASE_URL is set),
the real service built by the composition root, a fixed clock, transcript chats and the fake Bot API."""

from __future__ import annotations

import os
from collections.abc import AsyncIterator
from datetime import UTC, datetime
from pathlib import Path

import pytest
from sqlalchemy import text

from bot.app import App, build_app
from bot.db.engine import Database, make_engine
from bot.db.migrate import upgrade
from bot.db.models import Base
from bot.demo import DemoData, seed_demo
from bot.settings import Settings
from tests.fakes.telegram_api import FakeBotAPI
from tests.transcript import Chat, FakeClock

PG_URL = os.environ.get("TEST_DATABASE_URL", "")
_pg_migrated = False


@pytest.fixture
async def database_url(tmp_path: Path) -> AsyncIterator[str]:
    """An empty, migrated database for one test."""
    global _pg_migrated
    if not PG_URL:
        yield f"sqlite+aiosqlite:///{tmp_path / 'test.db'}"
        return
    engine = make_engine(PG_URL)
    try:
        if not _pg_migrated:
            async with engine.begin() as conn:
                await conn.execute(text("DROP SCHEMA public CASCADE"))
                await conn.execute(text("CREATE SCHEMA public"))
            await upgrade(engine)
            _pg_migrated = True
        async with engine.begin() as conn:
            names = ", ".join(table.name for table in Base.metadata.sorted_tables)
            await conn.execute(text(f"TRUNCATE {names} RESTART IDENTITY CASCADE"))
    finally:
        await engine.dispose()
    yield PG_URL


@pytest.fixture
def clock() -> FakeClock:
    # A Thursday morning in Jakarta.
    return FakeClock(datetime(2026, 12, 3, 1, 0, tzinfo=UTC))


@pytest.fixture
def settings(database_url: str) -> Settings:
    return Settings(DATABASE_URL=database_url, DEFAULT_LOCALE="id", DEFAULT_TIMEZONE="Asia/Jakarta")


@pytest.fixture
async def app(settings: Settings, clock: FakeClock) -> AsyncIterator[App]:
    built = await build_app(settings, clock)
    try:
        yield built
    finally:
        await built.close()


@pytest.fixture
def db(app: App) -> Database:
    return app.db


@pytest.fixture
async def api() -> AsyncIterator[FakeBotAPI]:
    """The fake Bot API on 127.0.0.1; a test fails if the bot broke one of the Bot API's rules."""
    async with FakeBotAPI() as fake:
        yield fake
        assert fake.rejected == [], "the bot broke a Bot API rule"


@pytest.fixture
def chat(app: App) -> Chat:
    return Chat(app.service, "kpm-1")


@pytest.fixture
async def demo(app: App) -> DemoData:
    """The demo kelompok Sirnajaya 1 (join code SIRNA1) and its meeting on Saturday 5 December 09.00 WIB."""
    async with app.db.transaction() as session:
        return await seed_demo(session, app.clock(), "id")


async def joined(chat: Chat, name: str = "Ibu Siti", code: str = "SIRNA1") -> None:
    """Joins with the code, agrees and gives a name: the usual first minute of a KPM."""
    await chat.say(code)
    await chat.tap("Saya setuju")
    await chat.say(name)
    chat.expect_reply(contains="anggota kelompok")
