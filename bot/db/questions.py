"""Members' questions to their pendamping: reading them (scoped in SQL to the pendamping of the kelompok
they were asked in), storing a question with a notice to the pendamping, and an answer with a notice to
the member. The notices are outbox rows keyed by the question, so HAPUS DATA can find and delete them."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import Select, delete, func, select
from sqlalchemy.ext.asyncio import AsyncSession

from bot.core.ports import QuestionView
from bot.db import outbox
from bot.db.audit import audit
from bot.db.models import Identity, Kelompok, MemberQuestion, OutboxMessage, Pendamping, User
from bot.db.pendamping_effects import NotAllowed, owned_kelompok

OPEN, ANSWERED, CLOSED = "open", "answered", "closed"


def _asked_key(question_id: int) -> str:
    return f"question:{question_id}:asked"


class SqlQuestionReader:
    def __init__(self, session: AsyncSession) -> None:
        self._session = session

    def _owned(self, pendamping_id: int) -> Select[MemberQuestion, str | None, str, str]:
        return (
            select(MemberQuestion, User.display_name, Kelompok.name, Kelompok.timezone)
            .join(User, User.id == MemberQuestion.user_id)
            .join(Kelompok, Kelompok.id == MemberQuestion.kelompok_id)
            .where(Kelompok.pendamping_id == pendamping_id, Kelompok.deleted_at.is_(None))
        )

    async def open_count(self, pendamping_id: int) -> int:
        query = (
            select(func.count(MemberQuestion.id))
            .join(Kelompok, Kelompok.id == MemberQuestion.kelompok_id)
            .where(
                Kelompok.pendamping_id == pendamping_id,
                Kelompok.deleted_at.is_(None),
                MemberQuestion.status == OPEN,
            )
        )
        return int(await self._session.scalar(query) or 0)

    async def open_questions(self, pendamping_id: int, limit: int) -> list[QuestionView]:
        query = (
            self._owned(pendamping_id)
            .where(MemberQuestion.status == OPEN)
            .order_by(MemberQuestion.asked_at.desc(), MemberQuestion.id.desc())
            .limit(limit)
        )
        return [_view(*row) for row in await self._session.execute(query)]

    async def question(self, pendamping_id: int, question_id: int) -> QuestionView | None:
        query = self._owned(pendamping_id).where(MemberQuestion.id == question_id)
        row = (await self._session.execute(query)).first()
        return _view(*row) if row else None


def _view(question: MemberQuestion, name: str | None, kelompok: str, zone: str) -> QuestionView:
    return QuestionView(
        question.id,
        name or f"#{question.user_id}",
        kelompok,
        zone,
        question.text,
        question.asked_at,
        question.status,
        question.answer,
    )


async def _identity(session: AsyncSession, user_id: int) -> int | None:
    """The reachable identity the user wrote from last."""
    rows = (
        await session.execute(
            select(Identity.id, Identity.last_inbound_at).where(
                Identity.user_id == user_id, Identity.reachable.is_(True)
            )
        )
    ).all()
    written = [r for r in rows if r[1] is not None]
    if written:
        return max(written, key=lambda r: (r[1], r[0]))[0]
    return max((r[0] for r in rows), default=None)


async def _notify(
    session: AsyncSession, key: str, kind: str, user_id: int, payload: dict[str, Any], now: datetime
) -> None:
    identity = await _identity(session, user_id)
    if identity is not None:
        await outbox.plan(session, [outbox.Planned(key, kind, user_id, identity, payload, now)], now)


async def ask(session: AsyncSession, user_id: int, kelompok_id: int | None, text: str, now: datetime) -> None:
    kelompok = await session.get(Kelompok, kelompok_id) if kelompok_id else None
    member = await session.get(User, user_id)
    if kelompok is None or kelompok.deleted_at or member is None:
        raise NotAllowed("a question needs a kelompok")
    question = MemberQuestion(user_id=user_id, kelompok_id=kelompok.id, text=text, asked_at=now)
    session.add(question)
    await session.flush()
    audit(session, now, user_id, "question.ask", "question", question.id)
    pendamping = await session.get(Pendamping, kelompok.pendamping_id)
    if pendamping is None or pendamping.user_id is None:  # not claimed yet: the list shows it later
        return
    payload = {"question": question.id, "member": member.display_name or "", "kelompok": kelompok.name}
    await _notify(
        session, _asked_key(question.id), "question", pendamping.user_id, {**payload, "text": text}, now
    )


async def _owned_open(
    session: AsyncSession, pendamping_id: int | None, question_id: int
) -> MemberQuestion | None:
    """The question if it is the pendamping's to handle; None when it was already answered or closed."""
    question = await session.get(MemberQuestion, question_id)
    if question is None:
        raise NotAllowed(f"question {question_id}")
    await owned_kelompok(session, pendamping_id, question.kelompok_id)
    return question if question.status == OPEN else None


async def answer(
    session: AsyncSession, actor: int, pendamping_id: int | None, question_id: int, text: str, now: datetime
) -> None:
    question = await _owned_open(session, pendamping_id, question_id)
    if question is None:
        return
    question.status, question.answer, question.answered_at, question.answered_by = (
        ANSWERED,
        text,
        now,
        pendamping_id,
    )
    pendamping = await session.get(Pendamping, pendamping_id)
    payload = {"question": question.id, "from": pendamping.name if pendamping else "", "asked": question.text}
    key = f"question:{question.id}:answer"
    await _notify(session, key, "answer", question.user_id, {**payload, "text": text}, now)
    audit(session, now, actor, "question.answer", "question", question.id)


async def close(
    session: AsyncSession, actor: int, pendamping_id: int | None, question_id: int, now: datetime
) -> None:
    question = await _owned_open(session, pendamping_id, question_id)
    if question is None:
        return
    question.status, question.answered_at, question.answered_by = CLOSED, now, pendamping_id
    audit(session, now, actor, "question.close", "question", question.id)


async def forget(session: AsyncSession, user_id: int) -> None:
    """Deletes the notices that carried the user's questions to the pendamping (their rows belong to
    the pendamping, so deleting the member does not cascade to them); the questions cascade."""
    ids = (await session.scalars(select(MemberQuestion.id).where(MemberQuestion.user_id == user_id))).all()
    if ids:
        keys = [_asked_key(i) for i in ids]
        await session.execute(
            delete(OutboxMessage)
            .where(OutboxMessage.dedupe_key.in_(keys))
            .execution_options(synchronize_session=False)
        )
