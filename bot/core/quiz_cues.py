"""How a quiz item can be passed without reading the lesson, measured for `p2k2-bot content check`: the
correct option being the strictly longest one, and an explanation that does not mention the correct
option's key words (content words, matched by a rough Indonesian stem: prefix and suffix stripped)."""

from __future__ import annotations

import re

from bot.core.content import Question

_WORD = re.compile(r"[0-9A-Za-z][0-9A-Za-z.\-]*[0-9A-Za-z]|[0-9A-Za-z]")
# Function words and words every option shares (address, hedges), dropped before key words are compared.
_STOP_WORDS = frozenset(
    """
    ada adalah agar akan aku anda antara apa apakah atas atau bagi bahwa baik bapak begitu belum benar
    berapa bersama biasa biasanya bila bisa boleh bu bukan cara cukup dalam dan dapat demikian dengan di
    dia dari dulu harus hanya hal ia ibu ini itu jadi jangan jika juga kalau kami kamu karena ke kepada
    ketika kita lagi lalu lebih maka mana masih mau melakukan membuat mereka misalnya nanti oleh orang pak
    paling pada para per perlu saat saja salah sama sambil sampai sangat satu saya se sebaiknya sebelum
    secara sedang sehingga sekali selalu semua sendiri seperti sering sesudah setelah setiap sudah supaya
    tanpa tapi telah tentang terlalu tetap tetapi tidak untuk walau walaupun yang yaitu
    """.split()
)
_PREFIXES = (
    "meng",
    "meny",
    "mem",
    "men",
    "me",
    "peng",
    "peny",
    "pem",
    "pen",
    "per",
    "pe",
    "ber",
    "ter",
    "di",
    "ke",
    "se",
)
_SUFFIXES = ("kannya", "annya", "nya", "kan", "lah", "an", "i")


def correct_is_longest(question: Question) -> bool:
    """The correct option is strictly longer than every other option (ties give nothing away)."""
    correct = len(question.options[question.correct_index].text)
    others = [len(o.text) for i, o in enumerate(question.options) if i != question.correct_index]
    return correct > max(others)


def key_words(text: str) -> list[str]:
    """The content words of an option: every word but function words, casefolded, in order, once each."""
    words = (w.casefold() for w in _WORD.findall(text))
    return list(dict.fromkeys(w for w in words if w not in _STOP_WORDS and (len(w) >= 3 or w.isdigit())))


def _stems(word: str) -> set[str]:
    """The word and what is left after a common prefix and/or suffix, so "memberi" meets "beri" and
    "menyusui" meets "susu" (a nasal prefix replaces the stem's first letter)."""
    nasal = {
        "meny": "s",
        "peny": "s",
        "mem": "p",
        "pem": "p",
        "men": "t",
        "pen": "t",
        "meng": "k",
        "peng": "k",
    }
    bases = {word}
    for prefix in _PREFIXES:
        rest = word[len(prefix) :]
        if word.startswith(prefix) and len(rest) >= 3:
            bases.add(rest)
            if prefix in nasal:
                bases.add(nasal[prefix] + rest)
    stems = set(bases)
    for base in bases:
        for suffix in _SUFFIXES:
            if base.endswith(suffix) and len(base) - len(suffix) >= 3:
                stems.add(base[: -len(suffix)])
    return stems


def _same_stem(a: str, b: str) -> bool:
    if any(ch.isdigit() for ch in a + b):
        return a == b
    for x in _stems(a):
        for y in _stems(b):
            need = min(5, len(x), len(y))
            if need >= 3 and x[:need] == y[:need]:
                return True
    return False


def missing_key_words(question: Question) -> tuple[list[str], list[str]]:
    """(key words of the correct option, those the explanation does not mention)."""
    wanted = key_words(question.options[question.correct_index].text)
    said = key_words(question.explanation) + [w.casefold() for w in _WORD.findall(question.explanation)]
    return wanted, [w for w in wanted if not any(_same_stem(w, s) for s in said)]
