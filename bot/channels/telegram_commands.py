"""The command menus Telegram shows next to the text field, in Indonesian.

The Bot API scopes menus by chat, not by role: KPM get the default menu; a pendamping's own chat gets
its own menu once it claims the role (`BotCommandScopeChat`)."""

from __future__ import annotations

import logging

from aiogram import Bot
from aiogram.exceptions import AiogramError
from aiogram.types import BotCommand, BotCommandScopeChat, BotCommandScopeDefault

from bot.channels.telegram_sender import Scrubber, describe

log = logging.getLogger(__name__)

Menu = tuple[tuple[str, str], ...]

KPM_COMMANDS: Menu = (
    ("start", "Mulai"),
    ("menu", "Menu utama"),
    ("belajar", "Belajar materi P2K2"),
    ("kuis", "Kuis"),
    ("pertemuan", "Pertemuan kelompok"),
    ("progres", "Kemajuan belajar saya"),
    ("bantuan", "Bantuan"),
    ("pengaturan", "Pengaturan dan bahasa"),
    ("berhenti", "Berhenti menerima pesan"),
    ("hapus", "Hapus data saya"),
)
PENDAMPING_COMMANDS: Menu = (
    ("menu", "Menu utama"),
    ("kelompok", "Kelompok saya dan kodenya"),
    ("belajar", "Materi P2K2"),
    ("bantuan", "Bantuan"),
    ("pengaturan", "Pengaturan dan bahasa"),
)


def _commands(menu: Menu) -> list[BotCommand]:
    return [BotCommand(command=command, description=description) for command, description in menu]


async def set_default_menu(bot: Bot, scrub: Scrubber) -> None:
    try:
        await bot.set_my_commands(_commands(KPM_COMMANDS), scope=BotCommandScopeDefault())
    except AiogramError as exc:  # the menu is a convenience; typed commands work without it
        log.warning("telegram command menu not set: %s", describe(exc, scrub))


async def set_chat_menu(bot: Bot, chat_id: int, menu: Menu | None, scrub: Scrubber) -> bool:
    """`menu=None` removes the chat's own menu, so the default one shows again."""
    scope = BotCommandScopeChat(chat_id=chat_id)
    try:
        if menu is None:
            await bot.delete_my_commands(scope=scope)
        else:
            await bot.set_my_commands(_commands(menu), scope=scope)
    except AiogramError as exc:
        log.warning("telegram command menu for chat %s not set: %s", chat_id, describe(exc, scrub))
        return False
    return True
