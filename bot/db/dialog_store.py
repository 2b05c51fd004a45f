"""Dialog state rows: one JSON document per user, loaded with the sender (see `users.load_sender`) and
written only when a message changed it."""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime
from typing import Any

from sqlalchemy import bindparam, insert, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from bot.core.dialog import DialogState
from bot.core.messages import Button
from bot.db.dialect import upsert_insert
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


async def show_pushed(session: AsyncSession, shown: dict[int, tuple[Button, ...]], now: datetime) -> None:
    """A notice with buttons (a reminder, a meeting change) was delivered: its buttons become the ones the
    user's typed numbers and words refer to. The flow and its memory stay as they were."""
    if not shown:
        return
    rows = await session.execute(
        select(_states.c.user_id, _states.c.state).where(_states.c.user_id.in_(shown))
    )
    stored: dict[int, Any] = {user_id: state for user_id, state in rows.all()}
    for user_id, buttons in shown.items():
        document = replace(DialogState.from_json(stored.get(user_id)), buttons=buttons).to_json()
        if user_id in stored:
            await session.execute(_UPDATE, {"id": user_id, "state": document, "updated_at": now})
        else:  # the user's own first message may be writing the row at this moment: theirs wins
            new_row = upsert_insert(session, DialogStateRow).on_conflict_do_nothing(
                index_elements=["user_id"]
            )
            await session.execute(new_row, {"user_id": user_id, "state": document, "updated_at": now})
