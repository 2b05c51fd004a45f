"""The APScheduler 3 scheduler. Exactly one process runs it (APScheduler 3 cannot share a job store);
every job is a thin call into an injected coroutine with one error boundary around it."""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable
from datetime import timedelta

from apscheduler.schedulers.asyncio import AsyncIOScheduler
from apscheduler.triggers.interval import IntervalTrigger

log = logging.getLogger(__name__)
Job = Callable[[], Awaitable[object]]

# Telegram keeps unconfirmed updates for 24 hours and Meta retries webhooks for days: keep keys a week.
INBOUND_KEY_RETENTION = timedelta(days=7)


def guarded(name: str, job: Job, on_error: Callable[[str], None]) -> Callable[[], Awaitable[None]]:
    async def run() -> None:
        try:
            await job()
        except Exception:
            on_error(name)
            log.exception("scheduled job failed", extra={"job": name})

    return run


def build_scheduler(prune_inbound_keys: Job, on_error: Callable[[str], None]) -> AsyncIOScheduler:
    scheduler = AsyncIOScheduler(timezone="UTC")
    scheduler.add_job(
        guarded("prune_inbound_keys", prune_inbound_keys, on_error),
        IntervalTrigger(hours=6),
        id="prune_inbound_keys",
        coalesce=True,
        max_instances=1,
    )
    return scheduler
