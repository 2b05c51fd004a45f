"""Reads WhatsApp webhook posts: the signature over the raw body, then messages and delivery statuses.

Payload shape (OpenAPI `WebhookPayload`, platforms.md §2.4, §2.6):
`{"object": "whatsapp_business_account", "entry": [{"changes": [{"field": "messages", "value": {
"metadata": {"phone_number_id": ...}, "messages": [{"from": wa_id, "id": wamid, "type": ...}],
"statuses": [{"id": wamid, "status": "sent|delivered|read|failed", "recipient_id": wa_id,
"errors": [{"code": 131026, "title": ...}]}]}}]}]}`. Anything of another shape is skipped, never an error:
Meta would only send it again."""

from __future__ import annotations

import hashlib
import hmac
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from bot.core.messages import Inbound, InboundKind

CHANNEL = "whatsapp"
SIGNATURE_HEADER = "X-Hub-Signature-256"
# Nothing to answer: a reaction to one of our messages, or a system notice (number changed).
IGNORED_TYPES = frozenset({"reaction", "system", "request_welcome"})


def signature_ok(app_secret: str, body: bytes, header: str | None) -> bool:
    """`X-Hub-Signature-256: sha256=<hex HMAC-SHA256(app secret, raw body)>`, compared in constant time."""
    if not header or not header.startswith("sha256="):
        return False
    expected = hmac.new(app_secret.encode(), body, hashlib.sha256).hexdigest()
    return hmac.compare_digest(header.removeprefix("sha256=").strip().lower().encode(), expected.encode())


@dataclass(frozen=True)
class StatusUpdate:
    provider_id: str  # the wamid of a message we sent
    status: str  # sent | delivered | read | failed
    recipient: str
    error_code: int | None = None
    error: str | None = None  # "code title" of a failure


@dataclass(frozen=True)
class WebhookBatch:
    inbound: tuple[Inbound, ...] = ()
    statuses: tuple[StatusUpdate, ...] = ()
    errors: tuple[str, ...] = ()  # problems Meta reports about the business number itself


def _dicts(container: Any, key: str) -> list[dict[str, Any]]:
    items = container.get(key) if isinstance(container, dict) else None
    return [item for item in items if isinstance(item, dict)] if isinstance(items, list) else []


def _text(container: Any, key: str) -> str:
    value = container.get(key) if isinstance(container, dict) else None
    return value if isinstance(value, str) else ""


def _error(errors: list[dict[str, Any]]) -> tuple[int | None, str | None]:
    if not errors:
        return None, None
    code = errors[0].get("code")
    title = _text(errors[0], "title") or _text(errors[0], "message")
    number = code if isinstance(code, int) and not isinstance(code, bool) else None
    return number, " ".join(str(part) for part in (number, title) if part) or "failed"


def parse_message(message: dict[str, Any], now: datetime) -> Inbound | None:
    address, wamid, kind = _text(message, "from"), _text(message, "id"), _text(message, "type")
    if not address or not wamid or kind in IGNORED_TYPES:
        return None
    if _text(message, "group_id"):
        return Inbound(CHANNEL, address, InboundKind.GROUP, now, message_id=wamid)
    if kind == "text":
        return Inbound.typed(CHANNEL, address, _text(message.get("text"), "body"), now, wamid)
    if kind == "interactive":
        interactive = message.get("interactive")
        reply_type = _text(interactive, "type")
        if reply_type in ("button_reply", "list_reply") and isinstance(interactive, dict):
            button_id = _text(interactive.get(reply_type), "id")
            if button_id:
                return Inbound.tapped(CHANNEL, address, button_id, now, wamid)
    if kind == "button":  # a quick reply under a template message
        button = message.get("button")
        if payload := _text(button, "payload"):
            return Inbound.tapped(CHANNEL, address, payload, now, wamid)
        if label := _text(button, "text"):
            return Inbound.typed(CHANNEL, address, label, now, wamid)
    return Inbound(CHANNEL, address, InboundKind.UNSUPPORTED, now, message_id=wamid)


def parse_status(status: dict[str, Any]) -> StatusUpdate | None:
    wamid, state = _text(status, "id"), _text(status, "status")
    if not wamid or not state:
        return None
    code, error = _error(_dicts(status, "errors")) if state == "failed" else (None, None)
    return StatusUpdate(wamid, state, _text(status, "recipient_id"), code, error)


def parse_webhook(payload: dict[str, Any], phone_number_id: str, now: datetime) -> WebhookBatch:
    """Messages and statuses addressed to our business number, in the order they came."""
    inbound: list[Inbound] = []
    statuses: list[StatusUpdate] = []
    errors: list[str] = []
    for entry in _dicts(payload, "entry"):
        for change in _dicts(entry, "changes"):
            value = change.get("value")
            if _text(change, "field") not in ("", "messages") or not isinstance(value, dict):
                continue
            number = _text(value.get("metadata"), "phone_number_id")
            if number and number != phone_number_id:
                continue  # another number of the same app: not ours to answer
            inbound.extend(m for m in (parse_message(m, now) for m in _dicts(value, "messages")) if m)
            statuses.extend(s for s in (parse_status(s) for s in _dicts(value, "statuses")) if s)
            errors.extend(e for e in (_error([e])[1] for e in _dicts(value, "errors")) if e)
    return WebhookBatch(tuple(inbound), tuple(statuses), tuple(errors))
