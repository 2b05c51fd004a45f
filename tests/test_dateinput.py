"""Natural Indonesian date input, read in the kelompok's zone relative to a fixed now."""

from datetime import UTC, datetime
from zoneinfo import ZoneInfo

import pytest

from bot.core.dateinput import DateProblem, read_when

# Thursday 3 December 2026: 08.00 WIB, 09.00 WITA, 10.00 WIT.
NOW = datetime(2026, 12, 3, 1, 0, tzinfo=UTC)
ZONES = ["Asia/Jakarta", "Asia/Makassar", "Asia/Jayapura"]

FORMS = [
    ("5/12 09.00", (2026, 12, 5, 9, 0)),
    ("5/12 9:00", (2026, 12, 5, 9, 0)),
    ("5/12/2026 9:00", (2026, 12, 5, 9, 0)),
    ("05-12-26 09.00", (2026, 12, 5, 9, 0)),
    ("besok jam 9", (2026, 12, 4, 9, 0)),
    ("Besok jam 9 pagi", (2026, 12, 4, 9, 0)),
    ("lusa jam 14.30", (2026, 12, 5, 14, 30)),
    ("Kamis 09.00", (2026, 12, 10, 9, 0)),  # typed on a Thursday: next week's Thursday
    ("kamis jam 9", (2026, 12, 10, 9, 0)),
    ("Jum'at 09.00", (2026, 12, 4, 9, 0)),
    ("hari Sabtu pukul 9", (2026, 12, 5, 9, 0)),
    ("hari ini jam 16", (2026, 12, 3, 16, 0)),
    ("Sabtu jam 3 sore", (2026, 12, 5, 15, 0)),
    ("Jumat jam 7 malam", (2026, 12, 4, 19, 0)),
    ("besok jam 1 siang", (2026, 12, 4, 13, 0)),
    ("nanti malam jam 7", (2026, 12, 3, 19, 0)),
    ("Kamis minggu depan jam 9", (2026, 12, 10, 9, 0)),
    ("Senin minggu depan jam 9", (2026, 12, 7, 9, 0)),
    ("Sabtu, 5 Desember 2026 pukul 09.00", (2026, 12, 5, 9, 0)),
    ("5 des jam 9", (2026, 12, 5, 9, 0)),
    ("Kamis 17/12 jam 9", (2026, 12, 17, 9, 0)),
    ("besok jam 09.00-11.00", (2026, 12, 4, 9, 0)),
    ("5/1 09.00", (2027, 1, 5, 9, 0)),  # January is next year's, not eleven months ago
    ("dalam 3 hari jam 9", (2026, 12, 6, 9, 0)),  # read by dateparser
    ("📅 besok jam 9 🙏", (2026, 12, 4, 9, 0)),
]


@pytest.mark.parametrize("zone", ZONES)
@pytest.mark.parametrize(("text", "local"), FORMS)
def test_natural_forms_in_every_zone(text: str, local: tuple[int, ...], zone: str) -> None:
    expected = datetime(*local, tzinfo=ZoneInfo(zone)).astimezone(UTC)
    assert read_when(text, zone, NOW) == expected


@pytest.mark.parametrize(
    ("zone", "utc"),
    [
        ("Asia/Jakarta", datetime(2026, 12, 4, 2, 0, tzinfo=UTC)),
        ("Asia/Makassar", datetime(2026, 12, 4, 1, 0, tzinfo=UTC)),
        ("Asia/Jayapura", datetime(2026, 12, 4, 0, 0, tzinfo=UTC)),
    ],
)
def test_tomorrow_at_nine_is_the_right_instant(zone: str, utc: datetime) -> None:
    result = read_when("besok jam 9", zone, NOW)
    assert result == utc and isinstance(result, datetime) and result.tzinfo is UTC


def test_tomorrow_is_the_kelompoks_tomorrow() -> None:
    late = datetime(2026, 12, 3, 15, 30, tzinfo=UTC)  # 22.30 WIB on Thursday, 00.30 WIT on Friday
    assert read_when("besok jam 9", "Asia/Jakarta", late) == datetime(2026, 12, 4, 2, 0, tzinfo=UTC)
    assert read_when("besok jam 9", "Asia/Jayapura", late) == datetime(2026, 12, 5, 0, 0, tzinfo=UTC)


def test_a_zone_written_after_the_time_is_honoured() -> None:
    assert read_when("Sabtu 10.00 WITA", "Asia/Jakarta", NOW) == datetime(2026, 12, 5, 2, 0, tzinfo=UTC)


def test_the_result_depends_only_on_the_given_now() -> None:
    later = datetime(2030, 6, 3, 1, 0, tzinfo=UTC)  # a Monday
    assert read_when("besok jam 9", "Asia/Jakarta", later) == datetime(2030, 6, 4, 2, 0, tzinfo=UTC)
    assert read_when("Kamis 09.00", "Asia/Jakarta", later) == datetime(2030, 6, 6, 2, 0, tzinfo=UTC)
    assert read_when("dalam 3 hari jam 9", "Asia/Jakarta", later) == datetime(2030, 6, 6, 2, 0, tzinfo=UTC)


@pytest.mark.parametrize("zone", ZONES)
@pytest.mark.parametrize(
    ("text", "problem"),
    [
        ("1/12 09.00", DateProblem.PAST),
        ("2/12/2026 09.00", DateProblem.PAST),
        ("hari ini jam 7", DateProblem.PAST),
        ("kemarin jam 9", DateProblem.PAST),
        ("Kemarin jam 3 sore", DateProblem.PAST),
        ("kemarin", DateProblem.PAST),
        ("31/2 09.00", DateProblem.NO_SUCH_DATE),
        ("30/2/2027 jam 9", DateProblem.NO_SUCH_DATE),
        ("31 November jam 9", DateProblem.NO_SUCH_DATE),
        ("5/13 09.00", DateProblem.NO_SUCH_DATE),
        ("jam 9", DateProblem.NO_DAY),
        ("jam 9 pagi", DateProblem.NO_DAY),
        ("jam 3 sore", DateProblem.NO_DAY),
        ("minggu depan jam 9", DateProblem.NO_DAY),
        ("5/12", DateProblem.NO_TIME),
        ("besok", DateProblem.NO_TIME),
        ("Kamis", DateProblem.NO_TIME),
        ("besok jam 3", DateProblem.UNCLEAR_HOUR),
        ("besok jam 2 malam", DateProblem.UNCLEAR_HOUR),
        ("besok jam 12 malam", DateProblem.UNCLEAR_HOUR),
        ("Jumat 5/12 09.00", DateProblem.MISMATCH),
        ("besok 5/12 09.00", DateProblem.MISMATCH),
        ("besok jam 25", DateProblem.UNREADABLE),
        ("besok 9.61", DateProblem.UNREADABLE),
        ("besok jam 9 di balai desa", DateProblem.UNREADABLE),
        ("kapan-kapan saja", DateProblem.UNREADABLE),
        ("asdfgh", DateProblem.UNREADABLE),
        ("", DateProblem.UNREADABLE),
        ("🙂🙂🙂", DateProblem.UNREADABLE),
        ("'; DROP TABLE meetings; --", DateProblem.UNREADABLE),
        ("besok jam 9 " + "x" * 5000, DateProblem.UNREADABLE),
        ("5/12 " * 1000, DateProblem.UNREADABLE),
    ],
)
def test_input_that_must_be_asked_again(text: str, problem: DateProblem, zone: str) -> None:
    assert read_when(text, zone, NOW) is problem
