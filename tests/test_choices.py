"""Typed words for buttons: synonyms, first words, small typos, and ambiguity."""

from __future__ import annotations

import pytest

from bot.core.choices import loose_choice
from bot.core.messages import Button

CONSENT = (Button("consent:yes", "Saya setuju"), Button("consent:no", "Tidak setuju"))
STOP = (Button("stop:yes", "Ya, hentikan"), Button("stop:no", "Batal"))
RSVP = (
    Button("rsvp:4:yes", "Hadir"),
    Button("rsvp:4:no", "Tidak bisa hadir"),
    Button("rsvp:4:maybe", "Belum tahu"),
)
CARD = (Button("learn:c:s01k2", "Lanjut"), Button("menu", "Menu"))
RESULT = (
    Button("quiz:retry:1", "Ulangi yang salah"),
    Button("learn:s:2", "Sesi berikutnya"),
    Button("menu", "Menu"),
)
EXPORT = (Button("export:xlsx", "Excel (XLSX)"), Button("export:csv", "CSV"))
SESSIONS = (Button("quiz:start:1", "Sesi 1"), Button("quiz:start:2", "Sesi 2"), Button("menu", "Menu"))


def _picked(buttons: tuple[Button, ...], typed: str) -> str | None:
    choice = loose_choice(buttons, typed)
    return choice.button.id if choice.button else None


@pytest.mark.parametrize("typed", ["ya", "Iya", "OK", "oke", "y", "boleh", "siap", "setuju"])
def test_yes_words_pick_the_yes_button(typed: str) -> None:
    assert _picked(CONSENT, typed) == "consent:yes"
    assert _picked(STOP, typed) == "stop:yes"


@pytest.mark.parametrize("typed", ["tidak", "gak", "nggak", "Enggak", "tdk"])
def test_no_words_pick_the_no_button(typed: str) -> None:
    assert _picked(CONSENT, typed) == "consent:no"
    assert _picked(STOP, typed) == "stop:no"
    assert _picked(RSVP, typed) == "rsvp:4:no"


@pytest.mark.parametrize(
    ("buttons", "typed", "expected"),
    [
        (RESULT, "ulangi", "quiz:retry:1"),
        (EXPORT, "excel", "export:xlsx"),
        (RSVP, "tidak bisa", "rsvp:4:no"),
        (RSVP, "ya", "rsvp:4:yes"),
        (CARD, "ok", "learn:c:s01k2"),
        (CARD, "lanjutkan", "learn:c:s01k2"),
        (CARD, "LANJÚT", "learn:c:s01k2"),
        (RESULT, "berikutnya", "learn:s:2"),
        (RESULT, "salah", "quiz:retry:1"),
        (EXPORT, "xlsx", None),  # a word in brackets is not a word of the label
        (RSVP, "tidak bisa hadir karena anak sakit", None),  # a sentence is not a tap
    ],
)
def test_first_words_and_go_on_words(buttons: tuple[Button, ...], typed: str, expected: str | None) -> None:
    assert _picked(buttons, typed) == expected


@pytest.mark.parametrize(
    ("buttons", "typed", "expected"),
    [
        (CARD, "lanjutt", "learn:c:s01k2"),
        (CARD, "lanjt", "learn:c:s01k2"),
        (RSVP, "hadirr", "rsvp:4:yes"),
        (RSVP, "hadr", "rsvp:4:yes"),
        (RSVP, "belum tau", "rsvp:4:maybe"),
        (RESULT, "ulangii", "quiz:retry:1"),
        (CARD, "mneu", None),  # two letters swapped in a four-letter word is not a small typo
        (CARD, "lanjuuut", None),  # two letters off
    ],
)
def test_one_wrong_letter_in_a_long_word_is_forgiven(
    buttons: tuple[Button, ...], typed: str, expected: str | None
) -> None:
    assert _picked(buttons, typed) == expected


def test_a_word_that_fits_several_buttons_is_ambiguous() -> None:
    choice = loose_choice(SESSIONS, "sesi")
    assert choice.ambiguous and [b.id for b in choice.candidates] == ["quiz:start:1", "quiz:start:2"]


def test_unrelated_text_picks_nothing() -> None:
    for typed in ["kapan bansos cair", "Ibu Siti", "", "🙏", "12"]:
        assert not loose_choice(CONSENT + RSVP, typed).candidates
