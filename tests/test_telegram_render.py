"""Telegram's layout rules and update parsing, without a server: splitting long text, keyboard rows,
and which update becomes which `Inbound`."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from aiogram.types import Update

from bot.channels.telegram_render import MAX_TEXT, button_rows, inline_keyboard, split_text, units
from bot.channels.telegram_sender import Scrubber, describe
from bot.channels.telegram_updates import Reachability, parse_update
from bot.core.messages import Button, InboundKind
from tests.fakes.telegram_api import FakeBotAPI

NOW = datetime(2026, 12, 3, 1, 0, tzinfo=UTC)


def paragraphs(count: int, size: int) -> list[str]:
    return [(f"Paragraf {n}." + " kata" * ((size - 12) // 5)) for n in range(count)]


def test_short_text_is_one_message() -> None:
    assert split_text("Halo, Ibu Siti.\n\nApa kabar?") == ["Halo, Ibu Siti.\n\nApa kabar?"]


def test_long_text_is_cut_between_paragraphs_under_the_limit() -> None:
    parts = paragraphs(10, 1000)
    chunks = split_text("\n\n".join(parts))
    assert len(chunks) == 3
    assert all(units(chunk) <= MAX_TEXT for chunk in chunks)
    # Every chunk is whole paragraphs, in order, and nothing is lost.
    assert [p for chunk in chunks for p in chunk.split("\n\n")] == parts


def test_a_paragraph_too_long_is_cut_between_lines_then_words_then_anywhere() -> None:
    lines = ["baris" + " baris" * 99 for _ in range(20)]  # 20 lines of 599 characters, no blank line
    chunks = split_text("\n".join(lines))
    assert [len(c.split("\n")) for c in chunks] == [6, 6, 6, 2]  # 6 lines fit in 4,096; 7 do not
    assert [line for c in chunks for line in c.split("\n")] == lines
    one_line = " ".join(["kata"] * 2500)  # 12,499 characters on one line
    chunks = split_text(one_line)
    assert all(units(c) <= MAX_TEXT for c in chunks) and " ".join(chunks) == one_line
    assert all(c.startswith("kata") and c.endswith("kata") for c in chunks)  # cut between words
    word = "x" * 9000
    assert [len(c) for c in split_text(word)] == [4096, 4096, 808]


def test_length_is_counted_in_utf16_units() -> None:
    emoji = "🙂" * 3000  # 3,000 characters but 6,000 UTF-16 units
    chunks = split_text(emoji)
    assert [units(c) for c in chunks] == [4096, 1904]
    assert "".join(chunks) == emoji  # never cut inside a surrogate pair


def test_blank_text_gives_no_message() -> None:
    assert split_text(" \n\n ") == []


def labels(rows: list[list[Button]]) -> list[list[str]]:
    return [[b.label for b in row] for row in rows]


def test_rows_take_as_many_buttons_as_their_labels_allow() -> None:
    letters = tuple(Button(f"quiz:a:q1:{i}", x) for i, x in enumerate("ABCD"))
    assert labels(button_rows(letters)) == [["A", "B", "C", "D"]]
    menu = tuple(
        Button(i, label)
        for i, label in [
            ("learn", "Belajar"),
            ("quiz", "Kuis"),
            ("meeting", "Pertemuan"),
            ("progress", "Kemajuan saya"),
            ("help", "Bantuan"),
            ("settings", "Pengaturan"),
        ]
    )
    assert labels(button_rows(menu)) == [
        ["Belajar", "Kuis"],
        ["Pertemuan", "Kemajuan saya"],
        ["Bantuan", "Pengaturan"],
    ]
    sessions = tuple(Button(f"quiz:start:{n}", f"Sesi {n}") for n in range(1, 15))
    assert [len(row) for row in button_rows(sessions)] == [3, 3, 3, 3, 2]
    long = (Button("consent:yes", "Saya setuju dengan semua ini"), Button("consent:no", "Tidak"))
    assert labels(button_rows(long)) == [["Saya setuju dengan semua ini"], ["Tidak"]]


def test_keyboard_caps_buttons_and_uses_ids_as_callback_data() -> None:
    many = tuple(Button(f"b:{n}", str(n)) for n in range(130))
    markup = inline_keyboard(many)
    assert markup is not None
    flat = [b for row in markup.inline_keyboard for b in row]
    assert len(flat) == 100 and all(len(row) <= 8 for row in markup.inline_keyboard)
    assert flat[0].callback_data == "b:0" and flat[0].text == "0"
    assert inline_keyboard(()) is None


def test_errors_never_show_the_token() -> None:
    token = "123:SECRET-token"
    error = RuntimeError(f"Cannot connect to https://api.telegram.org/bot{token}/sendMessage")
    assert token not in describe(error, Scrubber(token))
    assert "***" in describe(error, Scrubber(token))


# Updates --------------------------------------------------------------------------------------------


def parse(update: dict[str, Any]) -> Any:
    return parse_update(Update.model_validate(update), NOW, "p2k2_test_bot")


def test_private_text_is_text_and_start_payload_passes_through() -> None:
    api = FakeBotAPI()
    api.user(42, language_code="en")
    update = api.text_update(42, "/start SIRNA1")
    inbound = parse(update).inbound
    assert inbound.kind is InboundKind.TEXT and inbound.text == "/start SIRNA1"
    assert (inbound.channel, inbound.address) == ("telegram", "42")
    assert inbound.message_id == f"u{update['update_id']}" and inbound.language_hint == "en"
    assert parse(api.text_update(42, "/menu@P2K2_test_bot")).inbound.text == "/menu"


def test_other_message_types_are_unsupported_and_groups_are_groups() -> None:
    api = FakeBotAPI()
    api.user(42)
    assert parse(api.photo_update(42)).inbound.kind is InboundKind.UNSUPPORTED
    sticker = {"file_id": "s", "file_unique_id": "s", "type": "regular", "width": 1, "height": 1}
    sticker |= {"is_animated": False, "is_video": False}
    assert parse(api.message_update(42, sticker=sticker)).inbound.kind is InboundKind.UNSUPPORTED
    group = parse(api.group_update(-100500, 42, "/start")).inbound
    assert group.kind is InboundKind.GROUP and group.address == "-100500"


def test_callback_query_is_a_button_with_its_query_to_answer() -> None:
    api = FakeBotAPI()
    api.user(42)
    update = api.callback_update(42, "consent:yes")
    parsed = parse(update)
    assert parsed.inbound.kind is InboundKind.BUTTON and parsed.inbound.button_id == "consent:yes"
    assert parsed.inbound.address == "42"
    assert parsed.callback_query_id == update["callback_query"]["id"]


def test_blocking_and_unblocking_change_reachability() -> None:
    api = FakeBotAPI()
    api.user(42)
    assert parse(api.member_update(42, "kicked")).reachability == Reachability("42", False, "blocked")
    assert parse(api.member_update(42, "member")).reachability == Reachability("42", True, "")
    assert parse(api.member_update(42, "member")).inbound is None
