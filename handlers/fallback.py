"""The answer to anything no command, button or flow took: a join code, a greeting or thanks, a welcome
for someone new, and otherwise a friendly "not understood" written for the user's role."""

from __future__ import annotations

from bot.core.context import Context, Result
from bot.core.dialog import DialogState
from bot.core.messages import Button, Inbound, InboundKind, Outbound
from bot.core.router import Router
from bot.core.users import Role
from handlers.onboarding import typed_code
from handlers.questions import offer_question, worth_forwarding
from handlers.welcome import is_greeting, is_new, is_thanks, thanks, welcome, welcome_back

router = Router()


@router.fallback
async def not_understood(ctx: Context, msg: Inbound) -> Result:
    if msg.kind is InboundKind.TEXT:
        joined = await typed_code(ctx, msg.text)
        if joined is not None:
            return joined
        if is_greeting(msg.text):
            return welcome(ctx) if is_new(ctx) else await welcome_back(ctx)
        if is_thanks(msg.text):
            return thanks(ctx)
    if is_new(ctx) and msg.kind is not InboundKind.BUTTON and ctx.state == DialogState():  # a first message
        return welcome(ctx)
    if msg.kind is InboundKind.UNSUPPORTED:
        text = ctx._("I can only read text. Please type, or tap one of the buttons.")
    elif msg.kind is InboundKind.BUTTON:
        text = ctx._("That button is no longer active. Please choose again.")
    elif ctx.user.role is Role.PENDAMPING:
        text = ctx._(
            "Sorry, I did not understand that. Type MENU for your pendamping menu, or BANTUAN for help."
        )
    elif msg.kind is InboundKind.TEXT and ctx.user.consented and worth_forwarding(msg.text):
        return await offer_question(ctx, msg)
    else:
        text = ctx._("Sorry, I did not understand that. Type MENU to see what I can do, or BANTUAN for help.")
    buttons = ctx.state.buttons or (Button("menu", ctx._("Menu")), Button("help", ctx._("Help")))
    return ctx.reply(Outbound(text, buttons))
