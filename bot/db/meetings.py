"""Meeting queries used by handlers through the `MeetingReader` port."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from bot.core.ports import MeetingView
from bot.db.models import Kelompok, Meeting


class SqlMeetingReader:
    def __init__(self, session: AsyncSession) -> None:
        self._session = session

    async def next_meeting(self, kelompok_id: int, now: datetime) -> MeetingView | None:
        row = (
            await self._session.execute(
                select(Meeting, Kelompok)
                .join(Kelompok, Kelompok.id == Meeting.kelompok_id)
                .where(
                    Meeting.kelompok_id == kelompok_id,
                    Meeting.status == "scheduled",
                    Meeting.starts_at > now,
                )
                .order_by(Meeting.starts_at)
                .limit(1)
            )
        ).first()
        if row is None:
            return None
        meeting, kelompok = row
        return MeetingView(
            id=meeting.id,
            kelompok_name=kelompok.name,
            session_number=meeting.session_number,
            starts_at=meeting.starts_at,
            timezone=kelompok.timezone,
            place=meeting.place,
        )
