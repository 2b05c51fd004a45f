"""Checks for what district operators type on the command line. Each failure is an OperatorInputError
whose message is one sentence naming the option, so the CLI can print it as it is."""

from __future__ import annotations

import re
from datetime import datetime
from zoneinfo import ZoneInfo

from bot.core.timefmt import ZONE_NAMES, zone_abbreviation

# The four zones Indonesia uses; kelompok live in one of them.
TIMEZONES = ("Asia/Jakarta", "Asia/Pontianak", "Asia/Makassar", "Asia/Jayapura")
SESSIONS = range(1, 15)
_LOCAL_TIME = re.compile(r"(\d{4})-(\d{1,2})-(\d{1,2})[ T]+(\d{1,2})[:.](\d{2})")
_CONTROL = re.compile(r"[\x00-\x1f\x7f]")


class OperatorInputError(ValueError):
    """A bad argument; the message says which one and what is expected."""


def timezone(value: str) -> str:
    """An IANA name of an Indonesian zone, or WIB / WITA / WIT (any case)."""
    wanted = value.strip()
    if wanted.upper() in ZONE_NAMES:
        return ZONE_NAMES[wanted.upper()]
    for zone in TIMEZONES:
        if zone.lower() == wanted.lower():
            return zone
    raise OperatorInputError(
        f"--timezone {value!r} is not an Indonesian time zone: "
        f"use WIB, WITA, WIT or one of {', '.join(TIMEZONES)}"
    )


def required_text(value: str, option: str, max_length: int) -> str:
    text = value.strip()
    if not text:
        raise OperatorInputError(f"{option} must not be empty")
    if _CONTROL.search(text):
        raise OperatorInputError(f"{option} must be a single line of text")
    if len(text) > max_length:
        raise OperatorInputError(f"{option} is too long ({len(text)} characters; at most {max_length})")
    return text


def _integer(value: str | int, option: str, expected: str) -> int:
    try:
        return int(str(value).strip())
    except ValueError:
        raise OperatorInputError(f"{option} must be {expected}, got {value!r}") from None


def record_id(value: str | int, option: str) -> int:
    number = _integer(value, option, "a positive id")
    if not 1 <= number < 2**63:
        raise OperatorInputError(f"{option} must be a positive id, got {value!r}")
    return number


def claim_days(value: str | int) -> int:
    expected = "a number of days from 1 to 90"
    if not 1 <= (days := _integer(value, "--expires-days", expected)) <= 90:
        raise OperatorInputError(f"--expires-days must be {expected}, got {value!r}")
    return days


def session_number(value: str | int) -> int:
    expected = "a P2K2 session from 1 to 14"
    if (number := _integer(value, "--sesi", expected)) not in SESSIONS:
        raise OperatorInputError(f"--sesi must be {expected}, got {value!r}")
    return number


def local_time(value: str, zone: str) -> datetime:
    """ "YYYY-MM-DD HH:MM" (also "HH.MM") read in `zone`; returns an aware datetime in that zone."""
    match = _LOCAL_TIME.fullmatch(value.strip())
    if match is None:
        raise OperatorInputError(
            f"--at {value!r} is not a date and time: use YYYY-MM-DD HH:MM, e.g. 2026-12-05 09:00"
        )
    year, month, day, hour, minute = (int(part) for part in match.groups())
    try:
        return datetime(year, month, day, hour, minute, tzinfo=ZoneInfo(zone))
    except ValueError:
        raise OperatorInputError(f"--at {value!r} is not a real date and time") from None


def future_time(value: str, zone: str, now: datetime) -> datetime:
    """`local_time`, refused unless it is after `now`."""
    when = local_time(value, zone)
    if when <= now:
        local_now = f"{now.astimezone(ZoneInfo(zone)):%Y-%m-%d %H:%M} {zone_abbreviation(now, zone)}"
        raise OperatorInputError(f"--at {value!r} is in the past (it is now {local_now})")
    return when
