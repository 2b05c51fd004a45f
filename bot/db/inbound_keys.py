"""Inbound de-duplication: a provider message id is processed once, however often it is delivered."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import bindparam, delete
from sqlalchemy.ext.asyncio import AsyncSession

from bot.db.dialect import PerDialect
from bot.db.models import InboundKey

# Every channel message runs this.
_RECORD = PerDialect(
    InboundKey,
    lambda insert: insert.values(
        channel=bindparam("channel"), key=bindparam("key"), received_at=bindparam("now")
    ).on_conflict_do_nothing(),
)


async def first_time(session: AsyncSession, channel: str, key: str, now: datetime) -> bool:
    """Records the key and says whether it is new. The row belongs to the caller's transaction, so a
    message whose handling fails is not marked as seen and its redelivery is processed."""
    result = await session.execute(_RECORD(session), {"channel": channel, "key": key, "now": now})
    return bool(getattr(result, "rowcount", 0))


async def prune(session: AsyncSession, older_than: datetime) -> int:
    result = await session.execute(delete(InboundKey).where(InboundKey.received_at < older_than))
    return int(getattr(result, "rowcount", 0) or 0)
