"""The durable outbox: every outbound message, reply or proactive, is a row here until it is sent or ends
in a recorded outcome.

Rows are planned with a unique de-duplication key (planning twice never sends twice), claimed in batches
with a lease (a worker that dies leaves its rows to be reclaimed when the lease runs out, or at once when
it restarts under the same name), and finished with the outcome. PostgreSQL claims with FOR UPDATE SKIP
LOCKED so any number of workers can share the table; SQLite runs one worker.

Order per chat: a row is not claimed while an earlier reply to the same chat waits for a retry or is in
another worker's hands, and no bulk row is claimed while any reply to that chat does. Replies are
written claimed by the process that handles the inbound message (see `queue_replies`), so that process
sends them at once and the worker is only the safety net."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import and_, bindparam, case, exists, func, insert, or_, select, update
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import aliased

from bot.db.dialect import PerDialect
from bot.db.models import Identity, OutboxMessage, User, table_of

PENDING, CLAIMED, SENT, FAILED, UNREACHABLE, CANCELLED = (
    "pending",
    "claimed",
    "sent",
    "failed",
    "unreachable",
    "cancelled",
)
REPLY = "reply"  # the kind of a row that answers the user's own message
UNSENT = (PENDING, CLAIMED)
CLAIM_LOCK = 0x50324B32  # PostgreSQL advisory lock key held while claiming
_outbox = table_of(OutboxMessage)


# Built once (a statement with its rows inline would be compiled anew for every plan); the rows go
# in as one executemany.
_PLAN = PerDialect(OutboxMessage, lambda insert: insert.on_conflict_do_nothing(index_elements=["dedupe_key"]))
_REVIVE = PerDialect(
    OutboxMessage,
    lambda insert: insert.on_conflict_do_update(
        index_elements=["dedupe_key"],
        set_={"status": PENDING, "attempts": 0, "due_at": insert.excluded.due_at, "last_error": None},
        where=_outbox.c.status == CANCELLED,
    ),
)


@dataclass(frozen=True)
class Planned:
    dedupe_key: str
    kind: str  # reminder | broadcast | nudge | meeting_change | ...
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
    created_at: datetime
    identity_id: int

    @property
    def reply(self) -> bool:
        return self.kind == REPLY


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
    await session.execute((_REVIVE if revive else _PLAN)(session), values)


def _blocked(now: datetime) -> Any:
    """True for a row that must wait for an earlier reply to the same chat: one due later (a retry)
    or held by a live lease. Bulk rows wait for any such reply, replies only for earlier ones."""
    other = aliased(OutboxMessage)
    waiting = or_(
        and_(other.status == PENDING, other.due_at > now),
        and_(other.status == CLAIMED, other.claimed_until >= now),
    )
    return exists().where(
        other.identity_id == OutboxMessage.identity_id,
        other.kind == REPLY,
        other.id != OutboxMessage.id,
        or_(OutboxMessage.kind != REPLY, other.id < OutboxMessage.id),
        waiting,
    )


async def claim(
    session: AsyncSession,
    now: datetime,
    limit: int,
    lease: timedelta,
    addresses: tuple[str, ...] | None = None,
    worker: str | None = None,
) -> list[Claimed]:
    """Claims up to `limit` due rows, replies first: pending ones, and claimed ones whose worker's lease
    ran out. `addresses` restricts the claim to some chats (the terminal chat delivers only its own
    messages). Rows come back ordered per chat: replies, then the rest, each by age."""
    due = or_(
        and_(OutboxMessage.status == PENDING, OutboxMessage.due_at <= now),
        and_(OutboxMessage.status == CLAIMED, OutboxMessage.claimed_until < now),
    )
    bulk_last = case((OutboxMessage.kind == REPLY, 0), else_=1)
    query = (
        select(OutboxMessage.id)
        .where(due, ~_blocked(now))
        .order_by(bulk_last, OutboxMessage.due_at, OutboxMessage.id)
        .limit(limit)
    )
    if addresses is not None:
        query = query.join(Identity, Identity.id == OutboxMessage.identity_id).where(
            Identity.address.in_(addresses)
        )
    if session.get_bind().dialect.name == "postgresql":
        # Claims take turns (a transaction-scoped lock), so one worker's claim sees another's: a reply
        # is never claimed while an earlier reply to the same chat is being claimed elsewhere.
        await session.execute(select(func.pg_advisory_xact_lock(CLAIM_LOCK)))
        query = query.with_for_update(skip_locked=True, of=OutboxMessage)
    ids = list((await session.scalars(query)).all())
    if not ids:
        return []
    await session.execute(
        update(OutboxMessage)
        .where(OutboxMessage.id.in_(ids))
        .values(
            status=CLAIMED,
            claimed_until=now + lease,
            claimed_by=worker,
            attempts=OutboxMessage.attempts + 1,
        )
        .execution_options(synchronize_session=False)
    )
    rows = await session.execute(
        select(OutboxMessage, Identity, User)
        .join(Identity, Identity.id == OutboxMessage.identity_id)
        .join(User, User.id == Identity.user_id)
        .where(OutboxMessage.id.in_(ids))
        .order_by(OutboxMessage.identity_id, bulk_last, OutboxMessage.id)
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
            created_at=o.created_at,
            identity_id=i.id,
        )
        for o, i, u in rows
    ]


_REPLY_ROW = insert(_outbox).returning(_outbox.c.id)


async def queue_replies(
    session: AsyncSession,
    identity_id: int,
    user_id: int,
    payloads: Sequence[dict[str, Any]],
    key: str,
    now: datetime,
    claim: tuple[str, timedelta] | None,
) -> list[int]:
    """Writes a reply's messages, in the inbound message's transaction, and returns their ids in order.
    With `claim` (the worker's name and lease) they are held by that worker, which sends them at once;
    without it (an earlier reply to this chat is still unsent) they wait as pending rows behind it and
    the delivery worker keeps the order. `key` makes each row's de-duplication key (the inbound's
    provider id, or any unique text)."""
    if not payloads:
        return []
    worker, lease = claim if claim else (None, None)
    rows = [
        {
            "dedupe_key": f"reply:{key}:{n}",
            "kind": REPLY,
            "user_id": user_id,
            "identity_id": identity_id,
            "payload": payload,
            "due_at": now,
            "status": CLAIMED if claim else PENDING,
            "claimed_until": now + lease if lease else None,
            "claimed_by": worker,
            "attempts": 1 if claim else 0,
            "created_at": now,
        }
        for n, payload in enumerate(payloads)
    ]
    return sorted((await session.scalars(_REPLY_ROW, rows)).all())


async def release_own(session: AsyncSession, worker: str, now: datetime) -> int:
    """A restarted worker's rows that it had claimed and not finished: due again at once, without
    waiting for the lease. Returns how many."""
    result = await session.execute(
        update(OutboxMessage)
        .where(OutboxMessage.status == CLAIMED, OutboxMessage.claimed_by == worker)
        .values(status=PENDING, claimed_until=None, claimed_by=None, due_at=now)
        .execution_options(synchronize_session=False)
    )
    return int(getattr(result, "rowcount", 0) or 0)


@dataclass(frozen=True)
class Finished:
    id: int
    status: str  # sent | pending (retry) | failed | unreachable | cancelled
    provider_message_id: str | None = None
    error: str | None = None
    retry_at: datetime | None = None
    attempts: int | None = None  # set when a row was handed back untried: its claim does not count
    reply: bool = False  # a reply's row: once it has ended its text is not kept


def _finish_statement(retry: bool, attempts: bool, forget: bool) -> Any:
    values: dict[str, Any] = {
        name: bindparam(f"b_{name}") for name in ("status", "provider_message_id", "last_error", "sent_at")
    }
    values |= {"claimed_until": None, "claimed_by": None}
    if retry:
        values["due_at"] = bindparam("b_due_at")
    if attempts:
        values["attempts"] = bindparam("b_attempts")
    if forget:
        values["payload"] = {}
    return update(_outbox).where(_outbox.c.id == bindparam("b_id")).values(values)


# One statement per shape of outcome (a retry moves the row's due time, a row handed back untried
# keeps its count of tries, an ended reply forgets its text), each built once.
_FINISH = {
    shape: _finish_statement(*shape)
    for shape in ((r, a, f) for r in (False, True) for a in (False, True) for f in (False, True))
}


async def finish(session: AsyncSession, results: Sequence[Finished], now: datetime) -> None:
    """Records outcomes (rows of the same shape are written in one executemany). A reply that has
    ended keeps no text: what the bot said to someone (a member's question shown to their pendamping,
    say) is not stored once it is sent, so it cannot outlive that member's data."""
    groups: dict[tuple[bool, bool, bool], list[dict[str, Any]]] = {}
    for r in results:
        shape = (r.retry_at is not None, r.attempts is not None, r.reply and r.status != PENDING)
        params: dict[str, Any] = {
            "b_id": r.id,
            "b_status": r.status,
            "b_provider_message_id": r.provider_message_id,
            "b_last_error": r.error[:300] if r.error else None,
            "b_sent_at": now if r.status == SENT else None,
        }
        if r.retry_at is not None:
            params["b_due_at"] = r.retry_at
        if r.attempts is not None:
            params["b_attempts"] = r.attempts
        groups.setdefault(shape, []).append(params)
    for shape, rows in groups.items():
        await session.execute(_FINISH[shape], rows)


async def cancel(session: AsyncSession, *conditions: Any, reason: str) -> None:
    await session.execute(
        update(OutboxMessage)
        .where(OutboxMessage.status == PENDING, *conditions)
        .values(status=CANCELLED, last_error=reason)
        .execution_options(synchronize_session=False)
    )


async def depth(session: AsyncSession) -> dict[str, int]:
    """Rows waiting to be sent, per kind."""
    rows = await session.execute(
        select(OutboxMessage.kind, func.count(OutboxMessage.id))
        .where(OutboxMessage.status == PENDING)
        .group_by(OutboxMessage.kind)
    )
    return {kind: int(n) for kind, n in rows.all()}
