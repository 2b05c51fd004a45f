"""A pendamping's meetings in the chat: the upcoming list, scheduling with natural Indonesian dates that
are always confirmed back, moving (members told, reminders replaced) and cancelling (members told once)."""

from datetime import UTC, datetime, timedelta

from sqlalchemy import select

from bot.app import App
from bot.db.models import AuditEntry, Kelompok, Meeting, OutboxMessage
from bot.demo import DemoData
from tests.builders import second_pendamping
from tests.conftest import joined
from tests.transcript import Chat

DATE_OK = ["Ya", "Ubah", "Batal"]


async def meetings(app: App) -> list[Meeting]:
    async with app.db.transaction() as session:
        return list((await session.scalars(select(Meeting).order_by(Meeting.id))).all())


async def outbox(app: App, kind: str) -> list[tuple[str, str]]:
    async with app.db.transaction() as session:
        rows = await session.scalars(
            select(OutboxMessage).where(OutboxMessage.kind == kind).order_by(OutboxMessage.dedupe_key)
        )
        return [(row.dedupe_key, row.status) for row in rows]


async def refusals(app: App) -> list[tuple[str, str | None, int | None]]:
    async with app.db.transaction() as session:
        rows = await session.scalars(
            select(AuditEntry).where(AuditEntry.allowed.is_(False)).order_by(AuditEntry.id)
        )
        return [(r.action, r.target_type, r.target_id) for r in rows]


async def two_members(app: App) -> list[int]:
    await joined(Chat(app.service, "kpm-1"), "Ibu Siti")
    await joined(Chat(app.service, "kpm-2"), "Ibu Ani")
    async with app.db.transaction() as session:
        keys = await session.scalars(select(OutboxMessage.user_id).where(OutboxMessage.kind == "reminder"))
        return sorted({int(k) for k in keys if k is not None})


async def test_upcoming_meetings_are_listed_the_indonesian_way(app: App, demo: DemoData) -> None:
    chat = Chat(app.service, "pendamping")
    await chat.say("menu")
    await chat.tap("Pertemuan")
    chat.expect_reply(
        contains=[
            "Pertemuan yang akan datang:",
            "1. Sabtu, 5 Desember 2026 pukul 09.00 WIB",
            "Kelompok: Sirnajaya 1",
            "Topik: Sesi 1, Menjadi Orang Tua yang Lebih Baik",
            "Tempat: Balai Desa Sirnajaya",
        ],
        buttons=["1. 5/12 Sirnajaya 1", "Buat jadwal", "Menu"],
    )
    await chat.say("1")
    chat.expect_reply(
        contains="Sabtu, 5 Desember 2026 pukul 09.00 WIB",
        buttons=["Jawaban anggota", "Ubah jadwal", "Batalkan pertemuan", "Pertemuan", "Menu"],
    )


async def test_schedule_with_besok_jam_9_confirms_the_date_back(app: App, demo: DemoData) -> None:
    members = await two_members(app)
    chat = Chat(app.service, "pendamping")
    await chat.say("jadwal")
    await chat.tap("Buat jadwal")
    chat.expect_reply(
        contains=["Kapan pertemuannya?", "besok jam 9", "Semua jam memakai WIB."], buttons=["Batal"]
    )
    await chat.say("besok jam 9")
    chat.expect_reply(contains="Apakah benar Jumat, 4 Desember 2026 pukul 09.00 WIB?", buttons=DATE_OK)
    await chat.tap("Ya")
    chat.expect_reply(contains="Di mana pertemuannya?", buttons=["Batal"])
    await chat.tap_id("pmeet:save")  # an old or forged button asks the current question again
    chat.expect_reply(contains="Di mana pertemuannya?", buttons=["Batal"])
    await chat.say("Rumah Bu RT 03")
    chat.expect_reply(
        contains=["Sesi P2K2 yang mana?", "1. Menjadi Orang Tua yang Lebih Baik", "14. "], buttons=[]
    )
    await chat.say("1")  # no buttons are shown, so "1" is session 1
    title = app.curriculum.session(1)
    assert title is not None
    chat.expect_reply(
        contains=[
            "Pertemuan baru Sirnajaya 1:",
            "Waktu: Jumat, 4 Desember 2026 pukul 09.00 WIB",
            "Tempat: Rumah Bu RT 03",
            f"Topik: Sesi 1, {title.title}",
            "Undangan dikirim sekarang.\nPengingat: Kamis 3 Des pukul 09.00 WIB; Jumat 4 Des pukul 07.00 WIB.",
            "Simpan?",
        ],
        buttons=["Simpan", "Batal"],
    )
    assert len(await meetings(app)) == 1
    await chat.tap("Simpan")
    chat.expect_reply(
        contains=[
            "Pertemuan sudah dijadwalkan.\nUndangan dikirim sekarang.",
            "Pengingat: Kamis 3 Des pukul 09.00 WIB; Jumat 4 Des pukul 07.00 WIB.",
        ],
        buttons=["Pertemuan", "Menu"],
    )
    new = (await meetings(app))[-1]
    assert (new.kelompok_id, new.session_number, new.place) == (demo.kelompok_id, 1, "Rumah Bu RT 03")
    assert new.starts_at == datetime(2026, 12, 4, 2, 0, tzinfo=UTC)
    reminders = [key for key, _ in await outbox(app, "reminder") if key.startswith(f"reminder:{new.id}:1:")]
    assert len(reminders) == 2 * len(members)
    invitations = [
        row for row in await outbox(app, "invitation") if row[0].startswith(f"invitation:{new.id}:")
    ]
    assert invitations == [(f"invitation:{new.id}:1:{uid}", "pending") for uid in members]
    await chat.tap_id("pmeet:save")  # tapped twice: no second meeting
    chat.expect_reply(contains="Tidak ada yang diubah")
    assert len(await meetings(app)) == 2


async def test_a_meeting_within_two_hours_gets_one_invitation_and_the_pendamping_is_told(
    app: App, demo: DemoData
) -> None:
    members = await two_members(app)
    chat = Chat(app.service, "pendamping")
    await chat.say("jadwal")
    await chat.tap("Buat jadwal")
    await chat.say("hari ini jam 9.30")  # it is 08.00
    await chat.tap("Ya")
    await chat.say("Balai Desa")
    await chat.say("2")
    warning = "Pertemuan kurang dari 2 jam lagi: anggota hanya menerima undangan, sekarang."
    chat.expect_reply(contains=warning, buttons=["Simpan", "Batal"])
    assert "Pengingat" not in chat.text
    await chat.tap("Simpan")
    chat.expect_reply(contains=["Pertemuan sudah dijadwalkan.", warning])
    new = (await meetings(app))[-1]
    invitations = [
        row for row in await outbox(app, "invitation") if row[0].startswith(f"invitation:{new.id}:")
    ]
    assert invitations == [(f"invitation:{new.id}:1:{uid}", "pending") for uid in members]
    assert [key for key, _ in await outbox(app, "reminder") if key.startswith(f"reminder:{new.id}:")] == []


async def test_impossible_past_and_unclear_dates_are_asked_again(app: App, demo: DemoData) -> None:
    chat = Chat(app.service, "pendamping")
    await chat.say("/jadwal")
    await chat.tap("Buat jadwal")
    for typed, answer in [
        ("31/2 09.00", "Tanggal itu tidak ada"),
        ("1/12 09.00", "Waktu itu sudah lewat"),
        ("hari ini jam 7", "Waktu itu sudah lewat"),
        ("jam 9", "Mohon tulis hari atau tanggal juga"),
        ("5/12", "Mohon tulis jamnya juga"),
        ("besok jam 3", "Pagi atau sore?"),
        ("kapan saja boleh", "tidak bisa saya baca"),
        ("🙂", "tidak bisa saya baca"),
        ("x" * 5000, "tidak bisa saya baca"),
    ]:
        await chat.say(typed)
        chat.expect_reply(contains=[answer, "misalnya: 10/12 09.00"], buttons=["Batal"])
    await chat.say("5/12 09.00")
    chat.expect_reply(contains="Apakah benar Sabtu, 5 Desember 2026 pukul 09.00 WIB?", buttons=DATE_OK)
    await chat.tap("Ubah")
    chat.expect_reply(contains="Kapan pertemuannya?")
    await chat.say("5/12 14.00")
    chat.expect_reply(contains="Apakah benar Sabtu, 5 Desember 2026 pukul 14.00 WIB?")
    await chat.say("5/12 jam 3 sore")  # typed instead of tapping: read as a new answer
    chat.expect_reply(contains="Apakah benar Sabtu, 5 Desember 2026 pukul 15.00 WIB?")
    await chat.say("ya")
    await chat.say("Balai Desa")
    await chat.say("15")
    chat.expect_reply(contains="Mohon ketik angka 1 sampai 14")
    await chat.say("sesi 3")
    chat.expect_reply(contains=["Waktu: Sabtu, 5 Desember 2026 pukul 15.00 WIB", "Topik: Sesi 3"])
    await chat.say("simpan")
    assert (await meetings(app))[-1].starts_at == datetime(2026, 12, 5, 8, 0, tzinfo=UTC)


async def test_each_kelompok_in_its_own_zone(app: App, demo: DemoData) -> None:
    async with app.db.transaction() as session:
        first = await session.get(Kelompok, demo.kelompok_id)
        assert first is not None
        session.add(
            Kelompok(
                pendamping_id=first.pendamping_id,
                name="Tamalanrea",
                desa="Tamalanrea",
                kecamatan="Tamalanrea",
                kabupaten="Makassar",
                timezone="Asia/Makassar",
                join_code="TAMAL2",
                created_at=app.clock(),
            )
        )
    chat = Chat(app.service, "pendamping")
    await chat.tap_id("pmeet:new")
    chat.expect_reply(
        contains="Pertemuan untuk kelompok mana?", buttons=["Sirnajaya 1", "Tamalanrea", "Batal"]
    )
    await chat.say("Cibodas")
    chat.expect_reply(
        contains="Pertemuan untuk kelompok mana?", buttons=["Sirnajaya 1", "Tamalanrea", "Batal"]
    )
    await chat.say("2")
    chat.expect_reply(contains="Semua jam memakai WITA.")
    await chat.say("Kamis 09.00")
    chat.expect_reply(contains="Apakah benar Kamis, 10 Desember 2026 pukul 09.00 WITA?")
    await chat.tap("Ya")
    await chat.say("Masjid Al-Ikhlas")
    await chat.say("4")
    await chat.tap("Simpan")
    new = (await meetings(app))[-1]
    assert new.starts_at == datetime(2026, 12, 10, 1, 0, tzinfo=UTC)
    await chat.say("jadwal")
    chat.expect_reply(contains=["Kamis, 10 Desember 2026 pukul 09.00 WITA", "Kelompok: Tamalanrea"])


async def test_batal_at_any_step_schedules_nothing(app: App, demo: DemoData) -> None:
    chat = Chat(app.service, "pendamping")
    await chat.tap_id("pmeet:new")
    await chat.say("besok jam 9")
    await chat.tap("Batal")
    chat.expect_reply(contains="Dibatalkan. Tidak ada yang diubah.")
    await chat.tap_id("pmeet:date:yes")
    chat.expect_reply(contains="Tidak ada yang diubah")
    await chat.tap_id("pmeet:new")
    await chat.say("besok jam 9")
    await chat.tap("Ya")
    await chat.say("Balai Desa")
    await chat.say("BATAL")  # at the session number
    chat.expect_reply(contains="Dibatalkan")
    await chat.say("2")
    assert "Pertemuan baru" not in chat.text
    await chat.tap_id("pmeet:save")
    assert len(await meetings(app)) == 1


async def test_reschedule_tells_members_and_replaces_reminders(app: App, demo: DemoData) -> None:
    members = await two_members(app)
    assert len(members) == 2
    mid = demo.meeting_id
    old_reminders = await outbox(app, "reminder")
    assert len(old_reminders) == 4 and all(key.startswith(f"reminder:{mid}:1:") for key, _ in old_reminders)
    chat = Chat(app.service, "pendamping")
    await chat.say("jadwal")
    await chat.tap("1. 5/12 Sirnajaya 1")
    await chat.tap("Ubah jadwal")
    chat.expect_reply(
        contains=[
            "Jadwal sekarang: Sabtu, 5 Desember 2026 pukul 09.00 WIB",
            "Pertemuan dipindahkan ke kapan?",
        ]
    )
    await chat.say("Senin minggu depan jam 10")
    chat.expect_reply(contains="Apakah benar Senin, 7 Desember 2026 pukul 10.00 WIB?", buttons=DATE_OK)
    await chat.tap("Ya")
    chat.expect_reply(contains="tetap di Balai Desa Sirnajaya", buttons=["Tempat sama", "Batal"])
    await chat.tap("Tempat sama")
    chat.expect_reply(
        contains=[
            "Pindahkan pertemuan Sirnajaya 1:",
            "Sebelumnya: Sabtu, 5 Desember 2026 pukul 09.00 WIB",
            "Waktu: Senin, 7 Desember 2026 pukul 10.00 WIB",
            "Tempat: Balai Desa Sirnajaya",
            "Anggota diberi tahu sekarang.\nPengingat: Minggu 6 Des pukul 10.00 WIB; Senin 7 Des pukul 08.00 WIB.",
            "Simpan?",
        ],
        buttons=["Simpan", "Batal"],
    )
    assert await outbox(app, "meeting_change") == []
    await chat.tap("Simpan")
    chat.expect_reply(contains="Jadwal pertemuan sudah diubah.\nAnggota diberi tahu sekarang.")
    [meeting] = await meetings(app)
    assert meeting.version == 2 and meeting.starts_at == datetime(2026, 12, 7, 3, 0, tzinfo=UTC)
    assert meeting.place == "Balai Desa Sirnajaya"
    assert await outbox(app, "meeting_change") == [
        (f"meeting_rescheduled:{mid}:2:{uid}", "pending") for uid in members
    ]
    reminders = dict(await outbox(app, "reminder"))
    assert {k: v for k, v in reminders.items() if k.startswith(f"reminder:{mid}:1:")} == {
        k: "cancelled" for k, _ in old_reminders
    }
    assert sorted(v for k, v in reminders.items() if k.startswith(f"reminder:{mid}:2:")) == ["pending"] * 4
    kpm = Chat(app.service, "kpm-1")
    await kpm.say("pertemuan")
    kpm.expect_reply(contains="Senin, 7 Desember 2026 pukul 10.00 WIB")


async def test_reschedule_with_a_new_place(app: App, demo: DemoData) -> None:
    chat = Chat(app.service, "pendamping")
    await chat.tap_id(f"pmeet:move:{demo.meeting_id}")
    await chat.say("5/12 jam 1 siang")
    await chat.say("ya")
    await chat.say("Posyandu Melati")
    chat.expect_reply(contains=["Waktu: Sabtu, 5 Desember 2026 pukul 13.00 WIB", "Tempat: Posyandu Melati"])
    await chat.say("simpan")
    [meeting] = await meetings(app)
    assert (meeting.place, meeting.version) == ("Posyandu Melati", 2)


async def test_cancel_tells_members_once(app: App, demo: DemoData) -> None:
    members = await two_members(app)
    chat = Chat(app.service, "pendamping")
    await chat.tap_id(f"pmeet:show:{demo.meeting_id}")
    await chat.tap("Batalkan pertemuan")
    chat.expect_reply(
        contains=["Batalkan pertemuan ini? Anggota akan diberi tahu.", "Sabtu, 5 Desember 2026"],
        buttons=["Ya, batalkan", "Tidak"],
    )
    await chat.tap("Tidak")
    chat.expect_reply(contains="Pertemuan yang akan datang")
    assert (await meetings(app))[0].status == "scheduled"
    await chat.tap_id(f"pmeet:cancel:{demo.meeting_id}")
    await chat.tap("Ya, batalkan")
    chat.expect_reply(contains="Pertemuan dibatalkan. Anggota akan diberi tahu.")
    await chat.tap_id(f"pmeet:cancelok:{demo.meeting_id}")  # tapped twice
    chat.expect_reply(contains="Pertemuan itu dibatalkan")
    assert (await meetings(app))[0].status == "cancelled"
    changes = await outbox(app, "meeting_change")
    assert changes == [(f"meeting_cancelled:{demo.meeting_id}:1:{uid}", "pending") for uid in members]
    assert {status for _, status in await outbox(app, "reminder")} == {"cancelled"}
    await chat.say("jadwal")
    chat.expect_reply(contains="Belum ada pertemuan yang dijadwalkan")


async def test_a_meeting_that_started_can_no_longer_be_changed(app: App, demo: DemoData) -> None:
    chat = Chat(app.service, "pendamping")
    chat.clock.now = datetime(2026, 12, 5, 2, 1, tzinfo=UTC)
    for forged in ["move", "cancel", "cancelok"]:
        await chat.tap_id(f"pmeet:{forged}:{demo.meeting_id}")
        chat.expect_reply(contains="sudah dimulai")
    [meeting] = await meetings(app)
    assert (meeting.status, meeting.version) == ("scheduled", 1)


async def test_a_time_that_passed_before_saving_is_asked_again(app: App, demo: DemoData) -> None:
    chat = Chat(app.service, "pendamping")
    await chat.tap_id("pmeet:new")
    await chat.say("hari ini jam 9")
    await chat.tap("Ya")
    await chat.say("Balai Desa")
    await chat.say("2")
    chat.clock.advance(hours=2)
    await chat.tap("Simpan")
    chat.expect_reply(contains=["Waktu itu sudah lewat", "Kapan pertemuannya?"])
    assert len(await meetings(app)) == 1


async def test_a_kpm_cannot_reach_the_meeting_tools(app: App, demo: DemoData) -> None:
    kpm = Chat(app.service, "kpm-1")
    await joined(kpm)
    mid = demo.meeting_id
    for typed in ["jadwal", "/jadwal"]:
        await kpm.say(typed)
        kpm.expect_reply(contains="hanya untuk pendamping")
    for forged in ["pmeet", "pmeet:new", f"pmeet:move:{mid}", f"pmeet:cancelok:{mid}", "pmeet:save"]:
        await kpm.tap_id(forged)
        kpm.expect_reply(contains="hanya untuk pendamping")
    [meeting] = await meetings(app)
    assert (meeting.status, meeting.version) == ("scheduled", 1)
    assert await outbox(app, "meeting_change") == []
    assert await refusals(app) == [
        ("meeting.list", "meeting", None),
        ("meeting.list", "meeting", None),
        ("meeting.list", "meeting", None),
        ("meeting.schedule", "meeting", None),
        ("meeting.reschedule", "meeting", mid),
        ("meeting.cancel", "meeting", mid),
        ("meeting.schedule", "meeting", None),
    ]


async def test_pendamping_b_cannot_list_move_or_cancel_a_s_meetings(app: App, demo: DemoData) -> None:
    await two_members(app)
    b, _, b_kelompok, _, _ = await second_pendamping(app)
    mid = demo.meeting_id
    await b.say("jadwal")
    b.expect_reply(contains="Kelompok: Mekarsari")  # only her own kelompok's meeting
    assert "Sirnajaya" not in b.text
    for forged in [f"pmeet:show:{mid}", f"pmeet:move:{mid}", f"pmeet:cancel:{mid}", f"pmeet:cancelok:{mid}"]:
        await b.tap_id(forged)
        b.expect_reply(contains="bukan kelompok Anda")
        assert "Balai Desa" not in b.text
    await b.tap_id(f"pmeet:k:{demo.kelompok_id}")
    b.expect_reply(contains="bukan kelompok Anda")
    [meeting] = [m for m in await meetings(app) if m.id == mid]
    assert (meeting.status, meeting.version, meeting.starts_at) == (
        "scheduled",
        1,
        datetime(2026, 12, 5, 2, 0, tzinfo=UTC),
    )
    assert await outbox(app, "meeting_change") == []
    assert await refusals(app) == [
        ("meeting.view", "meeting", mid),
        ("meeting.reschedule", "meeting", mid),
        ("meeting.cancel", "meeting", mid),
        ("meeting.cancel", "meeting", mid),
        ("meeting.schedule", "kelompok", demo.kelompok_id),
    ]
    # B schedules for their own kelompok (WITA) and A does not see it.
    await b.tap_id("pmeet:new")
    await b.say("besok jam 9")
    await b.tap("Ya")
    await b.say("Balai Mekarsari")
    await b.say("5")
    await b.tap("Simpan")
    assert (await meetings(app))[-1].kelompok_id == b_kelompok
    a = Chat(app.service, "pendamping")
    await a.say("jadwal")
    assert "Mekarsari" not in a.text
    await a.tap_id(f"pmeet:cancel:{(await meetings(app))[-1].id}")
    a.expect_reply(contains="bukan kelompok Anda")
    assert (await meetings(app))[-1].status == "scheduled"
    assert timedelta(0) < (await meetings(app))[-1].starts_at - app.clock()


async def test_moving_to_the_same_time_and_place_changes_nothing(app: App, demo: DemoData) -> None:
    await two_members(app)
    chat = Chat(app.service, "pendamping")
    await chat.tap_id(f"pmeet:move:{demo.meeting_id}")
    await chat.say("Sabtu 09.00")
    await chat.tap("Ya")
    await chat.tap("Tempat sama")
    await chat.tap("Simpan")
    chat.expect_reply(contains="Tidak ada yang diubah")
    [meeting] = await meetings(app)
    assert meeting.version == 1
    assert await outbox(app, "meeting_change") == []
