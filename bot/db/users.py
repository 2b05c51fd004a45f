"""Users, their channel identities, and the view of a user that handlers receive."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import bindparam, exists, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from bot.core.users import Role, UserView
from bot.db.models import (
    Consent,
    DialogStateRow,
    Identity,
    Membership,
    OutboxMessage,
    Pendamping,
    User,
    table_of,
)
from bot.db.outbox import REPLY, UNSENT


@dataclass(frozen=True)
class Sender:
    """Who sent an inbound message: their identity, the view handlers get, and their dialog state
    (`stored_state` as it is in the database, None before the first save)."""

    identity_id: int
    view: UserView
    stored_state: dict[str, Any] | None
    reply_waiting: bool = False  # an earlier reply to this chat is not sent yet


_identities, _users, _states = (table_of(m) for m in (Identity, User, DialogStateRow))
_memberships, _consents, _pendamping = (table_of(m) for m in (Membership, Consent, Pendamping))
_outbox = table_of(OutboxMessage)

# Every message needs all of this: one statement, built once.
_SENDER = (
    select(
        _identities.c.id,
        _identities.c.reachable,
        _identities.c.last_inbound_at,
        _users.c.id,
        _users.c.role,
        _users.c.locale,
        _users.c.display_name,
        _users.c.stopped_at,
        select(_memberships.c.kelompok_id)
        .where(_memberships.c.user_id == _users.c.id, _memberships.c.left_at.is_(None))
        .limit(1)
        .scalar_subquery(),
        select(_consents.c.id)
        .where(_consents.c.user_id == _users.c.id, _consents.c.withdrawn_at.is_(None))
        .limit(1)
        .scalar_subquery(),
        select(_pendamping.c.id).where(_pendamping.c.user_id == _users.c.id).scalar_subquery(),
        _states.c.state,
        exists()
        .where(
            _outbox.c.identity_id == _identities.c.id,
            _outbox.c.status.in_(UNSENT),
            _outbox.c.kind == REPLY,
        )
        .label("reply_waiting"),
    )
    .select_from(_identities.join(_users, _users.c.id == _identities.c.user_id))
    .outerjoin(_states, _states.c.user_id == _users.c.id)
    .where(_identities.c.channel == bindparam("channel"), _identities.c.address == bindparam("address"))
)
# On PostgreSQL the user's row stays locked to the end of the transaction: one user's messages are
# handled one at a time across processes too.
_SENDER_LOCKED = _SENDER.with_for_update(of=_users)

# A chat's last message time is written at most this often: a burst of messages (quiz answers) costs one
# write, and the 24-hour window then counts from up to this much earlier, which only ever shortens it.
INBOUND_MARK_STEP = timedelta(minutes=1)
_MARK_INBOUND = (
    update(_identities)
    .where(_identities.c.id == bindparam("identity_id"))
    .values(last_inbound_at=bindparam("now"), reachable=True, unreachable_reason=None)
)


async def load_sender(
    session: AsyncSession, channel: str, address: str, now: datetime, locale: str
) -> Sender:
    """The sender of a message, creating a bare user (channel id only, no personal data) on first contact.
    The identity is marked as written to now (to within `INBOUND_MARK_STEP`): that opens WhatsApp's
    24-hour window, and writing to the bot proves the chat works again (unblocked, reinstalled...)."""
    query = _SENDER_LOCKED if session.get_bind().dialect.name == "postgresql" else _SENDER
    row = (await session.execute(query, {"channel": channel, "address": address})).first()
    if row is None:
        return await _first_contact(session, channel, address, now, locale)
    (
        identity_id,
        reachable,
        last_inbound_at,
        user_id,
        role,
        user_locale,
        name,
        stopped_at,
        kelompok_id,
        consent_id,
        pendamping_id,
        state,
        reply_waiting,
    ) = row
    if not reachable or last_inbound_at is None or now - last_inbound_at >= INBOUND_MARK_STEP:
        await session.execute(_MARK_INBOUND, {"identity_id": identity_id, "now": now})
    view = UserView(
        id=user_id,
        role=Role(role),
        locale=user_locale,
        name=name or "",
        consented=consent_id is not None,
        stopped=stopped_at is not None,
        kelompok_id=kelompok_id,
        pendamping_id=pendamping_id,
    )
    return Sender(identity_id, view, state, bool(reply_waiting))


async def _first_contact(
    session: AsyncSession, channel: str, address: str, now: datetime, locale: str
) -> Sender:
    user = User(role=Role.KPM.value, locale=locale, created_at=now)
    session.add(user)
    await session.flush()
    identity = Identity(
        user_id=user.id, channel=channel, address=address, reachable=True, last_inbound_at=now, created_at=now
    )
    session.add(identity)
    await session.flush()
    return Sender(identity.id, UserView(id=user.id, role=Role.KPM, locale=locale), None)
