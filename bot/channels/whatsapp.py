"""WhatsApp channel on the Cloud API: a signed webhook in, a thin httpx client out.

The adapter only translates (see `whatsapp_webhook`, `whatsapp_render`, `whatsapp_sender`); what the bot
says is decided in `handlers/`. Webhook posts are answered at once and handled in the background, so
Meta does not send them again; a redelivered message keeps its wamid, the service's de-duplication key.
Messages go to the channel runtime (`bot.channels.runtime`) keyed by user, so one user's messages are
handled in the order the webhooks came, even when Meta posts them concurrently; different users side by
side."""

from __future__ import annotations

import asyncio
import hmac
import json
import logging
from collections.abc import Callable, Mapping
from datetime import UTC, datetime

from aiohttp import web

from bot.channels.runtime import ChannelRuntime
from bot.channels.whatsapp_sender import DEFAULT_API_URL, NOT_ON_WHATSAPP, WhatsAppSender
from bot.channels.whatsapp_webhook import CHANNEL, SIGNATURE_HEADER, StatusUpdate, parse_webhook, signature_ok

log = logging.getLogger(__name__)

WEBHOOK_PATH = "/whatsapp/webhook"
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
    ) -> None:
        self._phone_number_id = phone_number_id
        self._app_secret = app_secret
        self._verify_token = verify_token
        self._clock = clock
        self._sender = WhatsAppSender(
            access_token, phone_number_id, clock, api_url, templates, template_language
        )
        self._stopping = asyncio.Event()
        self._runtime: ChannelRuntime | None = None

    @property
    def name(self) -> str:
        return CHANNEL

    @property
    def sender(self) -> WhatsAppSender:
        return self._sender

    def attach(self, runtime: ChannelRuntime) -> None:
        self._runtime = runtime

    def add_routes(self, app: web.Application) -> None:
        app.router.add_get(WEBHOOK_PATH, self._verify)
        app.router.add_post(WEBHOOK_PATH, self._receive)

    async def start(self) -> None:
        if self._runtime is None:
            raise RuntimeError("attach() the WhatsApp channel before starting it")
        self._stopping.clear()
        await self._sender.open()
        log.info("whatsapp channel started", extra={"channel": CHANNEL})

    async def stop(self) -> None:
        """Stops taking webhooks (Meta sends them again later), finishes those in hand, closes the client."""
        self._stopping.set()
        if self._runtime is not None:
            await self._runtime.stop()
        await self._sender.close()

    async def drain(self) -> None:
        """Waits until every webhook taken so far is handled (tests use it instead of sleeping)."""
        if self._runtime is not None:
            await self._runtime.drain()

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
        if self._runtime is None or self._stopping.is_set():
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
            self._runtime.answer(inbound)
        if batch.statuses:
            self._runtime.spawn(self._statuses(self._runtime, batch.statuses))
        return web.Response(text="ok")

    @staticmethod
    async def _statuses(runtime: ChannelRuntime, statuses: tuple[StatusUpdate, ...]) -> None:
        events = runtime.events
        for status in statuses:
            try:
                await events.delivery_status(CHANNEL, status.provider_id, status.status, status.error)
                if status.error_code == NOT_ON_WHATSAPP_CODE and status.recipient:
                    await events.reachability(CHANNEL, status.recipient, False, NOT_ON_WHATSAPP)
            except Exception:
                log.exception("whatsapp status failed", extra={"channel": CHANNEL})
