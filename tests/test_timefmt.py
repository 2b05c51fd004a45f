"""Meeting times read the Indonesian way, in the kelompok's own time zone."""

from __future__ import annotations

from datetime import UTC, datetime
from zoneinfo import ZoneInfo

import pytest

from bot.core.timefmt import format_day, format_when


@pytest.mark.parametrize(
    ("zone", "abbreviation"),
    [
        ("Asia/Jakarta", "WIB"),
        ("Asia/Pontianak", "WIB"),
        ("Asia/Makassar", "WITA"),
        ("Asia/Jayapura", "WIT"),
    ],
)
def test_nine_in_the_morning_local_time_in_every_indonesian_zone(zone: str, abbreviation: str) -> None:
    when = datetime(2026, 12, 5, 9, 0, tzinfo=ZoneInfo(zone))
    assert format_when(when, zone, "id") == f"Sabtu, 5 Desember 2026 pukul 09.00 {abbreviation}"


def test_one_instant_reads_as_each_zones_own_clock() -> None:
    instant = datetime(2026, 12, 5, 2, 0, tzinfo=UTC)
    assert format_when(instant, "Asia/Jakarta", "id") == "Sabtu, 5 Desember 2026 pukul 09.00 WIB"
    assert format_when(instant, "Asia/Makassar", "id") == "Sabtu, 5 Desember 2026 pukul 10.00 WITA"
    assert format_when(instant, "Asia/Jayapura", "id") == "Sabtu, 5 Desember 2026 pukul 11.00 WIT"
    # Late evening in Jakarta is already the next day in Papua.
    late = datetime(2026, 12, 5, 15, 30, tzinfo=UTC)
    assert format_when(late, "Asia/Jakarta", "id") == "Sabtu, 5 Desember 2026 pukul 22.30 WIB"
    assert format_when(late, "Asia/Jayapura", "id") == "Minggu, 6 Desember 2026 pukul 00.30 WIT"


def test_the_day_is_not_zero_padded() -> None:
    when = datetime(2026, 12, 3, 9, 0, tzinfo=ZoneInfo("Asia/Jakarta"))
    assert format_when(when, "Asia/Jakarta", "id") == "Kamis, 3 Desember 2026 pukul 09.00 WIB"
    assert format_day(when, "Asia/Jakarta", "id") == "Kamis, 3 Desember 2026"


def test_february_and_friday_are_spelled_the_indonesian_way() -> None:
    when = datetime(2027, 2, 5, 14, 15, tzinfo=ZoneInfo("Asia/Makassar"))
    assert format_when(when, "Asia/Makassar", "id") == "Jumat, 5 Februari 2027 pukul 14.15 WITA"


def test_english_for_staff() -> None:
    when = datetime(2026, 12, 5, 9, 0, tzinfo=ZoneInfo("Asia/Jakarta"))
    assert format_when(when, "Asia/Jakarta", "en") == "Saturday, 5 December 2026 at 09:00 WIB"
