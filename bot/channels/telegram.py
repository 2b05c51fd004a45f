"""Telegram channel on aiogram 3: long polling or a webhook, updates in, replies out.

The adapter only translates (see `telegram_updates`, `telegram_render`, `telegram_sender`); what the bot
says is decided in `handlers/`. Every update is handled once even if Telegram delivers it twice: its
provider id "u<update_id>" is the service's de-duplication key. Updates go to the channel runtime
(`bot.channels.runtime`) keyed by chat, so one chat's updates are handled in the order they arrive and
different chats side by side."""

from __future__ import annotations

import asyncio
import contextlib
import hmac
import logging
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime

from aiogram import Bot
from aiogram.client.session.aiohttp import AiohttpSession
from aiogram.client.telegram import TelegramAPIServer
from aiogram.exceptions import AiogramError, TelegramRetryAfter
from aiogram.methods import (
    AnswerCallbackQuery,
    DeleteMyCommands,
    DeleteWebhook,
    GetMe,
    GetUpdates,
    Response,
    SendDocument,
    SendMessage,
    SetMyCommands,
    SetWebhook,
)
from aiogram.types import Update
from aiohttp import web
from pydantic import ValidationError

from bot.channels.runtime import ChannelRuntime
from bot.channels.telegram_commands import PENDAMPING_COMMANDS, set_chat_menu, set_default_menu
from bot.channels.telegram_sender import CHANNEL, Scrubber, TelegramSender, describe
from bot.channels.telegram_updates import ALLOWED_UPDATES, chat_key, parse_update

log = logging.getLogger(__name__)

DEFAULT_API_URL = "https://api.telegram.org"
WEBHOOK_PATH = "/telegram/webhook"
SECRET_HEADER = "X-Telegram-Bot-Api-Secret-Token"  # noqa: S105 (a header name, not a secret)

# aiogram reads every Bot API answer through pydantic's generic `Response[T]`, and pydantic keeps such
# classes only weakly: each time the garbage collector frees one, the next call builds it again (about
# 2 ms of CPU, more than the rest of the call). Holding the ones for the methods used keeps them built.
_RESPONSE_MODELS = tuple(
    Response[method.__returning__]  # type: ignore[name-defined]
    for method in (
        GetMe,
        SetMyCommands,
        DeleteMyCommands,
        SetWebhook,
        DeleteWebhook,
        GetUpdates,
        AnswerCallbackQuery,
        SendMessage,
        SendDocument,
    )
)


class TelegramStartupError(Exception):
    """The Bot API refused to start the channel (bad token, unreachable server, webhook refused).
    The message is safe to show: it never contains the token."""


class TelegramChannel:
    """`Channel` for Telegram. `webhook_url=None` means long polling; a webhook needs `webhook_secret`
    (1-256 of A-Z a-z 0-9 _ -). `polling_timeout` is the getUpdates long-poll in seconds."""

    def __init__(
        self,
        token: str,
        api_url: str = DEFAULT_API_URL,
        webhook_url: str | None = None,
        webhook_secret: str | None = None,
        clock: Callable[[], datetime] = lambda: datetime.now(UTC),
        polling_timeout: int = 30,
    ) -> None:
        if webhook_url and not webhook_secret:
            raise ValueError("a Telegram webhook needs a secret token")
        self._scrub = Scrubber(token)
        self._bot = Bot(token, session=AiohttpSession(api=TelegramAPIServer.from_base(api_url)))
        self._sender = TelegramSender(self._bot, self._scrub)
        self._webhook_url = webhook_url
        self._webhook_secret = webhook_secret or ""
        self._clock = clock
        self._polling_timeout = polling_timeout
        self._runtime: ChannelRuntime | None = None
        self._username: str | None = None
        self._stopping = asyncio.Event()
        self._poller: asyncio.Task[None] | None = None
        self._offset: int | None = None
        self._unconfirmed = False

    @property
    def name(self) -> str:
        return CHANNEL

    @property
    def sender(self) -> TelegramSender:
        return self._sender

    @property
    def username(self) -> str | None:
        """The bot's @username (without @), known after `start`."""
        return self._username

    def deep_link(self, payload: str) -> str | None:
        """t.me link that opens the bot and sends "/start <payload>" (a join or claim code)."""
        return f"https://t.me/{self._username}?start={payload}" if self._username else None

    def attach(self, runtime: ChannelRuntime) -> None:
        self._runtime = runtime

    def add_routes(self, app: web.Application) -> None:
        if self._webhook_url:
            app.router.add_post(WEBHOOK_PATH, self._webhook)

    async def start(self) -> None:
        if self._runtime is None:
            raise RuntimeError("attach() the Telegram channel before starting it")
        try:
            me = await self._bot.get_me()
            self._username = me.username
            await set_default_menu(self._bot, self._scrub)
            if self._webhook_url:
                await self._bot.set_webhook(
                    self._webhook_url, secret_token=self._webhook_secret, allowed_updates=ALLOWED_UPDATES
                )
            else:
                await self._bot.delete_webhook(drop_pending_updates=False)
        except AiogramError as exc:
            await self._bot.session.close()
            raise TelegramStartupError(f"Telegram: {describe(exc, self._scrub)}") from None
        mode = "webhook" if self._webhook_url else "long polling"
        log.info("telegram bot @%s started (%s)", self._username, mode, extra={"channel": CHANNEL})
        if not self._webhook_url:
            self._poller = asyncio.create_task(self._poll(), name="telegram-polling")

    async def stop(self) -> None:
        """Stops taking updates, finishes those in hand, and closes the HTTP session. The webhook stays
        registered, so Telegram keeps updates until the bot is back."""
        self._stopping.set()
        if self._poller is not None:
            await self._poller
        if self._runtime is not None:
            await self._runtime.stop()
        await self._bot.session.close()

    async def set_pendamping_commands(self, chat_id: int | str) -> bool:
        """Shows the pendamping menu in this chat only: the Bot API has no scope for a role, just for a
        chat. Call it when a chat claims the pendamping role (and `clear_pendamping_commands` when the
        role goes). Returns False, and logs, if Telegram refused."""
        return await set_chat_menu(self._bot, int(chat_id), PENDAMPING_COMMANDS, self._scrub)

    async def clear_pendamping_commands(self, chat_id: int | str) -> bool:
        """Back to the default (KPM) menu in this chat."""
        return await set_chat_menu(self._bot, int(chat_id), None, self._scrub)

    # Long polling -----------------------------------------------------------------------------------

    async def _poll(self) -> None:
        backoff = 1.0
        while not self._stopping.is_set():
            try:
                updates = await self._fetch()
            except TelegramRetryAfter as exc:
                await self._pause(float(exc.retry_after))
                continue
            except Exception as exc:  # never let the loop die: a bot that stops listening looks alive
                log.warning("telegram getUpdates failed: %s", describe(exc, self._scrub))
                await self._pause(backoff)
                backoff = min(backoff * 2, 30.0)
                continue
            backoff = 1.0
            if updates:
                await self._handle_batch(updates)
        await self._confirm()

    async def _fetch(self) -> list[Update]:
        """One long poll, given up (without losing anything) as soon as stop() is called."""
        fetch = asyncio.ensure_future(
            self._bot.get_updates(
                offset=self._offset,
                timeout=self._polling_timeout,
                allowed_updates=ALLOWED_UPDATES,
                request_timeout=self._polling_timeout + 15,
            )
        )
        stopping = asyncio.ensure_future(self._stopping.wait())
        await asyncio.wait({fetch, stopping}, return_when=asyncio.FIRST_COMPLETED)
        stopping.cancel()
        if not fetch.done():
            fetch.cancel()
            with contextlib.suppress(asyncio.CancelledError, AiogramError):
                await fetch
            return []
        return fetch.result()

    async def _handle_batch(self, updates: list[Update]) -> None:
        """Handles a batch; the offset then confirms every update up to the first one left undone
        (skipped because stop() came): those come again after a restart."""
        assert self._runtime is not None
        runtime = self._runtime
        done = await asyncio.gather(
            *(runtime.submit(chat_key(u), self._work(u), skippable=True) for u in updates)
        )
        undone = [u.update_id for u, ok in zip(updates, done, strict=True) if not ok]
        self._offset = min(undone) if undone else max(u.update_id for u in updates) + 1
        self._unconfirmed = True

    async def _confirm(self) -> None:
        """Tells Telegram which updates are done, so a restart does not fetch them again."""
        if not self._unconfirmed:
            return
        with contextlib.suppress(AiogramError):
            await self._bot.get_updates(offset=self._offset, limit=1, timeout=0, request_timeout=5)

    async def _pause(self, seconds: float) -> None:
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(self._stopping.wait(), timeout=seconds)

    # Webhook ----------------------------------------------------------------------------------------

    async def _webhook(self, request: web.Request) -> web.Response:
        given = request.headers.get(SECRET_HEADER, "")
        if not hmac.compare_digest(given.encode(), self._webhook_secret.encode()):
            return web.Response(status=401, text="unauthorized")
        if self._runtime is None or self._stopping.is_set():
            return web.Response(status=503, text="not ready")  # Telegram tries again later
        try:
            update = Update.model_validate(await request.json(), context={"bot": self._bot})
        except (ValueError, ValidationError):
            return web.Response(status=400, text="not a Telegram update")
        # Answer at once and work in the background: a slow answer makes Telegram send it again.
        self._runtime.submit(chat_key(update), self._work(update))
        return web.Response(text="ok")

    # One update -------------------------------------------------------------------------------------

    def _work(self, update: Update) -> Callable[[], Awaitable[None]]:
        async def work() -> None:
            try:
                await self._process(update)
            except AiogramError as exc:  # its message may quote a URL with the token: no traceback
                log.error(
                    "telegram update %s failed: %s",
                    update.update_id,
                    describe(exc, self._scrub),
                    extra={"channel": CHANNEL},
                )

        return work

    async def _process(self, update: Update) -> None:
        assert self._runtime is not None
        if update.callback_query is not None:
            # First, so the button stops spinning whatever happens next.
            await self._answer(update.callback_query.id)
        parsed = parse_update(update, self._clock(), self._username)
        if parsed.reachability is not None:
            change = parsed.reachability
            await self._runtime.events.reachability(CHANNEL, change.address, change.reachable, change.reason)
        if parsed.inbound is not None:
            await self._runtime.converse(parsed.inbound)

    async def _answer(self, query_id: str) -> None:
        try:
            await self._bot.answer_callback_query(query_id)
        except AiogramError as exc:  # e.g. too old, after a redelivery: the tap itself still counts
            log.info("telegram callback not answered: %s", describe(exc, self._scrub))
