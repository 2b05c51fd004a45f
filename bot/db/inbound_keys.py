"""Inbound de-duplication: a provider message id is processed once, however often it is delivered."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import delete
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.ext.asyncio import AsyncSession

from bot.db.models import InboundKey


async def first_time(session: AsyncSession, channel: str, key: str, now: datetime) -> bool:
    """Records the key and says whether it is new. The row belongs to the caller's transaction, so a
    message whose handling fails is not marked as seen and its redelivery is processed."""
    insert = pg_insert if session.get_bind().dialect.name == "postgresql" else sqlite_insert
    result = await session.execute(
        insert(InboundKey).values(channel=channel, key=key, received_at=now).on_conflict_do_nothing()
    )
    return bool(getattr(result, "rowcount", 0))


async def prune(session: AsyncSession, older_than: datetime) -> int:
    result = await session.execute(delete(InboundKey).where(InboundKey.received_at < older_than))
    return int(getattr(result, "rowcount", 0) or 0)
