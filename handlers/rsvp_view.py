"""What the members of a kelompok answered to a meeting invitation: counts and names per answer (with the
reasons of those who cannot attend), and who has not answered yet.

Button ids: "prsvp" (the next meeting, or a choice of the upcoming ones), "prsvp:<meeting>". A meeting is
read through the pendamping port, which returns nothing for another pendamping's meeting: refused, audited."""

from __future__ import annotations

from zoneinfo import ZoneInfo

from bot.core.context import Context, Result
from bot.core.i18n import N_
from bot.core.messages import Button, Inbound, InboundKind, Outbound
from bot.core.ports import MeetingView, RsvpEntry
from bot.core.router import Router
from bot.core.timefmt import format_when
from handlers.authz import pendamping_of, refuse
from handlers.menu import back_to_menu

router = Router()

SHOWN = 8  # meetings offered as buttons
REASON_SHOWN = 80  # characters of a reason in the overview; the export has it in full
ORDER = (
    ("yes", N_("Attending")),
    ("no", N_("Cannot attend")),
    ("maybe", N_("Not sure yet")),
    (None, N_("No answer yet")),
)


def shorten(text: str, limit: int) -> str:
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"


def meeting_heading(ctx: Context, meeting: MeetingView) -> str:
    """ "Sirnajaya 1, Sabtu, 5 Desember 2026 pukul 09.00 WIB (Sesi 1)" """
    return ctx._("{group}, {when} (Session {number})").format(
        group=meeting.kelompok_name,
        when=format_when(meeting.starts_at, meeting.timezone, ctx.t.locale),
        number=meeting.session_number,
    )


def meeting_button(prefix: str, meeting: MeetingView) -> Button:
    """A short label that fits a WhatsApp list row: "5/12 Sirnajaya 1". No number of its own: channels
    that number buttons (the terminal's "[2]") would show it twice."""
    local = meeting.starts_at.astimezone(ZoneInfo(meeting.timezone))
    return Button(f"{prefix}:{meeting.id}", f"{local.day}/{local.month} {meeting.kelompok_name}")


def meeting_choice(
    ctx: Context, prefix: str, intro: str, meetings: list[MeetingView]
) -> tuple[str, tuple[Button, ...]]:
    """A numbered list of meetings with full dates, and one button each (typed numbers match them)."""
    lines = [intro]
    for number, meeting in enumerate(meetings[:SHOWN], 1):
        lines.append(f"{number}. {meeting_heading(ctx, meeting)}")
    if len(meetings) > SHOWN:
        lines.append(ctx._("Only the first {count} are shown.").format(count=SHOWN))
    buttons = tuple(meeting_button(prefix, m) for m in meetings[:SHOWN])
    return "\n".join(lines), (*buttons, back_to_menu(ctx))


@router.command("rsvp", "/rsvp", "jawaban rsvp")
@router.button("prsvp")
async def rsvp_view(ctx: Context, msg: Inbound) -> Result:
    arg = msg.button_id.partition(":")[2] if msg.kind is InboundKind.BUTTON else ""
    pendamping = pendamping_of(ctx)
    if pendamping is None:
        return refuse(ctx, "rsvp.view", "meeting", int(arg) if arg.isdigit() else None)
    if arg:
        meeting = await ctx.ports.pendamping.meeting(pendamping, int(arg)) if arg.isdigit() else None
        entries = await ctx.ports.pendamping.rsvps(pendamping, meeting.id) if meeting else None
        if meeting is None or entries is None:
            return refuse(ctx, "rsvp.view", "meeting", int(arg) if arg.isdigit() else None)
        upcoming = await ctx.ports.pendamping.meetings(pendamping, ctx.now, upcoming=True)
        return overview(ctx, meeting, entries, others=len(upcoming) > 1)
    upcoming = await ctx.ports.pendamping.meetings(pendamping, ctx.now, upcoming=True)
    if not upcoming:
        text = ctx._("No meeting is planned, so there are no answers to show.")
        empty = (Button("pmeet", ctx._("Meetings")), back_to_menu(ctx))
        return ctx.reply(Outbound(text, empty), state=ctx.state.idle())
    if len(upcoming) == 1:
        entries = await ctx.ports.pendamping.rsvps(pendamping, upcoming[0].id) or []
        return overview(ctx, upcoming[0], entries, others=False)
    text, buttons = meeting_choice(ctx, "prsvp", ctx._("Which meeting? Choose one:"), upcoming)
    return ctx.reply(Outbound(text, buttons), state=ctx.state.idle())


def overview(ctx: Context, meeting: MeetingView, entries: list[RsvpEntry], others: bool) -> Result:
    lines = [ctx._("Answers for the meeting of {heading}:").format(heading=meeting_heading(ctx, meeting))]
    if meeting.status != "scheduled":
        lines.append(ctx._("This meeting was cancelled."))
    if not entries:
        lines.append(ctx._("The group has no members yet."))
    for answer, label in ORDER if entries else ():
        chosen = [e for e in entries if e.answer == answer]
        lines.append("")
        lines.append(f"{ctx._(label)}: {len(chosen)}")
        for entry in chosen:
            reason = f": {shorten(entry.reason, REASON_SHOWN)}" if entry.reason else ""
            lines.append(f"- {entry.name}{reason}")
    buttons = [Button(f"prsvp:{meeting.id}", ctx._("Refresh"))]
    if others:
        buttons.append(Button("prsvp", ctx._("Other meetings")))
    return ctx.reply(Outbound("\n".join(lines), (*buttons, back_to_menu(ctx))), state=ctx.state.idle())
