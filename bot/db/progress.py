"""Lesson progress and quiz answers."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from bot.core.ports import ProgressView, QuizScore
from bot.db.dialect import upsert_insert
from bot.db.models import LessonProgress, QuizAnswer


class SqlProgressReader:
    def __init__(self, session: AsyncSession) -> None:
        self._session = session

    async def of_user(self, user_id: int) -> ProgressView:
        lessons = (
            await self._session.scalars(
                select(LessonProgress)
                .where(LessonProgress.user_id == user_id)
                .order_by(LessonProgress.updated_at, LessonProgress.id)
            )
        ).all()
        answers = (
            await self._session.scalars(
                select(QuizAnswer).where(QuizAnswer.user_id == user_id).order_by(QuizAnswer.id)
            )
        ).all()
        # A question's latest answer counts, so retrying the missed ones raises the session's score.
        latest: dict[str, QuizAnswer] = {a.question_id: a for a in answers}
        scores: dict[int, QuizScore] = {}
        for answer in latest.values():
            old = scores.get(answer.session_number, QuizScore(answer.session_number, 0, 0, 0))
            scores[answer.session_number] = QuizScore(
                answer.session_number,
                max(old.attempt, answer.attempt),
                old.correct + int(answer.correct),
                old.answered + 1,
            )
        return ProgressView(
            last_cards={p.session_number: p.last_card_id for p in lessons if p.last_card_id},
            completed=frozenset(p.session_number for p in lessons if p.completed_at is not None),
            scores=scores,
            last_session=lessons[-1].session_number if lessons else None,
        )


async def record_card(session: AsyncSession, user_id: int, number: int, card_id: str, now: datetime) -> None:
    changed = {"last_card_id": card_id, "updated_at": now}
    await session.execute(
        upsert_insert(session, LessonProgress)
        .values(user_id=user_id, session_number=number, **changed)
        .on_conflict_do_update(index_elements=["user_id", "session_number"], set_=changed)
    )


async def record_answer(
    session: AsyncSession,
    user_id: int,
    number: int,
    question_id: str,
    choice: int,
    correct: bool,
    attempt: int,
    now: datetime,
) -> None:
    session.add(
        QuizAnswer(
            user_id=user_id,
            session_number=number,
            question_id=question_id,
            choice=choice,
            correct=correct,
            attempt=attempt,
            answered_at=now,
        )
    )


async def record_completion(session: AsyncSession, user_id: int, number: int, now: datetime) -> None:
    """The first completion counts: reading the session again keeps its date."""
    await session.execute(
        upsert_insert(session, LessonProgress)
        .values(user_id=user_id, session_number=number, completed_at=now, updated_at=now)
        .on_conflict_do_update(
            index_elements=["user_id", "session_number"],
            set_={"completed_at": func.coalesce(LessonProgress.completed_at, now), "updated_at": now},
        )
    )
