"""The next meeting of the user's kelompok."""

from __future__ import annotations

from bot.core.context import Context, Result
from bot.core.messages import Inbound, Outbound
from bot.core.router import Router
from bot.core.timefmt import format_when
from handlers.menu import back_to_menu

router = Router()


@router.command("pertemuan", "/pertemuan", "meeting")
@router.button("meeting")
async def next_meeting(ctx: Context, _msg: Inbound) -> Result:
    if ctx.user.kelompok_id is None:
        text = ctx._(
            "You are not in a group yet. Ask your pendamping for your group's code and type it here."
        )
        return ctx.reply(Outbound(text, (back_to_menu(ctx),)), state=ctx.state.idle())
    meeting = await ctx.ports.meetings.next_meeting(ctx.user.kelompok_id, ctx.now)
    if meeting is None:
        text = ctx._("No meeting is planned yet for your group. Your pendamping will let you know.")
        return ctx.reply(Outbound(text, (back_to_menu(ctx),)), state=ctx.state.idle())
    session = ctx.ports.curriculum.session(meeting.session_number)
    topic = session.title if session else str(meeting.session_number)
    text = ctx._(
        "Next meeting of {group}:\nTopic: Session {number}, {topic}\nWhen: {when}\nWhere: {place}"
    ).format(
        group=meeting.kelompok_name,
        number=meeting.session_number,
        topic=topic,
        when=format_when(meeting.starts_at, meeting.timezone, ctx.t.locale),
        place=meeting.place,
    )
    return ctx.reply(Outbound(text, (back_to_menu(ctx),)), state=ctx.state.idle())
