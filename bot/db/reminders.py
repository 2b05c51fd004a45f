"""Planning what the outbox should send about meetings: the invitation and reminders for every member
who may come, and notices when a meeting moves or is cancelled. Keys carry the meeting's version, so
reminders planned for an old time can never be sent for the new one."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import and_, select
from sqlalchemy.ext.asyncio import AsyncSession

from bot.core.reminders import MeetingMessage, ReminderPolicy, announce_time, plan_meeting
from bot.db import outbox
from bot.db.models import Identity, Kelompok, Meeting, Membership, OutboxMessage, Rsvp, User

INVITATION, REMINDER = "invitation", "reminder"
MEETING_KINDS = (INVITATION, REMINDER)  # dropped when the meeting moves or a member declines


async def recipients(
    session: AsyncSession, kelompok_id: int, user_ids: list[int] | None = None, include_stopped: bool = False
) -> list[tuple[int, int]]:
    """(user id, identity id) of current members who can be reached, one identity each (the newest)."""
    query = (
        select(User.id, Identity.id)
        .join(Membership, and_(Membership.user_id == User.id, Membership.left_at.is_(None)))
        .join(Identity, and_(Identity.user_id == User.id, Identity.reachable.is_(True)))
        .where(Membership.kelompok_id == kelompok_id)
        .order_by(User.id, Identity.id)
    )
    if not include_stopped:
        query = query.where(User.stopped_at.is_(None))
    if user_ids is not None:
        query = query.where(User.id.in_(user_ids))
    chosen: dict[int, int] = {}
    for user_id, identity_id in await session.execute(query):
        chosen[user_id] = identity_id
    return list(chosen.items())


async def plan_reminders(
    session: AsyncSession,
    meeting_id: int,
    policy: ReminderPolicy,
    now: datetime,
    user_ids: list[int] | None = None,
    invite: bool = False,
) -> int:
    """Plans what is still ahead for the meeting's members (or just `user_ids`): the reminders, and with
    `invite` the invitation first. Returns how many rows."""
    row = (
        await session.execute(
            select(Meeting, Kelompok.timezone)
            .join(Kelompok, Kelompok.id == Meeting.kelompok_id)
            .where(Meeting.id == meeting_id)
        )
    ).first()
    if row is None:
        return 0
    meeting, timezone = row
    if meeting.status != "scheduled":
        return 0
    declined = set(
        (
            await session.scalars(
                select(Rsvp.user_id).where(Rsvp.meeting_id == meeting_id, Rsvp.answer == "no")
            )
        ).all()
    )
    steps = plan_meeting(meeting.starts_at, now, timezone, policy, invite)
    planned = [
        outbox.Planned(
            dedupe_key=_key(meeting, step, user_id),
            kind=INVITATION if step.is_invitation else REMINDER,
            user_id=user_id,
            identity_id=identity_id,
            payload={"version": meeting.version, "step": step.step.value},
            due_at=step.due,
            meeting_id=meeting.id,
        )
        for user_id, identity_id in await recipients(session, meeting.kelompok_id, user_ids)
        if user_id not in declined
        for step in steps
    ]
    await outbox.plan(session, planned, now, revive=True)
    return len(planned)


def _key(meeting: Meeting, step: MeetingMessage, user_id: int) -> str:
    if step.is_invitation:
        return f"{INVITATION}:{meeting.id}:{meeting.version}:{user_id}"
    minutes = int((meeting.starts_at - step.due).total_seconds() // 60)
    return f"{REMINDER}:{meeting.id}:{meeting.version}:{minutes}:{user_id}"


async def plan_for_member(session: AsyncSession, user_id: int, policy: ReminderPolicy, now: datetime) -> None:
    """A member who joined (or resumed messages) after planning gets the invitation and the reminders
    still ahead (an invitation already sent is not sent again: its key is the same)."""
    kelompok_id = await session.scalar(
        select(Membership.kelompok_id).where(Membership.user_id == user_id, Membership.left_at.is_(None))
    )
    if kelompok_id is None:
        return
    meeting_ids = (
        await session.scalars(
            select(Meeting.id).where(
                Meeting.kelompok_id == kelompok_id, Meeting.status == "scheduled", Meeting.starts_at > now
            )
        )
    ).all()
    for meeting_id in meeting_ids:
        await plan_reminders(session, meeting_id, policy, now, [user_id], invite=True)


async def drop_reminders(session: AsyncSession, meeting_id: int, user_id: int | None = None) -> None:
    conditions = [OutboxMessage.kind.in_(MEETING_KINDS), OutboxMessage.meeting_id == meeting_id]
    if user_id is not None:
        conditions.append(OutboxMessage.user_id == user_id)
    await outbox.cancel(session, *conditions, reason="meeting changed or member declined")


async def notify_change(
    session: AsyncSession, meeting: Meeting, change: str, policy: ReminderPolicy, now: datetime
) -> int:
    """Tells every reachable member once that the meeting moved or was cancelled, outside quiet hours."""
    kelompok = await session.get(Kelompok, meeting.kelompok_id)
    assert kelompok is not None  # a meeting's kelompok is a foreign key
    due = announce_time(now, meeting.starts_at, kelompok.timezone, policy.quiet)
    key = f"meeting_{change}:{meeting.id}:{meeting.version}"
    planned = [
        outbox.Planned(
            dedupe_key=f"{key}:{user_id}",
            kind="meeting_change",
            user_id=user_id,
            identity_id=identity_id,
            payload={"change": change, "version": meeting.version},
            due_at=due,
            meeting_id=meeting.id,
        )
        for user_id, identity_id in await recipients(session, meeting.kelompok_id, include_stopped=True)
    ]
    await outbox.plan(session, planned, now)
    return len(planned)
