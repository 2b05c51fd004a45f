"""Lessons: continue where you left off or choose a session, then one card per message with "Next",
the "Try it at home" task at the end, and an offer to take the quiz. Progress is stored only for
users who have agreed to it."""

from __future__ import annotations

from bot.core.content import Session
from bot.core.context import Context, Result
from bot.core.events import Event, LessonCardRead, LessonCompleted
from bot.core.messages import Button, Inbound, Outbound
from bot.core.router import Router
from handlers.menu import back_to_menu

router = Router()


def session_heading(ctx: Context, session: Session) -> str:
    return ctx._("Session {number}: {title}").format(number=session.number, title=session.title)


@router.command("belajar", "/belajar", "learn")
@router.button("learn")
async def learn(ctx: Context, msg: Inbound) -> Result:
    kind, _, arg = msg.button_id.partition(":")[2].partition(":")
    curriculum = ctx.ports.curriculum
    if kind == "m" and arg.isdigit() and curriculum.module(int(arg)) is not None:
        return _module(ctx, int(arg))
    if kind == "s" and arg.isdigit() and (session := curriculum.session(int(arg))) is not None:
        return _card(ctx, session, 0)
    if kind == "c" and (found := _find_card(ctx, arg)) is not None:
        return _card(ctx, *found)
    if kind == "task" and arg.isdigit() and (session := curriculum.session(int(arg))) is not None:
        return _task(ctx, session)
    if kind == "continue":
        resumed = await _resume(ctx)
        if resumed is not None:
            return resumed
    return await _overview(ctx)


async def _resume(ctx: Context) -> Result | None:
    """The card after the last one read, in the session read most recently (if it is unfinished)."""
    if not ctx.user.consented:
        return None
    progress = await ctx.ports.progress.of_user(ctx.user.id)
    number = progress.last_session
    session = ctx.ports.curriculum.session(number) if number is not None else None
    if session is None or session.number in progress.completed:
        return None
    ids = [card.id for card in session.cards]
    last = progress.last_cards.get(session.number)
    index = ids.index(last) + 1 if last in ids else 0
    return _task(ctx, session) if index >= len(ids) else _card(ctx, session, index)


async def _overview(ctx: Context) -> Result:
    lines = [ctx._("P2K2 lessons have 5 modules and 14 sessions. Choose a module:"), ""]
    buttons = []
    if ctx.user.consented:
        progress = await ctx.ports.progress.of_user(ctx.user.id)
        number = progress.last_session
        if number is not None and number not in progress.completed:
            buttons.append(Button("learn:continue", ctx._("Continue session {number}").format(number=number)))
    for module in ctx.ports.curriculum.modules:
        lines.append(ctx._("{number}. {title}").format(number=module.number, title=module.title))
        buttons.append(
            Button(f"learn:m:{module.number}", ctx._("Module {number}").format(number=module.number))
        )
    return ctx.reply(Outbound("\n".join(lines), (*buttons, back_to_menu(ctx))), state=ctx.state.idle())


def _module(ctx: Context, number: int) -> Result:
    curriculum = ctx.ports.curriculum
    module = curriculum.module(number)
    assert module is not None
    lines = [ctx._("Module {number}: {title}").format(number=module.number, title=module.title), ""]
    for session in filter(None, (curriculum.session(n) for n in module.sessions)):
        lines.append(f"{session.number}. {session.title}")
    lines += ["", ctx._("Choose a session:")]
    buttons = tuple(
        Button(f"learn:s:{n}", ctx._("Session {number}").format(number=n)) for n in module.sessions
    )
    return ctx.reply(
        Outbound("\n".join(lines), (*buttons, Button("learn", ctx._("Back")))), state=ctx.state.idle()
    )


def _find_card(ctx: Context, card_id: str) -> tuple[Session, int] | None:
    for session in ctx.ports.curriculum.sessions:
        for index, card in enumerate(session.cards):
            if card.id == card_id:
                return session, index
    return None


def _card(ctx: Context, session: Session, index: int) -> Result:
    card = session.cards[index]
    header = ctx._("{heading} · card {n} of {total}").format(
        heading=session_heading(ctx, session), n=index + 1, total=len(session.cards)
    )
    if index + 1 < len(session.cards):
        forward = Button(f"learn:c:{session.cards[index + 1].id}", ctx._("Next"))
    else:
        forward = Button(f"learn:task:{session.number}", ctx._("Next"))
    text = f"{header}\n\n{card.title}\n\n{card.text}"
    events: tuple[Event, ...] = (LessonCardRead(session.number, card.id),) if ctx.user.consented else ()
    return ctx.reply(Outbound(text, (forward, back_to_menu(ctx))), state=ctx.state.idle(), events=events)


def _task(ctx: Context, session: Session) -> Result:
    lines = [
        ctx._("Try it at home"),
        session.task,
        ctx._("You have finished {heading}.").format(heading=session_heading(ctx, session)),
    ]
    if not ctx.user.consented:
        lines.append(ctx._("Your progress is not saved yet. Type DAFTAR if you want it saved."))
    lines.append(ctx._("Shall we check what you learned with a short quiz?"))
    buttons = [Button(f"quiz:start:{session.number}", ctx._("Start the quiz"))]
    if ctx.ports.curriculum.session(session.number + 1) is not None:
        buttons.append(Button(f"learn:s:{session.number + 1}", ctx._("Next session")))
    buttons.append(back_to_menu(ctx))
    events: tuple[Event, ...] = (LessonCompleted(session.number),) if ctx.user.consented else ()
    return ctx.reply(Outbound("\n\n".join(lines), tuple(buttons)), state=ctx.state.idle(), events=events)
