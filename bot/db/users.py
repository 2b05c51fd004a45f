"""Users, their channel identities, and the view of a user that handlers receive."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import bindparam, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from bot.core.users import Role, UserView
from bot.db.models import Consent, DialogStateRow, Identity, Membership, Pendamping, User, table_of


@dataclass(frozen=True)
class Sender:
    """Who sent an inbound message: their identity, the view handlers get, and their dialog state
    (`stored_state` as it is in the database, None before the first save)."""

    identity_id: int
    view: UserView
    stored_state: dict[str, Any] | None


_identities, _users, _states = (table_of(m) for m in (Identity, User, DialogStateRow))
_memberships, _consents, _pendamping = (table_of(m) for m in (Membership, Consent, Pendamping))

# Every message needs all of this: one statement, built once.
_SENDER = (
    select(
        _identities.c.id,
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
    )
    .select_from(_identities.join(_users, _users.c.id == _identities.c.user_id))
    .outerjoin(_states, _states.c.user_id == _users.c.id)
    .where(_identities.c.channel == bindparam("channel"), _identities.c.address == bindparam("address"))
)
# On PostgreSQL the user's row stays locked to the end of the transaction: one user's messages are
# handled one at a time across processes too.
_SENDER_LOCKED = _SENDER.with_for_update(of=_users)

_MARK_INBOUND = (
    update(_identities)
    .where(_identities.c.id == bindparam("identity_id"))
    .values(last_inbound_at=bindparam("now"), reachable=True, unreachable_reason=None)
)


async def load_sender(
    session: AsyncSession, channel: str, address: str, now: datetime, locale: str
) -> Sender:
    """The sender of a message, creating a bare user (channel id only, no personal data) on first contact.
    The identity is marked as written to now: that opens WhatsApp's 24-hour window, and writing to the
    bot proves the chat works again (unblocked, reinstalled...)."""
    query = _SENDER_LOCKED if session.get_bind().dialect.name == "postgresql" else _SENDER
    row = (await session.execute(query, {"channel": channel, "address": address})).first()
    if row is None:
        return await _first_contact(session, channel, address, now, locale)
    (
        identity_id,
        user_id,
        role,
        user_locale,
        name,
        stopped_at,
        kelompok_id,
        consent_id,
        pendamping_id,
        state,
    ) = row
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
    return Sender(identity_id, view, state)


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
