"""INSERT with ON CONFLICT for the database in use: SQLite and PostgreSQL spell it alike, but SQLAlchemy
builds it from each dialect's own `insert`."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from sqlalchemy import Table
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.ext.asyncio import AsyncSession

from bot.db.models import Base, table_of


def upsert_insert(session: AsyncSession, model: type[Base]) -> Any:
    """`insert` into the model's table that offers `on_conflict_do_nothing` / `on_conflict_do_update`.
    It is a Core statement on the table, not on the ORM class: the ORM's bulk-insert path costs more CPU
    than the statement itself, and these rows are not read back in the same session."""
    insert = pg_insert if session.get_bind().dialect.name == "postgresql" else sqlite_insert
    return insert(table_of(model))


class PerDialect:
    """A hot-path upsert built once for each dialect (building a statement costs about as much CPU as
    running it): `build` gets the dialect's `insert`, already applied to the model's table."""

    def __init__(self, model: type[Base], build: Callable[[Any], Any]) -> None:
        table: Table = table_of(model)
        self._statements = {"postgresql": build(pg_insert(table)), "sqlite": build(sqlite_insert(table))}

    def __call__(self, session: AsyncSession) -> Any:
        return self._statements[session.get_bind().dialect.name]
