"""Dates the Indonesian way: "Kamis, 5 Desember 2026 pukul 09.00 WIB", in the kelompok's own time zone."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

from babel.dates import format_datetime

# CLDR's full pattern zero-pads the day ("04 Mei"); everyday Indonesian writes "4 Mei" and "pukul 09.00".
_PATTERNS = {
    "id": "EEEE, d MMMM y 'pukul' HH.mm",
    "en": "EEEE, d MMMM y 'at' HH:mm",
}
_DATE_PATTERNS = {"id": "EEEE, d MMMM y", "en": "EEEE, d MMMM y"}
ZONE_NAMES = {"WIB": "Asia/Jakarta", "WITA": "Asia/Makassar", "WIT": "Asia/Jayapura"}


def zone_abbreviation(when: datetime, timezone: str) -> str:
    """WIB / WITA / WIT for Indonesian zones (tzdata carries these names); the UTC offset elsewhere."""
    return when.astimezone(ZoneInfo(timezone)).tzname() or timezone


def format_when(when: datetime, timezone: str, locale: str) -> str:
    pattern = _PATTERNS.get(locale, _PATTERNS["id"])
    text = format_datetime(when, pattern, tzinfo=ZoneInfo(timezone), locale=locale)
    return f"{text} {zone_abbreviation(when, timezone)}"


def format_day(when: datetime, timezone: str, locale: str) -> str:
    pattern = _DATE_PATTERNS.get(locale, _DATE_PATTERNS["id"])
    return format_datetime(when, pattern, tzinfo=ZoneInfo(timezone), locale=locale)


_SHORT_PATTERNS = {"id": "EEEE d MMM 'pukul' HH.mm", "en": "EEEE d MMM 'at' HH:mm"}


def format_short(when: datetime, timezone: str, locale: str) -> str:
    """ "Jumat 11 Des pukul 09.00 WIB": for lists of times, where the year goes without saying."""
    pattern = _SHORT_PATTERNS.get(locale, _SHORT_PATTERNS["id"])
    text = format_datetime(when, pattern, tzinfo=ZoneInfo(timezone), locale=locale)
    return f"{text} {zone_abbreviation(when, timezone)}"
