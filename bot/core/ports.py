"""Read ports: the small questions handlers may ask of stored data. Implemented in `bot.db`."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Protocol

from bot.core.content import Curriculum
from bot.core.messages import Document
from bot.core.reminders import ReminderPolicy


@dataclass(frozen=True)
class MeetingView:
    id: int
    kelompok_id: int
    kelompok_name: str
    session_number: int
    starts_at: datetime  # aware, UTC
    timezone: str  # the kelompok's IANA zone
    place: str
    status: str = "scheduled"  # scheduled | cancelled
    version: int = 1  # grows on every reschedule


@dataclass(frozen=True)
class KelompokView:
    id: int
    name: str
    desa: str
    timezone: str
    join_code: str
    members: int
    pendamping_name: str = ""


@dataclass(frozen=True)
class RsvpView:
    answer: str  # yes | no | maybe
    reason: str | None


@dataclass(frozen=True)
class QuizScore:
    session_number: int
    attempt: int
    correct: int
    answered: int


@dataclass(frozen=True)
class ProgressView:
    """`last_cards` maps a session number to the last card read; `completed` lists finished sessions;
    `scores` counts, per session, the questions whose latest answer is right, and the highest attempt."""

    last_cards: dict[int, str] = field(default_factory=dict)
    completed: frozenset[int] = frozenset()
    scores: dict[int, QuizScore] = field(default_factory=dict)
    last_session: int | None = None  # the session read most recently


class KelompokReader(Protocol):
    async def of_pendamping(self, pendamping_id: int) -> list[KelompokView]: ...

    async def by_join_code(self, code: str, now: datetime) -> KelompokView | None:
        """The kelompok with this code, if it exists, is not deleted and its code has not expired."""
        ...

    async def get(self, kelompok_id: int) -> KelompokView | None: ...


class MeetingReader(Protocol):
    async def next_meeting(self, kelompok_id: int, now: datetime) -> MeetingView | None: ...

    async def get(self, meeting_id: int) -> MeetingView | None: ...


class RsvpReader(Protocol):
    async def of_user(self, meeting_id: int, user_id: int) -> RsvpView | None: ...


class ProgressReader(Protocol):
    async def of_user(self, user_id: int) -> ProgressView: ...


@dataclass(frozen=True)
class MemberView:
    user_id: int
    name: str
    reachable: bool
    stopped: bool


@dataclass(frozen=True)
class RsvpEntry:
    user_id: int
    name: str
    answer: str | None  # yes | no | maybe, or None: not answered yet
    reason: str | None


@dataclass(frozen=True)
class SessionResult:
    session_number: int
    participants: int  # members who answered at least one question of the session
    average_percent: float  # mean share of the session's questions whose latest answer is right
    hardest_question_id: str | None  # the question most members got wrong on their first try
    hardest_wrong_percent: float  # of the members who answered it, the share wrong on their first try
    hardest_wrong: int = 0  # members whose first answer to it was wrong
    hardest_answered: int = 0  # members who answered it


@dataclass(frozen=True)
class BroadcastStatus:
    id: int
    kelompok_name: str  # "" when sent to all of the pendamping's kelompok
    created_at: datetime
    preview: str
    recipients: int
    queued: int
    sent: int
    failed: int
    unreachable: int


@dataclass(frozen=True)
class ClaimView:
    pendamping_id: int
    name: str
    status: str  # active | expired | used


class PendampingReader(Protocol):
    """Everything a pendamping may see, always scoped to their own kelompok in the query itself:
    a kelompok or meeting of another pendamping reads as None, exactly like one that does not exist."""

    async def claim(self, code: str, now: datetime) -> ClaimView | None: ...

    async def kelompok(self, pendamping_id: int, kelompok_id: int) -> KelompokView | None: ...

    async def members(self, pendamping_id: int, kelompok_id: int) -> list[MemberView] | None: ...

    async def meetings(self, pendamping_id: int, now: datetime, upcoming: bool) -> list[MeetingView]:
        """Upcoming scheduled meetings (soonest first), or past ones (latest first), of all their kelompok."""
        ...

    async def meeting(self, pendamping_id: int, meeting_id: int) -> MeetingView | None: ...

    async def rsvps(self, pendamping_id: int, meeting_id: int) -> list[RsvpEntry] | None:
        """One entry per current member of the meeting's kelompok, answered or not."""
        ...

    async def attendance(self, pendamping_id: int, meeting_id: int) -> dict[int, bool] | None: ...

    async def results(self, pendamping_id: int, kelompok_id: int) -> list[SessionResult] | None: ...

    async def broadcasts(self, pendamping_id: int, limit: int) -> list[BroadcastStatus]: ...

    async def export(
        self, pendamping_id: int, kelompok_id: int, fmt: str, now: datetime
    ) -> tuple[Document, ...] | None:
        """Members, RSVPs, attendance and quiz results: one XLSX workbook with a sheet each (fmt "xlsx"),
        or one CSV file each (fmt "csv")."""
        ...


@dataclass(frozen=True)
class QuestionView:
    id: int
    member_name: str
    kelompok_name: str
    timezone: str  # the kelompok's IANA zone
    text: str
    asked_at: datetime  # aware, UTC
    status: str  # open | answered | closed
    answer: str | None = None


class QuestionReader(Protocol):
    """Members' questions, scoped to the pendamping of the kelompok they were asked in: a question of
    another pendamping's member reads as None, exactly like one that does not exist."""

    async def open_count(self, pendamping_id: int) -> int: ...

    async def open_questions(self, pendamping_id: int, limit: int) -> list[QuestionView]:
        """Newest first."""
        ...

    async def question(self, pendamping_id: int, question_id: int) -> QuestionView | None: ...


class CodeGenerator(Protocol):
    def code(self, length: int) -> str:
        """A random code of unambiguous capitals and digits (no O/0, I/1/L)."""
        ...


@dataclass(frozen=True)
class Links:
    """Links that open the bot with a code already filled in, where the bot's public names are known."""

    telegram_username: str | None = None
    whatsapp_number: str | None = None  # digits only, e.g. 6281234567890

    def telegram(self, payload: str) -> str | None:
        return f"https://t.me/{self.telegram_username}?start={payload}" if self.telegram_username else None

    def whatsapp(self, text: str) -> str | None:
        return f"https://wa.me/{self.whatsapp_number}?text={text}" if self.whatsapp_number else None


@dataclass(frozen=True)
class Ports:
    curriculum: Curriculum
    meetings: MeetingReader
    kelompok: KelompokReader
    rsvps: RsvpReader
    progress: ProgressReader
    pendamping: PendampingReader
    codes: CodeGenerator
    questions: QuestionReader
    links: Links = Links()
    reminders: ReminderPolicy = field(default_factory=ReminderPolicy)
