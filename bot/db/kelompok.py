"""Kelompok queries used by handlers through the `KelompokReader` port."""

from __future__ import annotations

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from bot.core.ports import KelompokView
from bot.db.models import Kelompok, Membership


class SqlKelompokReader:
    def __init__(self, session: AsyncSession) -> None:
        self._session = session

    async def of_pendamping(self, pendamping_id: int) -> list[KelompokView]:
        members = (
            select(func.count(Membership.id))
            .where(Membership.kelompok_id == Kelompok.id, Membership.left_at.is_(None))
            .scalar_subquery()
        )
        rows = await self._session.execute(
            select(Kelompok, members)
            .where(Kelompok.pendamping_id == pendamping_id, Kelompok.deleted_at.is_(None))
            .order_by(Kelompok.name)
        )
        return [
            KelompokView(k.id, k.name, k.desa, k.timezone, k.join_code, int(count)) for k, count in rows.all()
        ]
