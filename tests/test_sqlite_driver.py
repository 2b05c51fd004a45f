"""The embedded SQLite database is shared with other processes (a second terminal chat, an operator
command). While one of them holds the write lock, the bot waits for its turn without freezing: the event
loop keeps serving other work (webhooks, health checks), and the message is answered once the lock is
free. These tests use their own SQLite file, so they run in the PostgreSQL pass too."""

import asyncio
import sqlite3
import time
from pathlib import Path

import pytest

from bot.app import App
from tests.transcript import Chat

APOLOGY = "Maaf, ada gangguan di sistem kami"


@pytest.fixture
def database_url(tmp_path: Path) -> str:
    """SQLite in both passes: the conftest's `app` is built on this file."""
    return f"sqlite+aiosqlite:///{tmp_path / 'p2k2.db'}"


async def test_a_write_lock_held_elsewhere_does_not_freeze_the_bot(tmp_path: Path, app: App) -> None:
    # As an operator command in another process would.
    other = sqlite3.connect(tmp_path / "p2k2.db", isolation_level=None)
    try:
        chat = Chat(app.service, "kpm-1")
        other.execute("BEGIN IMMEDIATE")
        answer = asyncio.create_task(chat.say("halo"))

        started = time.perf_counter()
        await asyncio.sleep(0.3)
        assert time.perf_counter() - started < 1.0, "the event loop stalled while the bot waited for the lock"
        assert not answer.done(), "the message was handled while another process held the write lock"

        other.execute("COMMIT")
        await asyncio.wait_for(answer, 10)
        chat.expect_reply()
        assert APOLOGY not in chat.text

        again = await chat.say("halo")  # and the conversation carries on as usual
        assert again and APOLOGY not in chat.text
    finally:
        other.close()


async def test_a_failed_statement_leaves_the_database_usable(tmp_path: Path, app: App) -> None:
    """A statement that fails inside a transaction rolls the whole message back; the next one works."""
    path = tmp_path / "p2k2.db"
    chat = Chat(app.service, "kpm-1")
    await chat.say("halo")
    with sqlite3.connect(path) as other:  # the dialog table vanishes under the bot's feet
        other.execute("ALTER TABLE dialog_states RENAME TO dialog_states_gone")
    await chat.say("menu")
    assert APOLOGY in chat.text
    with sqlite3.connect(path) as other:
        other.execute("ALTER TABLE dialog_states_gone RENAME TO dialog_states")
    await chat.say("menu")
    chat.expect_reply()
    assert APOLOGY not in chat.text
