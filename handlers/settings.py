"""Personal settings: the language of the conversation."""

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
    text = ctx._("Settings. Choose the language of this chat:")
    buttons = tuple(Button(f"lang:{code}", LANGUAGE_NAMES[code]) for code in SUPPORTED_LOCALES)
    return ctx.reply(Outbound(text, (*buttons, back_to_menu(ctx))), state=ctx.state.idle())


@router.button("lang")
async def choose_language(ctx: Context, msg: Inbound) -> Result:
    code = msg.button_id.partition(":")[2]
    if code not in SUPPORTED_LOCALES:
        return await settings(ctx, msg)
    return ctx.reply(
        Outbound(LANGUAGE_NAMES[code] + " ✓", (Button("menu", "Menu"),)),
        state=ctx.state.idle(),
        events=(LocaleChosen(code),),
    )
