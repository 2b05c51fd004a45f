"""Planning reminders for many members at once: one meeting per kelompok (default 4,000 kelompok of 25
members = 100,000 members) with the default offsets (1d, 2h). Prints seconds taken and rows written.

    python bench/plan_reminders.py [--kelompok 4000] [--members 25] [--database-url URL]
"""

from __future__ import annotations

import argparse
import time
from datetime import UTC, datetime, timedelta

from sqlalchemy import func, insert, select

from bench.common import (
    describe_machine,
    fresh_database,
    parser_for,
    peak_rss_mb,
    run_on_scratch,
    seed_members,
)
from bot.core.reminders import ReminderPolicy
from bot.db.models import Meeting, OutboxMessage
from bot.db.reminders import plan_reminders


async def run(url: str, args: argparse.Namespace) -> None:
    kelompok, members = args.kelompok, args.members
    db = await fresh_database(url)
    kelompok_ids = await seed_members(db, kelompok, members)
    now = datetime.now(UTC)
    starts = now + timedelta(days=3)
    async with db.transaction() as session:
        await session.execute(
            insert(Meeting),
            [
                {
                    "kelompok_id": k,
                    "session_number": 5,
                    "starts_at": starts,
                    "place": "Balai Desa",
                    "created_at": now,
                    "updated_at": now,
                }
                for k in kelompok_ids
            ],
        )
        meeting_ids = list((await session.scalars(select(Meeting.id))).all())
    policy = ReminderPolicy()
    started = time.perf_counter()
    for start in range(0, len(meeting_ids), 100):  # one transaction per 100 meetings
        async with db.transaction() as session:
            for meeting_id in meeting_ids[start : start + 100]:
                await plan_reminders(session, meeting_id, policy, now)
    elapsed = time.perf_counter() - started
    async with db.transaction() as session:
        rows = int(await session.scalar(select(func.count(OutboxMessage.id))) or 0)
    await db.close()
    print(f"database: {db.engine.dialect.name}; machine: {describe_machine()}")
    print(f"members: {kelompok * members:,} in {kelompok:,} kelompok; meetings: {len(meeting_ids):,}")
    print(
        f"planning took {elapsed:.1f} s; outbox rows written: {rows:,}; "
        f"{rows / elapsed:,.0f} rows/s; peak RSS: {peak_rss_mb():.0f} MB"
    )


def main() -> None:
    parser = parser_for(__doc__)
    parser.add_argument("--kelompok", type=int, default=4000)
    parser.add_argument("--members", type=int, default=25)
    run_on_scratch(parser, run)


if __name__ == "__main__":
    main()
