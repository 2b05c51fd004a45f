"""A pendamping's kelompok in the chat: the list with codes, links and counts, member lists, and creating
a kelompok by buttons or by typing, cancellable at every step."""

from sqlalchemy import func, select

from bot.app import App
from bot.catalogs import load_translators
from bot.core.ports import Links
from bot.db.models import AuditEntry, Identity, Kelompok, Membership, User
from bot.demo import DemoData
from bot.service import ConversationService
from handlers import build_router
from tests.builders import second_pendamping
from tests.conftest import joined
from tests.transcript import Chat

ZONE_BUTTONS = ["WIB", "WITA", "WIT", "Batal"]


async def kelompok_rows(app: App) -> list[Kelompok]:
    async with app.db.transaction() as session:
        return list((await session.scalars(select(Kelompok).order_by(Kelompok.id))).all())


async def refusals(app: App) -> list[tuple[str, str | None, int | None]]:
    async with app.db.transaction() as session:
        rows = await session.scalars(
            select(AuditEntry).where(AuditEntry.allowed.is_(False)).order_by(AuditEntry.id)
        )
        return [(r.action, r.target_type, r.target_id) for r in rows]


async def add_members(app: App, kelompok_id: int, names: list[str]) -> list[int]:
    now = app.clock()
    ids = []
    async with app.db.transaction() as session:
        for number, name in enumerate(names):
            user = User(role="kpm", display_name=name, locale="id", created_at=now)
            session.add(user)
            await session.flush()
            session.add(
                Identity(
                    user_id=user.id,
                    channel="whatsapp",
                    address=f"62800{kelompok_id}{number:04}",
                    created_at=now,
                )
            )
            session.add(Membership(user_id=user.id, kelompok_id=kelompok_id, joined_at=now))
            ids.append(user.id)
    return ids


async def test_create_a_kelompok_by_buttons(app: App, demo: DemoData) -> None:
    chat = Chat(app.service, "pendamping")
    await chat.say("menu")
    await chat.tap("Kelompok saya")
    chat.expect_reply(
        contains=["Sirnajaya 1 (Desa Sirnajaya), 0 anggota", "Kode kelompok: SIRNA1"],
        buttons=["Anggota Sirnajaya 1", "Kelompok baru", "Menu"],
    )
    assert "Tautan" not in chat.text  # no bot names configured
    await chat.tap("Kelompok baru")
    chat.expect_reply(contains="Apa nama kelompok baru?", buttons=["Batal"])
    await chat.say("Mekar Jaya 2")
    chat.expect_reply(contains="Di desa mana?")
    await chat.say("Mekarjaya")
    chat.expect_reply(contains="Di kecamatan mana?")
    await chat.say("Serang Baru")
    chat.expect_reply(contains="Di kabupaten mana?")
    await chat.say("Bekasi")
    chat.expect_reply(contains=["zona waktu", "WITA: Bali"], buttons=ZONE_BUTTONS)
    await chat.tap("WITA")
    chat.expect_reply(
        contains=[
            "Nama: Mekar Jaya 2",
            "Desa: Mekarjaya",
            "Kecamatan: Serang Baru",
            "Kabupaten: Bekasi",
            "Zona waktu: WITA",
        ],
        buttons=["Simpan", "Batal"],
    )
    assert len(await kelompok_rows(app)) == 1
    await chat.tap("Simpan")
    chat.expect_reply(contains="Kelompok Mekar Jaya 2 sudah dibuat", buttons=["Kelompok saya", "Menu"])
    created = (await kelompok_rows(app))[-1]
    assert (created.name, created.desa, created.kecamatan, created.kabupaten, created.timezone) == (
        "Mekar Jaya 2",
        "Mekarjaya",
        "Serang Baru",
        "Bekasi",
        "Asia/Makassar",
    )
    assert len(created.join_code) == 6 and f"Kode kelompok: {created.join_code}" in chat.text
    await chat.tap_id("groups:save")  # tapped twice: the group is not created again
    chat.expect_reply(contains="Tidak ada yang diubah")
    assert len(await kelompok_rows(app)) == 2
    async with app.db.transaction() as session:
        assert await session.scalar(select(func.count()).where(AuditEntry.action == "kelompok.create")) == 1
    # A KPM can join the new kelompok with its code.
    kpm = Chat(app.service, "kpm-1")
    await joined(kpm, code=created.join_code)
    kpm.expect_reply(contains="Mekar Jaya 2")


async def test_create_a_kelompok_by_typing_with_bad_input_asked_again(app: App, demo: DemoData) -> None:
    chat = Chat(app.service, "pendamping")
    await chat.say("kelompok")
    await chat.say("kelompok baru")
    for bad in ["12345", "a" * 81, "baris satu\nbaris dua", "🙂🙂", "  "]:
        await chat.say(bad)
        chat.expect_reply(contains=["Mohon ketik satu baris", "Apa nama kelompok baru?"])
    await chat.say("Cibodas 3")
    await chat.say("Cibodas")
    await chat.say("Cibodas")
    await chat.say("Bandung Barat")
    await chat.say("GMT")
    chat.expect_reply(buttons=ZONE_BUTTONS)
    await chat.say("3")
    chat.expect_reply(contains=["Nama: Cibodas 3", "Zona waktu: WIT"])
    await chat.say("simpan")
    chat.expect_reply(contains="sudah dibuat")
    assert [k.timezone for k in await kelompok_rows(app)] == ["Asia/Jakarta", "Asia/Jayapura"]


async def test_batal_at_any_step_creates_nothing(app: App, demo: DemoData) -> None:
    chat = Chat(app.service, "pendamping")
    await chat.say("kelompok")
    await chat.tap("Kelompok baru")
    await chat.say("Cibodas 3")
    await chat.say("Cibodas")
    await chat.say("BATAL")
    chat.expect_reply(contains="Dibatalkan. Tidak ada yang diubah.", buttons=None)
    assert "Kelompok saya" in chat.labels
    await chat.say("Cibodas")  # no longer asked for anything
    chat.expect_reply(contains="belum mengerti")
    await chat.say("kelompok")
    await chat.tap("Kelompok baru")
    for answer in ["Cibodas 3", "Cibodas", "Cisarua", "Bandung Barat"]:
        await chat.say(answer)
    await chat.tap("WIB")
    await chat.tap("Batal")  # at the summary
    chat.expect_reply(contains="Dibatalkan")
    await chat.tap_id("groups:save")
    assert len(await kelompok_rows(app)) == 1


async def test_list_shows_links_when_the_bot_names_are_known(app: App, demo: DemoData) -> None:
    service = ConversationService(
        app.db,
        build_router(),
        app.curriculum,
        load_translators(),
        "id",
        app.clock,
        links=Links(telegram_username="p2k2_bot", whatsapp_number="6281234567890"),
    )
    chat = Chat(service, "pendamping")
    await chat.say("kelompok")
    chat.expect_reply(
        contains=[
            "Kode kelompok: SIRNA1",
            "Tautan Telegram: https://t.me/p2k2_bot?start=SIRNA1",
            "Tautan WhatsApp: https://wa.me/6281234567890?text=SIRNA1",
        ]
    )
    await chat.tap("Kelompok baru")
    for answer in ["Cibodas 3", "Cibodas", "Cisarua", "Bandung Barat"]:
        await chat.say(answer)
    await chat.tap("WIB")
    await chat.tap("Simpan")
    code = (await kelompok_rows(app))[-1].join_code
    chat.expect_reply(
        contains=[f"https://t.me/p2k2_bot?start={code}", f"https://wa.me/6281234567890?text={code}"]
    )


async def test_member_count_names_and_who_cannot_be_reached(app: App, demo: DemoData) -> None:
    siti, ani = Chat(app.service, "kpm-1"), Chat(app.service, "kpm-2")
    await joined(siti, "Ibu Siti")
    await joined(ani, "Ibu Ani")
    await ani.say("berhenti")
    await ani.tap_id("stop:yes")
    [rina] = await add_members(app, demo.kelompok_id, ["Ibu Rina"])
    async with app.db.transaction() as session:
        identity = await session.scalar(select(Identity).where(Identity.user_id == rina))
        assert identity is not None
        identity.reachable = False
    chat = Chat(app.service, "pendamping")
    await chat.say("kelompok")
    chat.expect_reply(contains="Sirnajaya 1 (Desa Sirnajaya), 3 anggota")
    await chat.tap("Anggota Sirnajaya 1")
    chat.expect_reply(
        contains=[
            "Sirnajaya 1 (Desa Sirnajaya), 3 anggota",
            "1. Ibu Ani",
            "2. Ibu Rina (tidak bisa dihubungi)",
            "3. Ibu Siti",
        ],
        buttons=["Kelompok saya", "Menu"],
    )
    assert "1. Ibu Ani (berhenti menerima pesan)" in chat.text


async def test_long_member_lists_are_paged_by_twenty(app: App, demo: DemoData) -> None:
    await add_members(
        app, demo.kelompok_id, [f"Ibu Anggota {chr(65 + n // 26)}{chr(65 + n % 26)}" for n in range(25)]
    )
    chat = Chat(app.service, "pendamping")
    await chat.tap_id(f"groups:members:{demo.kelompok_id}:1")
    chat.expect_reply(
        contains=["Halaman 1 dari 2", "1. Ibu Anggota AA", "20. Ibu Anggota AT"],
        buttons=["Lanjut", "Kelompok saya", "Menu"],
    )
    assert "21." not in chat.text
    await chat.say("lanjut")
    chat.expect_reply(
        contains=["Halaman 2 dari 2", "21. Ibu Anggota AU", "25. Ibu Anggota AY"],
        buttons=["Sebelumnya", "Kelompok saya", "Menu"],
    )
    assert "20." not in chat.text


async def test_an_empty_kelompok_says_how_to_join(app: App, demo: DemoData) -> None:
    chat = Chat(app.service, "pendamping")
    await chat.tap_id(f"groups:members:{demo.kelompok_id}:1")
    chat.expect_reply(
        contains="Sirnajaya 1 belum punya anggota. KPM bisa bergabung dengan mengetik kode kelompok SIRNA1"
    )


async def test_a_kpm_cannot_reach_the_kelompok_tools(app: App, demo: DemoData) -> None:
    kpm = Chat(app.service, "kpm-1")
    await joined(kpm)
    for attempt in ["kelompok", "/kelompok"]:
        await kpm.say(attempt)
        kpm.expect_reply(contains="hanya untuk pendamping")
    for forged in [f"groups:members:{demo.kelompok_id}:1", "groups:new", "groups:tz:WIB", "groups:save"]:
        await kpm.tap_id(forged)
        kpm.expect_reply(contains="hanya untuk pendamping")
        assert "Ibu Siti" not in kpm.text
    assert len(await kelompok_rows(app)) == 1
    assert await refusals(app) == [
        ("kelompok.list", "kelompok", None),
        ("kelompok.list", "kelompok", None),
        ("kelompok.members", "kelompok", demo.kelompok_id),
        ("kelompok.create", "kelompok", None),
        ("kelompok.create", "kelompok", None),
        ("kelompok.create", "kelompok", None),
    ]


async def test_pendamping_b_cannot_see_a_s_kelompok_or_members(app: App, demo: DemoData) -> None:
    await joined(Chat(app.service, "kpm-1"), "Ibu Siti")
    b, _, b_kelompok, _, _ = await second_pendamping(app)
    await b.say("kelompok")
    b.expect_reply(contains=["Mekarsari", "MEKAR2"])
    assert "SIRNA1" not in b.text and "Sirnajaya" not in b.text
    await b.tap_id(f"groups:members:{demo.kelompok_id}:1")
    b.expect_reply(contains="bukan kelompok Anda")
    assert "Ibu Siti" not in b.text
    await b.tap_id("groups:members:99999:1")
    b.expect_reply(contains="bukan kelompok Anda")
    assert await refusals(app) == [
        ("kelompok.members", "kelompok", demo.kelompok_id),
        ("kelompok.members", "kelompok", 99999),
    ]
    a = Chat(app.service, "pendamping")
    await a.tap_id(f"groups:members:{b_kelompok}:1")
    a.expect_reply(contains="bukan kelompok Anda")
    assert len(await refusals(app)) == 3
