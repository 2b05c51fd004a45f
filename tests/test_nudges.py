"""The weekly lesson invitation: once a week, in each kelompok's time zone, to members with a session
still to read, naming the one to read next."""

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import select

from bot.app import App
from bot.catalogs import load_translators
from bot.db.models import LessonProgress, OutboxMessage, User
from bot.db.nudges import next_session, plan_nudges
from bot.delivery import DeliveryWorker
from bot.demo import DemoData
from scheduler.jobs import ZONES, build_scheduler
from tests.conftest import joined
from tests.fakes.recording_sender import RecordingSender
from tests.transcript import Chat, FakeClock


def test_next_session_prefers_the_one_being_read() -> None:
    assert next_session(set(), []) == 1
    assert next_session({1, 2}, [4]) == 4
    assert next_session({1, 2, 4}, [4]) == 3
    assert next_session(set(range(1, 15)), []) is None


async def test_members_with_unread_sessions_are_invited_once_a_week(
    app: App, demo: DemoData, clock: FakeClock
) -> None:
    chats = [Chat(app.service, f"kpm-{i}") for i in range(3)]
    for i, c in enumerate(chats):
        await joined(c, name=f"Ibu Anggota {'ABC'[i]}")
    await chats[1].tap_id("learn:s:3")  # reading session 3
    async with app.db.transaction() as session:
        done = await session.scalar(select(User.id).where(User.display_name == "Ibu Anggota C"))
        for n in range(1, 15):
            session.add(
                LessonProgress(user_id=done, session_number=n, completed_at=clock.now, updated_at=clock.now)
            )
    await chats[0].say("berhenti")
    await chats[0].tap("Ya, hentikan")
    for _ in range(2):  # a retried job plans nothing new
        async with app.db.transaction() as session:
            await plan_nudges(session, "Asia/Jakarta", clock.now)
    sender = RecordingSender()
    await DeliveryWorker(
        app.db, {"console": sender}, app.curriculum, load_translators(), "id", app.clock
    ).run_once()
    nudges = [e for e in sender.sent if e.template and e.template.kind == "nudge"]  # not the invitations
    assert [(e.address, e.message.text) for e in nudges] == [
        (
            "kpm-1",
            "Halo Ibu Anggota B, ada materi P2K2 yang menunggu: Sesi 3, Memahami Cara Anak Usia Dini Belajar.",
        )
    ]
    assert [b.id for b in nudges[0].message.buttons] == ["learn:s:3"]
    clock.now += timedelta(days=7)
    async with app.db.transaction() as session:
        assert await plan_nudges(session, "Asia/Jakarta", clock.now) == 1
        assert await plan_nudges(session, "Asia/Makassar", clock.now) == 0  # no kelompok in WITA
        keys = (
            await session.scalars(select(OutboxMessage.dedupe_key).where(OutboxMessage.kind == "nudge"))
        ).all()
    assert len(keys) == 2 and len(set(keys)) == 2


async def test_the_scheduler_invites_at_the_configured_local_hour_in_every_zone() -> None:
    async def nothing(*_: object) -> None:
        return None

    scheduler = build_scheduler(nothing, nothing, "mon", 8, lambda _: None)
    scheduler.start(paused=True)
    try:
        thursday = datetime(2026, 12, 3, 12, 0, tzinfo=UTC)
        for zone in ZONES:
            trigger = scheduler.get_job(f"nudge:{zone}").trigger
            fire = trigger.get_next_fire_time(None, thursday)
            assert fire.astimezone(ZoneInfo(zone)).replace(tzinfo=None) == datetime(2026, 12, 7, 8, 0)
    finally:
        scheduler.shutdown(wait=False)
