"""When a meeting reminder goes out: the meeting time minus an offset, moved out of the kelompok's local
quiet hours to just before they begin."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, time, timedelta
from zoneinfo import ZoneInfo

JUST_BEFORE = timedelta(minutes=1)


@dataclass(frozen=True)
class ReminderPolicy:
    offsets: tuple[timedelta, ...] = (timedelta(days=1), timedelta(hours=2))
    quiet: tuple[time, time] | None = (time(21), time(6))


def in_quiet_hours(local: time, quiet: tuple[time, time]) -> bool:
    start, end = quiet
    if start < end:
        return start <= local < end
    return local >= start or local < end  # overnight, e.g. 21:00-06:00


def reminder_time(
    starts_at: datetime, offset: timedelta, timezone: str, quiet: tuple[time, time] | None
) -> datetime:
    """The UTC time to send the reminder `offset` before `starts_at`."""
    zone = ZoneInfo(timezone)
    due = (starts_at - offset).astimezone(zone)
    if quiet is None or not in_quiet_hours(due.time().replace(tzinfo=None), quiet):
        return due.astimezone(UTC)
    start = quiet[0]
    day = due.date() if due.time().replace(tzinfo=None) >= start else due.date() - timedelta(days=1)
    began = datetime.combine(day, start, zone)
    return (began - JUST_BEFORE).astimezone(UTC)
