"""The one-time claim code turns a chat into the pendamping's; expired, used and unknown codes change
nothing and are audited."""

from sqlalchemy import select

from bot.app import App
from bot.db.models import AuditEntry, Identity, Pendamping, User
from bot.db.pendamping import NewPendamping, create_pendamping
from bot.demo import DemoData
from tests.transcript import Chat, FakeClock

PENDAMPING_MENU = [
    "Kelompok saya",
    "Pertemuan",
    "Kehadiran",
    "Pengumuman",
    "Hasil kuis",
    "Ekspor",
    "Pertanyaan anggota",
    "Belajar",
    "Bantuan",
]


async def new_pendamping(app: App, name: str = "Bu Rina") -> NewPendamping:
    async with app.db.transaction() as session:
        return await create_pendamping(session, name, app.clock())


async def owner(app: App, pendamping_id: int) -> tuple[int | None, str | None]:
    """The user who holds the pendamping role, and that user's role."""
    async with app.db.transaction() as session:
        row = await session.get(Pendamping, pendamping_id)
        assert row is not None
        user = await session.get(User, row.user_id) if row.user_id else None
        return row.user_id, user.role if user else None


async def role_of(app: App, address: str) -> str:
    async with app.db.transaction() as session:
        role = await session.scalar(
            select(User.role).join(Identity, Identity.user_id == User.id).where(Identity.address == address)
        )
        return str(role)


async def audits(app: App, action: str = "role.claim") -> list[tuple[bool, int | None]]:
    async with app.db.transaction() as session:
        rows = await session.scalars(
            select(AuditEntry).where(AuditEntry.action == action).order_by(AuditEntry.id)
        )
        return [(row.allowed, row.target_id) for row in rows]


async def test_start_payload_claims_the_role_after_confirming(app: App) -> None:
    new = await new_pendamping(app)
    chat = Chat(app.service, "rina", channel="telegram")
    await chat.say(f"/start {new.claim_code}")
    chat.expect_reply(
        contains="didaftarkan sebagai pendamping atas nama Bu Rina. Lanjutkan?", buttons=["Ya", "Batal"]
    )
    assert await owner(app, new.id) == (None, None)
    await chat.tap("Ya")
    chat.expect_reply(contains="Selamat datang, Bu Rina", buttons=PENDAMPING_MENU)
    user_id, role = await owner(app, new.id)
    assert user_id is not None and role == "pendamping"
    assert await audits(app) == [(True, new.id)]
    await chat.say("menu")
    chat.expect_reply(buttons=PENDAMPING_MENU)


async def test_bare_code_typed_claims_too_without_the_kpm_consent(app: App) -> None:
    new = await new_pendamping(app)
    chat = Chat(app.service, "rina")
    await chat.say(new.claim_code.lower())
    chat.expect_reply(contains="sebagai pendamping atas nama Bu Rina", buttons=["Ya", "Batal"])
    await chat.say("1")  # typed number = Ya
    chat.expect_reply(contains="Selamat datang", buttons=PENDAMPING_MENU)
    assert await role_of(app, "rina") == "pendamping"


async def test_batal_at_the_question_changes_nothing(app: App) -> None:
    new = await new_pendamping(app)
    chat = Chat(app.service, "rina")
    await chat.say(new.claim_code)
    await chat.say("BATAL")  # the word of the "Batal" button on screen
    chat.expect_reply(contains="Tidak ada yang diubah.")
    await chat.tap_id("claim:yes")  # the old button
    chat.expect_reply(contains="Tidak ada yang diubah")
    assert await owner(app, new.id) == (None, None)
    assert await audits(app) == []


async def test_expired_code_is_refused_and_audited(app: App, clock: FakeClock) -> None:
    new = await new_pendamping(app)
    clock.advance(days=7, seconds=1)
    chat = Chat(app.service, "rina")
    await chat.say(f"/start {new.claim_code}")
    chat.expect_reply(contains="sudah kedaluwarsa. Tidak ada yang diubah")
    assert "Kelompok saya" not in chat.labels
    assert await owner(app, new.id) == (None, None)
    assert await role_of(app, "rina") == "kpm"
    assert await audits(app) == [(False, new.id)]


async def test_code_expiring_between_question_and_answer_is_refused(app: App, clock: FakeClock) -> None:
    new = await new_pendamping(app)
    chat = Chat(app.service, "rina")
    await chat.say(new.claim_code)
    clock.advance(days=8)
    await chat.tap("Ya")
    chat.expect_reply(contains="kedaluwarsa")
    assert await owner(app, new.id) == (None, None)
    assert await audits(app) == [(False, new.id)]


async def test_reused_code_is_refused_and_the_first_owner_keeps_it(app: App) -> None:
    new = await new_pendamping(app)
    first = Chat(app.service, "rina")
    await first.say(new.claim_code)
    await first.tap("Ya")
    first_owner = await owner(app, new.id)
    second = Chat(app.service, "someone-else", channel="whatsapp")
    await second.say(new.claim_code)
    second.expect_reply(contains="tidak dikenal atau sudah dipakai. Tidak ada yang diubah")
    await second.tap_id("claim:yes")  # forged: no question was asked
    second.expect_reply(contains="Tidak ada yang diubah")
    assert await owner(app, new.id) == first_owner
    assert await role_of(app, "someone-else") == "kpm"
    assert await audits(app) == [(True, new.id), (False, new.id)]


async def test_unknown_code_is_refused_and_audited(app: App) -> None:
    chat = Chat(app.service, "guess")
    await chat.say("/start ZZZZ9999")
    chat.expect_reply(contains="tidak dikenal atau sudah dipakai")
    await chat.say("ABCD2345")
    chat.expect_reply(contains="tidak dikenal atau sudah dipakai")
    assert await role_of(app, "guess") == "kpm"
    assert await audits(app) == [(False, None), (False, None)]


async def test_an_ordinary_eight_letter_word_is_not_taken_for_a_code(app: App) -> None:
    chat = Chat(app.service, "kpm")
    await chat.say("terimaka")
    chat.expect_reply(contains="asisten P2K2")  # the welcome for someone new, not a code answer
    assert await audits(app) == []


async def test_a_pendamping_cannot_claim_a_second_role(app: App, demo: DemoData) -> None:
    new = await new_pendamping(app)
    chat = Chat(app.service, "pendamping")
    await chat.say(f"/start {new.claim_code}")
    chat.expect_reply(contains="Anda sudah menjadi pendamping. Tidak ada yang diubah")
    assert await owner(app, new.id) == (None, None)
    assert await audits(app) == [(False, new.id)]
    other = Chat(app.service, "rina")
    await other.say(new.claim_code)
    await other.tap("Ya")
    other.expect_reply(buttons=PENDAMPING_MENU)
