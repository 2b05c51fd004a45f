"""Sends one `Envelope` to one WhatsApp user through the Cloud API and reports the outcome.

`POST {api_url}/{phone_number_id}/messages` with a Bearer token; documents are uploaded first with
`POST {api_url}/{phone_number_id}/media`. It never sleeps or retries: the delivery worker (or the reply
path) decides what a `RetryLater` means. Outside the 24-hour customer-service window only an approved
template may be sent (platforms.md §2.5); without one the message is `Undeliverable("window closed")`
and the API is not called. Nothing identifying is logged: no token, no phone number."""

from __future__ import annotations

import logging
from collections.abc import Callable, Mapping
from datetime import datetime, timedelta
from typing import Any

import httpx

from bot.channels.whatsapp_render import Payload, render, template_message
from bot.channels.whatsapp_webhook import CHANNEL
from bot.core.delivery import WINDOW_CLOSED, Envelope, Failed, Outcome, RetryLater, Sent, Undeliverable
from bot.core.messages import Document

log = logging.getLogger(__name__)

DEFAULT_API_URL = "https://graph.facebook.com/v23.0"
WINDOW = timedelta(hours=24)
# The window is counted from when we handled the user's message, a little after WhatsApp saw it; and a
# message sent just before the end can be refused later by status webhook. Templates take over early.
WINDOW_MARGIN = timedelta(minutes=10)

NOT_ON_WHATSAPP = "not on WhatsApp"
MARKETING_STOPPED = "user stopped marketing messages"

THROUGHPUT_PAUSE = 60.0  # 130429: the business number's messages per second are used up
PAIR_RATE_WAIT = 10.0  # 131056: too many messages to this one user (about one per 6 s)
MARKETING_CAP_WAIT = 24 * 3600.0  # 131049: Meta's per-user marketing cap, "wait at least 24 hours"
AUTH_PAUSE = 300.0  # the token is invalid or lacks permission: nothing goes out until it is fixed
SERVER_BACKOFF = 10.0  # 131000, 131016, 5xx, network errors
SPAM_PAUSE = 600.0  # 131048: the number is limited for spam
# WhatsApp's document types are text/plain, PDF and the Office formats: a CSV goes as plain text
# (its file name keeps .csv, so phones still open it as a spreadsheet).
UPLOAD_TYPES = {"text/csv": "text/plain"}
AUTH_CODES = frozenset({0, 10, 190, 368, 131031})  # token, permission, or the account is restricted
RATE_CODES = frozenset({4, 80007})  # app or account call limits


class GraphError(Exception):
    def __init__(self, outcome: RetryLater | Failed | Undeliverable, code: int | None) -> None:
        super().__init__(outcome.reason)
        self.outcome = outcome
        self.code = code


def outcome_of(http_status: int, body: object) -> tuple[RetryLater | Failed | Undeliverable, int | None]:
    """What an error answer means for the message; `body` is `{"error": {"code": ..., "message": ...}}`."""
    error = body.get("error") if isinstance(body, dict) else None
    error = error if isinstance(error, dict) else {}
    raw_code = error.get("code")
    code = raw_code if isinstance(raw_code, int) and not isinstance(raw_code, bool) else None
    message = error.get("message") if isinstance(error.get("message"), str) else ""
    reason = f"{code if code is not None else http_status} {message}".strip()[:300]
    if code == 130429:
        return RetryLater(THROUGHPUT_PAUSE, reason, pause_channel=True), code
    if code == 131056:
        return RetryLater(PAIR_RATE_WAIT, reason), code
    if code == 131047:
        return Undeliverable(WINDOW_CLOSED), code
    if code == 131026:
        return Undeliverable(NOT_ON_WHATSAPP), code
    if code == 131049:
        return RetryLater(MARKETING_CAP_WAIT, reason), code
    if code == 131050:
        # Failed, not Undeliverable: the user only turned marketing off; replies and utility messages
        # still reach them, so the identity must not be marked unreachable.
        return Failed(MARKETING_STOPPED), code
    if code == 131048:
        return RetryLater(SPAM_PAUSE, reason, pause_channel=True), code
    if code in RATE_CODES:
        return RetryLater(THROUGHPUT_PAUSE, reason, pause_channel=True), code
    if http_status == 401 or code in AUTH_CODES or (code is not None and 200 <= code <= 299):
        log.error(
            "WhatsApp refused the access token or its permissions (%s): every send is paused; "
            "check WHATSAPP_ACCESS_TOKEN and WHATSAPP_PHONE_NUMBER_ID",
            reason,
            extra={"channel": CHANNEL},
        )
        return RetryLater(AUTH_PAUSE, reason, pause_channel=True), code
    if code in (131000, 131016) or http_status >= 500 or http_status == 429:
        return RetryLater(SERVER_BACKOFF, reason), code
    return Failed(reason), code


class WhatsAppSender:
    """`ChannelSender` for WhatsApp. `templates` maps an envelope template's kind (reminder, broadcast,
    nudge, meeting_change) to the approved template's name, or None where none is configured."""

    def __init__(
        self,
        access_token: str,
        phone_number_id: str,
        clock: Callable[[], datetime],
        api_url: str = DEFAULT_API_URL,
        templates: Mapping[str, str | None] | None = None,
        template_language: str = "id",
        timeout: float = 30.0,
    ) -> None:
        self._token = access_token
        self._phone_number_id = phone_number_id
        self._clock = clock
        self._api_url = api_url.rstrip("/")
        self._templates = dict(templates or {})
        self._template_language = template_language
        self._timeout = timeout
        self._client: httpx.AsyncClient | None = None

    @property
    def channel(self) -> str:
        return CHANNEL

    async def open(self) -> None:
        if self._client is None:
            self._client = httpx.AsyncClient(
                base_url=self._api_url,
                headers={"Authorization": f"Bearer {self._token}"},
                timeout=httpx.Timeout(self._timeout, connect=10.0),
            )

    async def close(self) -> None:
        if self._client is not None:
            await self._client.aclose()
            self._client = None

    def window_open(self, envelope: Envelope) -> bool:
        """A reply too is refused once the window has closed (say, after an outage): it was waiting in
        the outbox, and free text outside the window is never sent."""
        last = envelope.last_inbound_at
        if last is None:
            return envelope.reply
        return self._clock() - last < WINDOW - WINDOW_MARGIN

    def template_for(self, envelope: Envelope) -> Payload | None:
        if envelope.template is None:
            return None
        name = self._templates.get(envelope.template.kind)
        return template_message(name, self._template_language, envelope.template) if name else None

    async def send(self, envelope: Envelope) -> Outcome:
        template = self.template_for(envelope)
        if not self.window_open(envelope):
            if template is None:
                return Undeliverable(WINDOW_CLOSED)
            return await self._send_parts(envelope.address, [template], None)
        parts = render(envelope.message)
        if not parts:
            return Failed("empty message")
        outcome = await self._send_parts(envelope.address, parts, envelope.message.document)
        if outcome == Undeliverable(WINDOW_CLOSED) and template is not None:
            # Our clock said the window was open; WhatsApp's says not. The template is allowed anyway.
            return await self._send_parts(envelope.address, [template], None)
        return outcome

    async def _send_parts(self, to: str, parts: list[Payload], document: Document | None) -> Outcome:
        sent: list[str] = []
        try:
            for part in parts:
                if part["type"] == "document" and document is not None:
                    media_id = await self._upload(document)
                    part = {"type": "document", "document": {"id": media_id, **part["document"]}}
                wamid = await self._post_message(to, part)
                if wamid:
                    sent.append(wamid)
        except GraphError as exc:
            if sent:
                # The parts already out cannot be taken back; a retry may repeat them.
                log.warning(
                    "whatsapp message cut short after %d part(s): %s",
                    len(sent),
                    exc.outcome.reason,
                    extra={"channel": CHANNEL},
                )
            return exc.outcome
        return Sent(tuple(sent))

    async def _post_message(self, to: str, part: Payload) -> str:
        body = {"messaging_product": "whatsapp", "recipient_type": "individual", "to": to, **part}
        answer = await self._call(f"{self._phone_number_id}/messages", json=body)
        messages = answer.get("messages")
        if isinstance(messages, list) and messages and isinstance(messages[0], dict):
            wamid = messages[0].get("id")
            if isinstance(wamid, str):
                return wamid
        log.warning("whatsapp accepted a message without returning its id", extra={"channel": CHANNEL})
        return ""

    async def _upload(self, document: Document) -> str:
        mime_type = UPLOAD_TYPES.get(document.mime_type, document.mime_type)
        answer = await self._call(
            f"{self._phone_number_id}/media",
            files={"file": (document.filename, document.content, mime_type)},
            data={"messaging_product": "whatsapp", "type": mime_type},
        )
        media_id = answer.get("id")
        if not isinstance(media_id, str) or not media_id:
            raise GraphError(RetryLater(SERVER_BACKOFF, "media upload returned no id"), None)
        return media_id

    async def _call(self, path: str, **kwargs: Any) -> dict[str, Any]:
        if self._client is None:
            await self.open()
        assert self._client is not None
        try:
            response = await self._client.post(path, **kwargs)
        except httpx.HTTPError as exc:  # connection refused, timeout...: the URL holds no secret
            raise GraphError(
                RetryLater(SERVER_BACKOFF, f"network error: {type(exc).__name__}"), None
            ) from None
        try:
            answer = response.json()
        except ValueError:
            answer = None
        if response.is_success:
            return answer if isinstance(answer, dict) else {}
        outcome, code = outcome_of(response.status_code, answer)
        raise GraphError(outcome, code)
