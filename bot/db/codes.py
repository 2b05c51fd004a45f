"""Codes people read aloud and type on small phones: uppercase letters and digits without the look-alikes
0/O, 1/I/L."""

from __future__ import annotations

import secrets

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import InstrumentedAttribute

ALPHABET = "ABCDEFGHJKMNPQRSTUVWXYZ23456789"
_ATTEMPTS = 50


def new_code(length: int) -> str:
    if length < 1:
        raise ValueError("a code needs at least one character")
    return "".join(secrets.choice(ALPHABET) for _ in range(length))


async def unused_code(
    session: AsyncSession, column: InstrumentedAttribute[str] | InstrumentedAttribute[str | None], length: int
) -> str:
    """A fresh code that no row holds in `column` yet (the column's unique index stays the last word)."""
    for _ in range(_ATTEMPTS):
        code = new_code(length)
        if await session.scalar(select(column).where(column == code).limit(1)) is None:
            return code
    raise RuntimeError(f"no unused code of length {length} after {_ATTEMPTS} attempts")


class RandomCodes:
    """The `CodeGenerator` port: a cryptographically random code (the unique index catches a clash)."""

    def code(self, length: int) -> str:
        return new_code(length)
