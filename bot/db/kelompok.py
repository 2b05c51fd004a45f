"""Kelompok queries used by handlers through the `KelompokReader` port."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import Select, func, or_, select
from sqlalchemy.ext.asyncio import AsyncSession

from bot.core.ports import KelompokView
from bot.db.audit import audit
from bot.db.codes import unused_code
from bot.db.models import Kelompok, Membership, Pendamping


def _with_counts() -> Select[Kelompok, int, str]:
    members = (
        select(func.count(Membership.id))
        .where(Membership.kelompok_id == Kelompok.id, Membership.left_at.is_(None))
        .scalar_subquery()
    )
    return (
        select(Kelompok, members, Pendamping.name)
        .join(Pendamping, Pendamping.id == Kelompok.pendamping_id)
        .where(Kelompok.deleted_at.is_(None))
    )


def _view(k: Kelompok, count: int, pendamping_name: str) -> KelompokView:
    return KelompokView(k.id, k.name, k.desa, k.timezone, k.join_code, int(count), pendamping_name)


class SqlKelompokReader:
    def __init__(self, session: AsyncSession) -> None:
        self._session = session

    async def of_pendamping(self, pendamping_id: int) -> list[KelompokView]:
        rows = await self._session.execute(
            _with_counts().where(Kelompok.pendamping_id == pendamping_id).order_by(Kelompok.name)
        )
        return [_view(*row) for row in rows]

    async def by_join_code(self, code: str, now: datetime) -> KelompokView | None:
        row = (
            await self._session.execute(
                _with_counts().where(
                    Kelompok.join_code == code.strip().upper(),
                    or_(Kelompok.join_code_expires_at.is_(None), Kelompok.join_code_expires_at > now),
                )
            )
        ).first()
        return _view(*row) if row else None

    async def get(self, kelompok_id: int) -> KelompokView | None:
        row = (await self._session.execute(_with_counts().where(Kelompok.id == kelompok_id))).first()
        return _view(*row) if row else None


# Operator commands (`p2k2-bot kelompok add`, `meeting add`).

JOIN_CODE_LENGTH = 6


class UnknownPendamping(LookupError):
    """The operator named a pendamping id that does not exist."""


@dataclass(frozen=True)
class NewKelompok:
    id: int
    join_code: str


async def create_kelompok(
    session: AsyncSession,
    *,
    pendamping_id: int,
    name: str,
    desa: str,
    kecamatan: str,
    kabupaten: str,
    timezone: str,
    now: datetime,
) -> NewKelompok:
    if await session.get(Pendamping, pendamping_id) is None:
        raise UnknownPendamping(f"--pendamping {pendamping_id}: no pendamping has this id")
    code = await unused_code(session, Kelompok.join_code, JOIN_CODE_LENGTH)
    kelompok = Kelompok(
        pendamping_id=pendamping_id,
        name=name,
        desa=desa,
        kecamatan=kecamatan,
        kabupaten=kabupaten,
        timezone=timezone,
        join_code=code,
        created_at=now,
    )
    session.add(kelompok)
    await session.flush()
    audit(
        session,
        now,
        None,
        "kelompok.create",
        "kelompok",
        kelompok.id,
        source="cli",
        pendamping_id=pendamping_id,
        timezone=timezone,
    )
    return NewKelompok(kelompok.id, code)


async def find_by_join_code(session: AsyncSession, code: str) -> Kelompok | None:
    """The kelompok an operator names by its join code, expired or not; deleted ones are gone."""
    return await session.scalar(
        select(Kelompok).where(Kelompok.join_code == code.strip().upper(), Kelompok.deleted_at.is_(None))
    )


@dataclass(frozen=True)
class KelompokListing:
    pendamping_id: int
    kelompok: KelompokView


async def list_kelompok(session: AsyncSession, pendamping_id: int | None = None) -> list[KelompokListing]:
    """Every kelompok (or one pendamping's) with its member count, for `p2k2-bot kelompok list`."""
    query = _with_counts().order_by(Kelompok.name, Kelompok.id)
    if pendamping_id is not None:
        query = query.where(Kelompok.pendamping_id == pendamping_id)
    rows = await session.execute(query)
    return [KelompokListing(k.pendamping_id, _view(k, count, name)) for k, count, name in rows]
