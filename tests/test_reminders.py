"""Reminder planning: right local times in every zone, quiet hours, reschedule, cancel, late joiners,
and the members who must not be reminded."""

from datetime import UTC, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import select, update

from bot.app import App
from bot.core.reminders import ReminderPolicy, reminder_time
from bot.db import pendamping_effects as effects
from bot.db.models import Identity, Kelompok, Meeting, OutboxMessage, Pendamping, User
from bot.demo import DemoData
from tests.conftest import joined
from tests.transcript import Chat

POLICY = ReminderPolicy((timedelta(days=1), timedelta(hours=2)), (time(21), time(6)))


async def _pendamping(app: App) -> tuple[int, int]:
    async with app.db.transaction() as session:
        row = (await session.scalars(select(Pendamping))).one()
        return row.user_id or 0, row.id


async def _schedule(app: App, demo: DemoData, local: datetime, policy: ReminderPolicy = POLICY) -> int:
    actor, pid = await _pendamping(app)
    async with app.db.transaction() as session:
        meeting = await effects.schedule_meeting(
            session, actor, pid, demo.kelompok_id, 5, local.astimezone(UTC), "Balai Desa", policy, app.clock()
        )
        return meeting.id


async def _rows(app: App, **where: object) -> list[OutboxMessage]:
    async with app.db.transaction() as session:
        query = select(OutboxMessage).order_by(OutboxMessage.due_at, OutboxMessage.id)
        for name, value in where.items():
            query = query.where(getattr(OutboxMessage, name) == value)
        return list((await session.scalars(query)).all())


@pytest.mark.parametrize("zone", ["Asia/Jakarta", "Asia/Makassar", "Asia/Jayapura"])
async def test_reminders_go_out_at_the_right_local_time_in_every_zone(
    app: App, demo: DemoData, chat: Chat, zone: str
) -> None:
    async with app.db.transaction() as session:
        await session.execute(update(Kelompok).values(timezone=zone))
    await joined(chat)
    meeting_id = await _schedule(app, demo, datetime(2026, 12, 12, 9, 0, tzinfo=ZoneInfo(zone)))
    rows = await _rows(app, kind="reminder", meeting_id=meeting_id)
    local = [r.due_at.astimezone(ZoneInfo(zone)).replace(tzinfo=None) for r in rows]
    assert local == [datetime(2026, 12, 11, 9, 0), datetime(2026, 12, 12, 7, 0)]
    assert {r.dedupe_key for r in rows} == {
        f"reminder:{meeting_id}:1:1440:{rows[0].user_id}",
        f"reminder:{meeting_id}:1:120:{rows[0].user_id}",
    }


def test_quiet_hours_move_a_reminder_to_just_before_they_begin() -> None:
    meeting = datetime(2026, 12, 12, 9, 0, tzinfo=ZoneInfo("Asia/Makassar"))
    quiet = (time(21), time(6))
    due = reminder_time(meeting, timedelta(hours=10), "Asia/Makassar", quiet)  # 23:00 -> 20:59
    assert due.astimezone(ZoneInfo("Asia/Makassar")) == datetime(
        2026, 12, 11, 20, 59, tzinfo=ZoneInfo("Asia/Makassar")
    )
    due = reminder_time(
        meeting, timedelta(hours=4), "Asia/Makassar", quiet
    )  # 05:00 -> 20:59 the evening before
    assert due.astimezone(ZoneInfo("Asia/Makassar")).replace(tzinfo=None) == datetime(2026, 12, 11, 20, 59)
    assert reminder_time(meeting, timedelta(hours=4), "Asia/Makassar", None).hour == 21  # 05:00 WITA in UTC
    daytime = reminder_time(meeting, timedelta(hours=1), "Asia/Makassar", (time(12), time(13)))
    assert daytime.astimezone(ZoneInfo("Asia/Makassar")).hour == 8


async def test_a_reminder_already_past_is_not_planned(app: App, demo: DemoData, chat: Chat) -> None:
    await joined(chat)
    soon = app.clock().astimezone(ZoneInfo("Asia/Jakarta")) + timedelta(hours=5)  # 1d before is past
    meeting_id = await _schedule(app, demo, soon)
    rows = await _rows(app, kind="reminder", meeting_id=meeting_id)
    assert [r.due_at for r in rows] == [soon.astimezone(UTC) - timedelta(hours=2)]


async def test_planning_twice_plans_once(app: App, demo: DemoData, chat: Chat) -> None:
    from bot.db.reminders import plan_reminders

    await joined(chat)
    meeting_id = await _schedule(app, demo, datetime(2026, 12, 12, 9, 0, tzinfo=ZoneInfo("Asia/Jakarta")))
    async with app.db.transaction() as session:
        await plan_reminders(session, meeting_id, POLICY, app.clock())
        await plan_reminders(session, meeting_id, POLICY, app.clock())
    assert len(await _rows(app, kind="reminder", meeting_id=meeting_id)) == 2


async def test_reschedule_replaces_pending_reminders_and_tells_members(
    app: App, demo: DemoData, chat: Chat
) -> None:
    await joined(chat)
    meeting_id = await _schedule(app, demo, datetime(2026, 12, 12, 9, 0, tzinfo=ZoneInfo("Asia/Jakarta")))
    actor, pid = await _pendamping(app)
    later = datetime(2026, 12, 19, 10, 0, tzinfo=ZoneInfo("Asia/Jakarta"))
    async with app.db.transaction() as session:
        await effects.reschedule_meeting(
            session, actor, pid, meeting_id, later.astimezone(UTC), "Posyandu", POLICY, app.clock()
        )
    reminders = await _rows(app, kind="reminder", meeting_id=meeting_id)
    old = [r for r in reminders if r.dedupe_key.split(":")[2] == "1"]  # reminder:<meeting>:<version>:...
    new = [r for r in reminders if r.dedupe_key.split(":")[2] == "2"]
    assert {r.status for r in old} == {"cancelled"} and len(old) == 2
    assert {r.status for r in new} == {"pending"}
    assert [r.due_at for r in new] == [
        later.astimezone(UTC) - timedelta(days=1),
        later.astimezone(UTC) - timedelta(hours=2),
    ]
    changes = await _rows(app, kind="meeting_change")
    assert len(changes) == 1 and changes[0].payload["change"] == "rescheduled"


async def test_cancel_removes_reminders_and_tells_members_once(app: App, demo: DemoData, chat: Chat) -> None:
    await joined(chat)
    meeting_id = await _schedule(app, demo, datetime(2026, 12, 12, 9, 0, tzinfo=ZoneInfo("Asia/Jakarta")))
    actor, pid = await _pendamping(app)
    for _ in range(2):
        async with app.db.transaction() as session:
            await effects.cancel_meeting(session, actor, pid, meeting_id, POLICY, app.clock())
    assert {r.status for r in await _rows(app, kind="reminder", meeting_id=meeting_id)} == {"cancelled"}
    changes = await _rows(app, kind="meeting_change")
    assert len(changes) == 1 and changes[0].payload["change"] == "cancelled"


async def test_a_member_who_joins_later_gets_the_remaining_reminders(
    app: App, demo: DemoData, chat: Chat
) -> None:
    meeting_id = await _schedule(app, demo, datetime(2026, 12, 12, 9, 0, tzinfo=ZoneInfo("Asia/Jakarta")))
    assert await _rows(app, kind="reminder") == []  # nobody to remind yet
    await joined(chat)
    assert len(await _rows(app, kind="reminder", meeting_id=meeting_id)) == 2


async def test_declined_stopped_and_unreachable_members_get_no_reminder(app: App, demo: DemoData) -> None:
    chats = [Chat(app.service, f"kpm-{i}") for i in range(3)]
    for i, c in enumerate(chats):
        await joined(c, name=f"Ibu Anggota {'ABC'[i]}")
    meeting_id = await _schedule(app, demo, datetime(2026, 12, 12, 9, 0, tzinfo=ZoneInfo("Asia/Jakarta")))
    assert len(await _rows(app, kind="reminder", status="pending", meeting_id=meeting_id)) == 6
    await chats[0].tap_id(f"rsvp:{meeting_id}:no")  # cannot attend
    await chats[1].say("berhenti")
    await chats[1].tap("Ya, hentikan")
    pending = await _rows(app, kind="reminder", status="pending", meeting_id=meeting_id)
    async with app.db.transaction() as session:
        third = await session.scalar(select(User.id).where(User.display_name == "Ibu Anggota C"))
    assert {r.user_id for r in pending} == {third}
    await chats[0].tap_id(f"rsvp:{meeting_id}:yes")  # changed their mind: reminders come back
    assert len(await _rows(app, kind="reminder", status="pending", meeting_id=meeting_id)) == 4
    async with app.db.transaction() as session:
        await session.execute(update(Identity).where(Identity.user_id == third).values(reachable=False))
        meeting = await session.get(Meeting, meeting_id)
        assert meeting is not None
    second = await _schedule(app, demo, datetime(2026, 12, 19, 9, 0, tzinfo=ZoneInfo("Asia/Jakarta")))
    assert {r.user_id for r in await _rows(app, kind="reminder", meeting_id=second)} == {
        r.user_id for r in await _rows(app, kind="reminder", status="pending", meeting_id=meeting_id)
    } - {third}
