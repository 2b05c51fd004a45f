"""Changes a handler asks for. Handlers return events; the service persists them in the same
transaction as the dialog state, so a reply and its effects are stored together or not at all."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime


@dataclass(frozen=True)
class Event:
    """Base of every event; events are named in the past tense."""


@dataclass(frozen=True)
class LocaleChosen(Event):
    locale: str


@dataclass(frozen=True)
class ConsentGiven(Event):
    text_version: str


@dataclass(frozen=True)
class NameSet(Event):
    name: str


@dataclass(frozen=True)
class KelompokJoined(Event):
    """Leaves any current kelompok and joins this one."""

    kelompok_id: int


@dataclass(frozen=True)
class LessonCardRead(Event):
    session_number: int
    card_id: str


@dataclass(frozen=True)
class LessonCompleted(Event):
    session_number: int


@dataclass(frozen=True)
class QuizAnswered(Event):
    session_number: int
    question_id: str
    choice: int  # 0-based option index
    correct: bool
    attempt: int


@dataclass(frozen=True)
class RsvpRecorded(Event):
    meeting_id: int
    answer: str  # yes | no | maybe
    reason: str | None = None


@dataclass(frozen=True)
class MessagesStopped(Event):
    pass


@dataclass(frozen=True)
class MessagesResumed(Event):
    pass


@dataclass(frozen=True)
class PersonalDataDeleted(Event):
    """Deletes the user, their identities and everything personal; quiz answers and attendance stay
    as anonymous counts."""


@dataclass(frozen=True)
class PendampingClaimed(Event):
    """This chat's user becomes the pendamping whose one-time claim code it sent."""

    pendamping_id: int


@dataclass(frozen=True)
class KelompokCreated(Event):
    pendamping_id: int
    name: str
    desa: str
    kecamatan: str
    kabupaten: str
    timezone: str
    join_code: str


@dataclass(frozen=True)
class MeetingScheduled(Event):
    kelompok_id: int
    session_number: int
    starts_at: datetime  # aware
    place: str


@dataclass(frozen=True)
class MeetingRescheduled(Event):
    """Members are told; reminders planned for the old time are replaced."""

    meeting_id: int
    starts_at: datetime
    place: str


@dataclass(frozen=True)
class MeetingCancelled(Event):
    """Members are told once; pending reminders are dropped."""

    meeting_id: int


@dataclass(frozen=True)
class AttendanceRecorded(Event):
    meeting_id: int
    user_id: int
    present: bool


@dataclass(frozen=True)
class BroadcastQueued(Event):
    """One broadcast row per kelompok, one outbox message per member who can be reached."""

    pendamping_id: int
    kelompok_ids: tuple[int, ...]
    text: str


@dataclass(frozen=True)
class ExportSent(Event):
    """Written to the audit log: who exported which kelompok's data, in which format."""

    kelompok_id: int
    format: str


@dataclass(frozen=True)
class AccessRefused(Event):
    """A forbidden attempt, written to the audit log (allowed = false)."""

    action: str
    target_type: str
    target_id: int | None


@dataclass(frozen=True)
class QuestionAsked(Event):
    """Forwarded to the pendamping of the member's kelompok; `text` is already cut to length."""

    text: str


@dataclass(frozen=True)
class QuestionAnswered(Event):
    """The answer is delivered to the member as coming from their pendamping."""

    question_id: int
    text: str


@dataclass(frozen=True)
class QuestionClosed(Event):
    """Closed without an answer; the member is not told."""

    question_id: int
