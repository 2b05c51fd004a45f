"""Telegram updates translated into what the rest of the bot understands: an `Inbound`, a callback query
to answer, or a change in whether a chat can be reached.

    message (private, text)       -> Inbound TEXT ("/start SIRNA1" stays text)
    message (private, other)      -> Inbound UNSUPPORTED (photo, sticker, voice, location...)
    message (group/channel chat)  -> Inbound GROUP (answered politely, nothing stored)
    callback_query                -> Inbound BUTTON (button_id = callback data) + the query id to answer
    my_chat_member (private)      -> kicked: unreachable ("blocked"); member: reachable again

The provider message id is "u<update_id>", so a redelivered update is recognised by the service."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from aiogram.types import CallbackQuery, ChatMemberUpdated, Message, Update

from bot.core.messages import Inbound, InboundKind

CHANNEL = "telegram"
ALLOWED_UPDATES = ["message", "callback_query", "my_chat_member"]


@dataclass(frozen=True)
class Reachability:
    address: str
    reachable: bool
    reason: str


@dataclass(frozen=True)
class Parsed:
    """What one update asks of the adapter; all None for updates the bot ignores."""

    inbound: Inbound | None = None
    callback_query_id: str | None = None
    reachability: Reachability | None = None


def chat_key(update: Update) -> str:
    """The chat an update belongs to, so that one chat's updates are handled in order."""
    if update.message is not None:
        return str(update.message.chat.id)
    if update.callback_query is not None:
        query = update.callback_query
        return str(query.message.chat.id if query.message is not None else query.from_user.id)
    if update.my_chat_member is not None:
        return str(update.my_chat_member.chat.id)
    return f"update:{update.update_id}"


def parse_update(update: Update, now: datetime, username: str | None = None) -> Parsed:
    message_id = f"u{update.update_id}"
    if update.message is not None:
        return Parsed(inbound=_message(update.message, now, message_id, username))
    if update.callback_query is not None:
        return _callback(update.callback_query, now, message_id)
    if update.my_chat_member is not None:
        return Parsed(reachability=_membership(update.my_chat_member))
    return Parsed()


def _message(message: Message, now: datetime, message_id: str, username: str | None) -> Inbound:
    address = str(message.chat.id)
    hint = (message.from_user.language_code or "") if message.from_user else ""
    if message.chat.type != "private":
        return Inbound(CHANNEL, address, InboundKind.GROUP, now, message_id=message_id)
    if message.text is None:
        return Inbound(
            CHANNEL, address, InboundKind.UNSUPPORTED, now, message_id=message_id, language_hint=hint
        )
    text = _without_mention(message.text, username)
    return Inbound(
        CHANNEL, address, InboundKind.TEXT, now, text=text, message_id=message_id, language_hint=hint
    )


def _without_mention(text: str, username: str | None) -> str:
    """ "/menu@P2K2Bot" -> "/menu": clients add the bot's name to commands picked from some menus."""
    first, space, rest = text.partition(" ")
    if username and first.startswith("/") and first.lower().endswith("@" + username.lower()):
        return first[: -len(username) - 1] + space + rest
    return text


def _callback(query: CallbackQuery, now: datetime, message_id: str) -> Parsed:
    hint = query.from_user.language_code or ""
    chat = query.message.chat if query.message is not None else None
    address = str(chat.id if chat is not None else query.from_user.id)
    if chat is not None and chat.type != "private":
        inbound = Inbound(CHANNEL, address, InboundKind.GROUP, now, message_id=message_id)
    elif not query.data:
        inbound = None  # a game button or an inline-mode message: nothing for the bot to do
    else:
        inbound = Inbound(
            CHANNEL,
            address,
            InboundKind.BUTTON,
            now,
            button_id=query.data,
            message_id=message_id,
            language_hint=hint,
        )
    return Parsed(inbound=inbound, callback_query_id=query.id)


def _membership(change: ChatMemberUpdated) -> Reachability | None:
    if change.chat.type != "private":
        return None  # added to or removed from a group: nothing about groups is stored
    status = change.new_chat_member.status
    if status == "kicked":
        return Reachability(str(change.chat.id), False, "blocked")
    if status == "member":
        return Reachability(str(change.chat.id), True, "")
    return None
