"""`p2k2-bot content check`: what the loader validates, plus the checks it leaves out: rendered lengths
against WhatsApp's interactive body limit, duplicates, quiz quality (the correct option must not give itself
away by being the longest; the explanation must teach the correct option), health cards that name the
document they paraphrase, and an Indonesian spell check with hunspell over the lessons and the `id`
catalog."""

from __future__ import annotations

import re
import shutil
import subprocess
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlsplit

from bot.catalogs import locales_dir, read_catalog
from bot.content_loader import ContentError, content_dir, load_curriculum
from bot.core.content import Curriculum, Session
from bot.core.quiz_cues import correct_is_longest, missing_key_words

# WhatsApp interactive body.text (platforms.md §2.4); cards, quizzes and tasks all carry buttons.
BODY_LIMIT = 1024
# Room for the translated card header ("Sesi 14: <title up to 60> · kartu 6 dari 6"), with slack for
# longer locales.
HEADER_ALLOWANCE = 100
INSTALL_HINT = "install Debian's `hunspell` and `hunspell-id` packages (apt-get install hunspell hunspell-id)"
_PLACEHOLDER = re.compile(r"\{[^{}]*\}")
# hunspell splits tokens at digits ("P2K2" -> "P", "K"), so tokens holding a digit (P2K2, 08111-129-129,
# Rp50.000) are dropped before spell-checking: they are codes, numbers and amounts, not words.
_WITH_DIGIT = re.compile(r"\S*\d\S*")
# The id_ID dictionary counts "-" as a word character, so a bare list-marker dash would be a "word".
_BARE_DASHES = re.compile(r"(?<!\S)[-–—]+(?!\S)")
# A lone capital letter is an answer letter ("Pilih A atau B") or an initial, never a misspelt word.
_LONE_CAPITAL = re.compile(r"(?<![\w-])[A-Z](?![\w-])")

# Quiz cue: a reader who picks the longest option should score no better than chance. A session fails
# when more than this share of its items has the correct option as the strictly longest one, and the whole
# curriculum fails above the overall share (with 3-4 options, chance is 25-33 %).
MAX_LONGEST_SHARE = 0.4
MAX_LONGEST_SHARE_OVERALL = 0.34
# Explanations must teach the answer: at least this share of the correct option's key words (content
# words, matched by stem) must appear in the explanation.
MIN_KEYWORD_SHARE = 0.5
# Sessions whose cards give health advice: every card there must be named by a source that is a document,
# not a site's home page (domain.md §9).
HEALTH_SESSIONS = frozenset({8, 9, 10, 14})


@dataclass(frozen=True)
class UnknownWord:
    word: str
    where: str  # "<file>: field <field>" or "<file>:<line>: msgid '<start of msgid>'"


@dataclass(frozen=True)
class ContentReport:
    sessions: int
    cards: int
    questions: int
    problems: tuple[str, ...]  # "<file>: field <field>: <message>"
    unknown_words: tuple[UnknownWord, ...]  # sorted by word, then in file order
    # Per session: (session number, items whose correct option is the strictly longest, items).
    longest_correct: tuple[tuple[int, int, int], ...] = ()

    @property
    def ok(self) -> bool:
        return not self.problems and not self.unknown_words

    @property
    def longest_correct_overall(self) -> tuple[int, int]:
        return sum(n for _, n, _ in self.longest_correct), sum(t for _, _, t in self.longest_correct)


def check_content(
    directory: Path | None = None,
    locales: Path | None = None,
    *,
    max_longest_share: float = MAX_LONGEST_SHARE,
    max_longest_share_overall: float = MAX_LONGEST_SHARE_OVERALL,
) -> ContentReport:
    directory = directory or content_dir()
    locales = locales or locales_dir()
    longest: list[tuple[int, int, int]] = []
    problems: list[str] = []
    texts: list[tuple[str, str]] = []  # (where, Indonesian text)
    try:
        curriculum: Curriculum | None = load_curriculum(directory)
    except ContentError as exc:
        problems.append(str(exc))
        curriculum = None
    if curriculum is not None:
        problems += _rendering_problems(curriculum, directory)
        longest = [_longest_correct(session) for session in curriculum.sessions]
        problems += _longest_problems(longest, directory, max_longest_share, max_longest_share_overall)
        problems += _explanation_problems(curriculum, directory)
        problems += _source_problems(curriculum, directory)
        texts += _curriculum_texts(curriculum, directory)
    po_path = locales / "id" / "LC_MESSAGES" / "messages.po"
    try:
        texts += _catalog_texts(po_path)
    except OSError as exc:
        problems.append(f"{po_path}: cannot read: {exc}")
    unknown, spell_problem = _spell_check(texts, directory / "wordlist.txt")
    if spell_problem:
        problems.append(spell_problem)
    sessions = curriculum.sessions if curriculum else ()
    return ContentReport(
        sessions=len(sessions),
        cards=sum(len(s.cards) for s in sessions),
        questions=sum(len(s.quiz) for s in sessions),
        problems=tuple(problems),
        unknown_words=unknown,
        longest_correct=tuple(longest),
    )


def _longest_correct(session: Session) -> tuple[int, int, int]:
    return session.number, sum(correct_is_longest(q) for q in session.quiz), len(session.quiz)


def _longest_problems(
    longest: list[tuple[int, int, int]], directory: Path, max_share: float, max_overall: float
) -> list[str]:
    problems = []
    for number, count, items in longest:
        if items and count / items > max_share:
            problems.append(
                f"{_session_file(directory, number)}: field quiz: the correct option is the longest in "
                f"{count} of {items} questions, over the allowed share of {max_share:.0%}"
            )
    count, items = sum(n for _, n, _ in longest), sum(t for _, _, t in longest)
    if items and count / items > max_overall:
        problems.append(
            f"{directory}: field quiz: the correct option is the longest in {count} of {items} questions "
            f"overall, over the allowed share of {max_overall:.0%}"
        )
    return problems


def _explanation_problems(curriculum: Curriculum, directory: Path) -> list[str]:
    problems = []
    for session in curriculum.sessions:
        path = _session_file(directory, session.number)
        for i, question in enumerate(session.quiz):
            wanted, missing = missing_key_words(question)
            if wanted and (len(wanted) - len(missing)) / len(wanted) < MIN_KEYWORD_SHARE:
                problems.append(
                    f"{path}: field quiz.{i}.explanation: question {question.id}'s explanation does not "
                    f"mention the correct option's key words ({', '.join(missing)})"
                )
    return problems


def _is_home_page(url: str) -> bool:
    parts = urlsplit(url)
    return parts.path in ("", "/") and not parts.query


def _source_problems(curriculum: Curriculum, directory: Path) -> list[str]:
    """A source names the cards it supports; health cards need a document, not a home page."""
    problems = []
    for session in curriculum.sessions:
        path = _session_file(directory, session.number)
        card_ids = {card.id for card in session.cards}
        for i, source in enumerate(session.sources):
            for card_id in sorted(set(source.cards) - card_ids):
                problems.append(f"{path}: field sources.{i}.cards: {card_id} is not a card of this session")
        if session.number not in HEALTH_SESSIONS:
            continue
        for i, source in enumerate(session.sources):
            if _is_home_page(source.url):
                problems.append(
                    f"{path}: field sources.{i}.url: {source.url} is a home page; a health lesson names "
                    "the document it paraphrases"
                )
        for i, card in enumerate(session.cards):
            if not any(card.id in s.cards and not _is_home_page(s.url) for s in session.sources):
                problems.append(
                    f"{path}: field cards.{i}: health card {card.id} is not named by any source "
                    "(list it under a source's cards)"
                )
    return problems


def _session_file(directory: Path, number: int) -> Path:
    return directory / "sessions" / f"sesi-{number:02d}.yaml"


def _rendering_problems(curriculum: Curriculum, directory: Path) -> list[str]:
    """Limits on the message as sent, and duplicates that would confuse a reader. The loader's field limits
    keep today's content well inside these; they guard against those limits being raised."""
    problems = []
    seen_questions: dict[str, str] = {}
    for session in curriculum.sessions:
        path = _session_file(directory, session.number)
        for i, card in enumerate(session.cards):
            length = HEADER_ALLOWANCE + len(f"\n\n{card.title}\n\n{card.text}")
            if length > BODY_LIMIT:
                problems.append(
                    f"{path}: field cards.{i}.text: card {card.id} renders to {length} characters with its "
                    f"header, over WhatsApp's {BODY_LIMIT}"
                )
        # The task is sent between a "Try it at home" line and a "You have finished <heading>" line.
        task_length = 2 * HEADER_ALLOWANCE + len(session.task)
        if task_length > BODY_LIMIT:
            problems.append(
                f"{path}: field task: renders to {task_length} characters, over WhatsApp's {BODY_LIMIT}"
            )
        for i, question in enumerate(session.quiz):
            lines = [f"{chr(ord('A') + j)}. {option.text}" for j, option in enumerate(question.options)]
            body = question.question + "\n\n" + "\n".join(lines)
            if len(body) > BODY_LIMIT:
                problems.append(
                    f"{path}: field quiz.{i}: question {question.id} with its options renders to "
                    f"{len(body)} characters, over WhatsApp's {BODY_LIMIT}"
                )
            options = [_normal(option.text) for option in question.options]
            if len(set(options)) != len(options):
                problems.append(
                    f"{path}: field quiz.{i}.options: question {question.id} has two options "
                    "with the same text"
                )
            key = _normal(question.question)
            if key in seen_questions:
                problems.append(
                    f"{path}: field quiz.{i}.question: question {question.id} is the same question as "
                    f"{seen_questions[key]}"
                )
            else:
                seen_questions[key] = f"{question.id} ({path})"
        urls = [source.url for source in session.sources]
        for url in sorted({u for u in urls if urls.count(u) > 1}):
            problems.append(f"{path}: field sources: {url} is listed more than once")
    return problems


def _normal(text: str) -> str:
    return " ".join(text.casefold().split())


def _curriculum_texts(curriculum: Curriculum, directory: Path) -> list[tuple[str, str]]:
    """Every Indonesian text a KPM reads; source titles and urls are quoted names, not our words."""
    modules_file = directory / "modules.yaml"
    texts = [(f"{modules_file}: field modules.{i}.title", m.title) for i, m in enumerate(curriculum.modules)]
    for session in curriculum.sessions:
        path = _session_file(directory, session.number)
        texts += [(f"{path}: field title", session.title), (f"{path}: field summary", session.summary)]
        for i, card in enumerate(session.cards):
            texts += [
                (f"{path}: field cards.{i}.title", card.title),
                (f"{path}: field cards.{i}.text", card.text),
            ]
        texts.append((f"{path}: field task", session.task))
        for i, question in enumerate(session.quiz):
            texts.append((f"{path}: field quiz.{i}.question", question.question))
            texts += [
                (f"{path}: field quiz.{i}.options.{j}.text", option.text)
                for j, option in enumerate(question.options)
            ]
            texts.append((f"{path}: field quiz.{i}.explanation", question.explanation))
    return texts


def _catalog_texts(po_path: Path) -> list[tuple[str, str]]:
    texts = []
    for message in read_catalog(po_path, "id"):
        if not message.id:
            continue
        msgid = (message.id if isinstance(message.id, str) else message.id[0]).splitlines()[0]
        short = msgid if len(msgid) <= 50 else msgid[:49] + "…"
        where = f"{po_path}:{message.lineno}: msgid {short!r}"
        strings = (message.string,) if isinstance(message.string, str) else tuple(message.string or ())
        texts += [(where, _PLACEHOLDER.sub(" ", s)) for s in strings if s]
    return texts


def _clean(text: str) -> str:
    for pattern in (_WITH_DIGIT, _BARE_DASHES, _LONE_CAPITAL):
        text = pattern.sub(" ", text)
    return text


def _spell_check(texts: list[tuple[str, str]], wordlist: Path) -> tuple[tuple[UnknownWord, ...], str]:
    """Unknown words and where each occurs, or a problem if hunspell cannot run. One hunspell call for all
    text; its `-l` output names words, not places, so each word is then looked up in the texts."""
    binary = shutil.which("hunspell")
    if binary is None:
        return (), f"spell check: the `hunspell` program is not installed; {INSTALL_HINT}"
    cleaned = [(where, _clean(text)) for where, text in texts]
    command = [binary, "-d", "id_ID", "-i", "UTF-8", "-l"]
    if wordlist.exists():
        command[1:1] = ["-p", str(wordlist)]
    # The command is fixed; only the text to check goes in, on stdin.
    result = subprocess.run(  # noqa: S603
        command,
        input="\n".join(text for _, text in cleaned),
        capture_output=True,
        text=True,
        encoding="utf-8",
        errors="replace",
        check=False,
    )
    if result.returncode != 0:
        detail = result.stderr.strip() or f"exit status {result.returncode}"
        return (), f"spell check: hunspell cannot check Indonesian ({detail}); {INSTALL_HINT}"
    unknown = []
    words = {line.strip() for line in result.stdout.splitlines() if line.strip()}
    for word in sorted(words, key=lambda w: (w.casefold(), w)):
        pattern = re.compile(rf"(?<![\w-]){re.escape(word)}(?![\w-])")
        places = dict.fromkeys(where for where, text in cleaned if pattern.search(text))  # in file order
        unknown += [UnknownWord(word, where) for where in places or ["(place not found)"]]
    return tuple(unknown), ""
