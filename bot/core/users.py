"""What a handler knows about the user it talks to, loaded before the handler runs."""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum


class Role(StrEnum):
    KPM = "kpm"
    PENDAMPING = "pendamping"


@dataclass(frozen=True)
class UserView:
    id: int
    role: Role
    locale: str
    name: str = ""
    consented: bool = False
    stopped: bool = False  # the user asked for no reminders, nudges or broadcasts
    kelompok_id: int | None = None
    pendamping_id: int | None = None  # set when role is PENDAMPING
