"""The friendly answer to anything the bot does not understand (after trying it as a join code)."""

from __future__ import annotations

from bot.core.context import Context, Result
from bot.core.messages import Button, Inbound, InboundKind, Outbound
from bot.core.router import Router
from handlers.onboarding import typed_code

router = Router()


@router.fallback
async def not_understood(ctx: Context, msg: Inbound) -> Result:
    if msg.kind is InboundKind.TEXT:
        joined = await typed_code(ctx, msg.text)
        if joined is not None:
            return joined
    if msg.kind is InboundKind.UNSUPPORTED:
        text = ctx._("I can only read text. Please type, or tap one of the buttons.")
    elif msg.kind is InboundKind.BUTTON:
        text = ctx._("That button is no longer active. Please choose again.")
    else:
        text = ctx._("Sorry, I did not understand that. Type MENU to see what I can do, or BANTUAN for help.")
    buttons = ctx.state.buttons or (Button("menu", ctx._("Menu")), Button("help", ctx._("Help")))
    return ctx.reply(Outbound(text, buttons))
