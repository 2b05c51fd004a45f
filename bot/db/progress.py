"""Lesson progress and quiz answers."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import bindparam, func, insert, select
from sqlalchemy.ext.asyncio import AsyncSession

from bot.core.ports import ProgressView, QuizScore
from bot.db.dialect import PerDialect, upsert_insert
from bot.db.models import LessonProgress, QuizAnswer, table_of

_lessons, _answers = table_of(LessonProgress), table_of(QuizAnswer)
# Read on every quiz and lesson menu: built once, as plain rows (no ORM objects to track).
_LESSONS = (
    select(_lessons.c.session_number, _lessons.c.last_card_id, _lessons.c.completed_at)
    .where(_lessons.c.user_id == bindparam("user_id"))
    .order_by(_lessons.c.updated_at, _lessons.c.id)
)
_ANSWERS = (
    select(_answers.c.question_id, _answers.c.session_number, _answers.c.attempt, _answers.c.correct)
    .where(_answers.c.user_id == bindparam("user_id"))
    .order_by(_answers.c.id)
)
_ANSWER = insert(_answers)
_CARD = PerDialect(
    LessonProgress,
    lambda insert: insert.values(
        user_id=bindparam("user_id"),
        session_number=bindparam("number"),
        last_card_id=bindparam("card_id"),
        updated_at=bindparam("now"),
    ).on_conflict_do_update(
        index_elements=["user_id", "session_number"],
        set_={"last_card_id": bindparam("card_id"), "updated_at": bindparam("now")},
    ),
)


class SqlProgressReader:
    def __init__(self, session: AsyncSession) -> None:
        self._session = session

    async def of_user(self, user_id: int) -> ProgressView:
        lessons = (await self._session.execute(_LESSONS, {"user_id": user_id})).all()
        answers = (await self._session.execute(_ANSWERS, {"user_id": user_id})).all()
        # A question's latest answer counts, so retrying the missed ones raises the session's score.
        latest = {a.question_id: a for a in answers}
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
    await session.execute(
        _CARD(session),
        {"user_id": user_id, "number": number, "card_id": card_id, "now": now},
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
    await session.execute(
        _ANSWER,
        {
            "user_id": user_id,
            "session_number": number,
            "question_id": question_id,
            "choice": choice,
            "correct": correct,
            "attempt": attempt,
            "answered_at": now,
        },
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
