"""The APScheduler 3 scheduler. Exactly one process runs it (APScheduler 3 cannot share a job store);
jobs only decide *when*: each calls an injected coroutine, and the database decides what is due.
Sending is the delivery worker's job."""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable
from datetime import timedelta

from apscheduler.schedulers.asyncio import AsyncIOScheduler
from apscheduler.triggers.cron import CronTrigger
from apscheduler.triggers.interval import IntervalTrigger

log = logging.getLogger(__name__)
Job = Callable[[], Awaitable[object]]

# Telegram keeps unconfirmed updates for 24 hours and Meta retries webhooks for days: keep keys a week.
INBOUND_KEY_RETENTION = timedelta(days=7)
# Kelompok time zones: WIB (two IANA names), WITA, WIT.
ZONES = ("Asia/Jakarta", "Asia/Pontianak", "Asia/Makassar", "Asia/Jayapura")


def guarded(name: str, job: Job, on_error: Callable[[str], None]) -> Callable[[], Awaitable[None]]:
    async def run() -> None:
        try:
            await job()
        except Exception:
            on_error(name)
            log.exception("scheduled job failed", extra={"job": name})

    return run


def build_scheduler(
    prune_inbound_keys: Job,
    plan_nudges: Callable[[str], Awaitable[object]],
    nudge_day: str,
    nudge_hour: int,
    on_error: Callable[[str], None],
) -> AsyncIOScheduler:
    scheduler = AsyncIOScheduler(timezone="UTC")
    scheduler.add_job(
        guarded("prune_inbound_keys", prune_inbound_keys, on_error),
        IntervalTrigger(hours=6),
        id="prune_inbound_keys",
        coalesce=True,
        max_instances=1,
    )
    for zone in ZONES:

        async def nudge(zone: str = zone) -> None:
            await plan_nudges(zone)

        scheduler.add_job(
            guarded(f"nudge:{zone}", nudge, on_error),
            CronTrigger(day_of_week=nudge_day, hour=nudge_hour, timezone=zone),
            id=f"nudge:{zone}",
            coalesce=True,
            max_instances=1,
            misfire_grace_time=3600,
        )
    return scheduler
