"""The installed `p2k2-bot` command, run as a newcomer would."""

import json
import os
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest

BIN = str(Path(sys.executable).with_name("p2k2-bot"))


def _env(tmp_path: Path, **extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("DATABASE_URL", "TEST_", "HTTP_"))}
    env.update(extra)
    return env


def test_piped_demo_chat_prints_the_menu(tmp_path: Path) -> None:
    result = subprocess.run(
        [BIN, "chat", "--demo"],
        input="menu\n1\n",
        capture_output=True,
        text=True,
        cwd=tmp_path,
        env=_env(tmp_path),
        timeout=60,
    )
    assert result.returncode == 0, result.stderr
    assert "Kode kelompoknya SIRNA1" in result.stdout
    assert (
        "[1] Belajar   [2] Kuis   [3] Pertemuan   [4] Kemajuan belajar   [5] Bantuan   [6] Pengaturan"
        in result.stdout
    )
    assert "5 modul dan 14 sesi" in result.stdout
    assert (tmp_path / "data" / "p2k2.db").exists()
    assert "Traceback" not in result.stderr


def test_demo_as_pendamping_sees_the_demo_group(tmp_path: Path) -> None:
    result = subprocess.run(
        [BIN, "chat", "--demo", "--as", "pendamping"],
        input="1\n",
        capture_output=True,
        text=True,
        cwd=tmp_path,
        env=_env(tmp_path),
        timeout=60,
    )
    assert result.returncode == 0, result.stderr
    assert "Sirnajaya 1" in result.stdout and "SIRNA1" in result.stdout


def test_invalid_setting_stops_start_naming_the_variable(tmp_path: Path) -> None:
    result = subprocess.run(
        [BIN, "chat"],
        input="",
        capture_output=True,
        text=True,
        cwd=tmp_path,
        env=_env(tmp_path, DEFAULT_TIMEZONE="Mars/Olympus"),
        timeout=60,
    )
    assert result.returncode == 2
    assert "DEFAULT_TIMEZONE" in result.stderr and "Traceback" not in result.stderr


def test_migrate_upgrades_the_configured_database(tmp_path: Path) -> None:
    url = f"sqlite+aiosqlite:///{tmp_path / 'ops.db'}"
    result = subprocess.run(
        [BIN, "migrate"],
        capture_output=True,
        text=True,
        cwd=tmp_path,
        env=_env(tmp_path, DATABASE_URL=url),
        timeout=60,
    )
    assert result.returncode == 0, result.stderr
    assert "empty ->" in result.stdout


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@pytest.mark.parametrize("sig", [signal.SIGTERM, signal.SIGINT])
def test_run_without_channels_serves_health_explains_and_stops_cleanly(tmp_path: Path, sig: int) -> None:
    port = _free_port()
    proc = subprocess.Popen(
        [BIN, "run"],
        cwd=tmp_path,
        env=_env(tmp_path, HTTP_PORT=str(port)),
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        body = ""
        for _ in range(600):  # start-up imports take seconds on a busy machine
            try:
                body = urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz", timeout=1).read().decode()
                break
            except OSError:
                time.sleep(0.1)
        assert body == '{"database": "ok"}'
        proc.send_signal(sig)
        _, stderr = proc.communicate(timeout=20)
    finally:
        proc.kill()
    assert proc.returncode == 0, stderr
    assert "No chat channel is configured" in stderr and "p2k2-bot chat --demo" in stderr
    assert "Traceback" not in stderr


def test_a_new_pendamping_claims_the_role_from_their_own_terminal_chat(tmp_path: Path) -> None:
    added = subprocess.run([BIN, "pendamping", "add", "Bu Rina", "--json"], capture_output=True, text=True,
                           cwd=tmp_path, env=_env(tmp_path), timeout=60)  # fmt: skip
    assert added.returncode == 0, added.stderr
    code = json.loads(added.stdout)["claim_code"]
    result = subprocess.run([BIN, "chat", "--demo", "--chat", "rina"], input=f"{code}\nya\n",
                            capture_output=True, text=True, cwd=tmp_path, env=_env(tmp_path), timeout=60)  # fmt: skip
    assert result.returncode == 0, result.stderr
    assert "sebagai pendamping atas nama Bu Rina" in result.stdout
    assert "[1] Kelompok saya" in result.stdout.split("> ya", 1)[1]  # the pendamping menu
