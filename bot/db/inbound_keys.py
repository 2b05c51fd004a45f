"""Inbound de-duplication: a provider message id is processed once, however often it is delivered."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import delete
from sqlalchemy.ext.asyncio import AsyncSession

from bot.db.dialect import upsert_insert
from bot.db.models import InboundKey


async def first_time(session: AsyncSession, channel: str, key: str, now: datetime) -> bool:
    """Records the key and says whether it is new. The row belongs to the caller's transaction, so a
    message whose handling fails is not marked as seen and its redelivery is processed."""
    result = await session.execute(
        upsert_insert(session, InboundKey)
        .values(channel=channel, key=key, received_at=now)
        .on_conflict_do_nothing()
    )
    return bool(getattr(result, "rowcount", 0))


async def prune(session: AsyncSession, older_than: datetime) -> int:
    result = await session.execute(delete(InboundKey).where(InboundKey.received_at < older_than))
    return int(getattr(result, "rowcount", 0) or 0)
