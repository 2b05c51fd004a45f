"""A delivery worker in its own process, for the crash and two-worker tests: it sends through a channel
that appends one line per message ("<address>") to a file, flushed and synced before it answers, so a
`kill -9` never loses a line of a message that counts as sent.

python -m tests.worker_process DATABASE_URL OUT_FILE BATCH_SIZE DELAY_SECONDS LEASE_SECONDS"""

from __future__ import annotations

import asyncio
import os
import sys
from datetime import UTC, datetime, timedelta

from sqlalchemy import func, select

from bot.catalogs import load_translators
from bot.content_loader import load_curriculum
from bot.core.delivery import Envelope, Outcome, Sent
from bot.db.engine import Database, make_engine
from bot.db.models import OutboxMessage
from bot.delivery import DeliveryConfig, DeliveryWorker


class FileChannel:
    channel = "console"

    def __init__(self, path: str, delay: float) -> None:
        self._file = open(path, "a", encoding="utf-8")
        self._delay = delay
        self._count = 0

    async def send(self, envelope: Envelope) -> Outcome:
        await asyncio.sleep(self._delay)
        self._file.write(f"{envelope.address}\n")
        self._file.flush()
        os.fsync(self._file.fileno())
        self._count += 1
        return Sent((f"{os.getpid()}-{self._count}",))


async def main(url: str, out: str, batch: int, delay: float, lease: float) -> None:
    db = Database(make_engine(url))
    worker = DeliveryWorker(
        db,
        {"console": FileChannel(out, delay)},
        load_curriculum(),
        load_translators(),
        "id",
        lambda: datetime.now(UTC),
        DeliveryConfig(batch_size=batch, lease=timedelta(seconds=lease)),
    )
    while True:
        if await worker.run_once():
            continue
        async with db.transaction() as session:
            left = await session.scalar(
                select(func.count(OutboxMessage.id)).where(OutboxMessage.status.in_(("pending", "claimed")))
            )
        if not left:
            break
        await asyncio.sleep(0.1)
    await db.close()


if __name__ == "__main__":
    url, out, batch, delay, lease = sys.argv[1:6]
    asyncio.run(main(url, out, int(batch), float(delay), float(lease)))
