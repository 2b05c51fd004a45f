"""WhatsApp channel on the Cloud API: a signed webhook in, a thin httpx client out.

The adapter only translates (see `whatsapp_webhook`, `whatsapp_render`, `whatsapp_sender`); what the bot
says is decided in `handlers/`. Webhook posts are answered at once and handled in the background, so
Meta does not send them again; a redelivered message keeps its wamid, the service's de-duplication key.
Messages of one user are handled in the order they arrive; different users side by side."""

from __future__ import annotations

import asyncio
import hmac
import json
import logging
from collections import deque
from collections.abc import Callable, Coroutine, Mapping
from datetime import UTC, datetime
from typing import Any

from aiohttp import web

from bot.channels.channel import ChannelEvents, Handle, send_replies
from bot.channels.whatsapp_sender import DEFAULT_API_URL, NOT_ON_WHATSAPP, WhatsAppSender
from bot.channels.whatsapp_webhook import CHANNEL, SIGNATURE_HEADER, StatusUpdate, parse_webhook, signature_ok
from bot.core.delivery import ChannelSender, Outcome, Undeliverable
from bot.core.messages import Inbound, Outbound

log = logging.getLogger(__name__)

WEBHOOK_PATH = "/whatsapp/webhook"
REPLY_RETRY_MAX = 15.0  # a reply waits this long at most for a rate limit to pass, once
STOP_GRACE = 30.0  # seconds stop() waits for webhooks in hand before cancelling them
NOT_ON_WHATSAPP_CODE = 131026


def utc_now() -> datetime:
    return datetime.now(UTC)


class WhatsAppChannel:
    """`Channel` for WhatsApp; the address is the user's wa_id. `templates` maps kind (reminder,
    broadcast, nudge, meeting_change) to an approved template name, None where none is configured."""

    def __init__(
        self,
        access_token: str,
        phone_number_id: str,
        app_secret: str,
        verify_token: str,
        api_url: str = DEFAULT_API_URL,
        templates: Mapping[str, str | None] | None = None,
        template_language: str = "id",
        clock: Callable[[], datetime] = utc_now,
        concurrency: int = 16,
    ) -> None:
        self._phone_number_id = phone_number_id
        self._app_secret = app_secret
        self._verify_token = verify_token
        self._clock = clock
        self._sender = WhatsAppSender(
            access_token, phone_number_id, clock, api_url, templates, template_language
        )
        self._slots = asyncio.Semaphore(concurrency)
        self._queues: dict[str, deque[Inbound]] = {}
        self._tasks: set[asyncio.Task[None]] = set()
        self._stopping = asyncio.Event()
        self._handle: Handle | None = None
        self._reply_sender: ChannelSender | None = None
        self._events: ChannelEvents | None = None

    @property
    def name(self) -> str:
        return CHANNEL

    @property
    def sender(self) -> WhatsAppSender:
        return self._sender

    def attach(self, handle: Handle, reply_sender: ChannelSender, events: ChannelEvents) -> None:
        self._handle, self._reply_sender, self._events = handle, reply_sender, events

    def add_routes(self, app: web.Application) -> None:
        app.router.add_get(WEBHOOK_PATH, self._verify)
        app.router.add_post(WEBHOOK_PATH, self._receive)

    async def start(self) -> None:
        if self._handle is None:
            raise RuntimeError("attach() the WhatsApp channel before starting it")
        self._stopping.clear()
        await self._sender.open()
        log.info("whatsapp channel started", extra={"channel": CHANNEL})

    async def stop(self) -> None:
        """Stops taking webhooks (Meta sends them again later), finishes those in hand, closes the client."""
        self._stopping.set()
        if self._tasks:
            _, late = await asyncio.wait(set(self._tasks), timeout=STOP_GRACE)
            for task in late:
                task.cancel()
            if late:
                await asyncio.wait(late)
        await self._sender.close()

    async def drain(self) -> None:
        """Waits until every webhook taken so far is handled (tests use it instead of sleeping)."""
        while self._tasks:
            await asyncio.wait(set(self._tasks))

    # Webhook ----------------------------------------------------------------------------------------

    async def _verify(self, request: web.Request) -> web.Response:
        """Meta's handshake when the callback URL is set: echo hub.challenge if the token matches."""
        mode = request.query.get("hub.mode", "")
        token = request.query.get("hub.verify_token", "")
        challenge = request.query.get("hub.challenge", "")
        if mode == "subscribe" and hmac.compare_digest(token.encode(), self._verify_token.encode()):
            return web.Response(text=challenge)
        log.warning("whatsapp webhook verification refused", extra={"channel": CHANNEL})
        return web.Response(status=403, text="forbidden")

    async def _receive(self, request: web.Request) -> web.Response:
        body = await request.read()  # the signature covers the raw bytes, not re-serialised JSON
        if not signature_ok(self._app_secret, body, request.headers.get(SIGNATURE_HEADER)):
            log.warning(
                "whatsapp webhook with a missing or wrong signature refused", extra={"channel": CHANNEL}
            )
            return web.Response(status=401, text="unauthorized")
        if self._handle is None or self._stopping.is_set():
            return web.Response(status=503, text="not ready")  # Meta tries again later
        try:
            payload = json.loads(body)
        except ValueError:  # also bad UTF-8
            return web.Response(status=400, text="not JSON")
        if not isinstance(payload, dict):
            return web.Response(status=400, text="not a webhook payload")
        batch = parse_webhook(payload, self._phone_number_id, self._clock())
        for error in batch.errors:
            log.warning("whatsapp reports a problem: %s", error, extra={"channel": CHANNEL})
        for inbound in batch.inbound:
            self._enqueue(inbound)
        if batch.statuses:
            self._spawn(self._statuses(batch.statuses))
        return web.Response(text="ok")

    def _spawn(self, work: Coroutine[Any, Any, None]) -> None:
        task = asyncio.create_task(work)
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)

    def _enqueue(self, inbound: Inbound) -> None:
        """One queue and one task per user with messages waiting: their messages are answered one at a
        time in the order the webhooks came, even when Meta posts them concurrently."""
        queue = self._queues.get(inbound.address)
        if queue is not None:
            queue.append(inbound)
            return
        self._queues[inbound.address] = deque([inbound])
        self._spawn(self._serve(inbound.address))

    async def _serve(self, address: str) -> None:
        queue = self._queues[address]
        try:
            while queue:
                inbound = queue.popleft()
                try:
                    async with self._slots:
                        await self._answer(inbound)
                except Exception:
                    log.exception("whatsapp message failed", extra={"channel": CHANNEL})
        finally:
            del self._queues[address]

    async def _statuses(self, statuses: tuple[StatusUpdate, ...]) -> None:
        assert self._events is not None
        for status in statuses:
            try:
                await self._events.delivery_status(CHANNEL, status.provider_id, status.status, status.error)
                if status.error_code == NOT_ON_WHATSAPP_CODE and status.recipient:
                    await self._events.reachability(CHANNEL, status.recipient, False, NOT_ON_WHATSAPP)
            except Exception:
                log.exception("whatsapp status failed", extra={"channel": CHANNEL})

    async def _answer(self, inbound: Inbound) -> None:
        assert self._handle is not None
        replies = await self._handle(inbound)
        await self._reply(inbound.address, replies)

    async def _reply(self, address: str, replies: list[Outbound]) -> None:
        assert self._reply_sender is not None and self._events is not None
        events = self._events

        async def report(outcome: Outcome) -> None:
            log.warning("whatsapp reply not sent: %s", outcome, extra={"channel": CHANNEL})
            if isinstance(outcome, Undeliverable) and outcome.reason == NOT_ON_WHATSAPP:
                await events.reachability(CHANNEL, address, False, outcome.reason)

        await send_replies(self._reply_sender, address, replies, self._pause, REPLY_RETRY_MAX, report)

    async def _pause(self, seconds: float) -> None:
        try:
            await asyncio.wait_for(self._stopping.wait(), timeout=seconds)
        except TimeoutError:
            pass
