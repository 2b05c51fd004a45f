"""The meeting plan: an invitation as soon as a meeting is planned (after the quiet hours), the reminders
still ahead, one "soon" invitation for a meeting within two hours, and never nothing at all."""

from datetime import UTC, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest

from bot.core.reminders import ReminderPolicy, Step, announce_time, plan_meeting

WIB = ZoneInfo("Asia/Jakarta")
DEFAULT = ReminderPolicy((timedelta(days=1), timedelta(hours=2)), (time(21), time(6)))
ONE_DAY = ReminderPolicy((timedelta(days=1),), (time(21), time(6)))


def at(day: int, hour: int, minute: int = 0) -> datetime:
    return datetime(2026, 12, day, hour, minute, tzinfo=WIB)


CASES = [
    # the review's case: at 20:00, "besok jam 9"; the 1-day reminder has passed, the 2-hour one is kept
    (
        "tomorrow 09:00 planned 20:00",
        DEFAULT,
        at(3, 20),
        at(4, 9),
        [("invitation", at(3, 20)), ("reminder", at(4, 7))],
    ),
    # four minutes ahead: one "soon" message, nothing else
    ("in four minutes", DEFAULT, at(3, 20, 32), at(3, 20, 36), [("soon", at(3, 20, 32))]),
    ("in ninety minutes", DEFAULT, at(4, 6, 30), at(4, 8), [("soon", at(4, 6, 30))]),
    # planned in the quiet hours: the invitation waits for 06:00; the 2-hour reminder (05:00 -> 20:59) passed
    ("07:00 planned at 22:30", DEFAULT, at(3, 22, 30), at(4, 7), [("invitation", at(4, 6))]),
    # only a 1-day offset, already passed: one reminder the evening before
    (
        "one offset, passed",
        ONE_DAY,
        at(3, 15),
        at(4, 10),
        [("invitation", at(3, 15)), ("reminder", at(3, 19))],
    ),
    # only a 1-day offset, passed, planned in the evening: one reminder the morning of the meeting
    (
        "one offset, evening",
        ONE_DAY,
        at(3, 19, 30),
        at(4, 10),
        [("invitation", at(3, 19, 30)), ("reminder", at(4, 6))],
    ),
    (
        "three days ahead",
        DEFAULT,
        at(3, 10),
        at(6, 9),
        [("invitation", at(3, 10)), ("reminder", at(5, 9)), ("reminder", at(6, 7))],
    ),
    # a reminder within an hour of the invitation would repeat it
    ("two and a half hours", DEFAULT, at(4, 7, 30), at(4, 10), [("invitation", at(4, 7, 30))]),
]


@pytest.mark.parametrize(
    ("planned", "now", "starts", "expected"), [c[1:] for c in CASES], ids=[c[0] for c in CASES]
)
def test_the_plan_leaves_no_member_with_nothing(
    planned: ReminderPolicy, now: datetime, starts: datetime, expected: list[tuple[str, datetime]]
) -> None:
    steps = plan_meeting(starts.astimezone(UTC), now.astimezone(UTC), "Asia/Jakarta", planned)
    assert [(s.step.value, s.due.astimezone(WIB)) for s in steps] == expected


def test_a_moved_meeting_plans_only_reminders() -> None:
    steps = plan_meeting(
        at(6, 9).astimezone(UTC), at(3, 10).astimezone(UTC), "Asia/Jakarta", DEFAULT, invite=False
    )
    assert [s.step for s in steps] == [Step.REMINDER, Step.REMINDER]
    assert plan_meeting(at(3, 11), at(3, 10), "Asia/Jakarta", DEFAULT, invite=False) == ()


def test_a_past_meeting_plans_nothing() -> None:
    assert plan_meeting(at(3, 9), at(3, 10), "Asia/Jakarta", DEFAULT) == ()


def test_news_waits_for_the_quiet_hours_to_end_unless_the_meeting_is_earlier() -> None:
    assert announce_time(at(3, 23), at(4, 9), "Asia/Jakarta", DEFAULT.quiet) == at(4, 6)
    assert announce_time(at(4, 2), at(4, 9), "Asia/Jakarta", DEFAULT.quiet) == at(4, 6)
    assert announce_time(at(3, 23), at(4, 5), "Asia/Jakarta", DEFAULT.quiet) == at(3, 23)  # a 05:00 meeting
    assert announce_time(at(3, 23), at(4, 9), "Asia/Jakarta", None) == at(3, 23)
    # in WIT the same UTC instant is already morning
    wit = ZoneInfo("Asia/Jayapura")
    now = datetime(2026, 12, 4, 6, 30, tzinfo=wit)
    assert announce_time(now, now + timedelta(hours=5), "Asia/Jayapura", DEFAULT.quiet) == now
