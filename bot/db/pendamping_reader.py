"""What a pendamping may read. Every query is scoped to the pendamping's own kelompok in SQL, so a
kelompok or meeting of another pendamping reads exactly like one that does not exist."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Select, and_, func, select
from sqlalchemy.ext.asyncio import AsyncSession

from bot.core.content import Curriculum
from bot.core.messages import Document
from bot.core.ports import (
    BroadcastStatus,
    ClaimView,
    KelompokView,
    MeetingView,
    MemberView,
    RsvpEntry,
    SessionResult,
)
from bot.db import exports
from bot.db.kelompok import SqlKelompokReader
from bot.db.meetings import meeting_view
from bot.db.models import (
    Attendance,
    Broadcast,
    Identity,
    Kelompok,
    Meeting,
    Membership,
    OutboxMessage,
    Pendamping,
    QuizAnswer,
    Rsvp,
    User,
)
from bot.db.pendamping import code_status


class SqlPendampingReader:
    def __init__(self, session: AsyncSession, curriculum: Curriculum) -> None:
        self._session = session
        self._curriculum = curriculum
        self._kelompok = SqlKelompokReader(session)

    async def claim(self, code: str, now: datetime) -> ClaimView | None:
        row = await self._session.scalar(
            select(Pendamping).where(Pendamping.claim_code == code.strip().upper())
        )
        return ClaimView(row.id, row.name, code_status(row, now).value) if row else None

    async def kelompok(self, pendamping_id: int, kelompok_id: int) -> KelompokView | None:
        view = await self._kelompok.get(kelompok_id)
        owner = await self._session.scalar(select(Kelompok.pendamping_id).where(Kelompok.id == kelompok_id))
        return view if view is not None and owner == pendamping_id else None

    async def members(self, pendamping_id: int, kelompok_id: int) -> list[MemberView] | None:
        if await self.kelompok(pendamping_id, kelompok_id) is None:
            return None
        reachable = (
            select(func.count(Identity.id))
            .where(Identity.user_id == User.id, Identity.reachable.is_(True))
            .scalar_subquery()
        )
        rows = await self._session.execute(
            select(User, reachable)
            .join(Membership, Membership.user_id == User.id)
            .where(Membership.kelompok_id == kelompok_id, Membership.left_at.is_(None))
            .order_by(User.display_name, User.id)
        )
        return [
            MemberView(user.id, user.display_name or f"#{user.id}", bool(count), user.stopped_at is not None)
            for user, count in rows
        ]

    def _owned_meetings(self, pendamping_id: int) -> Select[Meeting, Kelompok]:
        return (
            select(Meeting, Kelompok)
            .join(Kelompok, Kelompok.id == Meeting.kelompok_id)
            .where(Kelompok.pendamping_id == pendamping_id, Kelompok.deleted_at.is_(None))
        )

    async def meetings(self, pendamping_id: int, now: datetime, upcoming: bool) -> list[MeetingView]:
        query = self._owned_meetings(pendamping_id)
        if upcoming:
            query = query.where(Meeting.starts_at > now, Meeting.status == "scheduled").order_by(
                Meeting.starts_at
            )
        else:
            query = query.where(Meeting.starts_at <= now, Meeting.status == "scheduled").order_by(
                Meeting.starts_at.desc()
            )
        rows = await self._session.execute(query.limit(50))
        return [meeting_view(m, k) for m, k in rows]

    async def meeting(self, pendamping_id: int, meeting_id: int) -> MeetingView | None:
        row = (
            await self._session.execute(self._owned_meetings(pendamping_id).where(Meeting.id == meeting_id))
        ).first()
        return meeting_view(*row) if row else None

    async def rsvps(self, pendamping_id: int, meeting_id: int) -> list[RsvpEntry] | None:
        meeting = await self.meeting(pendamping_id, meeting_id)
        if meeting is None:
            return None
        rows = await self._session.execute(
            select(User.id, User.display_name, Rsvp.answer, Rsvp.reason)
            .join(Membership, Membership.user_id == User.id)
            .outerjoin(Rsvp, and_(Rsvp.user_id == User.id, Rsvp.meeting_id == meeting_id))
            .where(Membership.kelompok_id == meeting.kelompok_id, Membership.left_at.is_(None))
            .order_by(User.display_name, User.id)
        )
        return [RsvpEntry(uid, name or f"#{uid}", answer, reason) for uid, name, answer, reason in rows]

    async def attendance(self, pendamping_id: int, meeting_id: int) -> dict[int, bool] | None:
        if await self.meeting(pendamping_id, meeting_id) is None:
            return None
        rows = await self._session.execute(
            select(Attendance.user_id, Attendance.present).where(
                Attendance.meeting_id == meeting_id, Attendance.user_id.is_not(None)
            )
        )
        return {int(uid): bool(present) for uid, present in rows if uid is not None}

    async def results(self, pendamping_id: int, kelompok_id: int) -> list[SessionResult] | None:
        if await self.kelompok(pendamping_id, kelompok_id) is None:
            return None
        answers = (
            await self._session.execute(
                select(QuizAnswer.user_id, QuizAnswer.question_id, QuizAnswer.correct)
                .join(Membership, Membership.user_id == QuizAnswer.user_id)
                .where(Membership.kelompok_id == kelompok_id, Membership.left_at.is_(None))
                .order_by(QuizAnswer.id)
            )
        ).all()
        # Per member and question: the first answer (how hard it was) and the latest (the score).
        first: dict[tuple[int | None, str], bool] = {}
        latest: dict[tuple[int | None, str], bool] = {}
        for user_id, question_id, correct in answers:
            first.setdefault((user_id, question_id), bool(correct))
            latest[(user_id, question_id)] = bool(correct)
        results = []
        for session in self._curriculum.sessions:
            order = [q.id for q in session.quiz]
            right: dict[int | None, int] = {}
            for (user_id, question_id), correct in latest.items():
                if question_id in order:
                    right[user_id] = right.get(user_id, 0) + int(correct)
            if not right:
                continue
            answered = {q: sum(1 for (_, qid) in first if qid == q) for q in order}
            wrong = {q: sum(1 for (_, qid), ok in first.items() if qid == q and not ok) for q in order}
            # Most members wrong first; then the highest share; then the earlier question.
            ranked = sorted(order, key=lambda q: (-wrong[q], -wrong[q] / max(answered[q], 1), order.index(q)))
            hardest = ranked[0] if ranked and wrong[ranked[0]] else None
            results.append(
                SessionResult(
                    session.number,
                    len(right),
                    100 * sum(right.values()) / (len(right) * len(order)),
                    hardest,
                    100 * wrong[hardest] / answered[hardest] if hardest else 0.0,
                    wrong[hardest] if hardest else 0,
                    answered[hardest] if hardest else 0,
                )
            )
        return results

    async def broadcasts(self, pendamping_id: int, limit: int) -> list[BroadcastStatus]:
        newest = (
            select(Broadcast.id)
            .where(Broadcast.pendamping_id == pendamping_id)
            .order_by(Broadcast.created_at.desc(), Broadcast.id.desc())
            .limit(limit)
        )
        counts = await self._session.execute(
            select(Broadcast, Kelompok.name, OutboxMessage.status, func.count(OutboxMessage.id))
            .outerjoin(Kelompok, Kelompok.id == Broadcast.kelompok_id)
            .outerjoin(OutboxMessage, OutboxMessage.broadcast_id == Broadcast.id)
            .where(Broadcast.id.in_(newest))
            .group_by(Broadcast.id, Kelompok.name, OutboxMessage.status)
        )
        table: dict[int, tuple[Broadcast, str, dict[str, int]]] = {}
        for broadcast, name, status, count in counts:
            entry = table.setdefault(broadcast.id, (broadcast, name or "", {}))
            if status is not None:
                entry[2][status] = int(count)
        statuses = []
        newest_first = sorted(table.values(), key=lambda e: (e[0].created_at, e[0].id), reverse=True)
        for broadcast, name, by_status in newest_first:
            statuses.append(
                BroadcastStatus(
                    id=broadcast.id,
                    kelompok_name=name,
                    created_at=broadcast.created_at,
                    preview=broadcast.text[:60],
                    recipients=broadcast.recipients,
                    queued=by_status.get("pending", 0) + by_status.get("claimed", 0),
                    sent=by_status.get("sent", 0),
                    failed=by_status.get("failed", 0),
                    unreachable=by_status.get("unreachable", 0) + by_status.get("cancelled", 0),
                )
            )
        return statuses

    async def export(
        self, pendamping_id: int, kelompok_id: int, fmt: str, now: datetime
    ) -> tuple[Document, ...] | None:
        kelompok = await self.kelompok(pendamping_id, kelompok_id)
        if kelompok is None:
            return None
        return await exports.export_kelompok(self._session, kelompok, self._curriculum, fmt, now)
