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
    identity = await session.scalar(
        select(Identity).where(Identity.channel == channel, Identity.address == address)
    )
    if identity is None:
        user = User(role=Role.KPM.value, locale=locale, created_at=now)
        session.add(user)
        await session.flush()
        identity = Identity(user_id=user.id, channel=channel, address=address, reachable=True, created_at=now)
        session.add(identity)
        await session.flush()
        return identity, user
    locked = select(User).where(User.id == identity.user_id)
    if session.get_bind().dialect.name == "postgresql":
        # Serialises one user's messages across processes too.
        locked = locked.with_for_update()
    user = (await session.scalars(locked)).one()
    return identity, user


async def view_of(session: AsyncSession, user: User) -> UserView:
    kelompok_id = await session.scalar(
        select(Membership.kelompok_id).where(Membership.user_id == user.id, Membership.left_at.is_(None))
    )
    consented = await session.scalar(
        select(Consent.id).where(Consent.user_id == user.id, Consent.withdrawn_at.is_(None)).limit(1)
    )
    pendamping_id = await session.scalar(select(Pendamping.id).where(Pendamping.user_id == user.id))
    return UserView(
        id=user.id,
        role=Role(user.role),
        locale=user.locale,
        name=user.display_name or "",
        consented=consented is not None,
        stopped=user.stopped_at is not None,
        kelompok_id=kelompok_id,
        pendamping_id=pendamping_id,
    )
