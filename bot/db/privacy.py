"""Consent, stopping messages, and deleting a user's personal data (UU PDP: withdrawal and erasure)."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import delete, update
from sqlalchemy.ext.asyncio import AsyncSession

from bot.db import questions
from bot.db.models import Consent, OutboxMessage, User


async def record_consent(session: AsyncSession, user_id: int, text_version: str, now: datetime) -> None:
    session.add(Consent(user_id=user_id, text_version=text_version, given_at=now))


async def set_stopped(session: AsyncSession, user_id: int, stopped_at: datetime | None) -> None:
    await session.execute(update(User).where(User.id == user_id).values(stopped_at=stopped_at))
    if stopped_at is not None:
        await session.execute(
            update(OutboxMessage)
            .where(OutboxMessage.user_id == user_id, OutboxMessage.status == "pending")
            .values(status="cancelled", last_error="recipient stopped messages")
        )


async def delete_personal_data(session: AsyncSession, user_id: int) -> None:
    """Deleting the user row cascades to identities, memberships, RSVPs (with their free-text reasons),
    lesson progress, dialog state, consent and pending messages. Quiz answers and attendance keep their
    counts with the user id set to NULL; the audit log holds internal ids only. Questions to the pendamping
    cascade too, and the notices that carried them to the pendamping are deleted."""
    await session.flush()
    await questions.forget(session, user_id)
    await session.execute(delete(User).where(User.id == user_id).execution_options(synchronize_session=False))
    session.expunge_all()
