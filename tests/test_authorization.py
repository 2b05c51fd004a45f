"""The authorisation matrix: a KPM reaching for any pendamping feature (typed commands and forged button
ids), and pendamping A reaching for any kelompok-scoped feature of pendamping B through forged button ids.
Every attempt is refused politely, changes nothing and is audited (allowed = false).

The helpers at the top build pendamping data directly in the database; the other pendamping tests use them."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import func, select

from bot.app import App
from bot.db.models import (
    AuditEntry,
    Base,
    Broadcast,
    Identity,
    Kelompok,
    Meeting,
    Membership,
    OutboxMessage,
    Pendamping,
    User,
)
from bot.demo import DemoData
from tests.conftest import joined
from tests.transcript import Chat

KPM_REFUSAL = "Menu ini hanya untuk pendamping."
OWNER_REFUSAL = "Itu bukan kelompok Anda"


async def add_members(
    app: App,
    kelompok_id: int,
    names: list[str],
    stopped: tuple[str, ...] = (),
    unreachable: tuple[str, ...] = (),
) -> list[int]:
    """Members on WhatsApp, in the order given; `stopped` asked for no messages, `unreachable` blocked the bot."""
    now = app.clock()
    ids = []
    async with app.db.transaction() as session:
        for name in names:
            user = User(
                role="kpm",
                display_name=name,
                locale="id",
                created_at=now,
                stopped_at=now if name in stopped else None,
            )
            session.add(user)
            await session.flush()
            session.add(
                Identity(
                    user_id=user.id,
                    channel="whatsapp",
                    address=f"628{user.id:09}",
                    reachable=name not in unreachable,
                    created_at=now,
                )
            )
            session.add(Membership(user_id=user.id, kelompok_id=kelompok_id, joined_at=now))
            ids.append(user.id)
    return ids


async def add_kelompok(app: App, pendamping_id: int, name: str, code: str, zone: str = "Asia/Jakarta") -> int:
    async with app.db.transaction() as session:
        kelompok = Kelompok(
            pendamping_id=pendamping_id,
            name=name,
            desa=name.split()[0],
            kecamatan="Serang Baru",
            kabupaten="Bekasi",
            timezone=zone,
            join_code=code,
            created_at=app.clock(),
        )
        session.add(kelompok)
        await session.flush()
        return kelompok.id


async def add_meeting(app: App, kelompok_id: int, days: float, session_number: int = 2) -> int:
    """A meeting `days` from now (negative: it has started)."""
    now = app.clock()
    async with app.db.transaction() as session:
        meeting = Meeting(
            kelompok_id=kelompok_id,
            session_number=session_number,
            starts_at=now + timedelta(days=days),
            place="Posyandu",
            created_at=now,
            updated_at=now,
        )
        session.add(meeting)
        await session.flush()
        return meeting.id


async def demo_pendamping_id(app: App) -> int:
    async with app.db.transaction() as session:
        return int(await session.scalar(select(Pendamping.id).where(Pendamping.name == "Pendamping Demo")))


async def second_pendamping(app: App) -> tuple[Chat, int, int, int, int]:
    """Pendamping B ("pendamping-b") with kelompok Mekarsari (WITA), one member, a meeting that has started
    and one still ahead: (chat, pendamping id, kelompok id, started meeting id, upcoming meeting id)."""
    now = app.clock()
    async with app.db.transaction() as session:
        user = User(role="pendamping", display_name="Bu Dewi", locale="id", created_at=now)
        session.add(user)
        await session.flush()
        session.add(Identity(user_id=user.id, channel="console", address="pendamping-b", created_at=now))
        pendamping = Pendamping(name="Bu Dewi", user_id=user.id, created_at=now, claimed_at=now)
        session.add(pendamping)
        await session.flush()
        pendamping_id = pendamping.id
    kelompok_id = await add_kelompok(app, pendamping_id, "Mekarsari", "MEKAR2", "Asia/Makassar")
    await add_members(app, kelompok_id, ["Ibu Wati"])
    started = await add_meeting(app, kelompok_id, -1)
    upcoming = await add_meeting(app, kelompok_id, 3)
    return Chat(app.service, "pendamping-b"), pendamping_id, kelompok_id, started, upcoming


async def row_counts(app: App) -> dict[str, int]:
    """Rows in every table but the audit log (dialog state excluded too: a refusal resets the flow)."""
    async with app.db.transaction() as session:
        return {
            table.name: int(await session.scalar(select(func.count()).select_from(table)) or 0)
            for table in Base.metadata.sorted_tables
            if table.name not in ("audit_log", "dialog_states", "inbound_keys")
        }


async def refusals(app: App) -> list[tuple[str, str | None, int | None, int | None]]:
    async with app.db.transaction() as session:
        rows = await session.scalars(
            select(AuditEntry).where(AuditEntry.allowed.is_(False)).order_by(AuditEntry.id)
        )
        return [(r.action, r.target_type, r.target_id, r.actor_user_id) for r in rows]


async def user_id_of(app: App, address: str) -> int:
    async with app.db.transaction() as session:
        return int(await session.scalar(select(Identity.user_id).where(Identity.address == address)))


# A KPM and every pendamping feature.

KPM_COMMANDS = ["rsvp", "kehadiran", "pengumuman", "hasil kuis", "ekspor", "kelompok", "jadwal"]
KPM_BUTTONS = [
    "prsvp",
    "prsvp:{meeting}",
    "attend",
    "attend:m:{meeting}:1",
    "attend:t:{meeting}:{me}:1",
    "attend:done:{meeting}",
    "bcast",
    "bcast:k:{kelompok}",
    "bcast:all",
    "bcast:send",
    "bcast:status",
    "results",
    "results:k:{kelompok}",
    "export",
    "export:k:{kelompok}",
    "export:xlsx:{kelompok}",
    "export:csv:{kelompok}",
    "groups",
    "groups:members:{kelompok}:1",
    "pmeet",
    "pmeet:k:{kelompok}",
    "pmeet:move:{meeting}",
    "pmeet:cancel:{meeting}",
    "pmeet:cancelok:{meeting}",
]


@pytest.mark.parametrize("attempt", [f"say {c}" for c in KPM_COMMANDS] + [f"tap {b}" for b in KPM_BUTTONS])
async def test_a_kpm_reaches_no_pendamping_feature(app: App, demo: DemoData, attempt: str) -> None:
    kpm = Chat(app.service, "kpm-1")
    await joined(kpm)
    me = await user_id_of(app, "kpm-1")
    before, audited = await row_counts(app), await refusals(app)
    how, what = attempt.split(" ", 1)
    if how == "say":
        await kpm.say(what)
    else:
        await kpm.tap_id(what.format(meeting=demo.meeting_id, kelompok=demo.kelompok_id, me=me))
    kpm.expect_reply(contains=KPM_REFUSAL, buttons=["Menu"])
    assert await row_counts(app) == before
    after = await refusals(app)
    assert len(after) == len(audited) + 1 and after[-1][3] == me


# Pendamping A (the demo pendamping) and every kelompok-scoped feature of pendamping B.

FORGED = [
    ("groups:members:{kelompok}:1", "kelompok.members", "kelompok"),
    ("prsvp:{upcoming}", "rsvp.view", "meeting"),
    ("attend:m:{started}:1", "attendance.view", "meeting"),
    ("attend:t:{started}:{member}:1", "attendance.record", "meeting"),
    ("attend:done:{started}", "attendance.record", "meeting"),
    ("bcast:k:{kelompok}", "broadcast.compose", "kelompok"),
    ("results:k:{kelompok}", "results.view", "kelompok"),
    ("export:k:{kelompok}", "export", "kelompok"),
    ("export:xlsx:{kelompok}", "export", "kelompok"),
    ("export:csv:{kelompok}", "export", "kelompok"),
    ("pmeet:k:{kelompok}", "meeting.schedule", "kelompok"),
    ("pmeet:show:{upcoming}", "meeting.view", "meeting"),
    ("pmeet:move:{upcoming}", "meeting.reschedule", "meeting"),
    ("pmeet:cancel:{upcoming}", "meeting.cancel", "meeting"),
    ("pmeet:cancelok:{upcoming}", "meeting.cancel", "meeting"),
]


@pytest.mark.parametrize(("forged", "action", "target_type"), FORGED)
async def test_pendamping_a_reaches_nothing_of_pendamping_b(
    app: App, demo: DemoData, forged: str, action: str, target_type: str
) -> None:
    _, _, kelompok, started, upcoming = await second_pendamping(app)
    member = (await add_members(app, kelompok, ["Ibu Yanti"]))[0]
    a = Chat(app.service, "pendamping")
    await a.say("menu")
    me = await user_id_of(app, "pendamping")
    before, audited = await row_counts(app), await refusals(app)
    button = forged.format(kelompok=kelompok, started=started, upcoming=upcoming, member=member)
    await a.tap_id(button)
    a.expect_reply(contains=OWNER_REFUSAL, buttons=["Menu"])
    assert "Mekarsari" not in a.text and "Ibu Wati" not in a.text and "Ibu Yanti" not in a.text
    assert await row_counts(app) == before
    target = next(int(part) for part in button.split(":") if part.isdigit())
    assert await refusals(app) == [*audited, (action, target_type, target, me)]


async def test_own_meeting_with_a_member_of_another_kelompok_is_refused(app: App, demo: DemoData) -> None:
    """A forged toggle that pairs A's own meeting with B's member: the member is checked too."""
    _, _, kelompok, _, _ = await second_pendamping(app)
    stranger = (await add_members(app, kelompok, ["Ibu Yanti"]))[0]
    own = await add_meeting(app, demo.kelompok_id, -1)
    a = Chat(app.service, "pendamping")
    before = await row_counts(app)
    await a.tap_id(f"attend:t:{own}:{stranger}:1")
    a.expect_reply(contains=OWNER_REFUSAL)
    assert await row_counts(app) == before
    assert (await refusals(app))[-1][:3] == ("attendance.record", "user", stranger)


async def test_broadcast_to_all_only_ever_reaches_own_kelompok(app: App, demo: DemoData) -> None:
    """ "All my groups" is computed from the pendamping's own kelompok, so B's members get nothing."""
    _, _, b_kelompok, _, _ = await second_pendamping(app)
    await add_members(app, demo.kelompok_id, ["Ibu Siti"])
    await add_kelompok(app, await demo_pendamping_id(app), "Sirnajaya 2", "SIRNA2")
    a = Chat(app.service, "pendamping")
    await a.tap_id("bcast")
    await a.tap("Semua kelompok saya")
    await a.say("Besok kerja bakti.")
    a.expect_reply(contains="1 anggota semua 2 kelompok Anda")
    await a.tap("Kirim")
    async with app.db.transaction() as session:
        targets = set(await session.scalars(select(Broadcast.kelompok_id)))
        reached = list(await session.scalars(select(OutboxMessage.user_id)))
        siti = await session.scalar(select(User.id).where(User.display_name == "Ibu Siti"))
    assert len(targets) == 2 and demo.kelompok_id in targets and b_kelompok not in targets
    assert reached == [siti]  # Ibu Wati, B's member, gets nothing
