"""Read ports: the small questions handlers may ask of stored data. Implemented in `bot.db`."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Protocol

from bot.core.content import Curriculum


@dataclass(frozen=True)
class MeetingView:
    id: int
    kelompok_name: str
    session_number: int
    starts_at: datetime  # aware, UTC
    timezone: str  # the kelompok's IANA zone
    place: str


@dataclass(frozen=True)
class KelompokView:
    id: int
    name: str
    desa: str
    timezone: str
    join_code: str
    members: int


class KelompokReader(Protocol):
    async def of_pendamping(self, pendamping_id: int) -> list[KelompokView]: ...


class MeetingReader(Protocol):
    async def next_meeting(self, kelompok_id: int, now: datetime) -> MeetingView | None: ...


@dataclass(frozen=True)
class Ports:
    curriculum: Curriculum
    meetings: MeetingReader
    kelompok: KelompokReader
