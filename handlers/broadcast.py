"""Announcements from a pendamping to the members of one or all of their kelompok: choose, type, see a
preview exactly as the members will see it with the number of recipients, then send, change or cancel.
Sending only queues one outbox message per member who can be reached; delivery happens in the background.
"Status" shows, per announcement, how many were sent, are waiting, failed or could not be reached.

Button ids: "bcast" (the choice), "bcast:k:<kelompok>", "bcast:all", "bcast:send", "bcast:edit",
"bcast:cancel", "bcast:status". The text in progress lives in the dialog state:

    flow "bcast", step "text" | "confirm", data {"targets": [3, 5], "all": true, "text": "..."}"""

from __future__ import annotations

from dataclasses import dataclass

from bot.core.context import Context, Result
from bot.core.events import BroadcastQueued
from bot.core.messages import Button, Inbound, InboundKind, Outbound
from bot.core.ports import BroadcastStatus, KelompokView
from bot.core.router import Router
from bot.core.timefmt import format_when
from handlers.authz import pendamping_of, refuse
from handlers.menu import back_to_menu, main_menu
from handlers.notices import render_notice
from handlers.rsvp_view import shorten

router = Router()

FLOW = "bcast"
TEXT_MAX = 1000
STATUS_SHOWN = 5
ACTIONS = {"status": "broadcast.status", "send": "broadcast.queue"}


def cancel_button(ctx: Context) -> Button:
    return Button("bcast:cancel", ctx._("Cancel"))


@router.command("pengumuman", "/pengumuman", "broadcast")
@router.button("bcast")
async def broadcast(ctx: Context, msg: Inbound) -> Result:
    parts = msg.button_id.split(":") if msg.kind is InboundKind.BUTTON else ["bcast"]
    action, arg = [*parts, "", ""][1:3]
    target = int(arg) if arg.isdigit() else None
    pendamping = pendamping_of(ctx)
    if pendamping is None:
        return refuse(ctx, ACTIONS.get(action, "broadcast.compose"), "kelompok", target)
    composing = ctx.state.flow == FLOW
    if action == "k":
        group = await ctx.ports.pendamping.kelompok(pendamping, target or 0)
        if group is None:
            return refuse(ctx, "broadcast.compose", "kelompok", target)
        return await ask_text(ctx, pendamping, [group.id], everyone=False)
    if action == "all":
        groups = await ctx.ports.kelompok.of_pendamping(pendamping)
        if groups:
            return await ask_text(ctx, pendamping, [g.id for g in groups], everyone=True)
    if action == "status":
        return await status(ctx, pendamping)
    if action == "cancel":
        text = ctx._("Cancelled. Nothing was sent.") if composing else ""
        return ctx.reply(main_menu(ctx, text), state=ctx.state.idle())
    if action in ("send", "edit") and composing and ctx.state.step == "confirm":
        targets, everyone = _targets(ctx)
        if action == "edit":
            return await ask_text(ctx, pendamping, targets, everyone)
        return await send(ctx, pendamping, targets, str(ctx.state.data.get("text", "")))
    if action in ("send", "edit"):  # an old button: the announcement was already sent or cancelled
        return await choose(ctx, pendamping, ctx._("That announcement was already sent or cancelled."))
    return await choose(ctx, pendamping)


def _targets(ctx: Context) -> tuple[list[int], bool]:
    raw = ctx.state.data.get("targets", [])
    targets = [int(t) for t in raw if isinstance(t, int)] if isinstance(raw, list) else []
    return targets, bool(ctx.state.data.get("all"))


async def choose(ctx: Context, pendamping: int, note: str = "") -> Result:
    groups = await ctx.ports.kelompok.of_pendamping(pendamping)
    status_button = Button("bcast:status", ctx._("Status"))
    if not groups:
        text = "\n\n".join(p for p in (note, ctx._("You have no group yet.")) if p)
        return ctx.reply(Outbound(text, (status_button, back_to_menu(ctx))), state=ctx.state.idle())
    text = ctx._("Send an announcement to which group?")
    buttons = [Button(f"bcast:k:{g.id}", g.name) for g in groups]
    if len(groups) > 1:
        buttons.append(Button("bcast:all", ctx._("All my groups")))
    buttons += [status_button, back_to_menu(ctx)]
    text = f"{note}\n\n{text}" if note else text
    return ctx.reply(Outbound(text, tuple(buttons)), state=ctx.state.idle())


@dataclass(frozen=True)
class Target:
    group: KelompokView
    reachable: int  # members who can be reached and did not stop messages


async def _targets_of(ctx: Context, pendamping: int, ids: list[int]) -> list[Target] | int:
    """The kelompok to send to, each the pendamping's own, or the id of the first one that is not."""
    targets = []
    for kelompok_id in ids:
        group = await ctx.ports.pendamping.kelompok(pendamping, kelompok_id)
        members = await ctx.ports.pendamping.members(pendamping, kelompok_id)
        if group is None or members is None:
            return kelompok_id
        targets.append(Target(group, sum(1 for m in members if m.reachable and not m.stopped)))
    return targets


def _audience(ctx: Context, targets: list[Target], everyone: bool) -> str:
    if everyone:
        return ctx.t.ngettext("your {count} group", "all your {count} groups", len(targets)).format(
            count=len(targets)
        )
    return targets[0].group.name if targets else ""


async def ask_text(ctx: Context, pendamping: int, ids: list[int], everyone: bool) -> Result:
    targets = await _targets_of(ctx, pendamping, ids)
    if isinstance(targets, int):
        return refuse(ctx, "broadcast.compose", "kelompok", targets)
    audience = _audience(ctx, targets, everyone)
    if sum(t.reachable for t in targets) == 0:
        text = ctx._(
            "No member of {audience} can receive messages now: nobody has joined yet, "
            "or they stopped messages or cannot be reached."
        ).format(audience=audience)
        return ctx.reply(Outbound(text, (back_to_menu(ctx),)), state=ctx.state.idle())
    text = ctx._(
        "Type the announcement for {audience}, in one message of at most {limit} letters. "
        "You will see a preview before it is sent."
    ).format(audience=audience, limit=TEXT_MAX)
    state = ctx.state.at(FLOW, "text", targets=[t.group.id for t in targets], all=everyone)
    return ctx.reply(Outbound(text, (cancel_button(ctx),)), state=state)


@router.flow(FLOW)
async def typed(ctx: Context, msg: Inbound) -> Result:
    pendamping = pendamping_of(ctx)
    if pendamping is None:
        return refuse(ctx, "broadcast.compose", "kelompok")
    targets, everyone = _targets(ctx)
    if ctx.state.step == "confirm":
        return await preview(ctx, pendamping, targets, everyone, str(ctx.state.data.get("text", "")))
    text = msg.text.strip()
    if not text:
        problem = ctx._("Please type the announcement as text.")
        return ctx.reply(Outbound(problem, (cancel_button(ctx),)))
    if len(text) > TEXT_MAX:
        problem = ctx._(
            "That is too long: {length} letters. Please shorten it to at most {limit} letters and send it again."
        ).format(length=len(text), limit=TEXT_MAX)
        return ctx.reply(Outbound(problem, (cancel_button(ctx),)))
    return await preview(ctx, pendamping, targets, everyone, text)


async def preview(ctx: Context, pendamping: int, ids: list[int], everyone: bool, text: str) -> Result:
    targets = await _targets_of(ctx, pendamping, ids)
    if isinstance(targets, int):
        return refuse(ctx, "broadcast.compose", "kelompok", targets)
    sender = targets[0].group.pendamping_name if targets else ""
    notice = render_notice(ctx.t, ctx.ports.curriculum, "broadcast", {"text": text, "from": sender}, "", None)
    count = sum(t.reachable for t in targets)
    question = ctx.t.ngettext(
        "It will go to {count} member of {audience} who can receive messages. Send it?",
        "It will go to {count} members of {audience} who can receive messages. Send it?",
        count,
    ).format(count=count, audience=_audience(ctx, targets, everyone))
    buttons = (
        Button("bcast:send", ctx._("Send")),
        Button("bcast:edit", ctx._("Change")),
        cancel_button(ctx),
    )
    state = ctx.state.at(FLOW, "confirm", targets=[t.group.id for t in targets], all=everyone, text=text)
    return ctx.reply(
        Outbound(ctx._("Preview: the members will see this message.")),
        Outbound(notice.message.text if notice else text),
        Outbound(question, buttons),
        state=state,
    )


async def send(ctx: Context, pendamping: int, ids: list[int], text: str) -> Result:
    targets = await _targets_of(ctx, pendamping, ids)
    if isinstance(targets, int):
        return refuse(ctx, "broadcast.queue", "kelompok", targets)
    if not targets or not text:
        return await choose(ctx, pendamping, ctx._("That announcement was already sent or cancelled."))
    count = sum(t.reachable for t in targets)
    done = ctx.t.ngettext(
        "Queued for {count} member. Delivery happens in the background; tap Status to follow it.",
        "Queued for {count} members. Delivery happens in the background; tap Status to follow it.",
        count,
    ).format(count=count)
    buttons = (Button("bcast:status", ctx._("Status")), back_to_menu(ctx))
    event = BroadcastQueued(pendamping, tuple(t.group.id for t in targets), text)
    return ctx.reply(Outbound(done, buttons), state=ctx.state.idle(), events=(event,))


def _grouped(rows: list[BroadcastStatus]) -> list[list[BroadcastStatus]]:
    """An announcement to all groups is stored once per kelompok; shown together."""
    grouped: list[list[BroadcastStatus]] = []
    for row in rows:
        last = grouped[-1][0] if grouped else None
        if last is not None and (last.created_at, last.preview) == (row.created_at, row.preview):
            grouped[-1].append(row)
        else:
            grouped.append([row])
    return grouped


async def status(ctx: Context, pendamping: int) -> Result:
    groups = await ctx.ports.kelompok.of_pendamping(pendamping)
    zones = {g.name: g.timezone for g in groups}
    rows = await ctx.ports.pendamping.broadcasts(pendamping, 50)
    buttons = (Button("bcast", ctx._("New announcement")), back_to_menu(ctx))
    if not rows:
        text = ctx._("You have not sent any announcement yet.")
        return ctx.reply(Outbound(text, buttons), state=ctx.state.idle())
    blocks = [ctx._("Your latest announcements:")]
    for same in _grouped(rows)[:STATUS_SHOWN]:
        first = same[0]
        zone = zones.get(first.kelompok_name) or next(iter(zones.values()), "Asia/Jakarta")
        names = ", ".join(sorted(r.kelompok_name or "?" for r in same))
        preview = first.preview + ("…" if len(first.preview) >= 60 else "")
        block = [
            f"{format_when(first.created_at, zone, ctx.t.locale)}, {names}:",
            f"“{shorten(preview, 61)}”",
            ctx._(
                "{recipients} recipients: {sent} sent, {queued} waiting, {failed} failed, "
                "{unreachable} not reachable"
            ).format(
                recipients=sum(r.recipients for r in same),
                sent=sum(r.sent for r in same),
                queued=sum(r.queued for r in same),
                failed=sum(r.failed for r in same),
                unreachable=sum(r.unreachable for r in same),
            ),
        ]
        blocks.append("\n".join(block))
    return ctx.reply(Outbound("\n\n".join(blocks), buttons), state=ctx.state.idle())
