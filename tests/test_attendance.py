"""Attendance after a meeting has started: "Semua hadir" and then the exceptions, starting from the RSVP
"Hadir" answers, a page of member buttons at a time, each tap stored at once."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import select

from bot.app import App
from bot.db.models import Attendance, Meeting, Rsvp, User
from bot.demo import DemoData
from tests.builders import add_meeting, add_members
from tests.transcript import Chat, FakeClock

NAMES = [
    f"Ibu {n}" for n in ("Ani", "Butet", "Citra", "Dewi", "Eka", "Fitri", "Gita", "Hana", "Indah", "Juli")
]


async def stored(app: App) -> dict[str, bool]:
    async with app.db.transaction() as session:
        rows = await session.execute(
            select(User.display_name, Attendance.present).join(User, User.id == Attendance.user_id)
        )
        return {str(name): bool(present) for name, present in rows}


async def start_meeting(app: App, clock: FakeClock, demo: DemoData) -> None:
    async with app.db.transaction() as session:
        starts = await session.scalar(select(Meeting.starts_at).where(Meeting.id == demo.meeting_id))
    assert starts is not None
    clock.now = starts + timedelta(hours=2)


async def test_tick_attendance_page_by_page(app: App, clock: FakeClock, demo: DemoData) -> None:
    await add_members(app, demo.kelompok_id, NAMES)
    pendamping = Chat(app.service, "pendamping")
    await pendamping.say("menu")
    await pendamping.tap("Kehadiran")
    pendamping.expect_reply(contains="Belum ada pertemuan yang sudah dimulai", buttons=["Pertemuan", "Menu"])

    await start_meeting(app, clock, demo)
    await pendamping.tap("Menu")
    await pendamping.tap("Kehadiran")
    pendamping.expect_reply(
        contains=[
            "Kehadiran: pertemuan yang mana?",
            "1. Sirnajaya 1, Sabtu, 5 Desember 2026 pukul 09.00 WIB",
        ],
        buttons=["5/12 Sirnajaya 1", "Menu"],  # the number is not in the label a second time
    )
    await pendamping.say("1")
    pendamping.expect_reply(
        contains=[
            "Kehadiran: Sirnajaya 1, Sabtu, 5 Desember 2026",
            "0 dari 10 anggota hadir.",
            "Tekan “Semua hadir” bila semua datang",
            "Halaman 1 dari 2",
        ],
        buttons=["Semua hadir", *NAMES[:6], "Berikutnya ›", "Selesai"],
    )

    await pendamping.tap("Ibu Butet")
    pendamping.expect_reply(
        contains=["Ibu Butet: hadir", "1 dari 10 anggota hadir."],
        buttons=["Semua hadir", NAMES[0], "✓ Ibu Butet", *NAMES[2:6], "Berikutnya ›", "Selesai"],
    )
    assert await stored(app) == {"Ibu Butet": True}
    await pendamping.say("4")  # the fourth button on the page: Ibu Citra
    await pendamping.say("2")
    pendamping.expect_reply(contains="3 dari 10 anggota hadir.")
    await pendamping.tap("✓ Ibu Citra")  # tapped again: absent after all
    pendamping.expect_reply(contains=["Ibu Citra: tidak hadir", "2 dari 10 anggota hadir."])
    assert await stored(app) == {"Ibu Ani": True, "Ibu Butet": True, "Ibu Citra": False}

    await pendamping.tap("Berikutnya ›")
    pendamping.expect_reply(
        contains="Halaman 2 dari 2", buttons=["Semua hadir", *NAMES[6:], "‹ Sebelumnya", "Selesai"]
    )
    await pendamping.say("ibu juli")  # a member's name typed instead of tapped
    pendamping.expect_reply(
        contains="3 dari 10 anggota hadir.",
        buttons=["Semua hadir", *NAMES[6:9], "✓ Ibu Juli", "‹ Sebelumnya", "Selesai"],
    )
    await pendamping.tap("‹ Sebelumnya")
    pendamping.expect_reply(contains="Halaman 1 dari 2")
    assert pendamping.labels[1:4] == ["✓ Ibu Ani", "✓ Ibu Butet", "Ibu Citra"]

    await pendamping.tap("Selesai")
    pendamping.expect_reply(
        contains=["Kehadiran tersimpan", "3 dari 10 anggota hadir.", "dicatat tidak hadir"],
        buttons=["Kehadiran", "Menu"],
    )
    expected = {name: name in ("Ibu Ani", "Ibu Butet", "Ibu Juli") for name in NAMES}
    assert await stored(app) == expected


async def test_thirty_members_all_present_then_exceptions(app: App, clock: FakeClock, demo: DemoData) -> None:
    names = [f"Ibu Anggota {n:02}" for n in range(1, 31)]
    ids = await add_members(app, demo.kelompok_id, names)
    async with app.db.transaction() as session:
        for user_id in ids[:3]:  # three said "Hadir" to the invitation, one "Tidak bisa hadir"
            session.add(Rsvp(meeting_id=demo.meeting_id, user_id=user_id, answer="yes", updated_at=clock()))
        session.add(Rsvp(meeting_id=demo.meeting_id, user_id=ids[3], answer="no", updated_at=clock()))
    await start_meeting(app, clock, demo)
    pendamping = Chat(app.service, "pendamping")
    await pendamping.tap_id(f"attend:m:{demo.meeting_id}:1")
    pendamping.expect_reply(
        contains=[
            "3 dari 30 anggota hadir.",
            "Anggota yang menjawab “Hadir” sudah dicentang (✓).",
            "Halaman 1 dari 5",
        ],
        buttons=[
            "Semua hadir",
            *[f"✓ {name}" for name in names[:3]],
            *names[3:6],
            "Berikutnya ›",
            "Selesai",
        ],
    )
    assert await stored(app) == {}  # only shown, not stored yet

    await pendamping.tap("Semua hadir")  # one tap for the whole kelompok
    pendamping.expect_reply(contains=["Semua ditandai hadir", "30 dari 30 anggota hadir."])
    assert pendamping.labels[0] == f"✓ {names[0]}"  # nothing left to tick at once
    assert await stored(app) == dict.fromkeys(names, True)
    for _ in range(3):
        await pendamping.tap("Berikutnya ›")
        assert len(pendamping.labels) <= 10
    await pendamping.tap(f"✓ {names[20]}")  # the exception: untick who did not come
    pendamping.expect_reply(
        contains=[f"{names[20]}: tidak hadir", "29 dari 30 anggota hadir.", "Halaman 4 dari 5"]
    )
    await pendamping.tap("Selesai")
    pendamping.expect_reply(contains=["Kehadiran tersimpan", "29 dari 30 anggota hadir."])
    assert await stored(app) == {name: name != names[20] for name in names}


async def test_done_stores_the_rsvp_ticks(app: App, clock: FakeClock, demo: DemoData) -> None:
    ids = await add_members(app, demo.kelompok_id, NAMES[:3])
    async with app.db.transaction() as session:
        session.add(Rsvp(meeting_id=demo.meeting_id, user_id=ids[1], answer="yes", updated_at=clock()))
    await start_meeting(app, clock, demo)
    pendamping = Chat(app.service, "pendamping")
    await pendamping.tap_id(f"attend:m:{demo.meeting_id}:1")
    await pendamping.tap("Selesai")
    pendamping.expect_reply(contains="1 dari 3 anggota hadir.")
    assert await stored(app) == {"Ibu Ani": False, "Ibu Butet": True, "Ibu Citra": False}


async def test_upcoming_and_cancelled_meetings_are_not_ticked(app: App, demo: DemoData) -> None:
    member = (await add_members(app, demo.kelompok_id, ["Ibu Ani"]))[0]
    pendamping = Chat(app.service, "pendamping")
    await pendamping.tap_id(f"attend:t:{demo.meeting_id}:{member}:1")
    pendamping.expect_reply(contains="Pertemuan itu belum dimulai", buttons=["Kehadiran", "Menu"])
    started = await add_meeting(app, demo.kelompok_id, days=-1)
    async with app.db.transaction() as session:
        meeting = await session.get(Meeting, started)
        assert meeting is not None
        meeting.status = "cancelled"
    await pendamping.tap_id(f"attend:m:{started}:1")
    pendamping.expect_reply(contains="Pertemuan itu dibatalkan.")
    assert await stored(app) == {}


async def test_a_group_without_members(app: App, demo: DemoData) -> None:
    started = await add_meeting(app, demo.kelompok_id, days=-1)
    pendamping = Chat(app.service, "pendamping")
    await pendamping.say("kehadiran")
    await pendamping.tap("2/12 Sirnajaya 1")
    assert started and "Kelompok ini belum punya anggota." in pendamping.text
