"""The audit log: who did what to whom, by internal ids only."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from bot.db.models import AuditEntry


def audit(
    session: AsyncSession,
    now: datetime,
    actor_user_id: int | None,
    action: str,
    target_type: str | None = None,
    target_id: int | None = None,
    allowed: bool = True,
    **detail: Any,
) -> None:
    session.add(
        AuditEntry(
            at=now,
            actor_user_id=actor_user_id,
            action=action,
            target_type=target_type,
            target_id=target_id,
            allowed=allowed,
            detail=detail,
        )
    )
