"""Pendamping as district operators create and list them: each starts with a one-time claim code that
expires; the chat that sends it becomes the pendamping's (issue 5)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from bot.db.audit import audit
from bot.db.codes import unused_code
from bot.db.models import Identity, Pendamping

CLAIM_CODE_LENGTH = 8
DEFAULT_CLAIM_DAYS = 7


class CodeStatus(StrEnum):
    ACTIVE = "active"
    EXPIRED = "expired"
    USED = "used"
    NONE = "none"  # never had one (e.g. the demo pendamping) or it was withdrawn


@dataclass(frozen=True)
class NewPendamping:
    id: int
    claim_code: str
    claim_expires_at: datetime


@dataclass(frozen=True)
class PendampingStatus:
    id: int
    name: str
    claimed_at: datetime | None
    code_status: CodeStatus
    code_expires_at: datetime | None


async def create_pendamping(
    session: AsyncSession, name: str, now: datetime, expires_days: int = DEFAULT_CLAIM_DAYS
) -> NewPendamping:
    if not name.strip() or expires_days < 1:
        raise ValueError("a pendamping needs a name and a claim code valid for at least one day")
    code = await unused_code(session, Pendamping.claim_code, CLAIM_CODE_LENGTH)
    expires_at = (now + timedelta(days=expires_days)).replace(microsecond=0)
    pendamping = Pendamping(name=name.strip(), claim_code=code, claim_expires_at=expires_at, created_at=now)
    session.add(pendamping)
    await session.flush()
    # The code itself stays out of the log: it is a credential until it is used.
    audit(
        session,
        now,
        None,
        "pendamping.create",
        "pendamping",
        pendamping.id,
        source="cli",
        claim_days=expires_days,
    )
    return NewPendamping(pendamping.id, code, expires_at)


def code_status(pendamping: Pendamping, now: datetime) -> CodeStatus:
    if pendamping.claimed_at is not None:
        return CodeStatus.USED
    if pendamping.claim_code is None or pendamping.claim_expires_at is None:
        return CodeStatus.NONE
    return CodeStatus.ACTIVE if pendamping.claim_expires_at > now else CodeStatus.EXPIRED


async def list_pendamping(session: AsyncSession, now: datetime) -> list[PendampingStatus]:
    rows = await session.scalars(select(Pendamping).order_by(Pendamping.id))
    return [
        PendampingStatus(p.id, p.name, p.claimed_at, code_status(p, now), p.claim_expires_at) for p in rows
    ]


async def chat_addresses(session: AsyncSession, channel: str) -> list[str]:
    """The chats on `channel` that belong to pendamping (for per-chat command menus)."""
    rows = await session.scalars(
        select(Identity.address)
        .join(Pendamping, Pendamping.user_id == Identity.user_id)
        .where(Identity.channel == channel, Identity.reachable.is_(True))
    )
    return list(rows.all())
