"""Attendance, ticked by the pendamping once a meeting has started. Members who answered the invitation
with "Hadir" start ticked; "Semua hadir" ticks everyone in one tap, and a tap on a name unticks (or
ticks) that member, so a kelompok of 30 costs a tap or two, not 30. Members are paged to fit one
WhatsApp list. Each tap is stored at once, so nothing is lost if the chat is left halfway. "Done" stores
what is ticked for everyone not stored yet, so the exported list is complete.

Button ids: "attend" (meetings that have started, latest first), "attend:m:<meeting>:<page>",
"attend:all:<meeting>:<page>" (everyone present), "attend:t:<meeting>:<user>:<page>" (present <->
absent), "attend:done:<meeting>". Meetings and members are read through the pendamping port, so another
pendamping's meeting is refused and audited."""

from __future__ import annotations

from bot.core.context import Context, Result
from bot.core.events import AttendanceRecorded
from bot.core.messages import Button, Inbound, InboundKind, Outbound
from bot.core.paging import Page, page_of, page_size, paged_buttons
from bot.core.ports import MeetingView, MemberView
from bot.core.router import Router
from handlers.authz import pendamping_of, refuse
from handlers.menu import back_to_menu
from handlers.rsvp_view import meeting_choice, meeting_heading

router = Router()

PAGE = page_size(fixed=2)  # "Semua hadir" and "Selesai" on every page
PRESENT = "✓"


def _number(parts: list[str], index: int) -> int | None:
    return int(parts[index]) if len(parts) > index and parts[index].isdigit() else None


@router.command("kehadiran", "/kehadiran", "absensi", "/absensi")
@router.button("attend")
async def attendance(ctx: Context, msg: Inbound) -> Result:
    parts = msg.button_id.split(":") if msg.kind is InboundKind.BUTTON else ["attend"]
    action = parts[1] if len(parts) > 1 else ""
    meeting_id = _number(parts, 2)
    audited = "attendance.view" if action in ("", "m") else "attendance.record"
    pendamping = pendamping_of(ctx)
    if pendamping is None:
        return refuse(ctx, audited, "meeting", meeting_id)
    if action not in ("m", "all", "t", "done"):
        return await choose(ctx, pendamping)
    meeting = await ctx.ports.pendamping.meeting(pendamping, meeting_id or 0)
    members = await ctx.ports.pendamping.members(pendamping, meeting.kelompok_id) if meeting else None
    stored = await ctx.ports.pendamping.attendance(pendamping, meeting.id) if meeting else None
    answers = await ctx.ports.pendamping.rsvps(pendamping, meeting.id) if meeting else None
    if meeting is None or members is None or stored is None or answers is None:
        return refuse(ctx, audited, "meeting", meeting_id)
    closed = not_open(ctx, meeting)
    if closed is not None:
        return closed
    coming = {a.user_id for a in answers if a.answer == "yes"}
    # What is stored wins; a member not ticked yet is present if they said they would come.
    present = {m.user_id: stored.get(m.user_id, m.user_id in coming) for m in members}
    if action == "all":
        marked = tuple(
            AttendanceRecorded(meeting.id, m.user_id, True) for m in members if not stored.get(m.user_id)
        )
        everyone = {m.user_id: True for m in members}
        note = ctx._("Everyone is marked present. Tap the names of those who did not come.")
        return page(ctx, meeting, members, everyone, _number(parts, 3) or 1, note, marked)
    if action == "t":
        user_id = _number(parts, 3)
        member = next((m for m in members if m.user_id == user_id), None)
        if member is None:  # not (or no longer) a member of this meeting's kelompok
            return refuse(ctx, "attendance.record", "user", user_id)
        now_present = not present[member.user_id]
        mark = ctx._("{name}: present") if now_present else ctx._("{name}: absent")
        return page(
            ctx,
            meeting,
            members,
            {**present, member.user_id: now_present},
            _number(parts, 4) or 1,
            note=mark.format(name=member.name),
            events=(AttendanceRecorded(meeting.id, member.user_id, now_present),),
        )
    if action == "done":
        return done(ctx, meeting, members, stored, present)
    return page(ctx, meeting, members, present, _number(parts, 3) or 1, pre_ticked=bool(coming))


async def choose(ctx: Context, pendamping: int) -> Result:
    started = await ctx.ports.pendamping.meetings(pendamping, ctx.now, upcoming=False)
    if not started:
        text = ctx._("No meeting has started yet. Attendance can be ticked once a meeting has started.")
        empty = (Button("pmeet", ctx._("Meetings")), back_to_menu(ctx))
        return ctx.reply(Outbound(text, empty), state=ctx.state.idle())
    intro = ctx._("Attendance: which meeting? The latest come first.")
    text, buttons = meeting_choice(ctx, "attend:m", intro, started)
    return ctx.reply(Outbound(text, buttons), state=ctx.state.idle())


def not_open(ctx: Context, meeting: MeetingView) -> Result | None:
    """Why attendance cannot be ticked for this (own) meeting, or None if it can."""
    if meeting.status != "scheduled":
        text = ctx._("That meeting was cancelled.")
    elif meeting.starts_at > ctx.now:
        text = ctx._("That meeting has not started yet. Attendance can be ticked once it has started.")
    else:
        return None
    buttons = (Button("attend", ctx._("Attendance")), back_to_menu(ctx))
    return ctx.reply(Outbound(text, buttons), state=ctx.state.idle())


def counts(ctx: Context, members: list[MemberView], present: dict[int, bool]) -> str:
    total = len(members)
    came = sum(1 for m in members if present.get(m.user_id))
    return ctx.t.ngettext(
        "{present} of {total} member present.", "{present} of {total} members present.", total
    ).format(present=came, total=total)


def page(
    ctx: Context,
    meeting: MeetingView,
    members: list[MemberView],
    present: dict[int, bool],
    number: int,
    note: str = "",
    events: tuple[AttendanceRecorded, ...] = (),
    pre_ticked: bool = False,
) -> Result:
    heading = ctx._("Attendance: {heading}").format(heading=meeting_heading(ctx, meeting))
    if not members:
        text = "\n".join([heading, ctx._("The group has no members yet.")])
        return ctx.reply(Outbound(text, (back_to_menu(ctx),)), state=ctx.state.idle(), events=events)
    shown = page_of(len(members), number, PAGE)
    lines = [note] if note else []
    lines += [heading, counts(ctx, members, present)]
    if pre_ticked and not note:
        lines.append(
            ctx._("Members who answered “Attending” are already ticked ({mark}).").format(mark=PRESENT)
        )
    lines.append(
        ctx._("Tap “All present” if everyone came, then tap the names of those who did not come.")
        if not all(present.values())
        else ctx._("Tap a name to mark that member absent; tap again to mark present.")
    )
    if shown.pages > 1:
        lines.append(ctx._("Page {page} of {pages}").format(page=shown.number, pages=shown.pages))
    return ctx.reply(
        Outbound("\n".join(lines), buttons(ctx, meeting, members, present, shown)),
        state=ctx.state.idle(),
        events=events,
    )


def buttons(
    ctx: Context, meeting: MeetingView, members: list[MemberView], present: dict[int, bool], shown: Page
) -> tuple[Button, ...]:
    names = [
        Button(
            f"attend:t:{meeting.id}:{m.user_id}:{shown.number}",
            f"{PRESENT} {m.name}" if present.get(m.user_id) else m.name,
        )
        for m in members
    ]
    everyone = (
        ()
        if all(present.values())
        else (Button(f"attend:all:{meeting.id}:{shown.number}", ctx._("All present")),)
    )
    return paged_buttons(
        shown,
        names,
        lambda n: f"attend:m:{meeting.id}:{n}",
        ctx._("‹ Previous"),
        ctx._("Next ›"),
        before=everyone,
        after=(Button(f"attend:done:{meeting.id}", ctx._("Done")),),
    )


def done(
    ctx: Context,
    meeting: MeetingView,
    members: list[MemberView],
    stored: dict[int, bool],
    present: dict[int, bool],
) -> Result:
    unstored = tuple(
        AttendanceRecorded(meeting.id, m.user_id, present[m.user_id])
        for m in members
        if m.user_id not in stored
    )
    text = "\n".join(
        [
            ctx._("Attendance saved: {heading}").format(heading=meeting_heading(ctx, meeting)),
            counts(ctx, members, present),
            ctx._("Members not ticked are recorded as absent. You can still change it later."),
        ]
    )
    buttons = (Button("attend", ctx._("Attendance")), back_to_menu(ctx))
    return ctx.reply(Outbound(text, buttons), state=ctx.state.idle(), events=unstored)
