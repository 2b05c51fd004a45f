"""`p2k2-bot run` as an operator starts it: with a Telegram token it calls getMe, registers the command
menu and polls; it answers a KPM; SIGTERM stops it cleanly with exit code 0."""

import asyncio
import os
import signal
import socket
import sys
from collections.abc import Callable
from pathlib import Path

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


async def test_run_with_a_telegram_token_answers_and_stops_cleanly(tmp_path: Path) -> None:
    async with FakeBotAPI() as api:
        env = {k: v for k, v in os.environ.items() if not k.startswith(("DATABASE_URL", "TEST_", "HTTP_"))}
        env.update(TELEGRAM_BOT_TOKEN=api.token, TELEGRAM_API_URL=api.url, HTTP_PORT=str(_free_port()))
        proc = await asyncio.create_subprocess_exec(
            BIN, "run", cwd=tmp_path, env=env, stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.PIPE
        )
        try:
            await _until(lambda: bool(api.called("getUpdates")), 60, "polling to start")
            assert api.called("getMe") and api.called("setMyCommands")
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
