"""Demo data for `p2k2-bot chat --demo`: a pendamping (reachable from the terminal as "pendamping"),
the kelompok Sirnajaya 1 and its next meeting. Seeding twice changes nothing."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, time, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from bot.core.users import Role
from bot.db.models import Identity, Kelompok, Meeting, Pendamping, User

DEMO_JOIN_CODE = "SIRNA1"
DEMO_TIMEZONE = "Asia/Jakarta"
PENDAMPING_ADDRESS = "pendamping"


@dataclass(frozen=True)
class DemoData:
    join_code: str
    kelompok_id: int
    meeting_id: int


def next_saturday_nine(now: datetime) -> datetime:
    """The first Saturday 09.00 WIB at least two days away, so the meeting is always upcoming."""
    local = now.astimezone(ZoneInfo(DEMO_TIMEZONE)) + timedelta(days=2)
    days = (5 - local.weekday()) % 7
    return datetime.combine(local.date() + timedelta(days=days), time(9), ZoneInfo(DEMO_TIMEZONE))


async def seed_demo(session: AsyncSession, now: datetime, locale: str) -> DemoData:
    kelompok = await session.scalar(select(Kelompok).where(Kelompok.join_code == DEMO_JOIN_CODE))
    if kelompok is None:
        user = User(role=Role.PENDAMPING.value, display_name="Pendamping Demo", locale=locale, created_at=now)
        session.add(user)
        await session.flush()
        session.add(Identity(user_id=user.id, channel="console", address=PENDAMPING_ADDRESS, created_at=now))
        pendamping = Pendamping(name="Pendamping Demo", user_id=user.id, created_at=now, claimed_at=now)
        session.add(pendamping)
        await session.flush()
        kelompok = Kelompok(
            pendamping_id=pendamping.id,
            name="Sirnajaya 1",
            desa="Sirnajaya",
            kecamatan="Serang Baru",
            kabupaten="Bekasi",
            timezone=DEMO_TIMEZONE,
            join_code=DEMO_JOIN_CODE,
            created_at=now,
        )
        session.add(kelompok)
        await session.flush()
    meeting = await session.scalar(
        select(Meeting).where(
            Meeting.kelompok_id == kelompok.id, Meeting.status == "scheduled", Meeting.starts_at > now
        )
    )
    if meeting is None:
        meeting = Meeting(
            kelompok_id=kelompok.id,
            session_number=1,
            starts_at=next_saturday_nine(now),
            place="Balai Desa Sirnajaya",
            created_at=now,
            updated_at=now,
        )
        session.add(meeting)
        await session.flush()
    return DemoData(DEMO_JOIN_CODE, kelompok.id, meeting.id)
