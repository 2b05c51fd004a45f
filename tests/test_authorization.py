"""The authorisation matrix: a KPM reaching for any pendamping feature (typed commands and forged button
ids), and pendamping A reaching for any kelompok-scoped feature of pendamping B through forged button ids.
Every attempt is refused politely, changes nothing and is audited (allowed = false)."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from bot.app import App
from bot.db.models import (
    AuditEntry,
    Base,
    Broadcast,
    Identity,
    OutboxMessage,
    User,
)
from bot.demo import DemoData
from tests.builders import add_kelompok, add_meeting, add_members, demo_pendamping_id, second_pendamping
from tests.conftest import joined
from tests.transcript import Chat

KPM_REFUSAL = "Menu ini hanya untuk pendamping."
OWNER_REFUSAL = "Itu bukan kelompok Anda"


async def row_counts(app: App) -> dict[str, int]:
    """Rows in every table but the audit log (dialog state excluded too: a refusal resets the flow),
    and outbox rows other than the refusal's own reply."""
    async with app.db.transaction() as session:
        counts = {
            table.name: int(await session.scalar(select(func.count()).select_from(table)) or 0)
            for table in Base.metadata.sorted_tables
            if table.name not in ("audit_log", "dialog_states", "inbound_keys", "outbox")
        }
        counts["outbox"] = int(
            await session.scalar(select(func.count(OutboxMessage.id)).where(OutboxMessage.kind != "reply"))
            or 0
        )
        return counts


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
    a.expect_reply(contains="1 anggota 2 kelompok Anda")
    await a.tap("Kirim")
    async with app.db.transaction() as session:
        targets = set(await session.scalars(select(Broadcast.kelompok_id)))
        reached = list(
            await session.scalars(select(OutboxMessage.user_id).where(OutboxMessage.kind == "broadcast"))
        )
        siti = await session.scalar(select(User.id).where(User.display_name == "Ibu Siti"))
    assert len(targets) == 2 and demo.kelompok_id in targets and b_kelompok not in targets
    assert reached == [siti]  # Ibu Wati, B's member, gets nothing
