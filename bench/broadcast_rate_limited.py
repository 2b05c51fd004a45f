"""A broadcast through a fake channel that enforces a platform limit (default 30 messages/s, answering
429 beyond it) with the bot's own limit at its default (TELEGRAM_RATE_LIMIT = 25/s). Prints the wall time
against the floor the bot's limit sets (recipients / limit seconds) and the 429s provoked.

    python bench/broadcast_rate_limited.py [--recipients 10000] [--platform-limit 30] [--bot-limit 25]
"""

from __future__ import annotations

import argparse
import asyncio
import time
from collections import deque
from datetime import UTC, datetime

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
from bot.core.delivery import Envelope, Outcome, RetryLater, Sent
from bot.delivery import DeliveryConfig, DeliveryWorker
from bot.pacing import PacedSender


class LimitedChannel:
    """Answers 429 (retry after 1 s) when more than `limit` messages arrive within one second."""

    channel = "bench"

    def __init__(self, limit: int) -> None:
        self._limit = limit
        self._recent: deque[float] = deque()
        self.sent = 0
        self.too_many = 0

    async def send(self, envelope: Envelope) -> Outcome:
        now = time.monotonic()
        while self._recent and now - self._recent[0] >= 1.0:
            self._recent.popleft()
        if len(self._recent) >= self._limit:
            self.too_many += 1
            return RetryLater(1, "Too Many Requests: retry after 1", pause_channel=True)
        self._recent.append(now)
        self.sent += 1
        return Sent((str(self.sent),))


async def run(url: str, args: argparse.Namespace) -> None:
    recipients, platform_limit, bot_limit = args.recipients, args.platform_limit, args.bot_limit
    db = await fresh_database(url)
    await queued_broadcast(db, recipients)
    channel = LimitedChannel(platform_limit)
    worker = DeliveryWorker(
        db,
        {"bench": PacedSender(channel, bot_limit)},
        load_curriculum(),
        load_translators(),
        "id",
        lambda: datetime.now(UTC),
        DeliveryConfig(batch_size=200),
    )
    started = time.perf_counter()
    last_report = started
    while channel.sent < recipients:
        if not await worker.run_once():
            await asyncio.sleep(0.05)
        if time.perf_counter() - last_report > 30:
            last_report = time.perf_counter()
            print(f"  ... {channel.sent}/{recipients} sent after {last_report - started:.0f} s", flush=True)
    elapsed = time.perf_counter() - started
    await db.close()
    floor = recipients / bot_limit
    print(f"database: {db.engine.dialect.name}; machine: {describe_machine()}")
    print(f"recipients: {recipients}; platform limit {platform_limit}/s; bot limit {bot_limit}/s")
    print(f"wall time: {elapsed:.1f} s; floor: {floor:.1f} s; ratio: {elapsed / floor:.3f} (target <= 1.05)")
    print(f"429 responses provoked: {channel.too_many} (target 0); peak RSS: {peak_rss_mb():.0f} MB")


def main() -> None:
    parser = parser_for(__doc__)
    parser.add_argument("--recipients", type=int, default=10000)
    parser.add_argument("--platform-limit", type=int, default=30)
    parser.add_argument("--bot-limit", type=int, default=25)
    run_on_scratch(parser, run)


if __name__ == "__main__":
    main()
