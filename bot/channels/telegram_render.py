"""Telegram's layout rules for an `Outbound`: text cut into messages the Bot API accepts, and buttons laid
out as an inline keyboard. Pure functions, so the limits are tested without a server.

Limits (Bot API 10.1, ../shared/docs/platforms.md §1.3): a message text is 1-4096 characters and a
caption 0-1024, counted in UTF-16 code units (what Telegram's entity offsets use, and never fewer than
code points); callback data is 1-64 bytes; observed caps are 8 buttons a row and 100 in a keyboard."""

from __future__ import annotations

from aiogram.types import InlineKeyboardButton, InlineKeyboardMarkup

from bot.core.messages import Button

MAX_TEXT = 4096
MAX_CAPTION = 1024
MAX_CALLBACK_BYTES = 64
MAX_ROW = 8
MAX_BUTTONS = 100


def units(text: str) -> int:
    """Length in UTF-16 code units: an emoji outside the BMP counts twice."""
    return len(text.encode("utf-16-le")) // 2


def split_text(text: str, limit: int = MAX_TEXT) -> list[str]:
    """Cuts text into chunks of at most `limit` UTF-16 units: between paragraphs where possible, else
    between lines, else between words, else anywhere (never inside a character). Blank chunks, which
    Telegram refuses, are dropped."""
    chunks: list[str] = []
    current = ""
    for piece in _pieces(text, limit):
        joined = f"{current}\n\n{piece}" if current else piece
        if units(joined) <= limit:
            current = joined
        else:
            chunks.append(current)
            current = piece
    chunks.append(current)
    return [chunk for chunk in chunks if chunk.strip()]


def _pieces(text: str, limit: int) -> list[str]:
    """Paragraphs, with those too long for one message cut down to pieces that fit."""
    pieces: list[str] = []
    for paragraph in text.strip().split("\n\n"):
        if units(paragraph) <= limit:
            pieces.append(paragraph)
        else:
            pieces += _pack(paragraph.split("\n"), "\n", limit)
    return pieces


def _pack(parts: list[str], glue: str, limit: int) -> list[str]:
    """Packs parts (lines, then words) greedily, cutting further any part that alone is too long."""
    packed: list[str] = []
    current = ""
    for part in parts:
        if units(part) > limit:
            smaller = _pack(part.split(" "), " ", limit) if glue == "\n" else _hard(part, limit)
            if current:
                packed.append(current)
            packed += smaller[:-1]
            current = smaller[-1]
            continue
        joined = f"{current}{glue}{part}" if current else part
        if units(joined) <= limit:
            current = joined
        else:
            packed.append(current)
            current = part
    packed.append(current)
    return packed


def _hard(word: str, limit: int) -> list[str]:
    cut: list[str] = []
    current = ""
    for ch in word:
        if units(current) + units(ch) > limit:
            cut.append(current)
            current = ""
        current += ch
    cut.append(current)
    return cut


def _per_row(label_length: int) -> int:
    """How many buttons of this label length sit side by side on a phone held upright."""
    if label_length <= 3:
        return 4  # quiz letters A-D, numbers
    if label_length <= 8:
        return 3
    if label_length <= 16:
        return 2
    return 1


def button_rows(buttons: tuple[Button, ...]) -> list[list[Button]]:
    """Rows in the given order; a row takes another button while its longest label allows."""
    rows: list[list[Button]] = []
    longest = 0
    for button in buttons[:MAX_BUTTONS]:
        length = len(button.label)
        if rows and len(rows[-1]) < min(MAX_ROW, _per_row(max(longest, length))):
            rows[-1].append(button)
            longest = max(longest, length)
        else:
            rows.append([button])
            longest = length
    return rows


def inline_keyboard(buttons: tuple[Button, ...]) -> InlineKeyboardMarkup | None:
    if not buttons:
        return None
    for button in buttons:
        # Button ids are made <= 64 bytes by construction (bot.core.messages.Button).
        assert 1 <= len(button.id.encode()) <= MAX_CALLBACK_BYTES, button.id
    return InlineKeyboardMarkup(
        inline_keyboard=[
            [InlineKeyboardButton(text=b.label, callback_data=b.id) for b in row]
            for row in button_rows(buttons)
        ]
    )
