"""Reads the meeting date and time a pendamping types, the way people write it in Indonesian chats:
"5/12 09.00", "5/12/2026 9:00", "besok jam 9", "lusa jam 14.30", "Kamis 09.00", "hari ini jam 16",
"Sabtu jam 3 sore", "Kamis minggu depan jam 7 malam". The result is an aware UTC instant, or the reason
the handler must ask again.

An Indonesian normaliser finds the clock time and the day first, because dateparser alone reads
"besok jam 9" as tomorrow at the current hour, does not know "lusa", calls 31/2 unreadable instead of
impossible, and (preferring future dates) silently moves a just-passed "1/12" to next year. What the
normaliser does not recognise as a day ("dalam 3 hari", "2026-12-05") goes to dateparser, configured
for Indonesian day-month order, future dates and the kelompok's zone, relative to the given `now`.

Rules, so that the confirmation the pendamping sees is never a surprise:
- A day without a time, or a time without a day, is not guessed: NO_TIME / NO_DAY.
- "jam 1" to "jam 5" without minutes or pagi/siang/sore/malam may mean the afternoon: UNCLEAR_HOUR.
- A weekday name means the next such day after today, never today ("hari ini" says today): typed on a
  Thursday, "Kamis" is next week's Thursday. "Kamis minggu depan" is the Thursday of next week (Mon-Sun).
- A date without a year is this year's, unless that is more than half a year ago (then next year's):
  "1/12" typed on 3 December is in the past (PAST), "5/1" typed in December is next January.
- A zone written after the time (WIB, WITA, WIT) is honoured; otherwise the kelompok's zone is used."""

from __future__ import annotations

import re
import unicodedata
from datetime import UTC, date, datetime, time, timedelta
from enum import StrEnum
from typing import Any
from zoneinfo import ZoneInfo

from bot.core.timefmt import ZONE_NAMES

MAX_INPUT = 100  # characters; anything longer is not a date


class DateProblem(StrEnum):
    UNREADABLE = "unreadable"
    NO_SUCH_DATE = "no_such_date"  # 31/2
    PAST = "past"
    NO_TIME = "no_time"  # "besok", "5/12"
    NO_DAY = "no_day"  # "jam 9"
    UNCLEAR_HOUR = "unclear_hour"  # "besok jam 3": 03.00 or 15.00?
    MISMATCH = "mismatch"  # "Jumat 5/12", but 5/12 is a Saturday


_PERIODS = r"pagi|siang|sore|petang|malam"
_CLOCK_WORD = re.compile(
    rf"(?:\b(?P<before>{_PERIODS})\s+)?\b(?:jam|pukul|pkl)\.?\s*(?P<hour>\d{{1,2}})(?:[.:](?P<minute>\d{{2}}))?\b"
    rf"(?:\s*(?P<period>{_PERIODS})\b)?"
)
_CLOCK = re.compile(
    rf"(?:\b(?P<before>{_PERIODS})\s+)?(?<![\d/.:-])(?P<hour>\d{{1,2}})[.:](?P<minute>\d{{2}})(?![\d/.:-])(?:\s*(?P<period>{_PERIODS})\b)?"
)
_HOUR_PERIOD = re.compile(rf"\b(?P<hour>\d{{1,2}})\s*(?P<period>{_PERIODS})\b")
_RANGE_END = re.compile(r"^\s*(?:-|s/?d|sampai|hingga)\s*\d{1,2}(?:[.:]\d{2})?")
_ZONE = re.compile(r"\b(wib|wita|wit)\b")
_NUMERIC_DATE = re.compile(r"\b(\d{1,2})[/.-](\d{1,2})(?:[/.-](\d{4}|\d{2}))?\b")
_ISO_DATE = re.compile(r"\b(\d{4})-(\d{1,2})-(\d{1,2})\b")
_NEXT_WEEK = re.compile(r"\b(?:minggu|pekan) depan\b")
# "kemarin" is read only so that a past day gets "that time has passed", not "I could not read it".
_RELATIVE = {
    "kemarin": -1,
    "kmrn": -1,
    "hari ini": 0,
    "nanti": 0,
    "besok": 1,
    "besuk": 1,
    "bsk": 1,
    "esok": 1,
    "lusa": 2,
}
_WEEKDAYS = {
    "senin": 0,
    "selasa": 1,
    "rabu": 2,
    "kamis": 3,
    "jumat": 4,
    "jumaat": 4,
    "sabtu": 5,
    "minggu": 6,
    "ahad": 6,
}
_MONTHS = {
    **dict.fromkeys(("januari", "jan"), 1),
    **dict.fromkeys(("februari", "pebruari", "feb", "peb"), 2),
    **dict.fromkeys(("maret", "mar"), 3),
    **dict.fromkeys(("april", "apr"), 4),
    "mei": 5,
    **dict.fromkeys(("juni", "jun"), 6),
    **dict.fromkeys(("juli", "jul"), 7),
    **dict.fromkeys(("agustus", "agu", "agt", "ags", "agus"), 8),
    **dict.fromkeys(("september", "sep", "sept"), 9),
    **dict.fromkeys(("oktober", "okt"), 10),
    **dict.fromkeys(("november", "nopember", "nov", "nop"), 11),
    **dict.fromkeys(("desember", "des"), 12),
}
_MONTH_DATE = re.compile(r"\b(\d{1,2})\s+(" + "|".join(_MONTHS) + r")\b(?:\s+(\d{4}))?")
_FILLER = {"tanggal", "tgl", "hari", "pada", "depan", "ya", "tolong", "mulai"}
_HALF_YEAR = timedelta(days=183)


def normalize(text: str) -> str:
    """Lower case, apostrophes dropped ("Jum'at" -> "jumat"), emoji and other symbols turned into spaces."""
    text = unicodedata.normalize("NFKC", text).casefold().replace("'", "").replace("’", "")
    kept = "".join(ch if ch.isalnum() or ch in "/.:-" else " " for ch in text)
    return " ".join(kept.split()).strip(".:-")


def read_when(text: str, timezone: str, now: datetime) -> datetime | DateProblem:
    """The instant meant by `text` in `timezone` (aware, UTC), or why it cannot be used."""
    if len(text) > MAX_INPUT:
        return DateProblem.UNREADABLE
    words = normalize(text)
    zone_match = _ZONE.search(words)
    if zone_match:
        timezone = ZONE_NAMES[zone_match.group(1).upper()]
        words = _ZONE.sub(" ", words)
    today = now.astimezone(ZoneInfo(timezone)).date()
    clock, words = _take_clock(words)
    if isinstance(clock, DateProblem):
        return clock
    day = _take_day(words, today, now, timezone)
    if isinstance(day, DateProblem):
        return day
    if day is None:
        return DateProblem.NO_DAY if clock else DateProblem.UNREADABLE
    if clock is None:
        return DateProblem.PAST if day < today else DateProblem.NO_TIME
    when = datetime.combine(day, clock, ZoneInfo(timezone)).astimezone(UTC)
    return when if when > now else DateProblem.PAST


def _take_clock(words: str) -> tuple[time | DateProblem | None, str]:
    """The clock time in `words` and what is left of them. Of several bare "hh.mm", the last is the time
    (an earlier one may be a date written with dots)."""
    match = _CLOCK_WORD.search(words) or _HOUR_PERIOD.search(words)
    if match is None:
        bare = list(_CLOCK.finditer(words))
        match = bare[-1] if bare else None
    if match is None:
        return None, words
    parts = match.groupdict()
    hour, minute = int(parts["hour"]), int(parts.get("minute") or 0)
    rest = words[: match.start()] + " " + _RANGE_END.sub(" ", words[match.end() :])
    if minute > 59 or hour > 23:
        return DateProblem.UNREADABLE, rest
    period = parts.get("period") or parts.get("before")
    hour_24 = _with_period(hour, period, said_minutes=parts.get("minute") is not None)
    if isinstance(hour_24, DateProblem):
        return hour_24, rest
    return time(hour_24, minute), rest


def _with_period(hour: int, period: str | None, said_minutes: bool) -> int | DateProblem:
    """The 24-hour clock hour of "jam 3 sore" and the like, or UNCLEAR_HOUR when the words disagree."""
    if period is None:
        return DateProblem.UNCLEAR_HOUR if 1 <= hour <= 5 and not said_minutes else hour
    if period == "pagi":
        return hour if hour <= 11 else DateProblem.UNCLEAR_HOUR
    if hour >= 12:
        afternoon = {"siang": range(12, 16), "sore": range(13, 20), "petang": range(13, 20)}
        return hour if hour in afternoon.get(period, range(18, 24)) else DateProblem.UNCLEAR_HOUR
    if period == "siang" and hour in (10, 11):
        return hour
    if hour == 0 or (period == "malam" and hour < 6) or (period != "malam" and hour > 7):
        return DateProblem.UNCLEAR_HOUR  # "jam 2 malam": tonight or the small hours? "jam 9 sore"?
    return hour + 12


def _take_day(words: str, today: date, now: datetime, timezone: str) -> date | DateProblem | None:
    """The local date named in `words` (what is left once the clock time is taken out). Dates and
    relative words ("besok") must agree with each other and with any weekday written next to them."""
    dates: list[date | DateProblem] = []
    words = _MONTH_DATE.sub(lambda m: f"{m[1]}/{_MONTHS[m[2]]}" + (f"/{m[3]}" if m[3] else ""), words)
    for match in list(_ISO_DATE.finditer(words)):
        dates.append(_valid(int(match[1]), int(match[2]), int(match[3])))
        words = words.replace(match[0], " ")
    for match in list(_NUMERIC_DATE.finditer(words)):
        dates.append(_dated(match, today))
        words = words.replace(match[0], " ")
    for phrase, offset in _RELATIVE.items():
        if re.search(rf"\b{phrase}\b", words):
            dates.append(today + timedelta(days=offset))
            words = re.sub(rf"\b{phrase}\b", " ", words)
    next_week = bool(_NEXT_WEEK.search(words))
    words = _NEXT_WEEK.sub(" ", words)
    weekdays = {day for name, day in _WEEKDAYS.items() if re.search(rf"\b{name}\b", words)}
    words = " ".join(w for w in words.split() if w not in _WEEKDAYS)
    problem = next((d for d in dates if isinstance(d, DateProblem)), None)
    if problem is not None:
        return problem
    days = {d for d in dates if not isinstance(d, DateProblem)}
    if any(w not in _FILLER for w in words.split()):
        if dates or weekdays or not any(ch.isdigit() for ch in words):
            return DateProblem.UNREADABLE
        return _fallback(words, now, timezone)
    if len(days) > 1 or len(weekdays) > 1:
        return DateProblem.MISMATCH
    if days:
        (day,) = days
        return day if not weekdays or weekdays == {day.weekday()} else DateProblem.MISMATCH
    if weekdays:
        (weekday,) = weekdays
        if next_week:
            return today + timedelta(days=7 - today.weekday() + weekday)
        return today + timedelta(days=(weekday - today.weekday()) % 7 or 7)
    return DateProblem.NO_DAY if next_week else None


def _valid(year: int, month: int, day: int) -> date | DateProblem:
    try:
        return date(year, month, day)
    except ValueError:
        return DateProblem.NO_SUCH_DATE


def _dated(match: re.Match[str], today: date) -> date | DateProblem:
    day, month, year = int(match[1]), int(match[2]), match[3]
    if year is not None:
        return _valid(int(year) + (2000 if len(year) == 2 else 0), month, day)
    this_year = _valid(today.year, month, day)
    if isinstance(this_year, DateProblem):  # 29/2 is a real date in a leap year
        return _valid(today.year + 1, month, day)
    return this_year if this_year >= today - _HALF_YEAR else _valid(today.year + 1, month, day)


def _fallback(words: str, now: datetime, timezone: str) -> date | DateProblem:
    """Other ways of naming a day ("dalam 3 hari", ISO dates), read by dateparser."""
    import dateparser  # a pure library, loaded only when the normaliser needs it

    local_now = now.astimezone(ZoneInfo(timezone)).replace(tzinfo=None)
    settings: dict[str, Any] = {
        "DATE_ORDER": "DMY",
        "PREFER_DATES_FROM": "future",
        "TIMEZONE": timezone,
        "RETURN_AS_TIMEZONE_AWARE": True,
        "RELATIVE_BASE": local_now,
    }
    parsed = dateparser.parse(words, languages=["id"], settings=settings)
    return parsed.date() if isinstance(parsed, datetime) else DateProblem.UNREADABLE
