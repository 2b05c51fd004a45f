"""Delivery survives `kill -9`: every recipient of a broadcast gets it, and duplicates are bounded by the
batch that was in flight; a reply whose send was in flight arrives once after the restart. Two workers
on one PostgreSQL never send the same row twice."""

import asyncio
import os
import signal
import socket
import subprocess
import sys
import time
from collections import Counter
from datetime import UTC, datetime
from pathlib import Path

import pytest
from sqlalchemy import insert, select

from bot.app import App
from bot.db import pendamping_effects as effects
from bot.db.models import Identity, Membership, Pendamping, User
from bot.demo import DemoData
from tests.conftest import PG_URL
from tests.fakes.telegram_api import FakeBotAPI, text_of

ROOT = Path(__file__).resolve().parents[1]
BATCH = 20


async def _broadcast_to(app: App, demo: DemoData, members: int) -> set[str]:
    now = datetime.now(UTC)
    async with app.db.transaction() as session:
        await session.execute(
            insert(User), [{"role": "kpm", "locale": "id", "created_at": now} for _ in range(members)]
        )
        user_ids = list((await session.scalars(select(User.id).where(User.role == "kpm"))).all())
        await session.execute(
            insert(Identity),
            [
                {
                    "user_id": u,
                    "channel": "console",
                    "address": f"kpm-{u}",
                    "reachable": True,
                    "created_at": now,
                }
                for u in user_ids
            ],
        )
        await session.execute(
            insert(Membership),
            [{"user_id": u, "kelompok_id": demo.kelompok_id, "joined_at": now} for u in user_ids],
        )
        pendamping = (await session.scalars(select(Pendamping))).one()
        await effects.queue_broadcast(
            session,
            pendamping.user_id or 0,
            pendamping.id,
            (demo.kelompok_id,),
            "Pertemuan besok dimajukan jam 8.",
            now,
        )
    return {f"kpm-{u}" for u in user_ids}


def _worker(url: str, out: Path, delay: float = 0.002, lease: float = 1.0) -> subprocess.Popen[bytes]:
    return subprocess.Popen(
        [sys.executable, "-m", "tests.worker_process", url, str(out), str(BATCH), str(delay), str(lease)],
        cwd=ROOT,
        env={**os.environ, "PYTHONPATH": str(ROOT)},
    )


def _lines(path: Path) -> list[str]:
    """Addresses of the KPM who received the broadcast (the pendamping's progress report left out)."""
    return [a for a in path.read_text().split() if a != "pendamping"] if path.exists() else []


async def test_kill_9_mid_broadcast_then_restart_reaches_everyone(
    app: App, demo: DemoData, tmp_path: Path
) -> None:
    recipients = await _broadcast_to(app, demo, 300)
    url = app.settings.database_url
    first = _worker(url, tmp_path / "first.txt", delay=0.01)
    deadline = time.monotonic() + 60
    while len(_lines(tmp_path / "first.txt")) < 60 and time.monotonic() < deadline:
        await asyncio.sleep(0.02)
    first.send_signal(signal.SIGKILL)
    first.wait(10)
    assert first.returncode == -signal.SIGKILL
    before = len(_lines(tmp_path / "first.txt"))
    assert before < len(recipients)  # really killed mid-broadcast

    second = _worker(url, tmp_path / "second.txt")
    assert second.wait(120) == 0
    sent = Counter(_lines(tmp_path / "first.txt") + _lines(tmp_path / "second.txt"))
    assert set(sent) == recipients  # everyone got it
    duplicates = sum(n - 1 for n in sent.values())
    assert duplicates <= BATCH  # at most the batch that was in flight when the worker died


@pytest.mark.skipif(not PG_URL, reason="SKIP LOCKED claiming needs PostgreSQL; CI runs this on PostgreSQL")
async def test_two_workers_on_postgresql_never_send_a_row_twice(
    app: App, demo: DemoData, tmp_path: Path
) -> None:
    recipients = await _broadcast_to(app, demo, 400)
    workers = [_worker(app.settings.database_url, tmp_path / f"w{i}.txt", lease=60) for i in range(2)]
    assert [w.wait(120) for w in workers] == [0, 0]
    per_worker = [_lines(tmp_path / f"w{i}.txt") for i in range(2)]
    assert all(per_worker)  # both took part
    sent = Counter(per_worker[0] + per_worker[1])
    assert set(sent) == recipients and max(sent.values()) == 1


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def _bot_run(app: App, api: FakeBotAPI, home: Path) -> subprocess.Popen[bytes]:
    """`p2k2-bot run` on the test's database, polling the fake Telegram, under one stable worker name."""
    env = {
        **os.environ,
        "PYTHONPATH": str(ROOT),
        "DATABASE_URL": app.settings.database_url,
        "TELEGRAM_BOT_TOKEN": api.token,
        "TELEGRAM_API_URL": api.url,
        "HTTP_PORT": str(_free_port()),
        "WORKER_ID": "bot-1",
        "LOG_LEVEL": "WARNING",
    }
    return subprocess.Popen([sys.executable, "-m", "bot", "run"], cwd=home, env=env)  # no developer .env


async def test_kill_9_before_telegram_confirmed_a_reply_then_restart_sends_it_exactly_once(
    app: App, tmp_path: Path
) -> None:
    async with FakeBotAPI() as api:
        siti, rina = api.user(5001), api.user(5002, first_name="Rina")
        api.hold("sendMessage")  # the reply's request gets no answer: the bot waits for it
        first = _bot_run(app, api, tmp_path)
        try:
            await api.push(api.text_update(siti.chat_id, "halo"))
            await api.wait_for(lambda: api.held == 1, 60, "the reply to be on its way")
        finally:
            first.send_signal(signal.SIGKILL)
            first.wait(10)
        assert siti.messages == []

        second = _bot_run(app, api, tmp_path)
        try:
            await api.wait_for(lambda: bool(siti.messages), 60, "the reply after the restart")
            await api.push(api.text_update(rina.chat_id, "halo"))  # the same first message, no crash
            await api.wait_for(lambda: bool(rina.messages), 60, "the second user's reply")
            await asyncio.sleep(1)  # room for a second copy, were one on its way
        finally:
            second.terminate()
            assert second.wait(60) == 0
        assert [text_of(m) for m in siti.messages] == [text_of(m) for m in rina.messages]
        assert len(siti.messages) == 1
