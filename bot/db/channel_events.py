"""What channels report back: users blocking or unblocking the bot, and platforms' delivery statuses."""

from __future__ import annotations

from sqlalchemy import select, update

from bot.db.engine import Database
from bot.db.models import Identity, OutboxMessage

# Statuses only move forward: a late "delivered" never overwrites "read" (WhatsApp sends them in any
# order); "failed" is kept whatever arrives after it, with its error.
_RANK = {"sent": 1, "delivered": 2, "read": 3, "failed": 4}


class SqlChannelEvents:
    def __init__(self, db: Database) -> None:
        self._db = db

    async def reachability(self, channel: str, address: str, reachable: bool, reason: str) -> None:
        async with self._db.transaction() as session:
            await session.execute(
                update(Identity)
                .where(Identity.channel == channel, Identity.address == address)
                .values(reachable=reachable, unreachable_reason=None if reachable else reason[:200])
            )

    async def delivery_status(self, channel: str, provider_id: str, status: str, error: str | None) -> None:
        if status not in _RANK:
            return
        async with self._db.transaction() as session:
            row = await session.scalar(
                select(OutboxMessage)
                .where(OutboxMessage.provider_message_id == provider_id)
                .with_for_update()
            )
            if row is None or _RANK.get(row.provider_status or "", 0) >= _RANK[status]:
                return
            row.provider_status = status
            if status == "failed":
                row.status = "failed"
                row.last_error = (error or "failed")[:300]
