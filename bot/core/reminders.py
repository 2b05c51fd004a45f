"""What members hear about a meeting and when: an invitation as soon as it is planned, reminders at the
meeting time minus each offset, every message moved out of the kelompok's local quiet hours. The plan never
leaves a member with nothing: a meeting too soon for reminders gets one "soon" invitation, and a meeting
whose offsets have all passed still gets one reminder the evening or the morning before."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, time, timedelta
from enum import StrEnum
from zoneinfo import ZoneInfo

JUST_BEFORE = timedelta(minutes=1)
MIN_GAP = timedelta(hours=1)  # a reminder closer than this to the invitation repeats it
EVENING = time(19)


@dataclass(frozen=True)
class ReminderPolicy:
    offsets: tuple[timedelta, ...] = (timedelta(days=1), timedelta(hours=2))
    quiet: tuple[time, time] | None = (time(21), time(6))
    soon: timedelta = timedelta(hours=2)  # a meeting this close gets one "soon" invitation, no reminders


class Step(StrEnum):
    INVITATION = "invitation"  # the meeting is new: what, when, where, will you come
    SOON = "soon"  # the invitation of a meeting that starts within `ReminderPolicy.soon`
    REMINDER = "reminder"


@dataclass(frozen=True)
class MeetingMessage:
    step: Step
    due: datetime  # UTC

    @property
    def is_invitation(self) -> bool:
        return self.step is not Step.REMINDER


def in_quiet_hours(local: time, quiet: tuple[time, time]) -> bool:
    start, end = quiet
    if start < end:
        return start <= local < end
    return local >= start or local < end  # overnight, e.g. 21:00-06:00


def _quiet(when: datetime, zone: ZoneInfo, quiet: tuple[time, time] | None) -> bool:
    return quiet is not None and in_quiet_hours(when.astimezone(zone).time().replace(tzinfo=None), quiet)


def reminder_time(
    starts_at: datetime, offset: timedelta, timezone: str, quiet: tuple[time, time] | None
) -> datetime:
    """The UTC time to send the reminder `offset` before `starts_at`."""
    zone = ZoneInfo(timezone)
    due = (starts_at - offset).astimezone(zone)
    if quiet is None or not _quiet(due, zone, quiet):
        return due.astimezone(UTC)
    start = quiet[0]
    day = due.date() if due.time().replace(tzinfo=None) >= start else due.date() - timedelta(days=1)
    began = datetime.combine(day, start, zone)
    return (began - JUST_BEFORE).astimezone(UTC)


def announce_time(
    now: datetime, starts_at: datetime, timezone: str, quiet: tuple[time, time] | None
) -> datetime:
    """When news of a meeting (an invitation, a change) goes out: now, or when the quiet hours end; now
    after all when the meeting itself starts before they end."""
    zone = ZoneInfo(timezone)
    if quiet is None or not _quiet(now, zone, quiet):
        return now.astimezone(UTC)
    local = now.astimezone(zone)
    day = local.date() if local.time().replace(tzinfo=None) < quiet[1] else local.date() + timedelta(days=1)
    ends = datetime.combine(day, quiet[1], zone).astimezone(UTC)
    return ends if ends < starts_at else now.astimezone(UTC)


def _fallback(starts_at: datetime, after: datetime, timezone: str, policy: ReminderPolicy) -> datetime | None:
    """One reminder the evening before, or else the morning of the meeting, when no offset is left."""
    zone = ZoneInfo(timezone)
    day = starts_at.astimezone(zone).date()
    morning = policy.quiet[1] if policy.quiet else time(7)
    candidates = (
        datetime.combine(day - timedelta(days=1), EVENING, zone),
        datetime.combine(day, morning, zone),
    )
    for candidate in candidates:
        due = candidate.astimezone(UTC)
        if after + MIN_GAP <= due <= starts_at - MIN_GAP and not _quiet(due, zone, policy.quiet):
            return due
    return None


def plan_meeting(
    starts_at: datetime, now: datetime, timezone: str, policy: ReminderPolicy, invite: bool = True
) -> tuple[MeetingMessage, ...]:
    """What to send about a meeting planned (or moved) at `now`, earliest first. With `invite` False the
    news goes out otherwise (a change notice) and only the reminders are planned."""
    if starts_at <= now:
        return ()
    first = announce_time(now, starts_at, timezone, policy.quiet)
    if starts_at - now <= policy.soon:
        return (MeetingMessage(Step.SOON, first),) if invite else ()
    dues = sorted(
        {
            due
            for due in (reminder_time(starts_at, o, timezone, policy.quiet) for o in policy.offsets)
            if first + MIN_GAP <= due < starts_at
        }
    )
    if not dues and (fallback := _fallback(starts_at, first, timezone, policy)) is not None:
        dues = [fallback]
    head = (MeetingMessage(Step.INVITATION, first),) if invite else ()
    return head + tuple(MeetingMessage(Step.REMINDER, due) for due in dues)
