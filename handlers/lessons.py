"""Browsing the P2K2 curriculum: modules, sessions, then one lesson card per message."""

from __future__ import annotations

from bot.core.content import Session
from bot.core.context import Context, Result
from bot.core.messages import Button, Inbound, Outbound
from bot.core.router import Router
from handlers.menu import back_to_menu

router = Router()


def session_heading(ctx: Context, session: Session) -> str:
    return ctx._("Session {number}: {title}").format(number=session.number, title=session.title)


@router.command("belajar", "/belajar", "learn")
@router.button("learn")
async def learn(ctx: Context, msg: Inbound) -> Result:
    parts = msg.button_id.split(":")
    curriculum = ctx.ports.curriculum
    if len(parts) == 3 and parts[1] == "m" and parts[2].isdigit():
        module = curriculum.module(int(parts[2]))
        if module is not None:
            buttons = tuple(
                Button(f"learn:s:{n}", ctx._("Session {number}").format(number=n)) for n in module.sessions
            )
            lines = [ctx._("Module {number}: {title}").format(number=module.number, title=module.title), ""]
            for number in module.sessions:
                session = curriculum.session(number)
                if session is not None:
                    lines.append(f"{number}. {session.title}")
            lines += ["", ctx._("Choose a session:")]
            return ctx.reply(Outbound("\n".join(lines), (*buttons, Button("learn", ctx._("Back")))))
    if len(parts) == 3 and parts[1] == "s" and parts[2].isdigit():
        session = curriculum.session(int(parts[2]))
        if session is not None:
            return _card(ctx, session, 0)
    if len(parts) == 3 and parts[1] == "c":
        found = _find_card(ctx, parts[2])
        if found is not None:
            return _card(ctx, *found)
    if len(parts) == 3 and parts[1] == "task" and parts[2].isdigit():
        session = curriculum.session(int(parts[2]))
        if session is not None:
            return _task(ctx, session)
    return _modules(ctx)


def _modules(ctx: Context) -> Result:
    lines = [ctx._("P2K2 lessons have 5 modules and 14 sessions. Choose a module:"), ""]
    buttons = []
    for module in ctx.ports.curriculum.modules:
        lines.append(ctx._("{number}. {title}").format(number=module.number, title=module.title))
        buttons.append(
            Button(f"learn:m:{module.number}", ctx._("Module {number}").format(number=module.number))
        )
    return ctx.reply(Outbound("\n".join(lines), (*buttons, back_to_menu(ctx))), state=ctx.state.idle())


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
    return ctx.reply(Outbound(text, (forward, back_to_menu(ctx))), state=ctx.state.idle())


def _task(ctx: Context, session: Session) -> Result:
    text = (
        ctx._("Try it at home")
        + f"\n\n{session.task}\n\n"
        + ctx._("You have finished {heading}.").format(heading=session_heading(ctx, session))
    )
    buttons = (Button(f"learn:m:{session.module}", ctx._("Other sessions")), back_to_menu(ctx))
    return ctx.reply(Outbound(text, buttons), state=ctx.state.idle())
