"""Quiz results of a kelompok, per session that has answers: how many members took part, the average
score, and the question most members got wrong on their first try.

Button ids: "results" (the only kelompok directly, else a choice), "results:k:<kelompok>". Results are
read through the pendamping port, so another pendamping's kelompok is refused and audited."""

from __future__ import annotations

from bot.core.context import Context, Result
from bot.core.messages import Button, Inbound, InboundKind, Outbound
from bot.core.ports import KelompokView, SessionResult
from bot.core.router import Router
from handlers.authz import pendamping_of, refuse
from handlers.menu import back_to_menu
from handlers.rsvp_view import shorten

router = Router()

QUESTION_SHOWN = 90  # characters of the hardest question's text


@router.command("hasil kuis", "/hasil")
@router.button("results")
async def results(ctx: Context, msg: Inbound) -> Result:
    parts = msg.button_id.split(":") if msg.kind is InboundKind.BUTTON else ["results"]
    action, arg = [*parts, "", ""][1:3]
    target = int(arg) if arg.isdigit() else None
    pendamping = pendamping_of(ctx)
    if pendamping is None:
        return refuse(ctx, "results.view", "kelompok", target)
    groups = await ctx.ports.kelompok.of_pendamping(pendamping)
    if action == "k":
        return await show(ctx, pendamping, target, others=len(groups) > 1)
    if not groups:
        text = ctx._("You have no group yet.")
        return ctx.reply(Outbound(text, (back_to_menu(ctx),)), state=ctx.state.idle())
    if len(groups) == 1:
        return await show(ctx, pendamping, groups[0].id, others=False)
    buttons = tuple(Button(f"results:k:{g.id}", g.name) for g in groups)
    text = ctx._("Quiz results of which group?")
    return ctx.reply(Outbound(text, (*buttons, back_to_menu(ctx))), state=ctx.state.idle())


async def show(ctx: Context, pendamping: int, kelompok_id: int | None, others: bool) -> Result:
    group = await ctx.ports.pendamping.kelompok(pendamping, kelompok_id or 0)
    rows = await ctx.ports.pendamping.results(pendamping, kelompok_id or 0)
    if group is None or rows is None:
        return refuse(ctx, "results.view", "kelompok", kelompok_id)
    members = ctx.t.ngettext("{count} member", "{count} members", group.members).format(count=group.members)
    blocks = [ctx._("Quiz results of {group} ({members}):").format(group=group.name, members=members)]
    if not rows:
        blocks.append(ctx._("No member has answered a quiz yet."))
    blocks += [session_block(ctx, group, row) for row in rows]
    buttons = (Button("results", ctx._("Other groups")),) if others else ()
    return ctx.reply(Outbound("\n\n".join(blocks), (*buttons, back_to_menu(ctx))), state=ctx.state.idle())


def session_block(ctx: Context, group: KelompokView, row: SessionResult) -> str:
    session = ctx.ports.curriculum.session(row.session_number)
    title = ctx._("Session {number}").format(number=row.session_number)
    lines = [f"{title}, {session.title}" if session else title]
    lines.append(
        ctx._("{participants} of {members} took part; average score {score}%.").format(
            participants=row.participants, members=group.members, score=round(row.average_percent)
        )
    )
    found = ctx.ports.curriculum.question(row.hardest_question_id) if row.hardest_question_id else None
    if found is None:
        lines.append(ctx._("Every first answer was right."))
    else:
        lines.append(
            ctx._("Hardest question: “{question}”").format(
                question=shorten(found[1].question, QUESTION_SHOWN)
            )
        )
        lines.append(
            ctx._("{wrong} of {answered} got it wrong on their first try.").format(
                wrong=row.hardest_wrong, answered=row.hardest_answered
            )
        )
    return "\n".join(lines)
