"""The durable outbox: every message that is not an immediate reply is a row here until it is sent.

Rows are planned with a unique de-duplication key (planning twice never sends twice), claimed in batches
with a lease (a worker that dies leaves its rows to be reclaimed when the lease runs out), and finished
with the outcome. PostgreSQL claims with FOR UPDATE SKIP LOCKED so any number of workers can share the
table; SQLite runs one worker."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import and_, func, or_, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from bot.db.dialect import upsert_insert
from bot.db.models import Identity, OutboxMessage, User

PENDING, CLAIMED, SENT, FAILED, UNREACHABLE, CANCELLED = (
    "pending",
    "claimed",
    "sent",
    "failed",
    "unreachable",
    "cancelled",
)


@dataclass(frozen=True)
class Planned:
    dedupe_key: str
    kind: str  # reminder | broadcast | nudge | meeting_change
    user_id: int
    identity_id: int
    payload: dict[str, Any]
    due_at: datetime
    broadcast_id: int | None = None
    meeting_id: int | None = None


@dataclass(frozen=True)
class Claimed:
    """A claimed row with what is needed to send it, read in the same query."""

    id: int
    kind: str
    payload: dict[str, Any]
    attempts: int
    user_id: int | None
    meeting_id: int | None
    broadcast_id: int | None
    channel: str
    address: str
    reachable: bool
    last_inbound_at: datetime | None
    locale: str
    name: str
    stopped: bool


async def plan(session: AsyncSession, rows: Sequence[Planned], now: datetime, revive: bool = False) -> None:
    """Inserts rows whose key is new. With `revive`, a row with the same key that was cancelled (say, an
    RSVP changed from "cannot attend" back to "attending") becomes pending again if it is still due."""
    if not rows:
        return
    values = [
        {
            "dedupe_key": r.dedupe_key,
            "kind": r.kind,
            "user_id": r.user_id,
            "identity_id": r.identity_id,
            "payload": r.payload,
            "due_at": r.due_at,
            "broadcast_id": r.broadcast_id,
            "meeting_id": r.meeting_id,
            "status": PENDING,
            "attempts": 0,
            "created_at": now,
        }
        for r in rows
    ]
    for start in range(0, len(values), 1000):
        statement = upsert_insert(session, OutboxMessage).values(values[start : start + 1000])
        if revive:
            statement = statement.on_conflict_do_update(
                index_elements=["dedupe_key"],
                set_={
                    "status": PENDING,
                    "attempts": 0,
                    "due_at": statement.excluded.due_at,
                    "last_error": None,
                },
                where=OutboxMessage.status == CANCELLED,
            )
        else:
            statement = statement.on_conflict_do_nothing(index_elements=["dedupe_key"])
        await session.execute(statement)


async def claim(
    session: AsyncSession,
    now: datetime,
    limit: int,
    lease: timedelta,
    addresses: tuple[str, ...] | None = None,
) -> list[Claimed]:
    """Claims up to `limit` due rows: pending ones, and claimed ones whose worker's lease ran out.
    `addresses` restricts the claim to some chats (the terminal chat delivers only its own messages)."""
    due = or_(
        and_(OutboxMessage.status == PENDING, OutboxMessage.due_at <= now),
        and_(OutboxMessage.status == CLAIMED, OutboxMessage.claimed_until < now),
    )
    query = select(OutboxMessage.id).where(due).order_by(OutboxMessage.due_at, OutboxMessage.id).limit(limit)
    if addresses is not None:
        query = query.join(Identity, Identity.id == OutboxMessage.identity_id).where(
            Identity.address.in_(addresses)
        )
    if session.get_bind().dialect.name == "postgresql":
        query = query.with_for_update(skip_locked=True)
    ids = list((await session.scalars(query)).all())
    if not ids:
        return []
    await session.execute(
        update(OutboxMessage)
        .where(OutboxMessage.id.in_(ids))
        .values(status=CLAIMED, claimed_until=now + lease, attempts=OutboxMessage.attempts + 1)
        .execution_options(synchronize_session=False)
    )
    rows = await session.execute(
        select(OutboxMessage, Identity, User)
        .join(Identity, Identity.id == OutboxMessage.identity_id)
        .join(User, User.id == Identity.user_id)
        .where(OutboxMessage.id.in_(ids))
        .order_by(OutboxMessage.due_at, OutboxMessage.id)
    )
    return [
        Claimed(
            id=o.id,
            kind=o.kind,
            payload=o.payload,
            attempts=o.attempts,
            user_id=o.user_id,
            meeting_id=o.meeting_id,
            broadcast_id=o.broadcast_id,
            channel=i.channel,
            address=i.address,
            reachable=i.reachable,
            last_inbound_at=i.last_inbound_at,
            locale=u.locale,
            name=u.display_name or "",
            stopped=u.stopped_at is not None,
        )
        for o, i, u in rows
    ]


@dataclass(frozen=True)
class Finished:
    id: int
    status: str  # sent | pending (retry) | failed | unreachable | cancelled
    provider_message_id: str | None = None
    error: str | None = None
    retry_at: datetime | None = None


async def finish(session: AsyncSession, results: Sequence[Finished], now: datetime) -> None:
    for group in ([r for r in results if r.retry_at is None], [r for r in results if r.retry_at is not None]):
        if not group:
            continue
        await session.execute(
            update(OutboxMessage),
            [
                {
                    "id": r.id,
                    "status": r.status,
                    "claimed_until": None,
                    "provider_message_id": r.provider_message_id,
                    "last_error": r.error[:300] if r.error else None,
                    "sent_at": now if r.status == SENT else None,
                    **({"due_at": r.retry_at} if r.retry_at is not None else {}),
                }
                for r in group
            ],
        )


async def cancel(session: AsyncSession, *conditions: Any, reason: str) -> None:
    await session.execute(
        update(OutboxMessage)
        .where(OutboxMessage.status == PENDING, *conditions)
        .values(status=CANCELLED, last_error=reason)
        .execution_options(synchronize_session=False)
    )


async def depth(session: AsyncSession) -> int:
    return int(
        await session.scalar(select(func.count(OutboxMessage.id)).where(OutboxMessage.status == PENDING)) or 0
    )
