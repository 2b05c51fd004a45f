"""Persists the events a handler returned, inside the same transaction as its dialog state."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy.ext.asyncio import AsyncSession

from bot.core.events import Event, LocaleChosen
from bot.core.users import UserView
from bot.db.models import User


async def apply_events(
    session: AsyncSession, user: UserView, events: tuple[Event, ...], now: datetime
) -> None:
    for event in events:
        match event:
            case LocaleChosen(locale=locale):
                row = await session.get(User, user.id)
                if row is not None:
                    row.locale = locale
            case _:
                raise TypeError(f"no persistence for event {type(event).__name__}")
