"""RSVPs: one answer per member and meeting, changed in place."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from bot.core.ports import RsvpView
from bot.db.models import Rsvp


class SqlRsvpReader:
    def __init__(self, session: AsyncSession) -> None:
        self._session = session

    async def of_user(self, meeting_id: int, user_id: int) -> RsvpView | None:
        row = await self._session.scalar(
            select(Rsvp).where(Rsvp.meeting_id == meeting_id, Rsvp.user_id == user_id)
        )
        return RsvpView(row.answer, row.reason) if row else None


async def record_rsvp(
    session: AsyncSession, meeting_id: int, user_id: int, answer: str, reason: str | None, now: datetime
) -> None:
    row = await session.scalar(select(Rsvp).where(Rsvp.meeting_id == meeting_id, Rsvp.user_id == user_id))
    if row is None:
        session.add(
            Rsvp(meeting_id=meeting_id, user_id=user_id, answer=answer, reason=reason, updated_at=now)
        )
    else:
        row.answer, row.reason, row.updated_at = answer, reason, now
