"""The terminal demo's extra data: members with answers and a meeting that has passed."""

from sqlalchemy import func, select

from bot.app import App
from bot.db.models import Meeting, Membership, Pendamping, QuizAnswer, Rsvp, User
from bot.db.pendamping_reader import SqlPendampingReader
from bot.demo import DEMO_MEMBERS, seed_demo, seed_demo_members


async def test_demo_members_and_a_past_meeting_are_seeded_once(app: App) -> None:
    for _ in range(2):
        async with app.db.transaction() as session:
            demo = await seed_demo(session, app.clock(), "id")
            count = await seed_demo_members(session, app.clock(), "id", app.curriculum, demo)
        assert count == len(DEMO_MEMBERS) == 8
    async with app.db.transaction() as session:
        assert await session.scalar(select(func.count(Membership.id))) == 8
        assert await session.scalar(select(func.count(Meeting.id))) == 2
        assert await session.scalar(select(func.count(Rsvp.id))) == 13
        assert await session.scalar(select(func.count(QuizAnswer.id))) > 0
        pendamping = await session.scalar(select(User.id).where(User.role == "pendamping"))
        reader = SqlPendampingReader(session, app.curriculum)
        pid = await session.scalar(select(Pendamping.id).where(Pendamping.user_id == pendamping))
        assert pid is not None
        past = await reader.meetings(pid, app.clock(), upcoming=False)
        upcoming = await reader.meetings(pid, app.clock(), upcoming=True)
        assert len(past) == 1 and len(upcoming) == 1
        rsvps = await reader.rsvps(pid, past[0].id)
        assert rsvps is not None
        assert [r.name for r in rsvps][:2] == ["Bapak Ujang Saepudin", "Ibu Dewi Lestari"]
        assert {r.answer for r in rsvps} == {"yes", "no", "maybe", None}
