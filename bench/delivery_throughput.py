"""Delivery throughput with no platform limit: a broadcast to N members through a channel that answers
at once, measured from the first claim to the last row marked sent. Prints messages/s and peak RSS.

    python bench/delivery_throughput.py [--recipients 20000] [--database-url URL]
"""

from __future__ import annotations

import argparse
import time
from datetime import UTC, datetime

from sqlalchemy import func, select

from bench.common import (
    describe_machine,
    fresh_database,
    parser_for,
    peak_rss_mb,
    queued_broadcast,
    run_on_scratch,
)
from bot.catalogs import load_translators
from bot.content_loader import load_curriculum
from bot.core.delivery import Envelope, Outcome, Sent
from bot.db.models import OutboxMessage
from bot.delivery import DeliveryConfig, DeliveryWorker


class InstantChannel:
    channel = "bench"

    def __init__(self) -> None:
        self.count = 0

    async def send(self, envelope: Envelope) -> Outcome:
        self.count += 1
        return Sent((str(self.count),))


async def run(url: str, args: argparse.Namespace) -> None:
    recipients, batch = args.recipients, args.batch
    db = await fresh_database(url)
    await queued_broadcast(db, recipients)
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
        sent = int(
            await session.scalar(select(func.count(OutboxMessage.id)).where(OutboxMessage.status == "sent"))
            or 0
        )
    await db.close()
    print(f"database: {db.engine.dialect.name}; machine: {describe_machine()}")
    print(f"recipients: {recipients}, batch: {batch}, sent: {sent}, channel calls: {channel.count}")
    print(f"elapsed: {elapsed:.2f} s; throughput: {sent / elapsed:,.0f} messages/s (target >= 2,000)")
    print(f"peak RSS: {peak_rss_mb():.0f} MB (target <= 150)")


def main() -> None:
    parser = parser_for(__doc__)
    parser.add_argument("--recipients", type=int, default=20000)
    parser.add_argument("--batch", type=int, default=500)
    run_on_scratch(parser, run)


if __name__ == "__main__":
    main()
