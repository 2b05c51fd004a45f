"""Sends one `Outbound` to one Telegram chat and reports the outcome; it never sleeps or retries itself,
so the delivery worker (or the reply path) decides what a 429 means for the queue.

Plain text only (no parse_mode): user-typed names and reasons can never break markup. Buttons go on the
last message of a split text; a document carries the text as its caption when it fits."""

from __future__ import annotations

import logging

from aiogram import Bot
from aiogram.exceptions import (
    AiogramError,
    ClientDecodeError,
    TelegramBadRequest,
    TelegramEntityTooLarge,
    TelegramForbiddenError,
    TelegramMigrateToChat,
    TelegramNetworkError,
    TelegramRetryAfter,
    TelegramServerError,
    TelegramUnauthorizedError,
)
from aiogram.types import BufferedInputFile, InlineKeyboardMarkup, Message

from bot.channels.telegram_render import MAX_CAPTION, inline_keyboard, split_text, units
from bot.core.delivery import Envelope, Failed, Outcome, RetryLater, Sent, Undeliverable
from bot.core.messages import Document

log = logging.getLogger(__name__)

CHANNEL = "telegram"
NETWORK_BACKOFF = 5.0  # seconds before retrying after a network error or a 5xx
UNAUTHORIZED_BACKOFF = 60.0  # a revoked token stops the whole channel until an operator fixes it


class Scrubber:
    """Removes the bot token from text: aiogram puts it in every URL, and aiohttp errors quote URLs."""

    def __init__(self, token: str) -> None:
        self._token = token

    def __call__(self, text: str) -> str:
        return text.replace(self._token, "***") if self._token else text


def describe(exc: BaseException, scrub: Scrubber) -> str:
    """Type and message of an error, safe to log: no token, and no traceback quoting request URLs."""
    message = getattr(exc, "message", None) or str(exc)
    return scrub(f"{type(exc).__name__}: {message}")[:300]


def outcome_of(exc: AiogramError, scrub: Scrubber) -> Outcome:
    """Maps an aiogram error onto what the delivery worker should do with the message."""
    reason = scrub(getattr(exc, "message", "") or type(exc).__name__)[:300]
    match exc:
        case TelegramRetryAfter():
            return RetryLater(float(exc.retry_after), reason, pause_channel=True)
        case TelegramForbiddenError():
            return Undeliverable("blocked" if "blocked" in reason.lower() else reason)
        case TelegramMigrateToChat():
            return Undeliverable(f"group migrated to a supergroup ({exc.migrate_to_chat_id})")
        case TelegramBadRequest() if "chat not found" in reason.lower():
            return Undeliverable(reason)
        case TelegramBadRequest() | TelegramEntityTooLarge():
            return Failed(reason)
        case TelegramUnauthorizedError():
            return RetryLater(UNAUTHORIZED_BACKOFF, reason, pause_channel=True)
        case TelegramNetworkError() | TelegramServerError() | ClientDecodeError():
            return RetryLater(NETWORK_BACKOFF, reason or "network error")
    return Failed(reason)


class TelegramSender:
    """`ChannelSender` for Telegram: `send` returns Sent(message ids...) or what went wrong."""

    def __init__(self, bot: Bot, scrub: Scrubber) -> None:
        self._bot = bot
        self._scrub = scrub

    @property
    def channel(self) -> str:
        return CHANNEL

    async def send(self, envelope: Envelope) -> Outcome:
        try:
            chat_id = int(envelope.address)
        except ValueError:
            return Undeliverable("not a Telegram chat id")
        message = envelope.message
        keyboard = inline_keyboard(message.buttons)
        sent: list[Message] = []
        try:
            if message.document is not None:
                await self._with_document(chat_id, message.text, message.document, keyboard, sent)
            else:
                chunks = split_text(message.text)
                if not chunks:
                    return Failed("empty message")
                for n, chunk in enumerate(chunks, 1):
                    markup = keyboard if n == len(chunks) else None
                    sent.append(await self._bot.send_message(chat_id, chunk, reply_markup=markup))
        except AiogramError as exc:
            outcome = outcome_of(exc, self._scrub)
            if sent:
                # The parts already out cannot be taken back; a retry may repeat them.
                log.warning(
                    "telegram message cut short after %d part(s): %s", len(sent), describe(exc, self._scrub)
                )
            return outcome
        return Sent(tuple(str(m.message_id) for m in sent))

    async def _with_document(
        self,
        chat_id: int,
        text: str,
        document: Document,
        keyboard: InlineKeyboardMarkup | None,
        sent: list[Message],
    ) -> None:
        """The text as the caption if it fits; otherwise the text first, then the file with the buttons."""
        caption = text.strip()
        if units(caption) > MAX_CAPTION:
            for chunk in split_text(caption):
                sent.append(await self._bot.send_message(chat_id, chunk))
            caption = ""
        upload = BufferedInputFile(document.content, filename=document.filename)
        sent.append(
            await self._bot.send_document(chat_id, upload, caption=caption or None, reply_markup=keyboard)
        )
