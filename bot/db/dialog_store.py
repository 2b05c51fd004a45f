"""Dialog state rows: one JSON document per user, loaded with the sender (see `users.load_sender`) and
written only when a message changed it."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import bindparam, insert, update
from sqlalchemy.ext.asyncio import AsyncSession

from bot.core.dialog import DialogState
from bot.db.models import DialogStateRow, table_of

_states = table_of(DialogStateRow)
_INSERT = insert(_states)
_UPDATE = (
    update(_states)
    .where(_states.c.user_id == bindparam("id"))
    .values(state=bindparam("state"), updated_at=bindparam("updated_at"))
)


async def save_state(
    session: AsyncSession, user_id: int, state: DialogState, stored: dict[str, Any] | None, now: datetime
) -> None:
    """Writes `state` unless it equals `stored` (the document as loaded; None when there is no row yet).
    `updated_at` is when the state last changed."""
    document = state.to_json()
    if document == stored:
        return
    if stored is None:
        await session.execute(_INSERT, {"user_id": user_id, "state": document, "updated_at": now})
    else:
        await session.execute(_UPDATE, {"id": user_id, "state": document, "updated_at": now})
