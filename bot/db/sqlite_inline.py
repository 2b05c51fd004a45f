"""aiosqlite connections that run the statements of an open transaction on the event loop's thread.

aiosqlite sends every call (cursor, execute, fetch, close) to a worker thread and waits for the answer;
each such hop costs about 70 µs of CPU in thread switches and loop wake-ups, and a statement takes four
of them. A message's statements spent more CPU hopping than in SQLite itself. Inside a transaction a
statement cannot wait for anyone: every transaction here begins IMMEDIATE (see `engine`), so once it is
open it holds the database's write lock, and WAL readers never block. Those statements take microseconds
and run inline, as does ROLLBACK (it only lets go; the pool also calls it on every connection it takes
back, in or out of a transaction). The calls that can wait stay on the worker thread, so the event loop
never stalls on them: BEGIN (waits up to busy_timeout for another process's write lock), COMMIT (waits
for the disk) and anything outside a transaction (connecting, PRAGMAs).

The cost of running inline: a statement that is slow by itself (a bulk insert of thousands of outbox
rows, a large export query) holds the event loop for its duration instead of only the write gate."""

from __future__ import annotations

import sqlite3
from collections.abc import Callable
from functools import partial
from typing import Any

import aiosqlite


class InlineConnection(aiosqlite.Connection):
    async def _execute(self, fn: Callable[..., Any], *args: Any, **kwargs: Any) -> Any:
        connection = self._connection
        if self._running and connection is not None:
            if fn == connection.rollback or (connection.in_transaction and fn != connection.commit):
                return fn(*args, **kwargs)
        return await super()._execute(fn, *args, **kwargs)  # type: ignore[no-untyped-call]


def connector(database: str, timeout: float) -> Callable[[], Any]:
    """An `async_creator` for SQLAlchemy's aiosqlite dialect: connects to the database file (or
    ":memory:") in autocommit mode, as the engine begins its transactions itself."""

    async def connect() -> InlineConnection:
        # The sqlite3 connection is made on the worker thread and used on the loop's thread too.
        opener = partial(
            sqlite3.connect, database, timeout=timeout, isolation_level=None, check_same_thread=False
        )
        connection = InlineConnection(opener, iter_chunk_size=64)
        # As SQLAlchemy does for the connections it opens itself: a connection never closed (a crash
        # before the engine is disposed) must not keep the process from exiting.
        connection._thread.daemon = True
        await connection  # starts the worker thread and connects on it
        return connection

    return connect
