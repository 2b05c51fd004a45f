"""The operator commands (`pendamping`, `kelompok`, `meeting`), run as the installed `p2k2-bot` script
against a SQLite file, plus the input checks behind them."""

from __future__ import annotations

import asyncio
import json
import os
import shutil
import sqlite3
import subprocess
import sys
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

from bot import operator_input as check
from bot.cli_operator import claim_link
from bot.db.codes import ALPHABET, new_code, unused_code
from bot.db.engine import Database
from bot.db.models import Pendamping

BIN = str(Path(sys.executable).with_name("p2k2-bot"))
TABLES = ("users", "identities", "pendamping", "kelompok", "meetings", "audit_log")


def kelompok_add(pendamping: object, timezone: str = "WIB", desa: str = "Sirnajaya") -> list[str]:
    return [
        "kelompok", "add", "Sirnajaya 1", "--pendamping", str(pendamping), "--desa", desa,
        "--kecamatan", "Serang Baru", "--kabupaten", "Bekasi", "--timezone", timezone,
    ]  # fmt: skip


def meeting_add(
    kelompok: str, at: str = "2030-01-06 09:00", place: str = "Balai", sesi: str = "1"
) -> list[str]:
    return ["meeting", "add", "--kelompok", kelompok, "--at", at, "--place", place, "--sesi", sesi]


def _env(tmp_path: Path, **extra: str) -> dict[str, str]:
    env = {
        k: v
        for k, v in os.environ.items()
        if not k.startswith(("DATABASE_URL", "TEST_", "HTTP_", "TELEGRAM_", "WHATSAPP_"))
    }
    env.update(extra)
    return env


class Operator:
    """Runs `p2k2-bot` on one SQLite file and reads that file back directly."""

    def __init__(self, workdir: Path) -> None:
        self.workdir = workdir
        self.path = workdir / "ops.db"

    def run(self, *args: str, **env: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [BIN, *args],
            capture_output=True,
            text=True,
            cwd=self.workdir,
            env=_env(self.workdir, DATABASE_URL=f"sqlite+aiosqlite:///{self.path}", **env),
            timeout=60,
        )

    def ok(self, *args: str) -> str:
        result = self.run(*args)
        assert result.returncode == 0, result.stderr
        assert "Traceback" not in result.stderr
        return result.stdout

    def json(self, *args: str) -> Any:
        stdout = self.ok(*args, "--json")
        assert len(stdout.strip().splitlines()) == 1
        return json.loads(stdout)

    def sql(self, statement: str, *params: object) -> list[tuple[Any, ...]]:
        with sqlite3.connect(self.path) as conn:
            return conn.execute(statement, params).fetchall()

    def counts(self) -> dict[str, int]:
        return {table: self.sql(f"SELECT count(*) FROM {table}")[0][0] for table in TABLES}


@pytest.fixture
def op(tmp_path: Path) -> Operator:
    return Operator(tmp_path)


@pytest.fixture(scope="module")
def seeded(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, str]:
    """One pendamping, one WIB kelompok and its meeting in 2030; returns the file and the join code."""
    seed = Operator(tmp_path_factory.mktemp("seed"))
    pendamping = seed.json("pendamping", "add", "Siti Aminah")
    code = seed.json(*kelompok_add(pendamping["id"]))["join_code"]
    seed.ok(*meeting_add(code, "2030-12-07 09:00"))
    return seed.path, code


def test_happy_path_from_pendamping_to_listed_meeting(op: Operator) -> None:
    pendamping = op.json("pendamping", "add", "Siti Aminah")
    assert len(pendamping["claim_code"]) == 8 and set(pendamping["claim_code"]) <= set(ALPHABET)
    assert pendamping["deep_link"] is None

    kelompok = op.json(*kelompok_add(pendamping["id"], "Asia/Jakarta"))
    code = kelompok["join_code"]
    assert len(code) == 6 and set(code) <= set(ALPHABET)
    assert (kelompok["pendamping_id"], kelompok["timezone"]) == (pendamping["id"], "Asia/Jakarta")

    added = op.ok(*meeting_add(code, "2030-12-07 09:00", "Balai Desa", "5"))
    assert added.startswith("meeting 1: Saturday, 7 December 2030 at 09:00 WIB, session 5, Balai Desa")
    meeting = op.json(*meeting_add(code.lower(), "2030-12-14 13.30", "Posyandu", "6"))
    assert meeting["when"] == "Sabtu, 14 Desember 2030 pukul 13.30 WIB"
    assert meeting["starts_at"] == "2030-12-14T06:30:00+00:00"
    assert (meeting["kelompok_id"], meeting["kelompok_code"]) == (kelompok["id"], code)

    listed = op.ok("meeting", "list", "--kelompok", code).splitlines()
    assert listed == [
        "meeting 1: Saturday, 7 December 2030 at 09:00 WIB, session 5, Balai Desa",
        f"meeting {meeting['id']}: Saturday, 14 December 2030 at 13:30 WIB, session 6, Posyandu",
    ]
    as_json = op.json("meeting", "list", "--kelompok", code)
    assert [m["id"] for m in as_json["meetings"]] == [1, meeting["id"]]
    assert as_json["meetings"][1] == {
        k: meeting[k] for k in ("id", "starts_at", "when", "timezone", "sesi", "place")
    }

    stored = op.sql("SELECT claim_code FROM pendamping WHERE id = ?", pendamping["id"])
    assert stored == [(pendamping["claim_code"],)]
    assert op.sql("SELECT join_code, pendamping_id FROM kelompok") == [(code, pendamping["id"])]
    audit = op.sql("SELECT action, target_type, target_id, actor_user_id, detail FROM audit_log ORDER BY id")
    assert [row[:4] for row in audit] == [
        ("pendamping.create", "pendamping", pendamping["id"], None),
        ("kelompok.create", "kelompok", kelompok["id"], None),
        ("meeting.create", "meeting", 1, None),
        ("meeting.create", "meeting", meeting["id"], None),
    ]
    details = " ".join(row[4] for row in audit)
    assert "Siti" not in details and pendamping["claim_code"] not in details


def test_readable_lines_and_a_wita_kelompok(op: Operator) -> None:
    lines = op.ok("pendamping", "add", "Budi Santoso", "--expires-days", "3").splitlines()
    assert lines[0].startswith('pendamping 1 "Budi Santoso": claim code ')
    assert "one-time, valid until" in lines[0] and lines[0].endswith(" WIB")
    assert lines[1] == "Send this code to the bot from the pendamping's own chat."
    expires = op.sql("SELECT claim_expires_at, created_at FROM pendamping")[0]
    delta = datetime.fromisoformat(expires[0]) - datetime.fromisoformat(expires[1])
    assert timedelta(days=2, hours=23) < delta <= timedelta(days=3)

    kelompok = op.ok(
        "kelompok", "add", "Tallo 2", "--pendamping", "1", "--desa", "Tallo", "--kecamatan", "Tallo",
        "--kabupaten", "Makassar", "--timezone", "wita",
    )  # fmt: skip
    assert kelompok.startswith(
        'kelompok 1 "Tallo 2" (Desa Tallo, Kec. Tallo, Kab. Makassar, WITA): join code '
    )
    code = kelompok.split()[-1]
    meeting = op.json(*meeting_add(code, "2030-12-07 09:00", "Masjid", "14"))
    assert meeting["when"] == "Sabtu, 7 Desember 2030 pukul 09.00 WITA"
    assert meeting["starts_at"] == "2030-12-07T01:00:00+00:00" and meeting["timezone"] == "Asia/Makassar"


def test_claim_code_comes_with_a_telegram_link_when_the_bot_username_is_known(op: Operator) -> None:
    result = op.run("pendamping", "add", "Siti Aminah", TELEGRAM_BOT_USERNAME="p2k2_bot")
    assert result.returncode == 0, result.stderr
    code = op.sql("SELECT claim_code FROM pendamping")[0][0]
    assert result.stdout.splitlines()[1:] == [
        "Send this code to the bot from the pendamping's own chat.",
        f"Or open this link in their Telegram: https://t.me/p2k2_bot?start={code}",
    ]
    result = op.run("pendamping", "add", "Budi", "--json", TELEGRAM_BOT_USERNAME="p2k2_bot")
    added = json.loads(result.stdout)
    assert added["deep_link"] == f"https://t.me/p2k2_bot?start={added['claim_code']}"


def test_an_empty_database_gets_its_schema_and_empty_lists(op: Operator) -> None:
    assert op.ok("pendamping", "list") == "no pendamping yet\n"
    assert op.json("pendamping", "list") == {"pendamping": []}
    assert op.counts()["pendamping"] == 0


def test_pendamping_list_shows_active_used_and_expired_codes_but_no_phone_numbers(op: Operator) -> None:
    first = op.json("pendamping", "add", "Siti Aminah")
    second = op.json("pendamping", "add", "Budi")
    listed = op.ok("pendamping", "list").splitlines()
    assert listed[0].startswith(f'pendamping {first["id"]} "Siti Aminah": not claimed; code active until 20')
    assert op.json("pendamping", "list")["pendamping"][0] | {"code_expires_at": None} == {
        "id": first["id"],
        "name": "Siti Aminah",
        "claimed": False,
        "claimed_at": None,
        "code_status": "active",
        "code_expires_at": None,
    }

    # The claim itself is the chat's job (issue 5); simulate it, with the WhatsApp number it came from.
    now = datetime.now(UTC).replace(tzinfo=None, microsecond=0)
    yesterday = (now - timedelta(days=1)).isoformat(sep=" ")
    with sqlite3.connect(op.path) as conn:
        user = conn.execute(
            "INSERT INTO users (role, display_name, locale, created_at) "
            "VALUES ('pendamping', 'Siti', 'id', ?)",
            (now.isoformat(sep=" "),),
        ).lastrowid
        conn.execute(
            "INSERT INTO identities (user_id, channel, address, reachable, created_at) "
            "VALUES (?, 'whatsapp', '6281234567890', 1, ?)",
            (user, now.isoformat(sep=" ")),
        )
        conn.execute(
            "UPDATE pendamping SET user_id = ?, claimed_at = ?, claim_code = NULL WHERE id = ?",
            (user, now.isoformat(sep=" "), first["id"]),
        )
        conn.execute("UPDATE pendamping SET claim_expires_at = ? WHERE id = ?", (yesterday, second["id"]))

    text = op.run("pendamping", "list")
    assert text.returncode == 0 and "6281234567890" not in text.stdout + text.stderr
    lines = text.stdout.splitlines()
    assert lines[0].startswith(f'pendamping {first["id"]} "Siti Aminah": claimed 20')
    assert lines[0].endswith("; code used")
    assert lines[1] == f'pendamping {second["id"]} "Budi": not claimed; code expired'
    items = op.json("pendamping", "list")["pendamping"]
    assert [(p["claimed"], p["code_status"]) for p in items] == [(True, "used"), (False, "expired")]
    assert "6281234567890" not in json.dumps(items)


BAD_ARGUMENTS = [
    (kelompok_add(999), "--pendamping 999: no pendamping has this id"),
    (kelompok_add(1, timezone="Europe/Berlin"), "is not an Indonesian time zone"),
    (kelompok_add("one"), "--pendamping must be a positive id"),
    (kelompok_add(1, desa=" "), "--desa must not be empty"),
    (meeting_add("{code}", at="2020-01-06 09:00"), "is in the past"),
    (meeting_add("{code}", sesi="15"), "--sesi must be a P2K2 session from 1 to 14"),
    (meeting_add("{code}", sesi="x"), "--sesi must be a P2K2 session from 1 to 14"),
    (meeting_add("NOPE99"), "--kelompok 'NOPE99': no kelompok has this join code"),
    (meeting_add("{code}", at="5 Des"), "use YYYY-MM-DD HH:MM"),
    (meeting_add("{code}", at="2030-02-31 09:00"), "not a real date"),
    (meeting_add("{code}", place=""), "--place must not be empty"),
    (["meeting", "list", "--kelompok", "NOPE99"], "no kelompok has this join code"),
    (["pendamping", "add", ""], "the name must not be empty"),
    (["pendamping", "add", "Siti", "--expires-days", "0"], "--expires-days must be"),
]


@pytest.mark.parametrize(("args", "message"), BAD_ARGUMENTS)
def test_bad_arguments_exit_2_with_one_line_and_change_nothing(
    seeded: tuple[Path, str], tmp_path: Path, args: list[str], message: str
) -> None:
    source, code = seeded
    op = Operator(tmp_path)
    shutil.copy(source, op.path)
    before = op.counts()
    result = op.run(*(arg.replace("{code}", code) for arg in args))
    assert result.returncode == 2, result.stdout
    assert result.stderr.startswith("Error: ") and result.stderr.count("\n") == 1, result.stderr
    assert message in result.stderr
    assert result.stdout == ""
    assert op.counts() == before


# The input checks themselves.


@pytest.mark.parametrize(
    ("typed", "zone"),
    [
        ("WIB", "Asia/Jakarta"),
        ("wita", "Asia/Makassar"),
        (" WIT ", "Asia/Jayapura"),
        ("Asia/Pontianak", "Asia/Pontianak"),
        ("asia/jakarta", "Asia/Jakarta"),
    ],
)
def test_timezone_accepts_the_indonesian_zones_and_their_shorthands(typed: str, zone: str) -> None:
    assert check.timezone(typed) == zone


@pytest.mark.parametrize("typed", ["Europe/Berlin", "UTC", "", "WITB", "Asia/Singapore"])
def test_timezone_refuses_anything_else(typed: str) -> None:
    with pytest.raises(check.OperatorInputError, match="--timezone"):
        check.timezone(typed)


def test_local_time_reads_the_wall_clock_of_the_zone() -> None:
    assert check.local_time("2026-12-05 09:00", "Asia/Jakarta").astimezone(UTC) == datetime(
        2026, 12, 5, 2, 0, tzinfo=UTC
    )
    assert check.local_time("2026-12-05 09.00", "Asia/Jayapura").astimezone(UTC) == datetime(
        2026, 12, 5, 0, 0, tzinfo=UTC
    )
    assert check.local_time(" 2026-1-5 9:05 ", "Asia/Makassar").astimezone(UTC) == datetime(
        2026, 1, 5, 1, 5, tzinfo=UTC
    )


@pytest.mark.parametrize(
    ("typed", "message"),
    [
        ("5 Des", "YYYY-MM-DD HH:MM"),
        ("2026-12-05", "YYYY-MM-DD HH:MM"),
        ("05-12-2026 09:00", "YYYY-MM-DD HH:MM"),
        ("2026-12-05 09:00 WIB", "YYYY-MM-DD HH:MM"),
        ("2026-02-31 09:00", "not a real date"),
        ("2026-12-05 24:00", "not a real date"),
    ],
)
def test_local_time_refuses_other_forms(typed: str, message: str) -> None:
    with pytest.raises(check.OperatorInputError, match=message):
        check.local_time(typed, "Asia/Jakarta")


def test_future_time_refuses_now_and_the_past() -> None:
    now = datetime(2026, 12, 3, 1, 0, tzinfo=UTC)  # 08.00 WIB
    assert check.future_time("2026-12-03 08:01", "Asia/Jakarta", now) > now
    with pytest.raises(check.OperatorInputError, match=r"in the past \(it is now 2026-12-03 08:00 WIB\)"):
        check.future_time("2026-12-03 08:00", "Asia/Jakarta", now)
    with pytest.raises(check.OperatorInputError, match="09:00 WITA"):
        check.future_time("2026-12-03 08:59", "Asia/Makassar", now)


def test_numbers_and_text() -> None:
    assert [check.session_number(n) for n in ("1", "14", 7)] == [1, 14, 7]
    for bad in ("0", "15", "lima", ""):
        with pytest.raises(check.OperatorInputError, match="--sesi"):
            check.session_number(bad)
    assert check.claim_days("7") == 7
    with pytest.raises(check.OperatorInputError, match="--expires-days"):
        check.claim_days("91")
    assert check.record_id("12", "--pendamping") == 12
    with pytest.raises(check.OperatorInputError, match="--pendamping must be a positive id"):
        check.record_id("-1", "--pendamping")
    assert check.required_text("  Balai Desa ", "--place", 200) == "Balai Desa"
    with pytest.raises(check.OperatorInputError, match="single line"):
        check.required_text("Balai\nDesa", "--place", 200)
    with pytest.raises(check.OperatorInputError, match="too long"):
        check.required_text("x" * 81, "--desa", 80)


def test_codes_and_claim_links() -> None:
    codes = {new_code(8) for _ in range(200)}
    assert len(codes) == 200 and all(len(c) == 8 and set(c) <= set(ALPHABET) for c in codes)
    assert not set("01OIL") & set(ALPHABET)
    assert claim_link("ABCD2345", None) is None
    assert claim_link("ABCD2345", "@p2k2_bot") == "https://t.me/p2k2_bot?start=ABCD2345"


async def test_unused_code_retries_past_codes_already_taken(db: Database) -> None:
    taken = set(ALPHABET[:15])
    now = datetime(2026, 12, 3, tzinfo=UTC)
    async with db.transaction() as session:
        session.add_all(Pendamping(name=f"P{c}", claim_code=c, created_at=now) for c in sorted(taken))
        await session.flush()
        # One-letter codes with half of them taken: each draw collides half the time, so this only
        # passes if collisions are retried (50 draws all colliding: about 1 in 10^16).
        assert {await unused_code(session, Pendamping.claim_code, 1) for _ in range(20)}.isdisjoint(taken)


async def test_a_meeting_added_from_the_cli_plans_reminders_for_members(app, demo, tmp_path: Path) -> None:
    from sqlalchemy import select

    from bot.db.models import OutboxMessage
    from tests.conftest import joined
    from tests.transcript import Chat

    await joined(Chat(app.service, "kpm-1"))
    result = await asyncio.to_thread(
        subprocess.run,
        [BIN, "meeting", "add", "--kelompok", "SIRNA1", "--at", "2030-03-02 09:00", "--place", "Balai Desa",
         "--sesi", "8", "--json"],
        capture_output=True, text=True, cwd=tmp_path, env=_env(tmp_path, DATABASE_URL=app.settings.database_url),
        timeout=120,
    )  # fmt: skip
    assert result.returncode == 0, result.stderr
    meeting_id = json.loads(result.stdout)["id"]
    async with app.db.transaction() as session:
        rows = (await session.execute(
            select(OutboxMessage.kind, OutboxMessage.due_at).where(OutboxMessage.meeting_id == meeting_id)
        )).all()  # fmt: skip
    due = sorted(d.isoformat() for kind, d in rows if kind == "reminder")
    assert due == ["2030-03-01T02:00:00+00:00", "2030-03-02T00:00:00+00:00"]
    assert [kind for kind, _ in rows].count("invitation") == 1  # the member is invited at once


def test_kelompok_list_shows_join_codes_pendamping_and_member_counts(op: Operator) -> None:
    assert op.ok("kelompok", "list").splitlines() == ["no kelompok yet"]
    rina = op.json("pendamping", "add", "Bu Rina")["id"]
    tuti = op.json("pendamping", "add", "Bu Tuti")["id"]
    first = op.json(*kelompok_add(rina))
    second = op.json(*kelompok_add(tuti, desa="Mekarsari"))
    now = datetime.now(UTC).isoformat()
    op.sql("INSERT INTO users (id, role, locale, created_at) VALUES (50, 'kpm', 'id', ?)", now)
    op.sql("INSERT INTO memberships (user_id, kelompok_id, joined_at) VALUES (50, ?, ?)", first["id"], now)

    assert op.ok("kelompok", "list").splitlines() == [
        f'kelompok {first["id"]} "Sirnajaya 1" (Desa Sirnajaya): join code {first["join_code"]}, '
        f'pendamping {rina} "Bu Rina", 1 member',
        f'kelompok {second["id"]} "Sirnajaya 1" (Desa Mekarsari): join code {second["join_code"]}, '
        f'pendamping {tuti} "Bu Tuti", 0 members',
    ]
    only_tuti = op.json("kelompok", "list", "--pendamping", str(tuti))["kelompok"]
    assert only_tuti == [
        {
            "id": second["id"],
            "name": "Sirnajaya 1",
            "desa": "Mekarsari",
            "join_code": second["join_code"],
            "timezone": "Asia/Jakarta",
            "pendamping_id": tuti,
            "pendamping": "Bu Tuti",
            "members": 0,
        }
    ]
    refused = op.run("kelompok", "list", "--pendamping", "x")
    assert refused.returncode == 2 and "--pendamping" in refused.stderr


def test_operator_help_names_flags_without_a_bool_placeholder(op: Operator) -> None:
    top = op.ok("--help")
    assert "--help  Show this message and exit." in top and "<bool>" not in top
    assert "<bool>" not in op.ok("chat", "--help")
    assert "list" in op.ok("kelompok", "--help")
    paragraph = op.ok("run", "--help").split("\n\n")[1].splitlines()
    assert "the scheduler until Ctrl-C or SIGTERM." in " ".join(line.strip() for line in paragraph)
    assert all(len(line) > 60 for line in paragraph[:-1])  # filled lines, not broken mid-sentence
