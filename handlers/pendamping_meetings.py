"""A pendamping's meetings: the upcoming ones of all their kelompok; scheduling one (kelompok, date and
time read from natural Indonesian and always confirmed back, place, P2K2 session, summary); moving one
(members are told) and cancelling one (members are told once).

Button ids: "pmeet" (the list), "pmeet:new", "pmeet:k:<kelompok>", "pmeet:show:<meeting>",
"pmeet:move:<meeting>", "pmeet:cancel:<meeting>", "pmeet:cancelok:<meeting>", "pmeet:date:yes",
"pmeet:date:again", "pmeet:sameplace", "pmeet:save", "pmeet:abort". A meeting is only ever read through
the pendamping port, which returns nothing for another pendamping's meeting: that is refused and audited."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

from bot.core.context import Context, Result
from bot.core.dateinput import DateProblem, read_when
from bot.core.events import Event, MeetingCancelled, MeetingRescheduled, MeetingScheduled
from bot.core.i18n import N_
from bot.core.messages import Button, Inbound, InboundKind, Outbound
from bot.core.ports import MeetingView
from bot.core.router import Router
from bot.core.timefmt import format_when, zone_abbreviation
from bot.core.users import Role
from handlers.authz import pendamping_of, refuse
from handlers.meeting_plan import plan_lines
from handlers.menu import back_to_menu, cancel

router = Router()

SHOWN = 8  # meetings listed, each with a button
PLACE_MAX = 120
SESSIONS = range(1, 15)
ACTIONS = {
    "show": "meeting.view",
    "move": "meeting.reschedule",
    "cancel": "meeting.cancel",
    "cancelok": "meeting.cancel",
    "": "meeting.list",
}
PROBLEMS = {
    DateProblem.UNREADABLE: N_("I could not read that date and time."),
    DateProblem.NO_SUCH_DATE: N_("That date does not exist. Please check the day and the month."),
    DateProblem.PAST: N_("That time has already passed. Please choose a time still ahead."),
    DateProblem.NO_TIME: N_("Please write the time too."),
    DateProblem.NO_DAY: N_("Please write the day or the date too."),
    DateProblem.UNCLEAR_HOUR: N_("Morning or afternoon? Please write, for example, jam 3 sore or 15.00."),
    DateProblem.MISMATCH: N_("The day and the date do not match. Please write only one of them."),
}


def abort_button(ctx: Context) -> Button:
    return Button("pmeet:abort", ctx._("Cancel"))


def list_button(ctx: Context) -> Button:
    return Button("pmeet", ctx._("Meetings"))


def when(ctx: Context, at: datetime, timezone: str) -> str:
    return format_when(at, timezone, ctx.t.locale)


def topic(ctx: Context, number: int) -> str:
    session = ctx.ports.curriculum.session(number)
    title = f", {session.title}" if session else ""
    return ctx._("Session {number}").format(number=number) + title


def meeting_lines(ctx: Context, meeting: MeetingView) -> list[str]:
    return [
        when(ctx, meeting.starts_at, meeting.timezone),
        ctx._("Group: {group}").format(group=meeting.kelompok_name),
        ctx._("Topic: {topic}").format(topic=topic(ctx, meeting.session_number)),
        ctx._("Place: {place}").format(place=meeting.place),
    ]


@router.command("jadwal", "/jadwal")
@router.command("pertemuan", "/pertemuan", "meeting", role=Role.PENDAMPING)
@router.button("pmeet")
async def pmeet(ctx: Context, msg: Inbound) -> Result:
    parts = msg.button_id.split(":") if msg.kind is InboundKind.BUTTON else ["pmeet"]
    action, arg = [*parts, "", ""][1:3]
    target = int(arg) if arg.isdigit() else None
    pendamping = pendamping_of(ctx)
    if pendamping is None:
        kind = "kelompok" if action == "k" else "meeting"
        return refuse(ctx, ACTIONS.get(action, "meeting.schedule"), kind, target)
    if action == "abort":
        return await cancel(ctx, msg)
    if action == "new":
        return await choose_kelompok(ctx, pendamping)
    if action == "k":
        group = await ctx.ports.pendamping.kelompok(pendamping, target or 0)
        if group is None:
            return refuse(ctx, "meeting.schedule", "kelompok", target)
        return ask_date(
            ctx, {"mode": "new", "kelompok": group.id, "group": group.name, "timezone": group.timezone}
        )
    if action in ("show", "move", "cancel", "cancelok"):
        meeting = await ctx.ports.pendamping.meeting(pendamping, target or 0)
        if meeting is None:
            return refuse(ctx, ACTIONS[action], "meeting", target)
        return changing(ctx, action, meeting)
    if ctx.state.flow == "pmeet" and action in ("date", "sameplace", "save"):
        return await step_button(ctx, pendamping, action, arg)
    if action:  # an old button whose steps were finished or left
        return await listed(ctx, pendamping, ctx._("Nothing was changed."))
    return await listed(ctx, pendamping)


async def listed(ctx: Context, pendamping: int, intro: str = "") -> Result:
    meetings = await ctx.ports.pendamping.meetings(pendamping, ctx.now, upcoming=True)
    new = Button("pmeet:new", ctx._("Schedule a meeting"))
    if not meetings:
        text = ctx._("No meeting is planned.")
        return ctx.reply(
            Outbound(f"{intro}\n\n{text}".strip(), (new, back_to_menu(ctx))), state=ctx.state.idle()
        )
    blocks = [intro] if intro else []
    blocks.append(ctx._("Upcoming meetings:"))
    buttons = []
    for number, meeting in enumerate(meetings[:SHOWN], 1):
        lines = meeting_lines(ctx, meeting)
        blocks.append("\n".join([f"{number}. {lines[0]}", *lines[1:]]))
        local = meeting.starts_at.astimezone(ZoneInfo(meeting.timezone))
        label = f"{number}. {local.day}/{local.month} {meeting.kelompok_name}"
        buttons.append(Button(f"pmeet:show:{meeting.id}", label))
    if len(meetings) > SHOWN:
        blocks.append(ctx._("Only the next {count} are shown.").format(count=SHOWN))
    reply = Outbound("\n\n".join(blocks), (*buttons, new, back_to_menu(ctx)))
    return ctx.reply(reply, state=ctx.state.idle())


def changing(ctx: Context, action: str, meeting: MeetingView) -> Result:
    """A meeting of this pendamping: its details, or the first step of moving or cancelling it."""
    if meeting.status != "scheduled":
        text = ctx._("That meeting was cancelled.")
        return ctx.reply(Outbound(text, (list_button(ctx), back_to_menu(ctx))), state=ctx.state.idle())
    if meeting.starts_at <= ctx.now and action != "show":
        text = ctx._("That meeting has already started, so it can no longer be changed.")
        return ctx.reply(Outbound(text, (list_button(ctx), back_to_menu(ctx))), state=ctx.state.idle())
    if action == "move":
        data: dict[str, object] = {
            "mode": "move",
            "meeting": meeting.id,
            "group": meeting.kelompok_name,
            "timezone": meeting.timezone,
            "old": meeting.starts_at.isoformat(),
            "place": meeting.place,
            "session": meeting.session_number,
        }
        return ask_date(ctx, data)
    if action == "cancelok" and ctx.state.flow == "pmeet" and ctx.state.data.get("cancel") == meeting.id:
        text = ctx._("The meeting was cancelled. The members will be told.")
        return ctx.reply(
            Outbound(text, (list_button(ctx), back_to_menu(ctx))),
            state=ctx.state.idle(),
            events=(MeetingCancelled(meeting.id),),
        )
    details = "\n".join(meeting_lines(ctx, meeting))
    if action in ("cancel", "cancelok"):
        text = ctx._("Cancel this meeting? The members will be told.") + "\n\n" + details
        confirm = (
            Button(f"pmeet:cancelok:{meeting.id}", ctx._("Yes, cancel it")),
            Button("pmeet", ctx._("No")),
        )
        return ctx.reply(Outbound(text, confirm), state=ctx.state.at("pmeet", "cancel", cancel=meeting.id))
    buttons = (
        Button(f"prsvp:{meeting.id}", ctx._("Answers")),
        Button(f"pmeet:move:{meeting.id}", ctx._("Change date")),
        Button(f"pmeet:cancel:{meeting.id}", ctx._("Cancel meeting")),
        list_button(ctx),
        back_to_menu(ctx),
    )
    return ctx.reply(Outbound(details, buttons), state=ctx.state.idle())


async def choose_kelompok(ctx: Context, pendamping: int) -> Result:
    groups = await ctx.ports.kelompok.of_pendamping(pendamping)
    if not groups:
        text = ctx._("You have no group yet. Create a group first.")
        create = (Button("groups:new", ctx._("New group")), back_to_menu(ctx))
        return ctx.reply(Outbound(text, create), state=ctx.state.idle())
    if len(groups) == 1:
        only = groups[0]
        return ask_date(
            ctx, {"mode": "new", "kelompok": only.id, "group": only.name, "timezone": only.timezone}
        )
    buttons = tuple(Button(f"pmeet:k:{g.id}", g.name) for g in groups)
    text = ctx._("Which group is the meeting for?")
    return ctx.reply(Outbound(text, (*buttons, abort_button(ctx))), state=ctx.state.at("pmeet", "kelompok"))


def example(ctx: Context) -> str:
    return ctx._("Type the date and time, for example: 10/12 09.00, besok jam 9 or Kamis jam 9.")


def ask_date(ctx: Context, data: dict[str, object], problem: str = "") -> Result:
    timezone = str(data["timezone"])
    zone = zone_abbreviation(ctx.now, timezone)
    if data["mode"] == "move":
        current = when(ctx, datetime.fromisoformat(str(data["old"])), timezone)
        now_on = ctx._("The meeting is now on {when}.").format(when=current)
        ask = now_on + "\n" + ctx._("When should the meeting be instead?")
    else:
        ask = ctx._("When is the meeting?")
    text = "\n".join(
        part for part in (problem, ask, example(ctx), ctx._("Times are in {zone}.").format(zone=zone)) if part
    )
    return ctx.reply(Outbound(text, (abort_button(ctx),)), state=ctx.state.at("pmeet", "date", **data))


@router.flow("pmeet")
async def typed(ctx: Context, msg: Inbound) -> Result:
    pendamping = pendamping_of(ctx)
    if pendamping is None:
        return refuse(ctx, "meeting.schedule", "meeting")
    step, data = ctx.state.step, dict(ctx.state.data)
    if step in ("date", "date_ok"):
        return date_typed(ctx, data, msg.text)
    if step == "place":
        return place_typed(ctx, data, msg.text)
    if step == "session":
        number = msg.text.strip(" .").casefold().removeprefix("sesi").strip()
        if not number.isdigit() or int(number) not in SESSIONS:
            return ask_session(ctx, data, ctx._("Please type a number from 1 to 14."))
        return summary(ctx, {**data, "session": int(number)})
    return await again(ctx, pendamping, data)


async def again(ctx: Context, pendamping: int, data: dict[str, object]) -> Result:
    """The question of the current step once more: for text that does not answer it, or an old button."""
    step = ctx.state.step
    if step == "kelompok":
        return await choose_kelompok(ctx, pendamping)
    if step == "date":
        return ask_date(ctx, data)
    if step == "date_ok":
        return confirm_date(ctx, data, datetime.fromisoformat(str(data["starts_at"])))
    if step == "place":
        return ask_place(ctx, data)
    if step == "session":
        return ask_session(ctx, data)
    if step == "confirm":
        return summary(ctx, data)
    return await listed(ctx, pendamping, ctx._("Nothing was changed."))


def date_typed(ctx: Context, data: dict[str, object], text: str) -> Result:
    result = read_when(text, str(data["timezone"]), ctx.now)
    if isinstance(result, DateProblem):
        return ask_date(ctx, data, ctx._(PROBLEMS[result]))
    return confirm_date(ctx, {**data, "starts_at": result.isoformat()}, result)


def confirm_date(ctx: Context, data: dict[str, object], starts_at: datetime) -> Result:
    question = ctx._("{when}: is that right?").format(when=when(ctx, starts_at, str(data["timezone"])))
    buttons = (
        Button("pmeet:date:yes", ctx._("Yes")),
        Button("pmeet:date:again", ctx._("Change")),
        abort_button(ctx),
    )
    return ctx.reply(Outbound(question, buttons), state=ctx.state.at("pmeet", "date_ok", **data))


async def step_button(ctx: Context, pendamping: int, action: str, arg: str) -> Result:
    data = dict(ctx.state.data)
    step = ctx.state.step
    if action == "date" and step == "date_ok":
        return ask_place(ctx, data) if arg == "yes" else ask_date(ctx, data)
    if action == "sameplace" and step == "place" and data.get("mode") == "move":
        return summary(ctx, data)
    if action == "save" and step == "confirm":
        return await save(ctx, pendamping, data)
    return await again(ctx, pendamping, data)


def ask_place(ctx: Context, data: dict[str, object], problem: str = "") -> Result:
    buttons: tuple[Button, ...] = (abort_button(ctx),)
    if data.get("mode") == "move":
        text = ctx._("Where? Tap Same place to keep {place}, or type a new place.").format(
            place=data["place"]
        )
        buttons = (Button("pmeet:sameplace", ctx._("Same place")), *buttons)
    else:
        text = ctx._("Where is the meeting? For example: Balai Desa Sirnajaya")
    text = f"{problem}\n{text}" if problem else text
    return ctx.reply(Outbound(text, buttons), state=ctx.state.at("pmeet", "place", **data))


def place_typed(ctx: Context, data: dict[str, object], text: str) -> Result:
    place = " ".join(text.split())
    if "\n" in text.strip() or not 1 <= len(place) <= PLACE_MAX or not any(ch.isalpha() for ch in place):
        problem = ctx._("Please type the place in one line of up to {limit} letters.").format(limit=PLACE_MAX)
        return ask_place(ctx, data, problem)
    data["place"] = place
    if data.get("mode") == "move":
        return summary(ctx, data)
    return ask_session(ctx, data)


def ask_session(ctx: Context, data: dict[str, object], problem: str = "") -> Result:
    lines = [problem] if problem else []
    lines.append(ctx._("Which P2K2 session? Type its number (or BATAL to stop):"))
    lines += [f"{s.number}. {s.title}" for s in ctx.ports.curriculum.sessions if s.number in SESSIONS]
    # No buttons here: a typed "1" must mean session 1, not the first button.
    return ctx.reply(Outbound("\n".join(lines)), state=ctx.state.at("pmeet", "session", **data))


def summary(ctx: Context, data: dict[str, object]) -> Result:
    timezone = str(data["timezone"])
    new_time = when(ctx, datetime.fromisoformat(str(data["starts_at"])), timezone)
    lines = [
        ctx._("When: {when}").format(when=new_time),
        ctx._("Place: {place}").format(place=data["place"]),
        ctx._("Topic: {topic}").format(topic=topic(ctx, int(str(data["session"])))),
    ]
    if data.get("mode") == "move":
        old = when(ctx, datetime.fromisoformat(str(data["old"])), timezone)
        lines.insert(0, ctx._("Move the meeting of {group}:").format(group=data.get("group", "")))
        lines.insert(1, ctx._("Was: {when}").format(when=old))
    else:
        lines.insert(0, ctx._("New meeting of {group}:").format(group=data.get("group", "")))
    starts_at = datetime.fromisoformat(str(data["starts_at"]))
    lines.append("\n" + "\n".join(plan_lines(ctx, starts_at, timezone, data.get("mode") == "move")))
    lines.append("\n" + ctx._("Save?"))
    buttons = (Button("pmeet:save", ctx._("Save")), abort_button(ctx))
    return ctx.reply(Outbound("\n".join(lines), buttons), state=ctx.state.at("pmeet", "confirm", **data))


async def save(ctx: Context, pendamping: int, data: dict[str, object]) -> Result:
    starts_at = datetime.fromisoformat(str(data["starts_at"]))
    if starts_at <= ctx.now:
        return ask_date(ctx, data, ctx._(PROBLEMS[DateProblem.PAST]))
    place, session = str(data["place"]), int(str(data["session"]))
    event: Event
    if data.get("mode") == "move":
        meeting = await ctx.ports.pendamping.meeting(pendamping, int(str(data["meeting"])))
        if meeting is None:
            return refuse(ctx, "meeting.reschedule", "meeting", int(str(data["meeting"])))
        if meeting.status != "scheduled" or meeting.starts_at <= ctx.now:
            return changing(ctx, "move", meeting)
        if (meeting.starts_at, meeting.place) == (starts_at, place):
            return await listed(ctx, pendamping, ctx._("Nothing was changed."))
        event = MeetingRescheduled(meeting.id, starts_at, place)
        text = ctx._("The meeting was moved.")
        timezone = meeting.timezone
    else:
        group = await ctx.ports.pendamping.kelompok(pendamping, int(str(data["kelompok"])))
        if group is None:
            return refuse(ctx, "meeting.schedule", "kelompok", int(str(data["kelompok"])))
        event = MeetingScheduled(group.id, session, starts_at, place)
        text = ctx._("The meeting was scheduled.")
        timezone = group.timezone
    lines = plan_lines(ctx, starts_at, timezone, isinstance(event, MeetingRescheduled))
    text = "\n".join([text, *lines])
    buttons = (list_button(ctx), back_to_menu(ctx))
    return ctx.reply(Outbound(text, buttons), state=ctx.state.idle(), events=(event,))
