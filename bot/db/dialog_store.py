"""Dialog state rows: one JSON document per user, rewritten after every message."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy.ext.asyncio import AsyncSession

from bot.core.dialog import DialogState
from bot.db.models import DialogStateRow


async def load_state(session: AsyncSession, user_id: int) -> DialogState:
    row = await session.get(DialogStateRow, user_id)
    return DialogState.from_json(row.state if row else None)


async def save_state(session: AsyncSession, user_id: int, state: DialogState, now: datetime) -> None:
    row = await session.get(DialogStateRow, user_id)
    if row is None:
        session.add(DialogStateRow(user_id=user_id, state=state.to_json(), updated_at=now))
    else:
        row.state = state.to_json()
        row.updated_at = now
