"""Progress reports to the pendamping: a broadcast to more than a few dozen people reports when it is
finished, and a large one also at each quarter along the way. Each report is an outbox message with its
own key, so it goes out once however many batches notice the milestone."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from bot.db import outbox
from bot.db.models import Broadcast, Identity, Kelompok, OutboxMessage, Pendamping

REPORT_FROM = 36  # "a few dozen": smaller broadcasts are checked with "status" in the chat
QUARTERS_FROM = 1000  # large ones also report at 25%, 50% and 75%
DONE = ("sent", "failed", "unreachable", "cancelled")


async def report_progress(session: AsyncSession, broadcast_ids: Iterable[int], now: datetime) -> int:
    planned = []
    for broadcast_id in set(broadcast_ids):
        broadcast = await session.get(Broadcast, broadcast_id)
        if broadcast is None or broadcast.recipients <= REPORT_FROM or broadcast.finished_at is not None:
            continue
        counts = dict(
            (
                await session.execute(
                    select(OutboxMessage.status, func.count(OutboxMessage.id))
                    .where(OutboxMessage.broadcast_id == broadcast_id)
                    .group_by(OutboxMessage.status)
                )
            ).all()
        )
        done = sum(counts.get(s, 0) for s in DONE)
        milestone = 4 if done >= broadcast.recipients else (4 * done // broadcast.recipients)
        if milestone == 4:
            broadcast.finished_at = now
        elif broadcast.recipients < QUARTERS_FROM or milestone == 0:
            continue
        target = (
            await session.execute(
                select(Pendamping.user_id, Identity.id, Kelompok.name)
                .join(Identity, Identity.user_id == Pendamping.user_id)
                .outerjoin(Kelompok, Kelompok.id == broadcast.kelompok_id)
                .where(Pendamping.id == broadcast.pendamping_id, Identity.reachable.is_(True))
                .order_by(Identity.id.desc())
                .limit(1)
            )
        ).first()
        if target is None:
            continue
        user_id, identity_id, kelompok_name = target
        if user_id is None:
            continue
        payload = {
            "kelompok": kelompok_name or "",
            "total": broadcast.recipients,
            "sent": counts.get("sent", 0),
            "failed": counts.get("failed", 0),
            "unreachable": counts.get("unreachable", 0) + counts.get("cancelled", 0),
            "finished": milestone == 4,
        }
        planned.append(
            outbox.Planned(
                f"broadcast_report:{broadcast_id}:{milestone}",
                "broadcast_report",
                user_id,
                identity_id,
                payload,
                now,
                broadcast_id=None,
            )
        )
    await outbox.plan(session, planned, now)
    return len(planned)
