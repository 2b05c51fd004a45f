"""The terminal chat's layout: words wrapped at spaces to the terminal width, buttons as "[1] Label"."""

from pathlib import Path

from bot.channels.console import render
from bot.core.messages import Button, Outbound


def test_long_lines_wrap_between_words_and_buttons_stay_whole(tmp_path: Path) -> None:
    text = "Terima kasih. Pendamping akan menerima jawaban Ibu dan mengingatkan sebelum pertemuan."
    buttons = (Button("a", "Hadir"), Button("b", "Tidak bisa hadir"), Button("c", "Belum tahu"))
    shown = render(Outbound(text, buttons=buttons), tmp_path, width=30).splitlines()
    assert shown == [
        "Terima kasih. Pendamping akan",
        "menerima jawaban Ibu dan",
        "mengingatkan sebelum",
        "pertemuan.",
        "[1] Hadir",
        "[2] Tidak bisa hadir",
        "[3] Belum tahu",
    ]
    assert all(len(line) <= 30 for line in shown)


def test_list_items_keep_their_indent_and_long_words_are_not_cut(tmp_path: Path) -> None:
    text = "1. Kuis Sesi 1 tentang pengasuhan anak\nhttps://example.org/sangat-panjang-sekali"
    shown = render(Outbound(text), tmp_path, width=20).splitlines()
    assert shown == [
        "1. Kuis Sesi 1",
        "   tentang",
        "   pengasuhan anak",
        "https://example.org/sangat-panjang-sekali",
    ]


def test_without_a_terminal_width_nothing_is_wrapped(tmp_path: Path) -> None:
    buttons = tuple(Button(str(n), f"Pilihan {n}") for n in range(1, 7))
    shown = render(Outbound("x " * 60, buttons=buttons), tmp_path, width=None).splitlines()
    assert len(shown) == 2 and shown[1].startswith("[1] Pilihan 1   [2] Pilihan 2")
