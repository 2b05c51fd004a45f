"""Persists the events a handler returned, inside the same transaction as its dialog state."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import select, update
from sqlalchemy.ext.asyncio import AsyncSession

from bot.core.events import (
    AccessRefused,
    AttendanceRecorded,
    BroadcastQueued,
    ConsentGiven,
    Event,
    ExportSent,
    KelompokCreated,
    KelompokJoined,
    LessonCardRead,
    LessonCompleted,
    LocaleChosen,
    MeetingCancelled,
    MeetingRescheduled,
    MeetingScheduled,
    MessagesResumed,
    MessagesStopped,
    NameSet,
    PendampingClaimed,
    PersonalDataDeleted,
    QuestionAnswered,
    QuestionAsked,
    QuestionClosed,
    QuizAnswered,
    RsvpRecorded,
)
from bot.core.reminders import ReminderPolicy
from bot.core.users import UserView
from bot.db import pendamping_effects as pendamping
from bot.db import privacy, progress, questions, reminders
from bot.db.audit import audit
from bot.db.models import Membership, User
from bot.db.rsvps import record_rsvp


async def apply_events(
    session: AsyncSession, user: UserView, events: tuple[Event, ...], now: datetime, policy: ReminderPolicy
) -> None:
    me = user.pendamping_id
    for event in events:
        match event:
            case LocaleChosen(locale=locale):
                await session.execute(update(User).where(User.id == user.id).values(locale=locale))
            case NameSet(name=name):
                await session.execute(update(User).where(User.id == user.id).values(display_name=name))
            case ConsentGiven(text_version=version):
                await privacy.record_consent(session, user.id, version, now)
            case KelompokJoined(kelompok_id=kelompok_id):
                await _join(session, user.id, kelompok_id, now)
                await reminders.plan_for_member(session, user.id, policy, now)
            case LessonCardRead(session_number=number, card_id=card_id):
                await progress.record_card(session, user.id, number, card_id, now)
            case LessonCompleted(session_number=number):
                await progress.record_completion(session, user.id, number, now)
            case QuizAnswered(session_number=number, question_id=qid, choice=choice, correct=ok, attempt=n):
                await progress.record_answer(session, user.id, number, qid, choice, ok, n, now)
            case RsvpRecorded(meeting_id=meeting_id, answer=answer, reason=reason):
                await record_rsvp(session, meeting_id, user.id, answer, reason, now)
                if answer == "no":  # no reminders for a meeting the member said they cannot attend
                    await reminders.drop_reminders(session, meeting_id, user.id)
                else:
                    await reminders.plan_reminders(session, meeting_id, policy, now, [user.id])
            case MessagesStopped():
                await privacy.set_stopped(session, user.id, now)
            case MessagesResumed():
                await privacy.set_stopped(session, user.id, None)
                await reminders.plan_for_member(session, user.id, policy, now)
            case PersonalDataDeleted():
                await privacy.delete_personal_data(session, user.id)
            case PendampingClaimed(pendamping_id=pendamping_id):
                await pendamping.claim_role(session, user.id, pendamping_id, now)
            case KelompokCreated() as created:
                values = {
                    "name": created.name,
                    "desa": created.desa,
                    "kecamatan": created.kecamatan,
                    "kabupaten": created.kabupaten,
                    "timezone": created.timezone,
                    "join_code": created.join_code,
                }
                await pendamping.create_kelompok(session, user.id, me, values, now)
            case MeetingScheduled(kelompok_id=kelompok_id, session_number=number, starts_at=at, place=place):
                await pendamping.schedule_meeting(
                    session, user.id, me, kelompok_id, number, at, place, policy, now
                )
            case MeetingRescheduled(meeting_id=meeting_id, starts_at=at, place=place):
                await pendamping.reschedule_meeting(session, user.id, me, meeting_id, at, place, policy, now)
            case MeetingCancelled(meeting_id=meeting_id):
                await pendamping.cancel_meeting(session, user.id, me, meeting_id, policy, now)
            case AttendanceRecorded(meeting_id=meeting_id, user_id=member, present=present):
                await pendamping.record_attendance(session, me, meeting_id, member, present, now)
            case BroadcastQueued(kelompok_ids=kelompok_ids, text=text):
                await pendamping.queue_broadcast(session, user.id, me, kelompok_ids, text, now)
            case ExportSent(kelompok_id=kelompok_id, format=fmt):
                audit(session, now, user.id, "export", "kelompok", kelompok_id, format=fmt)
            case QuestionAsked(text=text):
                await questions.ask(session, user.id, user.kelompok_id, text, now)
            case QuestionAnswered(question_id=question_id, text=text):
                await questions.answer(session, user.id, me, question_id, text, now)
            case QuestionClosed(question_id=question_id):
                await questions.close(session, user.id, me, question_id, now)
            case AccessRefused(action=action, target_type=target_type, target_id=target_id):
                audit(session, now, user.id, action, target_type, target_id, allowed=False)
            case _:
                raise TypeError(f"no persistence for event {type(event).__name__}")


async def _join(session: AsyncSession, user_id: int, kelompok_id: int, now: datetime) -> None:
    current = (
        await session.scalars(
            select(Membership).where(Membership.user_id == user_id, Membership.left_at.is_(None))
        )
    ).all()
    for membership in current:
        if membership.kelompok_id == kelompok_id:
            return
        membership.left_at = now
    session.add(Membership(user_id=user_id, kelompok_id=kelompok_id, joined_at=now))
