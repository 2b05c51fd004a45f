"""Typed words for buttons: many KPM type "ya", "ok", "ulangi" or "lanjutt" instead of tapping.

A typed text is tried against the buttons on screen, from the surest reading to the loosest; the first
reading that finds anything decides, so a loose reading can never override a sure one:
1. its number ("2"), or the whole label ("Ulangi yang salah");
2. a yes, no or go-on word ("iya", "gak", "ok") for the button that means yes, no or go on;
3. the label's first word or its start ("ulangi", "excel", "tidak bisa"), a longer word of it
   ("berikutnya" for "Sesi berikutnya"), or a few words that start with the label's first word
   ("ulangi yang salah" for "Ulangi soal tadi");
4. one wrong, missing or extra letter in a word of five letters or more ("lanjutt", "hadirr").
A reading that fits two buttons is ambiguous: the caller asks which one was meant."""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass

from rapidfuzz.distance import Levenshtein

from bot.core.messages import Button

_SPACES = re.compile(r"\s+")

YES_WORDS = frozenset(
    "ya iya iyaa iyah y yes ok oke okey okay okee siap boleh setuju baik bisa mau benar betul".split()
)
NO_WORDS = frozenset("tidak tdk gak ga nggak ngga enggak engga gk no nope jangan tak".split())
GO_ON_WORDS = frozenset("lanjut lanjutkan terus next berikutnya selanjutnya ok oke okey okay siap".split())
_YES_IDS = frozenset({"yes", "ok", "cancelok"})
_NO_IDS = frozenset({"no", "cancel", "abort"})
_TYPO_MIN_LENGTH = 5


def normalize(text: str) -> str:
    """Case-, accent-, space- and emoji-insensitive form of typed text: " Progres  Saya 📈 " -> "progres saya"."""
    decomposed = unicodedata.normalize("NFKD", text)
    kept = "".join(ch for ch in decomposed if unicodedata.category(ch)[0] in "LNZP" or ch in "/-")
    return _SPACES.sub(" ", kept).strip(" .,!?:;").casefold()


@dataclass(frozen=True)
class Choice:
    """What a typed text picks among the buttons: one button, several (ambiguous), or none."""

    candidates: tuple[Button, ...] = ()

    @property
    def button(self) -> Button | None:
        return self.candidates[0] if len(self.candidates) == 1 else None

    @property
    def ambiguous(self) -> bool:
        return len(self.candidates) > 1


def exact_choice(buttons: tuple[Button, ...], text: str) -> Button | None:
    """The sure readings: a typed "2" is the second button, "kuis" the button labelled Kuis."""
    wanted = normalize(text)
    if not wanted:
        return None
    if wanted.isdigit():
        return buttons[int(wanted) - 1] if 1 <= int(wanted) <= len(buttons) else None
    return next((b for b in buttons if normalize(b.label) == wanted), None)


def loose_choice(buttons: tuple[Button, ...], text: str) -> Choice:
    """The looser readings (2 to 4 above), for text that is not a number or a whole label."""
    wanted = normalize(text)
    if not wanted or wanted.isdigit():
        return Choice()
    for reading in (_by_meaning, _by_words, _by_typo):
        found = _distinct(reading(buttons, wanted))
        if found:
            return Choice(found)
    return Choice()


def _by_meaning(buttons: tuple[Button, ...], wanted: str) -> list[Button]:
    found = []
    if wanted in YES_WORDS:
        found = [b for b in buttons if _means(b, _YES_IDS, YES_WORDS)]
    elif wanted in NO_WORDS:
        found = [b for b in buttons if _means(b, _NO_IDS, NO_WORDS)]
    if not found and wanted in GO_ON_WORDS:
        found = [b for b in buttons if _first_word(b) in GO_ON_WORDS]
    return found


def _means(button: Button, ids: frozenset[str], words: frozenset[str]) -> bool:
    """A button means yes (or no) by its id ("delete:yes") or by its label's first word ("Ya, hapus")."""
    segments = button.id.split(":")
    return bool(ids.intersection(segments[1:])) or _first_word(button) in words


def _by_words(buttons: tuple[Button, ...], wanted: str) -> list[Button]:
    first = wanted.split(" ", 1)[0]
    found = []
    for button in buttons:
        label = normalize(button.label)
        if (
            _first_word(button) == wanted
            or (len(wanted) >= 3 and label.startswith(wanted + " "))
            or (len(wanted) >= _TYPO_MIN_LENGTH and wanted in label.split(" "))
            or (len(first) >= 4 and " " in wanted and _first_word(button) == first)
        ):
            found.append(button)
    return found


def _by_typo(buttons: tuple[Button, ...], wanted: str) -> list[Button]:
    if len(wanted) < _TYPO_MIN_LENGTH - 1:
        return []
    found = []
    for button in buttons:
        label = normalize(button.label)
        for target in {label, _first_word(button)}:
            if len(target) >= _TYPO_MIN_LENGTH and Levenshtein.distance(wanted, target, score_cutoff=1) <= 1:
                found.append(button)
                break
    return found


def _first_word(button: Button) -> str:
    return normalize(button.label).split(" ", 1)[0].strip(",")


def _distinct(buttons: list[Button]) -> tuple[Button, ...]:
    """Two buttons that do the same thing (the same id) are one choice, not an ambiguity."""
    seen: dict[str, Button] = {}
    for button in buttons:
        seen.setdefault(button.id, button)
    return tuple(seen.values())
