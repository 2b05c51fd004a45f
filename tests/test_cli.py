"""The installed `p2k2-bot` command, run as a newcomer would."""

import json
import os
import select
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
    """The caller's environment with the database in a temporary data directory, never the real home."""
    env = {
        k: v
        for k, v in os.environ.items()
        if not k.startswith(("DATABASE_URL", "EXPORTS_DIR", "TEST_", "HTTP_", "COLUMNS"))
    }
    env["XDG_DATA_HOME"] = str(tmp_path / "xdg")
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
    assert (tmp_path / "xdg" / "p2k2-bot" / "p2k2.db").exists() and not (tmp_path / "data").exists()
    assert f"Basis data: {tmp_path / 'xdg' / 'p2k2-bot' / 'p2k2.db'}" in result.stdout
    assert "Ketik pesan lalu Enter. Keluar: Ctrl-C atau Ctrl-D." in result.stdout
    assert result.stdout.rstrip().endswith("Sampai jumpa.")  # the end of the input (Ctrl-D)
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


def test_a_first_chat_on_an_empty_database_can_join_the_demo_group(tmp_path: Path) -> None:
    """The issue's check: with nothing set up, a typed code, a typed consent and a name give a member."""
    result = subprocess.run([BIN, "chat", "--chat", "x"], input="SIRNA1\nsetuju\nBu Ina\nMENU\n3\n",
                            capture_output=True, text=True, cwd=tmp_path, env=_env(tmp_path), timeout=60)  # fmt: skip
    assert result.returncode == 0, result.stderr
    assert "The database had no group yet" not in result.stdout  # the chat speaks Indonesian
    assert "Basis data belum punya kelompok: kelompok contoh Sirnajaya 1 ditambahkan" in result.stdout
    after_code = result.stdout.split("> SIRNA1", 1)[1]
    assert "tidak dikenal" not in after_code
    assert "Sirnajaya 1" in result.stdout.split("> 3", 1)[1]  # her meetings are those of Sirnajaya 1


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


def test_the_database_is_the_same_whatever_folder_the_chat_starts_in(tmp_path: Path) -> None:
    for folder in ("one", "two"):
        (tmp_path / folder).mkdir()
        result = subprocess.run([BIN, "chat", "--chat", "ina"], input="SIRNA1\n", capture_output=True,
                                text=True, cwd=tmp_path / folder, env=_env(tmp_path), timeout=60)  # fmt: skip
        assert result.returncode == 0, result.stderr
    assert list(tmp_path.glob("*/data")) == [] and (tmp_path / "xdg" / "p2k2-bot" / "p2k2.db").exists()


def _interruptible() -> None:
    signal.signal(signal.SIGINT, signal.SIG_DFL)


def _chat_until(proc: subprocess.Popen[bytes], seen: bytearray, text: str, seconds: float) -> str:
    """Reads the chat's output into `seen` until `text` appears, polling for at most `seconds`."""
    assert proc.stdout is not None
    fd = proc.stdout.fileno()
    deadline = time.monotonic() + seconds
    while text.encode() not in seen:
        left = deadline - time.monotonic()
        if left <= 0 or not select.select([fd], [], [], left)[0]:
            raise AssertionError(f"no {text!r} within {seconds} s; got {seen.decode()!r}")
        chunk = os.read(fd, 65536)
        if not chunk:
            raise AssertionError(f"output ended without {text!r}: {seen.decode()!r}")
        seen += chunk
    return seen.decode()


@pytest.mark.parametrize("leave", ["ctrl-c", "ctrl-d"])
def test_ctrl_c_or_ctrl_d_leaves_the_chat_at_once_with_a_goodbye(tmp_path: Path, leave: str) -> None:
    # As in a terminal, Ctrl-C must reach the chat: a shell's background job (CI) starts with it ignored.
    proc = subprocess.Popen([BIN, "chat", "--chat", "x"], stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, cwd=tmp_path, env=_env(tmp_path),
                            preexec_fn=_interruptible)  # fmt: skip
    seen = bytearray()
    try:
        assert proc.stdin is not None and proc.stderr is not None
        _chat_until(proc, seen, "Keluar: Ctrl-C atau Ctrl-D.", 60)
        _chat_until(proc, seen, "[1]", 30)  # the greeting: the chat now waits for input
        started = time.monotonic()
        if leave == "ctrl-c":
            proc.send_signal(signal.SIGINT)  # stdin stays open: the chat must not wait on it
        else:
            proc.stdin.close()
        output = _chat_until(proc, seen, "Sampai jumpa.", 5)
        proc.wait(timeout=5)
        assert time.monotonic() - started < 5
        stderr = proc.stderr.read().decode()
    finally:
        proc.kill()
        proc.wait()
    assert proc.returncode == 0, stderr  # leaving is the ordinary end of a chat, with Ctrl-C too
    assert output.rstrip().endswith("Sampai jumpa.")
    assert "Traceback" not in stderr


def test_the_demo_has_members_and_a_past_meeting_for_the_pendamping(tmp_path: Path) -> None:
    for _ in range(2):  # seeding twice changes nothing
        result = subprocess.run([BIN, "chat", "--demo", "--as", "pendamping"], input="", capture_output=True,
                                text=True, cwd=tmp_path, env=_env(tmp_path), timeout=60)  # fmt: skip
        assert result.returncode == 0, result.stderr
        assert "Ada 8 anggota, satu pertemuan yang sudah lewat" in result.stdout
