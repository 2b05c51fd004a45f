"""The curriculum in content/: complete, within channel limits, spelled right; broken copies are caught
with the file and field named."""

from __future__ import annotations

import re
import shutil
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
import yaml

from bot.content_check import ContentReport, check_content
from bot.content_loader import ContentError, content_dir, load_curriculum

BIN = str(Path(sys.executable).with_name("p2k2-bot"))


def test_the_real_curriculum_is_complete() -> None:
    curriculum = load_curriculum()
    assert [s.number for s in curriculum.sessions] == list(range(1, 15))
    assert sorted(n for m in curriculum.modules for n in m.sessions) == list(range(1, 15))
    for session in curriculum.sessions:
        assert 4 <= len(session.cards) <= 6, session.number
        assert 3 <= len(session.quiz) <= 5, session.number
        assert session.title and session.summary and session.task and session.sources
        for card in session.cards:
            assert len(card.text) <= 600, card.id
        for question in session.quiz:
            assert 2 <= len(question.options) <= 4, question.id
            assert sum(option.correct for option in question.options) == 1, question.id
            assert len(question.explanation) <= 300, question.id
    assert sum(len(s.quiz) for s in curriculum.sessions) >= 60


def test_content_ids_are_unique_and_name_their_session() -> None:
    curriculum = load_curriculum()
    ids = []
    for session in curriculum.sessions:
        for card in session.cards:
            assert re.fullmatch(rf"s{session.number:02d}k\d{{1,2}}", card.id), card.id
            ids.append(card.id)
        for question in session.quiz:
            assert re.fullmatch(rf"s{session.number:02d}q\d{{1,2}}", question.id), question.id
            ids.append(question.id)
    assert len(ids) == len(set(ids))
    found = curriculum.question("s01q1")
    assert found is not None and found[0].number == 1 and found[1].id == "s01q1"


def test_check_passes_on_the_real_content_with_no_unknown_words() -> None:
    report = check_content()
    curriculum = load_curriculum()
    assert report.problems == ()
    assert [(u.word, u.where) for u in report.unknown_words] == []
    assert report.ok
    assert report.sessions == 14
    assert report.cards == sum(len(s.cards) for s in curriculum.sessions)
    assert report.questions == sum(len(s.quiz) for s in curriculum.sessions) >= 60


@pytest.fixture
def copy(tmp_path: Path) -> Path:
    target = tmp_path / "content"
    shutil.copytree(content_dir(), target, ignore=shutil.ignore_patterns("__pycache__", "*.py"))
    return target


def _edit(path: Path, change: Callable[[dict[str, Any]], None]) -> None:
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    change(data)
    path.write_text(yaml.safe_dump(data, allow_unicode=True, sort_keys=False), encoding="utf-8")


def _content_unknowns(report: ContentReport, directory: Path) -> list[tuple[str, str]]:
    """Unknown words in the lesson files only: the catalog in locales/ is checked on the real tree."""
    return [(u.word, u.where) for u in report.unknown_words if u.where.startswith(str(directory))]


def _long_card(data: dict[str, Any]) -> None:
    data["cards"][1]["text"] = "Ibu " * 175


def _two_correct(data: dict[str, Any]) -> None:
    for option in data["quiz"][2]["options"]:
        option["correct"] = True


@pytest.mark.parametrize(
    ("breakage", "file", "field"),
    [
        (_long_card, "sesi-03.yaml", "cards.1.text"),
        (_two_correct, "sesi-03.yaml", "quiz.2"),
        (None, "sesi-07.yaml", "missing"),
    ],
    ids=["card-too-long", "two-correct-options", "missing-session-file"],
)
def test_a_broken_file_is_reported_naming_file_and_field(
    copy: Path, breakage: Callable[[dict[str, Any]], None] | None, file: str, field: str
) -> None:
    path = copy / "sessions" / file
    if breakage is None:
        path.unlink()
    else:
        _edit(path, breakage)

    with pytest.raises(ContentError) as caught:
        load_curriculum(copy)
    assert str(path) in str(caught.value)
    assert field in str(caught.value)

    report = check_content(copy)
    assert not report.ok
    assert report.sessions == 0
    assert any(str(path) in problem and field in problem for problem in report.problems), report.problems


def test_a_misspelled_word_is_reported_where_it_is(copy: Path) -> None:
    path = copy / "sessions" / "sesi-08.yaml"

    def misspell(data: dict[str, Any]) -> None:
        data["cards"][2]["text"] += " Jangan lupa makanann bergizi."

    _edit(path, misspell)
    load_curriculum(copy)  # the loader has no opinion on spelling

    report = check_content(copy)
    assert not report.ok
    assert report.problems == ()
    assert _content_unknowns(report, copy) == [("makanann", f"{path}: field cards.2.text")]


def test_the_word_list_accepts_project_terms(copy: Path) -> None:
    path = copy / "sessions" / "sesi-08.yaml"

    def add_term(data: dict[str, Any]) -> None:
        data["task"] += " Ajak tetangga ke Posyandu Sukamakmur."

    _edit(path, add_term)
    assert _content_unknowns(check_content(copy), copy) == [("Sukamakmur", f"{path}: field task")]
    with (copy / "wordlist.txt").open("a", encoding="utf-8") as wordlist:
        wordlist.write("\nSukamakmur\n")
    assert _content_unknowns(check_content(copy), copy) == []


def test_numbers_codes_and_answer_letters_are_not_spelling_mistakes(copy: Path) -> None:
    path = copy / "sessions" / "sesi-06.yaml"

    def add_numbers(data: dict[str, Any]) -> None:
        data["task"] += " Tabung Rp50.000 - atau telepon 08111-129-129 - lalu pilih A atau B di P2K2."

    _edit(path, add_numbers)
    assert _content_unknowns(check_content(copy), copy) == []


def test_duplicate_options_and_questions_are_reported(copy: Path) -> None:
    path = copy / "sessions" / "sesi-05.yaml"
    other = copy / "sessions" / "sesi-09.yaml"
    repeated = yaml.safe_load(other.read_text(encoding="utf-8"))["quiz"][0]["question"]

    def duplicate(data: dict[str, Any]) -> None:
        data["quiz"][0]["options"][1]["text"] = data["quiz"][0]["options"][0]["text"]
        data["quiz"][1]["question"] = repeated

    _edit(path, duplicate)
    problems = check_content(copy).problems
    assert any(f"{path}: field quiz.0.options" in p and "same text" in p for p in problems), problems
    # The later of the two is reported, naming the earlier one.
    assert any(f"{other}: field quiz.0.question" in p and "same question as s05q2" in p for p in problems), (
        problems
    )


@pytest.mark.parametrize(
    "fake",
    [None, 'echo "Can\'t open affix or dictionary files for dictionary named \\"id_ID\\"." >&2; exit 1'],
    ids=["no-hunspell", "no-id-dictionary"],
)
def test_missing_hunspell_is_a_problem_that_says_what_to_install(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, fake: str | None
) -> None:
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    if fake is not None:
        script = bin_dir / "hunspell"
        script.write_text(f"#!/bin/sh\n/bin/cat >/dev/null\n{fake}\n")
        script.chmod(0o755)
    monkeypatch.setenv("PATH", str(bin_dir))

    report = check_content()

    assert not report.ok
    assert report.sessions == 14
    assert len(report.problems) == 1
    assert "hunspell-id" in report.problems[0]


def _longest_correct_everywhere(data: dict[str, Any]) -> None:
    for question in data["quiz"]:
        for option in question["options"]:
            if option.get("correct"):
                option["text"] += " dengan sabar dan dengan bantuan keluarga di rumah"


def test_a_quiz_whose_longest_option_is_always_correct_fails_the_check(copy: Path) -> None:
    path = copy / "sessions" / "sesi-05.yaml"
    _edit(path, _longest_correct_everywhere)
    report = check_content(copy)
    assert not report.ok
    assert (5, 5, 5) in report.longest_correct
    assert any(str(path) in p and "longest in 5 of 5" in p for p in report.problems), report.problems
    relaxed = check_content(copy, max_longest_share=1.0)
    assert not any("option is the longest" in p for p in relaxed.problems), relaxed.problems


def test_the_real_quizzes_do_not_give_the_answer_away_by_length() -> None:
    longest, items = check_content().longest_correct_overall
    assert items >= 60 and longest / items <= 0.34


def test_an_explanation_that_does_not_teach_the_answer_is_flagged(copy: Path) -> None:
    path = copy / "sessions" / "sesi-05.yaml"

    def vague(data: dict[str, Any]) -> None:
        data["quiz"][1]["explanation"] = "Coba baca lagi kartunya, ya."

    _edit(path, vague)
    report = check_content(copy)
    question_id = load_curriculum(copy).session(5).quiz[1].id  # type: ignore[union-attr]
    assert any(f"quiz.1.explanation: question {question_id}" in p for p in report.problems), report.problems


def test_a_health_card_must_be_named_by_a_document_not_a_home_page(copy: Path) -> None:
    path = copy / "sessions" / "sesi-09.yaml"

    def home_page(data: dict[str, Any]) -> None:
        data["sources"] = [
            {"title": "Kementerian Kesehatan", "url": "https://kemkes.go.id/", "cards": ["s09k1"]}
        ]

    _edit(path, home_page)
    report = check_content(copy)
    assert any(f"{path}: field sources.0.url" in p and "home page" in p for p in report.problems)
    assert any(f"{path}: field cards.1: health card s09k2" in p for p in report.problems), report.problems


def _run_check(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [BIN, "content", "check", *args], capture_output=True, text=True, timeout=120, check=False
    )


def test_cli_content_check_prints_the_counts_and_succeeds() -> None:
    curriculum = load_curriculum()
    cards = sum(len(s.cards) for s in curriculum.sessions)
    questions = sum(len(s.quiz) for s in curriculum.sessions)

    result = _run_check()

    assert result.returncode == 0, result.stdout + result.stderr
    assert f"14 sessions, {cards} cards, {questions} questions; 0 unknown words" in result.stdout
    assert "Traceback" not in result.stderr


def test_cli_content_check_fails_on_a_broken_copy(copy: Path) -> None:
    path = copy / "sessions" / "sesi-03.yaml"
    _edit(path, _long_card)

    result = _run_check("--dir", str(copy))

    assert result.returncode == 1
    assert "0 sessions, 0 cards, 0 questions" in result.stdout
    assert f"{path}: field cards.1.text" in result.stdout
    assert "Traceback" not in result.stderr
