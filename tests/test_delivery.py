"""The delivery worker: due rows are sent once, in the recipient's language, with RSVP buttons; retries,
pauses, give-ups and unreachable users are recorded; crashed claims are taken over after the lease."""

import asyncio
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import delete, func, insert, select, update

from bot.app import App
from bot.catalogs import load_translators
from bot.core.delivery import Failed, RetryLater, Undeliverable
from bot.core.reminders import ReminderPolicy
from bot.db import outbox
from bot.db import pendamping_effects as effects
from bot.db.models import Identity, Membership, OutboxMessage, Pendamping, Rsvp, User
from bot.db.pendamping_reader import SqlPendampingReader
from bot.delivery import MAX_ATTEMPTS, DeliveryConfig, DeliveryWorker
from bot.demo import DemoData
from bot.pacing import PacedSender
from tests.builders import delivery_worker
from tests.conftest import joined
from tests.fakes.recording_sender import RecordingSender
from tests.transcript import Chat, FakeClock

POLICY = ReminderPolicy((timedelta(days=1), timedelta(hours=2)), None)
MEETING = datetime(2026, 12, 12, 9, 0, tzinfo=ZoneInfo("Asia/Jakarta"))


async def _schedule(app: App, demo: DemoData, when: datetime = MEETING, invitations: bool = False) -> int:
    """Schedules the meeting; unless `invitations`, the invitations planned with it are left out, so that
    a test follows the reminders alone."""
    async with app.db.transaction() as session:
        pendamping = (await session.scalars(select(Pendamping))).one()
        meeting = await effects.schedule_meeting(
            session,
            pendamping.user_id or 0,
            pendamping.id,
            demo.kelompok_id,
            5,
            when.astimezone(UTC),
            "Balai Desa",
            POLICY,
            app.clock(),
        )
        if not invitations:
            await session.execute(delete(OutboxMessage).where(OutboxMessage.kind == "invitation"))
        return meeting.id


async def _move_a_week_later(app: App, meeting_id: int) -> None:
    """The pendamping reschedules the meeting to a week later, at Posyandu."""
    async with app.db.transaction() as session:
        pendamping = (await session.scalars(select(Pendamping))).one()
        await effects.reschedule_meeting(
            session,
            pendamping.user_id or 0,
            pendamping.id,
            meeting_id,
            (MEETING + timedelta(days=7)).astimezone(UTC),
            "Posyandu",
            POLICY,
            app.clock(),
        )


async def _statuses(app: App, **where: object) -> list[str]:
    async with app.db.transaction() as session:
        query = select(OutboxMessage.status).order_by(OutboxMessage.due_at, OutboxMessage.id)
        for name, value in where.items():
            query = query.where(getattr(OutboxMessage, name) == value)
        return list((await session.scalars(query)).all())


async def test_reminders_are_sent_when_due_with_rsvp_buttons(
    app: App, demo: DemoData, chat: Chat, clock: FakeClock
) -> None:
    await joined(chat)
    meeting_id = await _schedule(app, demo)
    sender = RecordingSender()
    worker = delivery_worker(app, sender)
    assert await worker.run_once() == 0  # nothing due yet on Thursday
    clock.now = datetime(2026, 12, 11, 9, 0, tzinfo=ZoneInfo("Asia/Jakarta")).astimezone(UTC)
    await worker.run_once()
    reminders = [e for e in sender.sent if f"rsvp:{meeting_id}:yes" in {b.id for b in e.message.buttons}]
    assert len(reminders) == 1
    text = reminders[0].message.text
    assert (
        "Halo Ibu Siti" in text and "Sabtu, 12 Desember 2026 pukul 09.00 WIB" in text and "Balai Desa" in text
    )
    assert [b.label for b in reminders[0].message.buttons] == ["Hadir", "Tidak bisa hadir", "Belum tahu"]
    assert reminders[0].template is not None and reminders[0].template.kind == "reminder"
    assert await _statuses(app, meeting_id=meeting_id) == ["sent", "pending"]
    async with app.db.transaction() as session:
        row = await session.scalar(
            select(OutboxMessage).where(
                OutboxMessage.status == "sent", OutboxMessage.meeting_id == meeting_id
            )
        )
        assert row is not None and row.provider_message_id and row.sent_at == clock.now
    # Answering straight from the reminder's button records the RSVP.
    await chat.tap_id(f"rsvp:{meeting_id}:yes")
    async with app.db.transaction() as session:
        assert (
            await session.scalars(select(Rsvp.answer).where(Rsvp.meeting_id == meeting_id))
        ).one() == "yes"
    # Sent rows are never sent again.
    await worker.run_once()
    assert (
        len([e for e in sender.sent if e.message.buttons and e.template and e.template.kind == "reminder"])
        == 1
    )


async def test_a_new_meeting_sends_its_invitation_at_once(app: App, demo: DemoData, chat: Chat) -> None:
    await joined(chat)
    meeting_id = await _schedule(app, demo, invitations=True)
    sender = RecordingSender()
    await delivery_worker(app, sender).run_once()
    (invitation,) = [e for e in sender.sent if f"rsvp:{meeting_id}:yes" in {b.id for b in e.message.buttons}]
    assert await _statuses(app, meeting_id=meeting_id) == ["sent", "pending", "pending"]  # reminders wait
    text = invitation.message.text
    assert text.startswith("Halo Ibu Siti, Ibu/Bapak diundang ke pertemuan kelompok Sirnajaya 1:")
    assert "Sabtu, 12 Desember 2026 pukul 09.00 WIB" in text and "Balai Desa" in text
    assert [b.id for b in invitation.message.buttons] == [
        f"rsvp:{meeting_id}:{a}" for a in ("yes", "no", "maybe")
    ]
    await chat.say("hadir")  # a typed answer answers the invitation
    async with app.db.transaction() as session:
        assert (
            await session.scalars(select(Rsvp.answer).where(Rsvp.meeting_id == meeting_id))
        ).one() == "yes"


async def test_a_member_who_joins_later_is_invited_too(app: App, demo: DemoData, chat: Chat) -> None:
    meeting_id = await _schedule(app, demo, invitations=True)
    await joined(chat)
    await delivery_worker(app, RecordingSender()).run_once()
    assert await _statuses(app, meeting_id=meeting_id, kind="invitation") == ["sent"]
    assert await _statuses(app, meeting_id=meeting_id, kind="reminder") == ["pending", "pending"]


async def test_reschedule_means_the_old_reminder_is_never_sent(
    app: App, demo: DemoData, chat: Chat, clock: FakeClock
) -> None:
    await joined(chat)
    meeting_id = await _schedule(app, demo)
    await _move_a_week_later(app, meeting_id)
    sender = RecordingSender()
    worker = delivery_worker(app, sender)
    await worker.run_once()  # the change notice goes out at once
    assert [e.message.text.splitlines()[0] for e in sender.sent] == [
        "Halo Ibu Siti, pertemuan kelompok Sirnajaya 1 pindah waktu."
    ]
    clock.now = (MEETING - timedelta(days=1)).astimezone(UTC)
    await worker.run_once()
    assert len(sender.sent) == 1  # the reminder for the old time was cancelled
    clock.now = (MEETING + timedelta(days=6)).astimezone(UTC)
    await worker.run_once()
    assert "Sabtu, 19 Desember 2026 pukul 09.00 WIB" in sender.sent[-1].message.text


async def test_a_platform_429_pauses_the_channel_and_the_row_waits(
    app: App, demo: DemoData, chat: Chat, clock: FakeClock
) -> None:
    await joined(chat)
    await _schedule(app, demo)
    clock.now = (MEETING - timedelta(days=1)).astimezone(UTC)
    raw = RecordingSender()
    raw.script.append(RetryLater(30, "Too Many Requests", pause_channel=True))
    paced = PacedSender(raw, 25, clock=lambda: clock.now.timestamp())
    worker = delivery_worker(app, paced)
    await worker.run_once()
    assert paced.paused_for > 25
    async with app.db.transaction() as session:
        row = (
            await session.scalars(
                select(OutboxMessage).where(OutboxMessage.last_error == "Too Many Requests")
            )
        ).one()
    assert row.status == "pending" and row.due_at == clock.now + timedelta(seconds=30)
    clock.now += timedelta(seconds=31)
    assert paced.paused_for == 0
    await worker.run_once()
    assert len(raw.sent) == 1


async def test_network_errors_back_off_and_give_up_after_five_attempts(
    app: App, demo: DemoData, chat: Chat, clock: FakeClock
) -> None:
    await joined(chat)
    meeting_id = await _schedule(app, demo)
    clock.now = (MEETING - timedelta(days=1)).astimezone(UTC)
    sender = RecordingSender()
    sender.script.extend(RetryLater(1, "network error") for _ in range(MAX_ATTEMPTS))
    worker = delivery_worker(app, sender, backoff_base=5.0)
    waits = []
    for _ in range(MAX_ATTEMPTS):
        await worker.run_once()
        async with app.db.transaction() as session:
            row = (
                await session.scalars(
                    select(OutboxMessage)
                    .where(OutboxMessage.meeting_id == meeting_id)
                    .order_by(OutboxMessage.due_at)
                )
            ).first()
        assert row is not None
        if row.status == "pending":
            waits.append((row.due_at - clock.now).total_seconds())
            clock.now = row.due_at
    assert row.status == "failed" and "gave up after 5 tries" in (row.last_error or "")
    assert [round(w) >= b for w, b in zip(waits, [5, 10, 20, 40], strict=True)] == [True] * 4


async def test_blocked_users_are_marked_and_skipped(
    app: App, demo: DemoData, chat: Chat, clock: FakeClock
) -> None:
    await joined(chat)
    meeting_id = await _schedule(app, demo)
    clock.now = (MEETING - timedelta(days=1)).astimezone(UTC)
    sender = RecordingSender()
    sender.script.append(Undeliverable("Forbidden: bot was blocked by the user"))
    worker = delivery_worker(app, sender)
    await worker.run_once()
    async with app.db.transaction() as session:
        identity = (await session.scalars(select(Identity).where(Identity.address == "kpm-1"))).one()
    assert not identity.reachable and "blocked" in (identity.unreachable_reason or "")
    clock.now = (MEETING - timedelta(hours=2)).astimezone(UTC)
    await worker.run_once()
    assert sender.sent == []
    assert await _statuses(app, meeting_id=meeting_id) == ["unreachable", "unreachable"]


async def test_a_bad_request_fails_only_that_message(
    app: App, demo: DemoData, chat: Chat, clock: FakeClock
) -> None:
    await joined(chat)
    meeting_id = await _schedule(app, demo)
    clock.now = (MEETING - timedelta(days=1)).astimezone(UTC)
    sender = RecordingSender()
    sender.script.append(Failed("Bad Request: message is too long"))
    await delivery_worker(app, sender).run_once()
    assert await _statuses(app, meeting_id=meeting_id) == ["failed", "pending"]
    async with app.db.transaction() as session:
        assert (await session.scalars(select(Identity.reachable).where(Identity.address == "kpm-1"))).one()


async def test_stopped_members_get_nothing_but_meeting_changes(
    app: App, demo: DemoData, chat: Chat, clock: FakeClock
) -> None:
    await joined(chat)
    meeting_id = await _schedule(app, demo)
    async with app.db.transaction() as session:
        user_id, identity_id = (
            await session.execute(select(Identity.user_id, Identity.id).where(Identity.address == "kpm-1"))
        ).one()
        broadcast = outbox.Planned(
            "broadcast:x:1", "broadcast", user_id, identity_id, {"text": "Halo"}, clock.now
        )
        await outbox.plan(session, [broadcast], clock.now)
    await chat.say("berhenti")
    await chat.tap("Ya, hentikan")
    async with app.db.transaction() as session:
        pendamping = (await session.scalars(select(Pendamping))).one()
        await effects.cancel_meeting(
            session, pendamping.user_id or 0, pendamping.id, meeting_id, POLICY, clock.now
        )
    sender = RecordingSender()
    await delivery_worker(app, sender).run_once()
    assert [e.message.text.split(",")[0] for e in sender.sent] == ["Halo Ibu Siti"]
    assert "dibatalkan" in sender.sent[0].message.text
    assert await _statuses(app, kind="broadcast") == ["cancelled"]
    assert set(await _statuses(app, kind="reminder", meeting_id=meeting_id)) == {"cancelled"}


async def test_rows_of_a_crashed_worker_are_reclaimed_after_the_lease(
    app: App, demo: DemoData, chat: Chat, clock: FakeClock
) -> None:
    await joined(chat)
    await _schedule(app, demo)
    clock.now = (MEETING - timedelta(days=1)).astimezone(UTC)
    async with app.db.transaction() as session:  # a worker claims, then dies before sending
        claimed = await outbox.claim(session, clock.now, 10, timedelta(minutes=2))
    assert claimed  # the demo meeting's two reminders (already past) and this meeting's first one
    sender = RecordingSender()
    worker = delivery_worker(app, sender)
    assert await worker.run_once() == 0  # still leased
    clock.now += timedelta(minutes=3)
    assert await worker.run_once() == len(claimed)
    assert [e.template.kind for e in sender.sent if e.template] == ["reminder"]


async def test_broadcast_status_counts_follow_delivery(app: App, demo: DemoData, clock: FakeClock) -> None:
    chats = [Chat(app.service, f"kpm-{i}") for i in range(4)]
    for i, c in enumerate(chats):
        await joined(c, name=f"Ibu Anggota {'ABCD'[i]}")
    await delivery_worker(app, RecordingSender()).run_once()  # the invitations their joining planned
    async with app.db.transaction() as session:
        pendamping = (await session.scalars(select(Pendamping))).one()
        await effects.queue_broadcast(
            session,
            pendamping.user_id or 0,
            pendamping.id,
            (demo.kelompok_id,),
            "Besok bawa Buku KIA.",
            clock.now,
        )
    sender = RecordingSender()
    sender.script.extend([Undeliverable("blocked"), Failed("Bad Request")])
    await delivery_worker(app, sender).run_once()
    async with app.db.transaction() as session:
        status = (await SqlPendampingReader(session, app.curriculum).broadcasts(pendamping.id, 5))[0]
    assert (status.recipients, status.queued, status.sent, status.failed, status.unreachable) == (
        4,
        0,
        2,
        1,
        1,
    )
    assert (
        sender.sent[0].message.text == "Pengumuman dari pendamping Pendamping Demo:\n\nBesok bawa Buku KIA."
    )


async def test_reminders_go_out_on_time_in_real_time(
    app: App, demo: DemoData, chat: Chat, clock: FakeClock
) -> None:
    """With the real clock: a reminder due in a second is sent by the running worker within the next poll."""
    await joined(chat)
    real = datetime.now(UTC)
    clock.now = real
    start = real + timedelta(days=3)
    meeting_id = await _schedule(app, demo, start)
    due = real + timedelta(seconds=1)
    async with app.db.transaction() as session:
        first = await session.scalar(
            select(func.min(OutboxMessage.id)).where(OutboxMessage.meeting_id == meeting_id)
        )
        await session.execute(update(OutboxMessage).where(OutboxMessage.id == first).values(due_at=due))
    worker = DeliveryWorker(
        app.db,
        {"console": (sender := RecordingSender())},
        app.curriculum,
        load_translators(),
        "id",
        lambda: datetime.now(UTC),
        DeliveryConfig(idle_poll=0.05),
    )
    stop = asyncio.Event()
    task = asyncio.create_task(worker.run(stop))
    await asyncio.sleep(0.5)
    assert sender.sent == []  # not yet due
    for _ in range(60):
        if sender.sent:
            break
        await asyncio.sleep(0.05)
    stop.set()
    await task
    assert len(sender.sent) == 1
    async with app.db.transaction() as session:
        sent_at = await session.scalar(select(func.max(OutboxMessage.sent_at)))
    assert sent_at is not None and timedelta(0) <= sent_at - due < timedelta(seconds=1)


async def test_a_large_broadcast_reports_progress_to_the_pendamping(
    app: App, demo: DemoData, clock: FakeClock
) -> None:
    now = clock.now
    async with app.db.transaction() as session:
        await session.execute(insert(User), [{"role": "kpm", "locale": "id", "created_at": now}] * 40)
        users = list((await session.scalars(select(User.id).where(User.role == "kpm"))).all())
        await session.execute(
            insert(Identity),
            [
                {"user_id": u, "channel": "console", "address": f"k{u}", "reachable": True, "created_at": now}
                for u in users
            ],
        )
        await session.execute(
            insert(Membership),
            [{"user_id": u, "kelompok_id": demo.kelompok_id, "joined_at": now} for u in users],
        )
        pendamping = (await session.scalars(select(Pendamping))).one()
        await effects.queue_broadcast(
            session, pendamping.user_id or 0, pendamping.id, (demo.kelompok_id,), "Besok posyandu.", now
        )
    sender = RecordingSender()
    sender.script.extend([Failed("Bad Request")])
    worker = delivery_worker(app, sender, batch_size=25)
    while await worker.run_once():
        pass
    reports = [e for e in sender.sent if e.address == "pendamping"]
    assert [r.message.text for r in reports] == [
        "Pengumuman Anda untuk Sirnajaya 1 sudah selesai dikirim: terkirim 39, gagal 1, tidak terjangkau 0 (dari 40)."
    ]


@pytest.mark.parametrize("typed", ["hadir", "1", "iya"])
async def test_typed_answers_after_a_pushed_notice_answer_that_notice(
    app: App, demo: DemoData, chat: Chat, typed: str
) -> None:
    await joined(chat)
    await chat.say("belajar")
    await chat.say("1")
    await chat.say("1")  # a lesson card with "[1] Lanjut" on screen
    chat.expect_reply(contains="kartu 1 dari")
    meeting_id = await _schedule(app, demo)
    await _move_a_week_later(app, meeting_id)
    sender = RecordingSender()
    await delivery_worker(app, sender).run_once()
    assert "pindah waktu" in sender.sent[-1].message.text
    await chat.say(typed)
    chat.expect_reply(contains="Terima kasih")
    async with app.db.transaction() as session:
        rsvp = (await session.scalars(select(Rsvp).where(Rsvp.meeting_id == meeting_id))).one()
    assert rsvp.answer == "yes"
