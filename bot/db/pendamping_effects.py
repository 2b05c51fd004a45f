"""Persistence of what a pendamping does in the chat. Each write checks ownership again, so even a
handler bug cannot let one pendamping change another's kelompok: the transaction fails instead."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from bot.core.reminders import ReminderPolicy
from bot.core.users import Role
from bot.db import outbox, reminders
from bot.db.audit import audit
from bot.db.models import Attendance, Broadcast, Kelompok, Meeting, Membership, Pendamping, User


class NotAllowed(Exception):
    """A write that the acting pendamping may not make."""


async def owned_kelompok(session: AsyncSession, pendamping_id: int | None, kelompok_id: int) -> Kelompok:
    kelompok = await session.get(Kelompok, kelompok_id)
    if (
        pendamping_id is None
        or kelompok is None
        or kelompok.pendamping_id != pendamping_id
        or kelompok.deleted_at
    ):
        raise NotAllowed(f"kelompok {kelompok_id}")
    return kelompok


async def owned_meeting(session: AsyncSession, pendamping_id: int | None, meeting_id: int) -> Meeting:
    meeting = await session.get(Meeting, meeting_id)
    if meeting is None:
        raise NotAllowed(f"meeting {meeting_id}")
    await owned_kelompok(session, pendamping_id, meeting.kelompok_id)
    return meeting


async def claim_role(session: AsyncSession, user_id: int, pendamping_id: int, now: datetime) -> None:
    pendamping = await session.get(Pendamping, pendamping_id)
    if pendamping is None or pendamping.claimed_at is not None or pendamping.user_id is not None:
        raise NotAllowed("claim code already used")
    if pendamping.claim_expires_at is not None and pendamping.claim_expires_at <= now:
        raise NotAllowed("claim code expired")
    pendamping.user_id, pendamping.claimed_at = user_id, now
    user = await session.get(User, user_id)
    assert user is not None
    user.role = Role.PENDAMPING.value
    audit(session, now, user_id, "role.claim", "pendamping", pendamping_id)


async def create_kelompok(
    session: AsyncSession, actor: int, pendamping_id: int | None, values: dict[str, str], now: datetime
) -> Kelompok:
    if pendamping_id is None:
        raise NotAllowed("not a pendamping")
    kelompok = Kelompok(pendamping_id=pendamping_id, created_at=now, **values)
    session.add(kelompok)
    await session.flush()
    audit(session, now, actor, "kelompok.create", "kelompok", kelompok.id)
    return kelompok


async def schedule_meeting(
    session: AsyncSession,
    actor: int,
    pendamping_id: int | None,
    kelompok_id: int,
    session_number: int,
    starts_at: datetime,
    place: str,
    policy: ReminderPolicy,
    now: datetime,
) -> Meeting:
    await owned_kelompok(session, pendamping_id, kelompok_id)
    meeting = Meeting(
        kelompok_id=kelompok_id,
        session_number=session_number,
        starts_at=starts_at,
        place=place,
        created_at=now,
        updated_at=now,
    )
    session.add(meeting)
    await session.flush()
    await reminders.plan_reminders(session, meeting.id, policy, now, invite=True)
    audit(session, now, actor, "meeting.create", "meeting", meeting.id)
    return meeting


async def reschedule_meeting(
    session: AsyncSession,
    actor: int,
    pendamping_id: int | None,
    meeting_id: int,
    starts_at: datetime,
    place: str,
    policy: ReminderPolicy,
    now: datetime,
) -> None:
    meeting = await owned_meeting(session, pendamping_id, meeting_id)
    await reminders.drop_reminders(session, meeting.id)
    meeting.starts_at, meeting.place, meeting.updated_at = starts_at, place, now
    meeting.version += 1
    await session.flush()
    await reminders.notify_change(session, meeting, "rescheduled", policy, now)
    await reminders.plan_reminders(session, meeting.id, policy, now)
    audit(session, now, actor, "meeting.reschedule", "meeting", meeting.id, version=meeting.version)


async def cancel_meeting(
    session: AsyncSession,
    actor: int,
    pendamping_id: int | None,
    meeting_id: int,
    policy: ReminderPolicy,
    now: datetime,
) -> None:
    meeting = await owned_meeting(session, pendamping_id, meeting_id)
    if meeting.status == "cancelled":
        return
    await reminders.drop_reminders(session, meeting.id)
    meeting.status, meeting.updated_at = "cancelled", now
    await session.flush()
    await reminders.notify_change(session, meeting, "cancelled", policy, now)
    audit(session, now, actor, "meeting.cancel", "meeting", meeting.id)


async def record_attendance(
    session: AsyncSession,
    pendamping_id: int | None,
    meeting_id: int,
    user_id: int,
    present: bool,
    now: datetime,
) -> None:
    meeting = await owned_meeting(session, pendamping_id, meeting_id)
    member = await session.scalar(
        select(Membership.id).where(
            Membership.user_id == user_id,
            Membership.kelompok_id == meeting.kelompok_id,
            Membership.left_at.is_(None),
        )
    )
    if member is None:
        raise NotAllowed(f"user {user_id} is not a member of meeting {meeting_id}'s kelompok")
    row = await session.scalar(
        select(Attendance).where(Attendance.meeting_id == meeting_id, Attendance.user_id == user_id)
    )
    if row is None:
        session.add(
            Attendance(
                meeting_id=meeting_id,
                user_id=user_id,
                present=present,
                recorded_by=pendamping_id,
                recorded_at=now,
            )
        )
    else:
        row.present, row.recorded_by, row.recorded_at = present, pendamping_id, now


async def queue_broadcast(
    session: AsyncSession,
    actor: int,
    pendamping_id: int | None,
    kelompok_ids: tuple[int, ...],
    text: str,
    now: datetime,
) -> list[int]:
    """One broadcast per kelompok; one outbox row per member who can be reached and did not stop messages."""
    pendamping = await session.get(Pendamping, pendamping_id) if pendamping_id else None
    ids = []
    for kelompok_id in kelompok_ids:
        await owned_kelompok(session, pendamping_id, kelompok_id)
        members = await reminders.recipients(session, kelompok_id)
        broadcast = Broadcast(
            pendamping_id=pendamping_id,
            kelompok_id=kelompok_id,
            text=text,
            recipients=len(members),
            created_at=now,
        )
        session.add(broadcast)
        await session.flush()
        payload = {"text": text, "from": pendamping.name if pendamping else ""}
        await outbox.plan(
            session,
            [
                outbox.Planned(
                    f"broadcast:{broadcast.id}:{user_id}",
                    "broadcast",
                    user_id,
                    identity_id,
                    payload,
                    now,
                    broadcast_id=broadcast.id,
                )
                for user_id, identity_id in members
            ],
            now,
        )
        audit(
            session,
            now,
            actor,
            "broadcast.queue",
            "kelompok",
            kelompok_id,
            broadcast=broadcast.id,
            recipients=len(members),
        )
        ids.append(broadcast.id)
    return ids
