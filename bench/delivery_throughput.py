"""Delivery throughput with no platform limit: a broadcast to N members through a channel that answers
at once, measured from the first claim to the last row marked sent. Prints messages/s and peak RSS.

    python bench/delivery_throughput.py [--recipients 20000] [--database-url URL]
"""

from __future__ import annotations

import argparse
import asyncio
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path

from sqlalchemy import func, select

from bench.common import describe_machine, fresh_database, peak_rss_mb, seed_members
from bot.catalogs import load_translators
from bot.content_loader import load_curriculum
from bot.core.delivery import Envelope, Outcome, Sent
from bot.db import pendamping_effects
from bot.db.models import OutboxMessage, Pendamping
from bot.delivery import DeliveryConfig, DeliveryWorker


class InstantChannel:
    channel = "bench"

    def __init__(self) -> None:
        self.count = 0

    async def send(self, envelope: Envelope) -> Outcome:
        self.count += 1
        return Sent((str(self.count),))


async def run(url: str, recipients: int, batch: int) -> None:
    db = await fresh_database(url)
    kelompok = await seed_members(db, 1, recipients)
    now = datetime.now(UTC)
    async with db.transaction() as session:
        pendamping = (await session.scalars(select(Pendamping))).one()
        await pendamping_effects.queue_broadcast(
            session, 0, pendamping.id, tuple(kelompok), "Pengumuman", now
        )
    channel = InstantChannel()
    worker = DeliveryWorker(
        db,
        {"bench": channel},
        load_curriculum(),
        load_translators(),
        "id",
        lambda: datetime.now(UTC),
        DeliveryConfig(batch_size=batch),
    )
    started = time.perf_counter()
    while await worker.run_once():
        pass
    elapsed = time.perf_counter() - started
    async with db.transaction() as session:
        sent = await session.scalar(
            select(func.count(OutboxMessage.id)).where(OutboxMessage.status == "sent")
        )
    await db.close()
    print(f"database: {db.engine.dialect.name}; machine: {describe_machine()}")
    print(f"recipients: {recipients}, batch: {batch}, sent: {sent}, channel calls: {channel.count}")
    print(f"elapsed: {elapsed:.2f} s; throughput: {sent / elapsed:,.0f} messages/s (target >= 2,000)")
    print(f"peak RSS: {peak_rss_mb():.0f} MB (target <= 150)")


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--recipients", type=int, default=20000)
    parser.add_argument("--batch", type=int, default=500)
    parser.add_argument("--database-url", default="")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as scratch:
        url = args.database_url or f"sqlite+aiosqlite:///{Path(scratch) / 'bench.db'}"
        asyncio.run(run(url, args.recipients, args.batch))


if __name__ == "__main__":
    main()
