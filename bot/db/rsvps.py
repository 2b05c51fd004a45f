"""RSVPs: one answer per member and meeting, changed in place."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from bot.core.ports import RsvpView
from bot.db.dialect import PerDialect
from bot.db.models import Rsvp


class SqlRsvpReader:
    def __init__(self, session: AsyncSession) -> None:
        self._session = session

    async def of_user(self, meeting_id: int, user_id: int) -> RsvpView | None:
        row = await self._session.scalar(
            select(Rsvp).where(Rsvp.meeting_id == meeting_id, Rsvp.user_id == user_id)
        )
        return RsvpView(row.answer, row.reason) if row else None


_RECORD = PerDialect(
    Rsvp,
    lambda insert: insert.on_conflict_do_update(
        index_elements=["meeting_id", "user_id"],
        set_={name: insert.excluded[name] for name in ("answer", "reason", "updated_at")},
    ),
)


async def record_rsvp(
    session: AsyncSession, meeting_id: int, user_id: int, answer: str, reason: str | None, now: datetime
) -> None:
    row = {
        "meeting_id": meeting_id,
        "user_id": user_id,
        "answer": answer,
        "reason": reason,
        "updated_at": now,
    }
    await session.execute(_RECORD(session), row)
