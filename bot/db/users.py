"""Users, their channel identities, and the view of a user that handlers receive."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from bot.core.users import Role, UserView
from bot.db.models import Consent, Identity, Membership, Pendamping, User


async def find_or_create(
    session: AsyncSession, channel: str, address: str, now: datetime, locale: str
) -> tuple[Identity, User]:
    """The identity for a chat, creating a bare user (channel id only, no personal data) on first contact."""
    query = (
        select(Identity, User)
        .join(User, User.id == Identity.user_id)
        .where(Identity.channel == channel, Identity.address == address)
    )
    if session.get_bind().dialect.name == "postgresql":
        # Serialises one user's messages across processes too.
        query = query.with_for_update(of=User)
    found = (await session.execute(query)).first()
    if found is not None:
        return found[0], found[1]
    user = User(role=Role.KPM.value, locale=locale, created_at=now)
    session.add(user)
    await session.flush()
    identity = Identity(user_id=user.id, channel=channel, address=address, reachable=True, created_at=now)
    session.add(identity)
    await session.flush()
    return identity, user


async def view_of(session: AsyncSession, user: User) -> UserView:
    # One round trip for the three facts every message needs.
    kelompok_id, consent_id, pendamping_id = (
        await session.execute(
            select(
                select(Membership.kelompok_id)
                .where(Membership.user_id == user.id, Membership.left_at.is_(None))
                .limit(1)
                .scalar_subquery(),
                select(Consent.id)
                .where(Consent.user_id == user.id, Consent.withdrawn_at.is_(None))
                .limit(1)
                .scalar_subquery(),
                select(Pendamping.id).where(Pendamping.user_id == user.id).scalar_subquery(),
            )
        )
    ).one()
    return UserView(
        id=user.id,
        role=Role(user.role),
        locale=user.locale,
        name=user.display_name or "",
        consented=consent_id is not None,
        stopped=user.stopped_at is not None,
        kelompok_id=kelompok_id,
        pendamping_id=pendamping_id,
    )
