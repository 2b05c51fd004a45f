"""Channel-neutral message types: what arrives from a user and what the bot answers."""

from __future__ import annotations

import base64
from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum
from typing import Any


class InboundKind(StrEnum):
    TEXT = "text"
    BUTTON = "button"
    UNSUPPORTED = "unsupported"  # a photo, sticker, voice note...: answered with "please type or tap"
    GROUP = "group"  # anything from a group chat: the bot only talks one to one


@dataclass(frozen=True)
class Inbound:
    """One message from one chat, already parsed by a channel adapter."""

    channel: str
    address: str  # the chat's id on its channel (Telegram chat id, WhatsApp number, console name)
    kind: InboundKind
    received_at: datetime
    text: str = ""
    button_id: str = ""
    message_id: str = ""  # provider id, the inbound de-duplication key
    language_hint: str = ""  # the client's language code, if the channel tells it

    @classmethod
    def typed(cls, channel: str, address: str, text: str, at: datetime, message_id: str = "") -> Inbound:
        return cls(channel, address, InboundKind.TEXT, at, text=text, message_id=message_id)

    @classmethod
    def tapped(
        cls, channel: str, address: str, button_id: str, at: datetime, message_id: str = ""
    ) -> Inbound:
        return cls(channel, address, InboundKind.BUTTON, at, button_id=button_id, message_id=message_id)


@dataclass(frozen=True)
class Button:
    """A choice offered to the user. `id` is routed (<= 64 bytes); `label` is shown."""

    id: str
    label: str

    def __post_init__(self) -> None:
        if not self.id or len(self.id.encode()) > 64:
            raise ValueError(f"button id must be 1-64 bytes: {self.id!r}")


@dataclass(frozen=True)
class Document:
    filename: str
    content: bytes
    mime_type: str


@dataclass(frozen=True)
class Outbound:
    """One message to one user. Only the last message of a reply should carry buttons."""

    text: str
    buttons: tuple[Button, ...] = field(default=())
    document: Document | None = None

    def to_payload(self) -> dict[str, Any]:
        """The message as JSON-safe data, kept in the outbox until the platform confirms it."""
        payload: dict[str, Any] = {"text": self.text}
        if self.buttons:
            payload["buttons"] = [[b.id, b.label] for b in self.buttons]
        if self.document is not None:
            payload["document"] = {
                "filename": self.document.filename,
                "mime_type": self.document.mime_type,
                "content": base64.b64encode(self.document.content).decode("ascii"),
            }
        return payload

    @classmethod
    def from_payload(cls, payload: dict[str, Any]) -> Outbound:
        document = payload.get("document")
        return cls(
            str(payload.get("text", "")),
            tuple(Button(str(i), str(label)) for i, label in payload.get("buttons", ())),
            Document(
                str(document["filename"]),
                base64.b64decode(document["content"]),
                str(document["mime_type"]),
            )
            if document
            else None,
        )
