"""The whole P2K2 domain as tables. Personal data is kept to the minimum: a display name chosen by the
user and channel addresses; never NIK or other ID numbers."""

from __future__ import annotations

from datetime import datetime
from typing import Any, ClassVar, cast

from sqlalchemy import (
    JSON,
    BigInteger,
    Boolean,
    ForeignKey,
    Index,
    Integer,
    String,
    Table,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

from bot.db.types import UTCDateTime

# BIGINT on PostgreSQL, INTEGER (rowid alias, autoincrement) on SQLite.
Id = BigInteger().with_variant(Integer(), "sqlite")


class Base(DeclarativeBase):
    type_annotation_map: ClassVar[dict[Any, Any]] = {datetime: UTCDateTime, dict[str, Any]: JSON}


def table_of(model: type[Base]) -> Table:
    """The table behind a model, for Core statements on the hot path (they skip the ORM's per-statement
    work when no object needs to be loaded or tracked)."""
    return cast(Table, model.__table__)


class User(Base):
    __tablename__ = "users"

    id: Mapped[int] = mapped_column(Id, primary_key=True)
    role: Mapped[str] = mapped_column(String(16), default="kpm")  # kpm | pendamping
    display_name: Mapped[str | None] = mapped_column(String(80))
    locale: Mapped[str] = mapped_column(String(8))
    stopped_at: Mapped[datetime | None]  # BERHENTI: no reminders, nudges or broadcasts
    created_at: Mapped[datetime]


class Identity(Base):
    """A user's address on one channel; `reachable` turns false when the user blocks the bot."""

    __tablename__ = "identities"
    __table_args__ = (UniqueConstraint("channel", "address"),)

    id: Mapped[int] = mapped_column(Id, primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    channel: Mapped[str] = mapped_column(String(16))
    address: Mapped[str] = mapped_column(String(64))
    reachable: Mapped[bool] = mapped_column(Boolean, default=True)
    unreachable_reason: Mapped[str | None] = mapped_column(String(200))
    last_inbound_at: Mapped[datetime | None]  # WhatsApp's 24-hour window starts here
    created_at: Mapped[datetime]


class Pendamping(Base):
    """A facilitator. The role is claimed by a chat with a one-time code that expires."""

    __tablename__ = "pendamping"

    id: Mapped[int] = mapped_column(Id, primary_key=True)
    name: Mapped[str] = mapped_column(String(80))
    user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"), unique=True)
    claim_code: Mapped[str | None] = mapped_column(String(32), unique=True)
    claim_expires_at: Mapped[datetime | None]
    claimed_at: Mapped[datetime | None]
    created_at: Mapped[datetime]


class Kelompok(Base):
    __tablename__ = "kelompok"

    id: Mapped[int] = mapped_column(Id, primary_key=True)
    pendamping_id: Mapped[int] = mapped_column(ForeignKey("pendamping.id"), index=True)
    name: Mapped[str] = mapped_column(String(80))
    desa: Mapped[str] = mapped_column(String(80))
    kecamatan: Mapped[str] = mapped_column(String(80))
    kabupaten: Mapped[str] = mapped_column(String(80))
    timezone: Mapped[str] = mapped_column(String(40))
    join_code: Mapped[str] = mapped_column(String(16), unique=True)
    join_code_expires_at: Mapped[datetime | None]
    created_at: Mapped[datetime]
    deleted_at: Mapped[datetime | None]


class Membership(Base):
    """A user belongs to one kelompok at a time; `left_at` closes a past membership."""

    __tablename__ = "memberships"
    __table_args__ = (Index("ix_memberships_kelompok_active", "kelompok_id", "left_at"),)

    id: Mapped[int] = mapped_column(Id, primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    kelompok_id: Mapped[int] = mapped_column(ForeignKey("kelompok.id"))
    joined_at: Mapped[datetime]
    left_at: Mapped[datetime | None]


class Meeting(Base):
    """A group meeting. `version` grows on every reschedule, so reminders planned for an old time
    carry a stale key and are never sent."""

    __tablename__ = "meetings"
    __table_args__ = (Index("ix_meetings_kelompok_starts", "kelompok_id", "starts_at"),)

    id: Mapped[int] = mapped_column(Id, primary_key=True)
    kelompok_id: Mapped[int] = mapped_column(ForeignKey("kelompok.id"))
    session_number: Mapped[int] = mapped_column(Integer)
    starts_at: Mapped[datetime]
    place: Mapped[str] = mapped_column(String(200))
    status: Mapped[str] = mapped_column(String(16), default="scheduled")  # scheduled | cancelled
    version: Mapped[int] = mapped_column(Integer, default=1)
    created_at: Mapped[datetime]
    updated_at: Mapped[datetime]


class Rsvp(Base):
    """Intent to attend; the pendamping's attendance list stays the official record."""

    __tablename__ = "rsvps"
    __table_args__ = (UniqueConstraint("meeting_id", "user_id"),)

    id: Mapped[int] = mapped_column(Id, primary_key=True)
    meeting_id: Mapped[int] = mapped_column(ForeignKey("meetings.id", ondelete="CASCADE"))
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    answer: Mapped[str] = mapped_column(String(8))  # yes | no | maybe
    reason: Mapped[str | None] = mapped_column(String(300))
    updated_at: Mapped[datetime]


class Attendance(Base):
    __tablename__ = "attendance"
    __table_args__ = (UniqueConstraint("meeting_id", "user_id"),)

    id: Mapped[int] = mapped_column(Id, primary_key=True)
    meeting_id: Mapped[int] = mapped_column(ForeignKey("meetings.id", ondelete="CASCADE"))
    # SET NULL: after a KPM deletes their data, the meeting's head count stays, anonymous.
    user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"), index=True)
    present: Mapped[bool] = mapped_column(Boolean)
    recorded_by: Mapped[int | None] = mapped_column(ForeignKey("pendamping.id", ondelete="SET NULL"))
    recorded_at: Mapped[datetime]


class LessonProgress(Base):
    __tablename__ = "lesson_progress"
    __table_args__ = (UniqueConstraint("user_id", "session_number"),)

    id: Mapped[int] = mapped_column(Id, primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    session_number: Mapped[int] = mapped_column(Integer)
    last_card_id: Mapped[str | None] = mapped_column(String(32))
    completed_at: Mapped[datetime | None]
    updated_at: Mapped[datetime]


class QuizAnswer(Base):
    __tablename__ = "quiz_answers"
    __table_args__ = (Index("ix_quiz_answers_user_session", "user_id", "session_number"),)

    id: Mapped[int] = mapped_column(Id, primary_key=True)
    # SET NULL: after a KPM deletes their data, their answers stay only as anonymous quiz statistics.
    user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    session_number: Mapped[int] = mapped_column(Integer)
    question_id: Mapped[str] = mapped_column(String(32))
    choice: Mapped[int] = mapped_column(Integer)
    correct: Mapped[bool] = mapped_column(Boolean)
    attempt: Mapped[int] = mapped_column(Integer)
    answered_at: Mapped[datetime]


class MemberQuestion(Base):
    """A question a member asked their pendamping in the chat, with its answer: personal data, deleted
    with the member. `kelompok_id` is the kelompok at the time of asking; its pendamping may see it."""

    __tablename__ = "member_questions"
    __table_args__ = (Index("ix_member_questions_kelompok_status", "kelompok_id", "status"),)

    id: Mapped[int] = mapped_column(Id, primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    kelompok_id: Mapped[int] = mapped_column(ForeignKey("kelompok.id"))
    text: Mapped[str] = mapped_column(String(500))
    asked_at: Mapped[datetime]
    status: Mapped[str] = mapped_column(String(16), default="open")  # open | answered | closed
    answer: Mapped[str | None] = mapped_column(String(1000))
    answered_at: Mapped[datetime | None]  # when it was answered, or closed without answer
    answered_by: Mapped[int | None] = mapped_column(ForeignKey("pendamping.id", ondelete="SET NULL"))


class DialogStateRow(Base):
    __tablename__ = "dialog_states"

    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), primary_key=True)
    state: Mapped[dict[str, Any]]
    updated_at: Mapped[datetime]


class Broadcast(Base):
    __tablename__ = "broadcasts"

    id: Mapped[int] = mapped_column(Id, primary_key=True)
    pendamping_id: Mapped[int] = mapped_column(ForeignKey("pendamping.id"), index=True)
    kelompok_id: Mapped[int | None] = mapped_column(ForeignKey("kelompok.id"))  # None: all their kelompok
    text: Mapped[str] = mapped_column(Text)
    recipients: Mapped[int] = mapped_column(Integer, default=0)
    created_at: Mapped[datetime]
    finished_at: Mapped[datetime | None]


class OutboxMessage(Base):
    """One outbound message, a reply to the user's own message or one the bot sends first (reminder,
    broadcast, nudge, meeting change...). `dedupe_key` is unique: planning the same thing twice can never
    send it twice. `claimed_by` names the worker holding the lease, so a restarted worker can take back
    its own rows at once."""

    __tablename__ = "outbox"
    __table_args__ = (
        Index("ix_outbox_due", "status", "due_at"),
        Index("ix_outbox_identity", "identity_id", "status"),
    )

    id: Mapped[int] = mapped_column(Id, primary_key=True)
    dedupe_key: Mapped[str] = mapped_column(String(160), unique=True)
    kind: Mapped[str] = mapped_column(String(24))  # reply | reminder | broadcast | nudge | meeting_change...
    user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    identity_id: Mapped[int | None] = mapped_column(ForeignKey("identities.id", ondelete="CASCADE"))
    broadcast_id: Mapped[int | None] = mapped_column(ForeignKey("broadcasts.id"), index=True)
    meeting_id: Mapped[int | None] = mapped_column(ForeignKey("meetings.id", ondelete="CASCADE"))
    payload: Mapped[dict[str, Any]]
    due_at: Mapped[datetime]
    status: Mapped[str] = mapped_column(String(16), default="pending")
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    claimed_until: Mapped[datetime | None]
    claimed_by: Mapped[str | None] = mapped_column(String(64))
    provider_message_id: Mapped[str | None] = mapped_column(String(128), index=True)
    provider_status: Mapped[str | None] = mapped_column(String(16))  # delivered | read (WhatsApp)
    last_error: Mapped[str | None] = mapped_column(String(300))
    created_at: Mapped[datetime]
    sent_at: Mapped[datetime | None]


class InboundKey(Base):
    """Provider message ids already processed (Telegram update_id, WhatsApp wamid)."""

    __tablename__ = "inbound_keys"

    channel: Mapped[str] = mapped_column(String(16), primary_key=True)
    key: Mapped[str] = mapped_column(String(128), primary_key=True)
    received_at: Mapped[datetime] = mapped_column(index=True)


class Consent(Base):
    __tablename__ = "consents"

    id: Mapped[int] = mapped_column(Id, primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    text_version: Mapped[str] = mapped_column(String(32))
    given_at: Mapped[datetime]
    withdrawn_at: Mapped[datetime | None]


class AuditEntry(Base):
    """Who did what to whom. Targets are internal ids, never names or phone numbers."""

    __tablename__ = "audit_log"

    id: Mapped[int] = mapped_column(Id, primary_key=True)
    at: Mapped[datetime] = mapped_column(index=True)
    actor_user_id: Mapped[int | None] = mapped_column(BigInteger().with_variant(Integer(), "sqlite"))
    action: Mapped[str] = mapped_column(String(48))
    target_type: Mapped[str | None] = mapped_column(String(24))
    target_id: Mapped[int | None] = mapped_column(BigInteger().with_variant(Integer(), "sqlite"))
    allowed: Mapped[bool] = mapped_column(Boolean, default=True)
    detail: Mapped[dict[str, Any]]
