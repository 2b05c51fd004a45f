"""Meeting queries used by handlers through the `MeetingReader` port."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Select, select
from sqlalchemy.ext.asyncio import AsyncSession

from bot.core.ports import MeetingView
from bot.db.audit import audit
from bot.db.models import Kelompok, Meeting


def _query() -> Select[Meeting, Kelompok]:
    return select(Meeting, Kelompok).join(Kelompok, Kelompok.id == Meeting.kelompok_id)


def meeting_view(meeting: Meeting, kelompok: Kelompok) -> MeetingView:
    return MeetingView(
        id=meeting.id,
        kelompok_id=kelompok.id,
        kelompok_name=kelompok.name,
        session_number=meeting.session_number,
        starts_at=meeting.starts_at,
        timezone=kelompok.timezone,
        place=meeting.place,
        status=meeting.status,
        version=meeting.version,
    )


class SqlMeetingReader:
    def __init__(self, session: AsyncSession) -> None:
        self._session = session

    async def next_meeting(self, kelompok_id: int, now: datetime) -> MeetingView | None:
        row = (
            await self._session.execute(
                _query()
                .where(
                    Meeting.kelompok_id == kelompok_id,
                    Meeting.status == "scheduled",
                    Meeting.starts_at > now,
                )
                .order_by(Meeting.starts_at)
                .limit(1)
            )
        ).first()
        return meeting_view(*row) if row else None

    async def get(self, meeting_id: int) -> MeetingView | None:
        row = (await self._session.execute(_query().where(Meeting.id == meeting_id))).first()
        return meeting_view(*row) if row else None


# Operator commands (`p2k2-bot meeting add`, `meeting list`).


async def create_meeting(
    session: AsyncSession,
    *,
    kelompok_id: int,
    session_number: int,
    starts_at: datetime,
    place: str,
    now: datetime,
) -> int:
    if starts_at <= now or not 1 <= session_number <= 14 or not place.strip():
        raise ValueError("a meeting needs a future time, a P2K2 session 1-14 and a place")
    meeting = Meeting(
        kelompok_id=kelompok_id,
        session_number=session_number,
        starts_at=starts_at,
        place=place.strip(),
        status="scheduled",
        version=1,
        created_at=now,
        updated_at=now,
    )
    session.add(meeting)
    await session.flush()
    audit(
        session,
        now,
        None,
        "meeting.create",
        "meeting",
        meeting.id,
        source="cli",
        kelompok_id=kelompok_id,
        session_number=session_number,
    )
    return meeting.id


async def upcoming_meetings(session: AsyncSession, kelompok_id: int, now: datetime) -> list[MeetingView]:
    rows = await session.execute(
        _query()
        .where(Meeting.kelompok_id == kelompok_id, Meeting.status == "scheduled", Meeting.starts_at > now)
        .order_by(Meeting.starts_at, Meeting.id)
    )
    return [meeting_view(*row) for row in rows]
