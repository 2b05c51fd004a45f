"""The pendamping's view of the RSVPs: counts and names per answer, reasons, and who has not answered."""

from __future__ import annotations

from bot.app import App
from bot.demo import DemoData
from tests.builders import add_meeting
from tests.conftest import joined
from tests.transcript import Chat, FakeClock


async def kpm(app: App, number: int, name: str) -> Chat:
    chat = Chat(app.service, f"kpm-{number}")
    await joined(chat, name)
    await chat.say("pertemuan")
    return chat


async def test_counts_names_and_reasons_per_answer(app: App, demo: DemoData) -> None:
    siti, ani, rina = (
        await kpm(app, 1, "Ibu Siti"),
        await kpm(app, 2, "Ibu Ani"),
        await kpm(app, 3, "Ibu Rina"),
    )
    await kpm(app, 4, "Ibu Dewi")  # joins but does not answer
    await siti.tap("Hadir")
    await ani.tap("Tidak bisa hadir")
    await ani.say("Anak sakit, harus ke Puskesmas")
    await rina.tap("Belum tahu")

    pendamping = Chat(app.service, "pendamping")
    await pendamping.say("rsvp")  # only one meeting ahead: shown directly
    assert pendamping.text == (
        "Jawaban untuk pertemuan Sirnajaya 1, Sabtu, 5 Desember 2026 pukul 09.00 WIB (Sesi 1):\n"
        "\n"
        "Hadir: 1\n"
        "- Ibu Siti\n"
        "\n"
        "Tidak bisa hadir: 1\n"
        "- Ibu Ani: Anak sakit, harus ke Puskesmas\n"
        "\n"
        "Belum tahu: 1\n"
        "- Ibu Rina\n"
        "\n"
        "Belum menjawab: 1\n"
        "- Ibu Dewi"
    )
    assert pendamping.labels == ["Lihat lagi", "Menu"]

    await rina.tap("Ubah jawaban")  # she changes her mind; the pendamping refreshes
    await rina.tap("Hadir")
    await pendamping.tap("Lihat lagi")
    pendamping.expect_reply(
        contains=["Hadir: 2\n- Ibu Rina\n- Ibu Siti", "Belum tahu: 0\n\nBelum menjawab: 1"]
    )


async def test_several_meetings_are_chosen_by_button_or_number(app: App, demo: DemoData) -> None:
    later = await add_meeting(app, demo.kelompok_id, days=9, session_number=2)
    siti = await kpm(app, 1, "Ibu Siti")
    await siti.tap("Hadir")
    pendamping = Chat(app.service, "pendamping")
    await pendamping.say("rsvp")
    pendamping.expect_reply(
        contains=[
            "Pertemuan yang mana?",
            "1. Sirnajaya 1, Sabtu, 5 Desember 2026 pukul 09.00 WIB (Sesi 1)",
            "2. Sirnajaya 1, Sabtu, 12 Desember 2026 pukul 08.00 WIB (Sesi 2)",
        ],
        buttons=["5/12 Sirnajaya 1", "12/12 Sirnajaya 1", "Menu"],
    )
    await pendamping.say("2")
    pendamping.expect_reply(
        contains=["(Sesi 2):", "Hadir: 0", "Belum menjawab: 1\n- Ibu Siti"],
        buttons=["Lihat lagi", "Pertemuan lain", "Menu"],
    )
    await pendamping.tap("Pertemuan lain")
    await pendamping.tap("5/12 Sirnajaya 1")
    pendamping.expect_reply(contains="Hadir: 1\n- Ibu Siti")
    assert pendamping.button("Lihat lagi").id == f"prsvp:{demo.meeting_id}" != f"prsvp:{later}"


async def test_no_meeting_and_no_members(app: App, clock: FakeClock, demo: DemoData) -> None:
    pendamping = Chat(app.service, "pendamping")
    await pendamping.say("rsvp")
    pendamping.expect_reply(contains="Kelompok ini belum punya anggota.")
    clock.advance(days=3)  # the meeting has started: no meeting ahead any more
    await pendamping.say("RSVP")
    pendamping.expect_reply(contains="Belum ada pertemuan yang dijadwalkan", buttons=["Pertemuan", "Menu"])
