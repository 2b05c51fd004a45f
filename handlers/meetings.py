"""The next meeting of the user's kelompok, and the RSVP: Hadir / Tidak bisa hadir (with an optional
reason) / Belum tahu. The answer can be changed until the meeting starts."""

from __future__ import annotations

from bot.core.context import Context, Result
from bot.core.events import RsvpRecorded
from bot.core.i18n import N_
from bot.core.messages import Button, Inbound, Outbound
from bot.core.ports import MeetingView
from bot.core.router import Router
from bot.core.timefmt import format_when
from handlers.menu import back_to_menu
from handlers.onboarding import ask_consent

router = Router()

ANSWERS = {"yes": N_("Attending"), "no": N_("Cannot attend"), "maybe": N_("Not sure yet")}
REASON_MAX = 300


def meeting_text(ctx: Context, meeting: MeetingView) -> str:
    session = ctx.ports.curriculum.session(meeting.session_number)
    topic = session.title if session else ""
    return ctx._(
        "Next meeting of {group}:\nTopic: Session {number}, {topic}\nWhen: {when}\nWhere: {place}"
    ).format(
        group=meeting.kelompok_name,
        number=meeting.session_number,
        topic=topic,
        when=format_when(meeting.starts_at, meeting.timezone, ctx.t.locale),
        place=meeting.place,
    )


def rsvp_buttons(ctx: Context, meeting_id: int) -> tuple[Button, ...]:
    return tuple(Button(f"rsvp:{meeting_id}:{code}", ctx._(label)) for code, label in ANSWERS.items())


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
    lines = [meeting_text(ctx, meeting)]
    current = await ctx.ports.rsvps.of_user(meeting.id, ctx.user.id)
    if current is not None:
        lines.append(
            ctx._("Your answer: {answer}. You can change it.").format(answer=ctx._(ANSWERS[current.answer]))
        )
    else:
        lines.append(ctx._("Will you attend?"))
    buttons = (*rsvp_buttons(ctx, meeting.id), back_to_menu(ctx))
    return ctx.reply(Outbound("\n\n".join(lines), buttons), state=ctx.state.idle())


async def _open_meeting(ctx: Context, meeting_id: int) -> MeetingView | Result:
    """The meeting if this user may still answer for it, else the polite reason why not."""
    meeting = await ctx.ports.meetings.get(meeting_id)
    if meeting is None or meeting.kelompok_id != ctx.user.kelompok_id:
        text = ctx._("That meeting is not one of your group's meetings.")
    elif meeting.status != "scheduled":
        text = ctx._("That meeting was cancelled.")
    elif meeting.starts_at <= ctx.now:
        text = ctx._("That meeting has already started, so the answer can no longer be changed.")
    else:
        return meeting
    return ctx.reply(
        Outbound(text, (Button("meeting", ctx._("Meetings")), back_to_menu(ctx))), state=ctx.state.idle()
    )


@router.button("rsvp")
async def rsvp(ctx: Context, msg: Inbound) -> Result:
    _, meeting_id, answer = [*msg.button_id.split(":"), "", ""][:3]
    if not meeting_id.isdigit() or answer not in ANSWERS:
        return await next_meeting(ctx, msg)
    if not ctx.user.consented:
        return ask_consent(ctx, then="meeting")
    meeting = await _open_meeting(ctx, int(meeting_id))
    if isinstance(meeting, Result):
        return meeting
    recorded = (RsvpRecorded(meeting.id, answer),)
    if answer == "no":
        text = ctx._(
            "Thank you for letting us know. Would you like to tell the reason? Type it briefly, or tap Skip."
        )
        buttons = (Button("rsvp_skip", ctx._("Skip")), back_to_menu(ctx))
        return ctx.reply(
            Outbound(text, buttons), state=ctx.state.at("rsvp_reason", meeting=meeting.id), events=recorded
        )
    text = ctx._("Thank you. Your answer: {answer}.").format(answer=ctx._(ANSWERS[answer]))
    buttons = (Button("meeting", ctx._("Change answer")), back_to_menu(ctx))
    return ctx.reply(Outbound(text, buttons), state=ctx.state.idle(), events=recorded)


@router.flow("rsvp_reason")
async def rsvp_reason(ctx: Context, msg: Inbound) -> Result:
    reason = " ".join(msg.text.split())
    if not reason:
        return ctx.reply(Outbound(ctx._("Type the reason briefly, or tap Skip."), ctx.state.buttons))
    if len(reason) > REASON_MAX:
        text = ctx._("That is too long. Please keep the reason under {limit} letters.").format(
            limit=REASON_MAX
        )
        return ctx.reply(Outbound(text, ctx.state.buttons))
    meeting = await _open_meeting(ctx, int(ctx.state.data.get("meeting", 0)))
    if isinstance(meeting, Result):
        return meeting
    text = ctx._("Thank you, the reason has been noted. Your pendamping will see it.")
    buttons = (Button("meeting", ctx._("Change answer")), back_to_menu(ctx))
    return ctx.reply(
        Outbound(text, buttons), state=ctx.state.idle(), events=(RsvpRecorded(meeting.id, "no", reason),)
    )


@router.button("rsvp_skip")
async def rsvp_skip(ctx: Context, _msg: Inbound) -> Result:
    text = ctx._("All right. Your answer: {answer}.").format(answer=ctx._(ANSWERS["no"]))
    buttons = (Button("meeting", ctx._("Change answer")), back_to_menu(ctx))
    return ctx.reply(Outbound(text, buttons), state=ctx.state.idle())
