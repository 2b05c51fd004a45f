"""The user's own progress: sessions finished and in progress, quiz scores, and the session to read next."""

from __future__ import annotations

from bot.core.content import Session
from bot.core.context import Context, Result
from bot.core.messages import Button, Inbound, Outbound
from bot.core.ports import ProgressView
from bot.core.router import Router
from handlers.lessons import session_heading
from handlers.menu import back_to_menu

router = Router()


@router.command("progres", "progres saya", "/progres", "progress", "kemajuan", "kemajuan belajar")
@router.button("progress")
async def progress(ctx: Context, _msg: Inbound) -> Result:
    if not ctx.user.consented:
        text = ctx._("Nothing is saved for you yet. To save your lessons and quiz scores, type DAFTAR.")
        offer = (Button("learn", ctx._("Learn")), back_to_menu(ctx))
        return ctx.reply(Outbound(text, offer), state=ctx.state.idle())
    view = await ctx.ports.progress.of_user(ctx.user.id)
    suggestion = next_session(ctx, view)
    if suggestion is None:
        text = ctx._("You have finished all {total} sessions. Well done!").format(
            total=len(ctx.ports.curriculum.sessions)
        )
        buttons: tuple[Button, ...] = (Button("quiz", ctx._("Quiz")), back_to_menu(ctx))
    else:
        text = ctx._("Suggested next: {heading}.").format(heading=session_heading(ctx, suggestion))
        label = ctx._("Learn session {number}").format(number=suggestion.number)
        buttons = (Button(f"learn:s:{suggestion.number}", label), back_to_menu(ctx))
    return ctx.reply(Outbound(summary(ctx, view)), Outbound(text, buttons), state=ctx.state.idle())


def next_session(ctx: Context, view: ProgressView) -> Session | None:
    """The session read last if it is unfinished, else the lowest-numbered unfinished one."""
    sessions = ctx.ports.curriculum.sessions
    if view.last_session is not None and view.last_session not in view.completed:
        last = ctx.ports.curriculum.session(view.last_session)
        if last is not None:
            return last
    return next((s for s in sorted(sessions, key=lambda s: s.number) if s.number not in view.completed), None)


def summary(ctx: Context, view: ProgressView) -> str:
    curriculum = ctx.ports.curriculum
    total = len(curriculum.sessions)
    finished = sorted(view.completed)
    lines = [ctx._("Your progress:"), ""]
    if finished:
        lines.append(
            ctx.t.ngettext(
                "Sessions finished: {count} of {total} (session {numbers})",
                "Sessions finished: {count} of {total} (sessions {numbers})",
                len(finished),
            ).format(count=len(finished), total=total, numbers=", ".join(map(str, finished)))
        )
    else:
        lines.append(ctx._("Sessions finished: {count} of {total}").format(count=0, total=total))
    reading = [
        (session, card_id)
        for number, card_id in sorted(view.last_cards.items())
        if number not in view.completed and (session := curriculum.session(number)) is not None
    ]
    if reading:
        lines += ["", ctx._("Still reading:")]
        for session, card_id in reading:
            ids = [card.id for card in session.cards]
            n = ids.index(card_id) + 1 if card_id in ids else 1
            lines.append(
                ctx._("- {heading} (card {n} of {total})").format(
                    heading=session_heading(ctx, session), n=n, total=len(ids)
                )
            )
    if not finished and not reading:
        lines.append(ctx._("You have not started a lesson yet."))
    scores = [
        (score, session)
        for number, score in sorted(view.scores.items())
        if (session := curriculum.session(number)) is not None
    ]
    lines.append("")
    if scores:
        lines.append(ctx._("Quiz scores:"))
        for score, session in scores:
            lines.append(
                ctx._("- Session {number}: {correct} of {total} right").format(
                    number=session.number, correct=score.correct, total=len(session.quiz)
                )
            )
    else:
        lines.append(ctx._("No quiz taken yet."))
    return "\n".join(lines)
