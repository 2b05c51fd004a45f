"""The weekly lesson invitation: members of kelompok in one time zone who still have a session to read
get one message naming the session to read next. One per member per ISO week, whatever the retries."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

from sqlalchemy import and_, select
from sqlalchemy.ext.asyncio import AsyncSession

from bot.db import outbox
from bot.db.models import Identity, Kelompok, LessonProgress, Membership, User

SESSIONS = range(1, 15)


def next_session(completed: set[int], in_progress: list[int]) -> int | None:
    """The session being read (most recent first) if unfinished, else the lowest unread one."""
    for number in in_progress:
        if number not in completed:
            return number
    return next((n for n in SESSIONS if n not in completed), None)


async def plan_nudges(session: AsyncSession, timezone: str, now: datetime) -> int:
    year, week, _ = now.astimezone(ZoneInfo(timezone)).isocalendar()
    members = (
        await session.execute(
            select(User.id, Identity.id)
            .join(Membership, and_(Membership.user_id == User.id, Membership.left_at.is_(None)))
            .join(Kelompok, and_(Kelompok.id == Membership.kelompok_id, Kelompok.deleted_at.is_(None)))
            .join(Identity, and_(Identity.user_id == User.id, Identity.reachable.is_(True)))
            .where(Kelompok.timezone == timezone, User.stopped_at.is_(None))
            .order_by(User.id, Identity.id)
        )
    ).all()
    identity_of = {user_id: identity_id for user_id, identity_id in members}
    progress: dict[int, tuple[set[int], list[int]]] = {uid: (set(), []) for uid in identity_of}
    rows = await session.execute(
        select(LessonProgress.user_id, LessonProgress.session_number, LessonProgress.completed_at)
        .where(LessonProgress.user_id.in_(list(identity_of)))
        .order_by(LessonProgress.updated_at.desc())
    )
    for user_id, read, completed_at in rows:
        completed, reading = progress[user_id]
        if completed_at:
            completed.add(read)
        else:
            reading.append(read)
    planned = []
    for user_id, identity_id in identity_of.items():
        suggested = next_session(*progress[user_id])
        if suggested is not None:
            key = f"nudge:{year}-W{week:02d}:{user_id}"
            planned.append(outbox.Planned(key, "nudge", user_id, identity_id, {"session": suggested}, now))
    await outbox.plan(session, planned, now)
    return len(planned)
