"""Demo data for `p2k2-bot chat --demo`: a pendamping (reachable from the terminal as "pendamping"),
the kelompok Sirnajaya 1 and its next meeting; for the terminal demo also eight members who agreed and
answered, and a meeting that has passed. Seeding twice changes nothing."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, time, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from bot.core.content import Curriculum
from bot.core.users import Role
from bot.db.models import (
    Consent,
    Identity,
    Kelompok,
    LessonProgress,
    Meeting,
    Membership,
    Pendamping,
    QuizAnswer,
    Rsvp,
    User,
)
from handlers.onboarding import CONSENT_VERSION

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


async def has_kelompok(session: AsyncSession) -> bool:
    return await session.scalar(select(Kelompok.id).limit(1)) is not None


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


@dataclass(frozen=True)
class DemoMember:
    """One seeded KPM: RSVPs to the past and the upcoming meeting ("" = no answer), how many of the
    session 1 quiz questions they got right (None = quiz not taken), and whether they read session 1."""

    name: str
    past_rsvp: str
    next_rsvp: str
    right: int | None
    read: bool
    reason: str | None = None


DEMO_MEMBERS = (
    DemoMember("Ibu Siti Aminah", "yes", "yes", 5, True),
    DemoMember("Ibu Dewi Lestari", "yes", "yes", 4, True),
    DemoMember("Ibu Nur Hasanah", "yes", "maybe", 3, True),
    DemoMember("Ibu Yati Suryati", "no", "no", None, False, "Anak sakit"),
    DemoMember("Bapak Ujang Saepudin", "yes", "", 2, True),
    DemoMember("Ibu Ratna Sari", "maybe", "yes", 5, True),
    DemoMember("Ibu Eni Kurniasih", "", "", None, False),
    DemoMember("Ibu Lilis Suryani", "yes", "yes", 4, False),
)
MEMBER_ADDRESS = "anggota-{n}"  # `p2k2-bot chat --chat anggota-1` talks as Ibu Siti Aminah


def last_saturday_nine(now: datetime) -> datetime:
    """The last Saturday 09.00 WIB at least a day ago, so the meeting has clearly passed."""
    local = now.astimezone(ZoneInfo(DEMO_TIMEZONE)) - timedelta(days=1)
    days = (local.weekday() - 5) % 7
    return datetime.combine(local.date() - timedelta(days=days), time(9), ZoneInfo(DEMO_TIMEZONE))


async def seed_demo_members(
    session: AsyncSession, now: datetime, locale: str, curriculum: Curriculum, demo: DemoData
) -> int:
    """Members for the terminal demo, so Kehadiran, Hasil kuis and Jawaban anggota have something to
    show at once; returns how many members the demo kelompok has. Kept out of `seed_demo`, whose
    kelompok the conversation tests expect to start empty."""
    past = await session.scalar(
        select(Meeting).where(Meeting.kelompok_id == demo.kelompok_id, Meeting.starts_at <= now)
    )
    if past is None:
        past = Meeting(
            kelompok_id=demo.kelompok_id,
            session_number=1,
            starts_at=last_saturday_nine(now),
            place="Balai Desa Sirnajaya",
            created_at=now - timedelta(days=14),
            updated_at=now - timedelta(days=14),
        )
        session.add(past)
        await session.flush()
    lesson = curriculum.session(1)
    for n, member in enumerate(DEMO_MEMBERS, 1):
        address = MEMBER_ADDRESS.format(n=n)
        known = await session.scalar(
            select(Identity.id).where(Identity.channel == "console", Identity.address == address)
        )
        if known is not None:
            continue
        joined = now - timedelta(days=30)
        user = User(role=Role.KPM.value, display_name=member.name, locale=locale, created_at=joined)
        session.add(user)
        await session.flush()
        session.add_all(
            [
                Identity(user_id=user.id, channel="console", address=address, created_at=joined),
                Consent(user_id=user.id, text_version=CONSENT_VERSION, given_at=joined),
                Membership(user_id=user.id, kelompok_id=demo.kelompok_id, joined_at=joined),
            ]
        )
        for meeting_id, answer in ((past.id, member.past_rsvp), (demo.meeting_id, member.next_rsvp)):
            if answer:
                reason = member.reason if answer == "no" else None
                session.add(
                    Rsvp(meeting_id=meeting_id, user_id=user.id, answer=answer, reason=reason, updated_at=now)
                )
        if lesson is not None and member.read:
            session.add(
                LessonProgress(
                    user_id=user.id,
                    session_number=1,
                    last_card_id=lesson.cards[-1].id,
                    completed_at=now - timedelta(days=3),
                    updated_at=now - timedelta(days=3),
                )
            )
        if lesson is not None and member.right is not None:
            for i, question in enumerate(lesson.quiz):
                right = i < member.right
                wrong = next(j for j in range(len(question.options)) if j != question.correct_index)
                session.add(
                    QuizAnswer(
                        user_id=user.id,
                        session_number=1,
                        question_id=question.id,
                        choice=question.correct_index if right else wrong,
                        correct=right,
                        attempt=1,
                        answered_at=now - timedelta(days=2),
                    )
                )
    await session.flush()
    members = await session.scalar(
        select(func.count(Membership.id)).where(
            Membership.kelompok_id == demo.kelompok_id, Membership.left_at.is_(None)
        )
    )
    return int(members or 0)
