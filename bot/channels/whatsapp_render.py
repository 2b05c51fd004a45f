"""Turns one `Outbound` into WhatsApp Cloud API message objects that fit WhatsApp's limits.

A message object is the part of a `/messages` request after `messaging_product` and `to`, for example
`{"type": "text", "text": {"body": "..."}}` (platforms.md §2.3, §2.4):

- no buttons: text messages of at most 4,096 characters, split at paragraph boundaries;
- 1-3 buttons: reply buttons (titles <= 20, unique), ids = the button ids;
- 4-10 buttons: a one-section list (row titles <= 24, the full label as description when cut);
- more: text with the choices numbered "1. label" (the router accepts typed numbers and words).

An interactive body holds 1,024 characters at most: a longer text goes first as text messages and the
last part carries the buttons. A document object has no media id yet (`{"type": "document",
"document": {"filename": ..., "caption"?: ...}}`): the sender uploads the file and fills it in."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from bot.core.delivery import Template
from bot.core.messages import Button, Outbound

Payload = dict[str, Any]

MAX_TEXT = 4096  # text.body (TextMessage_1)
MAX_BODY = 1024  # interactive body.text (BodyObject)
MAX_CAPTION = 1024  # document caption
MAX_REPLY_BUTTONS = 3
MAX_LIST_ROWS = 10  # across all sections
MAX_BUTTON_TITLE = 20
MAX_LIST_LABEL = 20
MAX_ROW_TITLE = 24
MAX_ROW_DESCRIPTION = 72
# The adapter has no translator: "Pilih" ("choose") reads right to every KPM, and WhatsApp shows it
# next to a list icon, so the meaning is clear in any language.
LIST_LABEL = "Pilih"
ELLIPSIS = "…"


def split_text(text: str, limit: int) -> list[str]:
    """Pieces of at most `limit` characters, cut at paragraph breaks, else line breaks, else spaces,
    else anywhere. Each piece is a contiguous stretch of the text (stripped)."""
    text = text.strip()
    if not text:
        return []
    return [piece.strip() for piece in _split(text, limit, ("\n\n", "\n", " ")) if piece.strip()]


def _split(text: str, limit: int, separators: tuple[str, ...]) -> list[str]:
    if len(text) <= limit:
        return [text]
    if not separators:
        return [text[i : i + limit] for i in range(0, len(text), limit)]
    separator, finer = separators[0], separators[1:]
    pieces: list[str] = []
    current = ""
    for part in text.split(separator):
        for small in _split(part, limit, finer) if len(part) > limit else [part]:
            joined = f"{current}{separator}{small}" if current else small
            if len(joined) <= limit:
                current = joined
                continue
            if current:
                pieces.append(current)
            current = small
    if current:
        pieces.append(current)
    return pieces


def split_tail(text: str, tail_limit: int) -> tuple[str, str]:
    """(head, tail): the tail is the last part of the text (<= tail_limit), cut at the best boundary."""
    text = text.strip()
    pieces = split_text(text, tail_limit)
    if len(pieces) <= 1:
        return "", text
    tail = pieces[-1]
    return text[: len(text) - len(tail)].strip(), tail


def shorten(label: str, limit: int) -> str:
    """The label on one line, cut with an ellipsis as a last resort."""
    label = " ".join(label.split())
    return label if len(label) <= limit else label[: limit - 1].rstrip() + ELLIPSIS


def titles(buttons: Sequence[Button], limit: int) -> list[str]:
    """Unique, non-empty titles of at most `limit` characters (WhatsApp refuses duplicates)."""
    result = [shorten(b.label, limit) or str(n) for n, b in enumerate(buttons, 1)]
    if len(set(result)) < len(result):
        result = [shorten(f"{n}. {b.label}", limit) for n, b in enumerate(buttons, 1)]
    return result


def text_message(body: str) -> Payload:
    return {"type": "text", "text": {"body": body, "preview_url": False}}


def _texts(text: str) -> list[Payload]:
    return [text_message(piece) for piece in split_text(text, MAX_TEXT)]


def reply_buttons(body: str, buttons: Sequence[Button]) -> Payload:
    return {
        "type": "interactive",
        "interactive": {
            "type": "button",
            "body": {"text": body},
            "action": {
                "buttons": [
                    {"type": "reply", "reply": {"id": button.id, "title": title}}
                    for button, title in zip(buttons, titles(buttons, MAX_BUTTON_TITLE), strict=True)
                ]
            },
        },
    }


def list_message(body: str, buttons: Sequence[Button]) -> Payload:
    rows = []
    for button, title in zip(buttons, titles(buttons, MAX_ROW_TITLE), strict=True):
        row = {"id": button.id, "title": title}
        full = " ".join(button.label.split())
        if title != full:
            row["description"] = shorten(full, MAX_ROW_DESCRIPTION)
        rows.append(row)
    return {
        "type": "interactive",
        "interactive": {
            "type": "list",
            "body": {"text": body},
            "action": {"button": LIST_LABEL, "sections": [{"rows": rows}]},
        },
    }


def numbered(text: str, buttons: Sequence[Button]) -> str:
    choices = "\n".join(f"{n}. {' '.join(b.label.split())}" for n, b in enumerate(buttons, 1))
    return f"{text.strip()}\n\n{choices}" if text.strip() else choices


def with_buttons(text: str, buttons: Sequence[Button]) -> list[Payload]:
    if len(buttons) > MAX_LIST_ROWS:
        return _texts(numbered(text, buttons))
    head, body = split_tail(text, MAX_BODY)
    body = body or ELLIPSIS  # an interactive message needs a body
    last = reply_buttons(body, buttons) if len(buttons) <= MAX_REPLY_BUTTONS else list_message(body, buttons)
    return [*_texts(head), last]


def render(message: Outbound) -> list[Payload]:
    """The message objects to send, in order (empty if there is nothing to send)."""
    text, buttons = message.text, message.buttons
    if message.document is None:
        return with_buttons(text, buttons) if buttons else _texts(text)
    document: Payload = {"filename": message.document.filename}
    if buttons:  # a document cannot carry buttons: the file first, then the text with the buttons
        return [{"type": "document", "document": document}, *with_buttons(text, buttons)]
    if len(text.strip()) <= MAX_CAPTION:
        if text.strip():
            document["caption"] = text.strip()
        return [{"type": "document", "document": document}]
    return [*_texts(text), {"type": "document", "document": document}]


def template_message(name: str, language: str, template: Template) -> Payload:
    """An approved template with its body variables in order and its quick-reply payloads."""
    components: list[Payload] = []
    if template.params:
        components.append(
            {"type": "body", "parameters": [{"type": "text", "text": _param(p)} for p in template.params]}
        )
    for index, (button_id, _label) in enumerate(template.buttons):
        components.append(
            {
                "type": "button",
                "sub_type": "quick_reply",
                "index": str(index),
                "parameters": [{"type": "payload", "payload": button_id}],
            }
        )
    body: Payload = {"name": name, "language": {"code": language}}
    if components:
        body["components"] = components
    return {"type": "template", "template": body}


def _param(value: str) -> str:
    # Meta refuses template variables with new lines, tabs or more than four spaces in a row.
    return " ".join(value.split()) or "-"
