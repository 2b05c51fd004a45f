"""Personal settings: language, stopping or resuming messages, deleting data."""

from __future__ import annotations

from bot.core.context import Context, Result
from bot.core.events import LocaleChosen
from bot.core.i18n import SUPPORTED_LOCALES
from bot.core.messages import Button, Inbound, Outbound
from bot.core.router import Router
from handlers.menu import back_to_menu

router = Router()

# Language names are written in their own language, so anyone can find theirs.
LANGUAGE_NAMES = {"id": "Bahasa Indonesia", "en": "English"}


@router.command("pengaturan", "/pengaturan", "settings")
@router.button("settings")
async def settings(ctx: Context, _msg: Inbound) -> Result:
    text = ctx._("Settings. Choose:")
    messages = (
        Button("resume", ctx._("Resume messages"))
        if ctx.user.stopped
        else Button("stop", ctx._("Stop messages"))
    )
    buttons = (
        Button("lang", ctx._("Language")),
        messages,
        Button("delete", ctx._("Delete my data")),
        back_to_menu(ctx),
    )
    return ctx.reply(Outbound(text, buttons), state=ctx.state.idle())


@router.command("bahasa", "/bahasa", "language")
@router.button("lang")
async def choose_language(ctx: Context, msg: Inbound) -> Result:
    code = msg.button_id.partition(":")[2]
    if code in SUPPORTED_LOCALES:
        return ctx.reply(
            Outbound(LANGUAGE_NAMES[code] + " ✓", (back_to_menu(ctx),)),
            state=ctx.state.idle(),
            events=(LocaleChosen(code),),
        )
    text = ctx._("Choose the language of this chat:")
    buttons = tuple(Button(f"lang:{c}", LANGUAGE_NAMES[c]) for c in SUPPORTED_LOCALES)
    return ctx.reply(Outbound(text, (*buttons, back_to_menu(ctx))), state=ctx.state.idle())
