"""The layer rules of architecture.md are kept by import-linter; prove the check bites."""

import shutil
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
LINT = str(Path(sys.executable).with_name("lint-imports"))


def _copy(tmp_path: Path) -> Path:
    tree = tmp_path / "tree"
    for name in ("bot", "handlers", "scheduler"):
        shutil.copytree(ROOT / name, tree / name, ignore=shutil.ignore_patterns("__pycache__"))
    shutil.copy(ROOT / "pyproject.toml", tree)
    return tree


def _lint(tree: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [LINT, "--config", "pyproject.toml"],
        cwd=tree,
        capture_output=True,
        text=True,
        env={"PYTHONPATH": str(tree), "PATH": "/usr/bin:/bin"},
        timeout=120,
    )


def test_the_real_tree_keeps_every_contract(tmp_path: Path) -> None:
    result = _lint(_copy(tmp_path))
    assert result.returncode == 0, result.stdout


def test_a_handler_importing_the_database_breaks_the_check(tmp_path: Path) -> None:
    tree = _copy(tmp_path)
    menu = tree / "handlers" / "menu.py"
    menu.write_text("import bot.db.models  # noqa\n" + menu.read_text())
    result = _lint(tree)
    assert result.returncode != 0
    assert "handlers import only bot.core BROKEN" in result.stdout


def test_core_importing_sqlalchemy_breaks_the_check(tmp_path: Path) -> None:
    tree = _copy(tmp_path)
    dialog = tree / "bot" / "core" / "dialog.py"
    dialog.write_text("import sqlalchemy  # noqa\n" + dialog.read_text())
    result = _lint(tree)
    assert result.returncode != 0
    assert "bot.core and handlers use no I/O library BROKEN" in result.stdout
