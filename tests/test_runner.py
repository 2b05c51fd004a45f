"""`p2k2-bot run` as an operator starts it: with a Telegram token it calls getMe, registers the command
menu and polls; it answers a KPM; SIGTERM stops it cleanly with exit code 0."""

import asyncio
import json
import os
import signal
import socket
import sys
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path

from sqlalchemy import insert

from bot.db.engine import make_engine
from bot.db.migrate import upgrade
from bot.db.models import Identity, Pendamping, User
from tests.fakes.telegram_api import FakeBotAPI, text_of

BIN = str(Path(sys.executable).with_name("p2k2-bot"))


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


async def _until(predicate: Callable[[], bool], seconds: float, what: str) -> None:
    for _ in range(int(seconds * 10)):
        if predicate():
            return
        await asyncio.sleep(0.1)
    raise AssertionError(f"timed out waiting for {what}")


async def _a_pendamping_on_telegram(tmp_path: Path, chat_id: str) -> None:
    """An existing database in which one pendamping already uses Telegram."""
    engine = make_engine(f"sqlite+aiosqlite:///{tmp_path / 'data' / 'p2k2.db'}")
    await upgrade(engine)
    now = datetime.now(UTC)
    async with engine.begin() as conn:
        user = await conn.execute(insert(User).values(role="pendamping", locale="id", created_at=now))
        user_id = user.inserted_primary_key[0]
        await conn.execute(
            insert(Identity).values(
                user_id=user_id, channel="telegram", address=chat_id, reachable=True, created_at=now
            )
        )
        await conn.execute(
            insert(Pendamping).values(name="Bu Rina", user_id=user_id, created_at=now, claimed_at=now)
        )
    await engine.dispose()


async def test_run_with_a_telegram_token_answers_and_stops_cleanly(tmp_path: Path) -> None:
    await _a_pendamping_on_telegram(tmp_path, "777")
    async with FakeBotAPI() as api:
        env = {k: v for k, v in os.environ.items() if not k.startswith(("DATABASE_URL", "TEST_", "HTTP_"))}
        env.update(TELEGRAM_BOT_TOKEN=api.token, TELEGRAM_API_URL=api.url, HTTP_PORT=str(_free_port()))
        env["DATABASE_URL"] = f"sqlite+aiosqlite:///{tmp_path / 'data' / 'p2k2.db'}"  # not the real home
        proc = await asyncio.create_subprocess_exec(
            BIN, "run", cwd=tmp_path, env=env, stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.PIPE
        )
        try:
            await _until(lambda: bool(api.called("getUpdates")), 60, "polling to start")
            assert api.called("getMe") and api.called("setMyCommands")
            scopes = [
                json.loads(c.params["scope"])
                if isinstance(c.params.get("scope"), str)
                else c.params.get("scope")
                for c in api.called("setMyCommands")
            ]
            assert {"type": "chat", "chat_id": 777} in scopes  # the pendamping's own menu
            siti = api.user(4242)
            await siti.say("/start")
            assert "Halo! Saya asisten P2K2" in text_of(siti.messages[0])
            proc.send_signal(signal.SIGTERM)
            _, stderr = await asyncio.wait_for(proc.communicate(), 30)
        finally:
            if proc.returncode is None:
                proc.kill()
    assert proc.returncode == 0, stderr.decode()
    assert b"Traceback" not in stderr
    assert api.token.encode() not in stderr  # the token never reaches the log
    assert api.rejected == []
