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
from functools import lru_cache
from typing import NamedTuple

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
_PHRASE_MAX_WORDS = 3  # "tidak bisa dong" is a tap; "tutup dulu bukunya, Bu" is a sentence


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
    return next((b for b in buttons if _label(b.label).text == wanted), None)


def loose_choice(buttons: tuple[Button, ...], text: str) -> Choice:
    """The looser readings (2 to 4 above), for text that is not a number or a whole label."""
    wanted = normalize(text)
    if not wanted or wanted.isdigit():
        return Choice()
    shown = [(button, _label(button.label)) for button in buttons]
    for reading in (_by_yes_no, _by_go_on, _by_words, _by_typo):
        found = _distinct([button for button, label in shown if reading(button, label, wanted)])
        if found:
            return Choice(found)
    return Choice()


class _Label(NamedTuple):
    text: str  # normalized: "ulangi soal tadi"
    first: str  # its first word, without a trailing comma: "ya" for "Ya, hapus"
    words: tuple[str, ...]


@lru_cache(maxsize=4096)
def _label(label: str) -> _Label:
    """A label's normalized forms. Labels come from a small set (the catalogs' texts and content titles),
    so they are worked out once, not for every typed message."""
    text = normalize(label)
    words = tuple(text.split(" "))
    return _Label(text, words[0].strip(","), words)


def _by_yes_no(button: Button, label: _Label, wanted: str) -> bool:
    """A button means yes (or no) by its id ("delete:yes") or by its label's first word ("Ya, hapus")."""
    for words, ids in ((YES_WORDS, _YES_IDS), (NO_WORDS, _NO_IDS)):
        if wanted in words and (ids.intersection(button.id.split(":")[1:]) or label.first in words):
            return True
    return False


def _by_go_on(_button: Button, label: _Label, wanted: str) -> bool:
    """ "ok" or "lanjut" for a "Lanjut" button, when no button means yes."""
    return wanted in GO_ON_WORDS and label.first in GO_ON_WORDS


def _by_words(_button: Button, label: _Label, wanted: str) -> bool:
    first = wanted.split(" ", 1)[0]
    return (
        label.first == wanted
        or (len(wanted) >= 3 and label.text.startswith(wanted + " "))
        or (len(wanted) >= _TYPO_MIN_LENGTH and wanted in label.words)
        or (len(first) >= 4 and 1 < len(wanted.split(" ")) <= _PHRASE_MAX_WORDS and label.first == first)
    )


def _by_typo(_button: Button, label: _Label, wanted: str) -> bool:
    if len(wanted) < _TYPO_MIN_LENGTH - 1:
        return False
    return any(
        len(target) >= _TYPO_MIN_LENGTH and Levenshtein.distance(wanted, target, score_cutoff=1) <= 1
        for target in (label.text, label.first)
    )


def _distinct(buttons: list[Button]) -> tuple[Button, ...]:
    """Two buttons that do the same thing (the same id) are one choice, not an ambiguity."""
    seen: dict[str, Button] = {}
    for button in buttons:
        seen.setdefault(button.id, button)
    return tuple(seen.values())
