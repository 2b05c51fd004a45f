"""Pendamping-side test data built straight in the database: members, kelompok, meetings, and a second
pendamping (Bu Dewi, "pendamping-b") with a kelompok of her own, for the authorisation tests."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import select

from bot.app import App
from bot.catalogs import load_translators
from bot.core.delivery import ChannelSender
from bot.db.models import Identity, Kelompok, Meeting, Membership, Pendamping, User
from bot.delivery import DeliveryConfig, DeliveryWorker
from tests.transcript import Chat


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


def delivery_worker(app: App, sender: ChannelSender, **config: object) -> DeliveryWorker:
    """A delivery worker for `sender`'s channel (the terminal's, for a `RecordingSender`)."""
    return DeliveryWorker(
        app.db,
        {sender.channel: sender},
        app.curriculum,
        load_translators(),
        "id",
        app.clock,
        DeliveryConfig(**config),  # type: ignore[arg-type]
    )
