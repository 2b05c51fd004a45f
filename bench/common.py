"""Shared set-up for the delivery benchmarks: a migrated scratch database with one pendamping, kelompok
full of members, and a broadcast queued to all of them."""

from __future__ import annotations

import os
import resource
from datetime import UTC, datetime

from sqlalchemy import insert, select, text

from bot.db.engine import Database, make_engine
from bot.db.migrate import upgrade
from bot.db.models import Base, Identity, Kelompok, Membership, Pendamping, User


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


def peak_rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def describe_machine() -> str:
    return f"{os.cpu_count()} cores, {os.uname().machine}, Python {os.sys.version.split()[0]}"


__all__ = ["Base", "describe_machine", "fresh_database", "peak_rss_mb", "seed_members"]
