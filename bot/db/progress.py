"""Lesson progress and quiz answers."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from bot.core.ports import ProgressView, QuizScore
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


async def _lesson_row(session: AsyncSession, user_id: int, number: int, now: datetime) -> LessonProgress:
    row = await session.scalar(
        select(LessonProgress).where(
            LessonProgress.user_id == user_id, LessonProgress.session_number == number
        )
    )
    if row is None:
        row = LessonProgress(user_id=user_id, session_number=number, updated_at=now)
        session.add(row)
    return row


async def record_card(session: AsyncSession, user_id: int, number: int, card_id: str, now: datetime) -> None:
    row = await _lesson_row(session, user_id, number, now)
    row.last_card_id, row.updated_at = card_id, now


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
    row = await _lesson_row(session, user_id, number, now)
    row.completed_at = row.completed_at or now
    row.updated_at = now
