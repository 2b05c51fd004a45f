"""Shared set-up for the delivery benchmarks: a migrated scratch database with one pendamping, kelompok
full of members, and a broadcast queued to all of them."""

from __future__ import annotations

import argparse
import asyncio
import os
import resource
import sys
import tempfile
from collections.abc import Callable, Coroutine
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from sqlalchemy import insert, select, text

from bot.db import pendamping_effects
from bot.db.engine import Database, make_engine
from bot.db.migrate import upgrade
from bot.db.models import Identity, Kelompok, Membership, Pendamping, User


async def fresh_database(url: str) -> Database:
    engine = make_engine(url)
    if engine.dialect.name == "postgresql":
        async with engine.begin() as conn:
            await conn.execute(text("DROP SCHEMA public CASCADE"))
            await conn.execute(text("CREATE SCHEMA public"))
    await upgrade(engine)
    return Database(engine)


async def seed_members(
    db: Database, kelompok: int, per_kelompok: int, timezone: str = "Asia/Jakarta"
) -> list[int]:
    """Creates one pendamping with `kelompok` groups of `per_kelompok` reachable members; returns kelompok ids."""
    now = datetime.now(UTC)
    async with db.transaction() as session:
        pendamping = Pendamping(name="Bench", created_at=now)
        session.add(pendamping)
        await session.flush()
        await session.execute(
            insert(Kelompok),
            [
                {
                    "pendamping_id": pendamping.id,
                    "name": f"K{i}",
                    "desa": "Desa",
                    "kecamatan": "Kec",
                    "kabupaten": "Kab",
                    "timezone": timezone,
                    "join_code": f"B{i:05d}",
                    "created_at": now,
                }
                for i in range(kelompok)
            ],
        )
        kelompok_ids = list((await session.scalars(select(Kelompok.id).order_by(Kelompok.id))).all())
    total = kelompok * per_kelompok
    for start in range(0, total, 5000):
        count = min(5000, total - start)
        async with db.transaction() as session:
            first = int(await session.scalar(select(text("coalesce(max(id), 0)")).select_from(User)) or 0)
            await session.execute(insert(User), [{"role": "kpm", "locale": "id", "created_at": now}] * count)
            ids = range(first + 1, first + count + 1)
            await session.execute(
                insert(Identity),
                [
                    {
                        "user_id": u,
                        "channel": "bench",
                        "address": f"c{u}",
                        "reachable": True,
                        "created_at": now,
                    }
                    for u in ids
                ],
            )
            await session.execute(
                insert(Membership),
                [
                    {"user_id": u, "kelompok_id": kelompok_ids[(u - 1) // per_kelompok], "joined_at": now}
                    for u in ids
                ],
            )
    return kelompok_ids


async def queued_broadcast(db: Database, recipients: int) -> None:
    """One kelompok of `recipients` members and a broadcast to all of them, waiting in the outbox."""
    kelompok = await seed_members(db, 1, recipients)
    async with db.transaction() as session:
        pendamping = (await session.scalars(select(Pendamping))).one()
        await pendamping_effects.queue_broadcast(
            session, 0, pendamping.id, tuple(kelompok), "Pengumuman", datetime.now(UTC)
        )


def run_on_scratch(
    parser: argparse.ArgumentParser, run: Callable[[str, argparse.Namespace], Coroutine[Any, Any, None]]
) -> None:
    """Parses the arguments (adding --database-url) and runs the benchmark on that database, or on a
    SQLite file in a temporary directory."""
    parser.add_argument("--database-url", default="", help="PostgreSQL URL (its schema is dropped)")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as scratch:
        url = args.database_url or f"sqlite+aiosqlite:///{Path(scratch) / 'bench.db'}"
        asyncio.run(run(url, args))


def parser_for(doc: str | None) -> argparse.ArgumentParser:
    return argparse.ArgumentParser(description=doc, formatter_class=argparse.RawDescriptionHelpFormatter)


def peak_rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def describe_machine() -> str:
    return f"{os.cpu_count()} cores, {os.uname().machine}, Python {sys.version.split()[0]}"
