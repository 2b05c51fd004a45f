"""Exports of a kelompok's records: XLSX opened back with openpyxl and checked row by row, CSV parsed with
csv, both sent in the chat and audited; and the operator's `p2k2-bot export` command."""

from __future__ import annotations

import csv
import io
import json
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest
from openpyxl import load_workbook
from sqlalchemy import select

from bot.app import App
from bot.core.messages import Document
from bot.db.models import AuditEntry, Identity, QuizAnswer
from bot.demo import DemoData
from bot.settings import Settings
from tests.builders import add_members
from tests.conftest import joined
from tests.transcript import Chat, FakeClock

BIN = str(Path(sys.executable).with_name("p2k2-bot"))
MEETING = "2026-12-05 09:00"
JOINED = "2026-12-03 08:00"
TICKED = "2026-12-05 11:00"
REASON = '=HYPERLINK("http://x") anak sakit'  # typed text must stay text, never a formula
SHEETS = ["anggota", "rsvp", "kehadiran", "kuis"]
HEADERS = {
    "anggota": ["id", "nama", "bergabung"],
    "rsvp": ["pertemuan", "sesi", "waktu", "id", "nama", "jawaban", "alasan", "diperbarui"],
    "kehadiran": ["pertemuan", "sesi", "waktu", "id", "nama", "hadir", "dicatat"],
    "kuis": ["id", "nama", "sesi", "pertanyaan", "pilihan", "benar", "percobaan", "waktu"],
}


async def user_id(app: App, address: str) -> int:
    async with app.db.transaction() as session:
        return int(await session.scalar(select(Identity.user_id).where(Identity.address == address)))


async def seed(app: App, clock: FakeClock, demo: DemoData) -> dict[str, int]:
    """Siti says Hadir, Ani cannot come (with a reason), Budi never answers; Siti takes two quiz answers;
    after the meeting the pendamping ticks Siti and Budi present and leaves Ani absent."""
    siti, ani = Chat(app.service, "kpm-1"), Chat(app.service, "kpm-2")
    await joined(siti, "Ibu Siti")
    await joined(ani, "Ibu Ani")
    (budi,) = await add_members(app, demo.kelompok_id, ["Pak Budi"])
    ids = {"Ibu Siti": await user_id(app, "kpm-1"), "Ibu Ani": await user_id(app, "kpm-2"), "Pak Budi": budi}
    await siti.say("pertemuan")
    await siti.tap("Hadir")
    await ani.say("pertemuan")
    await ani.tap("Tidak bisa hadir")
    await ani.say(REASON)
    questions = app.curriculum.sessions[0].quiz
    async with app.db.transaction() as session:
        for question, choice, correct in ((questions[0], 1, True), (questions[1], 2, False)):
            session.add(
                QuizAnswer(
                    user_id=ids["Ibu Siti"],
                    session_number=1,
                    question_id=question.id,
                    choice=choice,
                    correct=correct,
                    attempt=1,
                    answered_at=clock(),
                )
            )
    clock.now = clock.now.replace(day=5, hour=4)  # Saturday 11.00 WIB
    pendamping = Chat(app.service, "pendamping")
    await pendamping.say("kehadiran")
    await pendamping.say("1")
    await pendamping.tap("Pak Budi")  # Siti is ticked already: she answered Hadir
    await pendamping.tap("Selesai")
    return ids


def expected_rows(app: App, demo: DemoData, ids: dict[str, int]) -> dict[str, list[list[object]]]:
    q1, q2 = (q.id for q in app.curriculum.sessions[0].quiz[:2])
    siti, ani, budi = ids["Ibu Siti"], ids["Ibu Ani"], ids["Pak Budi"]
    meeting = demo.meeting_id
    return {
        "anggota": [[ani, "Ibu Ani", JOINED], [siti, "Ibu Siti", JOINED], [budi, "Pak Budi", JOINED]],
        "rsvp": sorted(
            [
                [meeting, 1, MEETING, siti, "Ibu Siti", "yes", "", JOINED],
                [meeting, 1, MEETING, ani, "Ibu Ani", "no", REASON, JOINED],
            ],
            key=lambda row: row[3],  # type: ignore[arg-type,return-value]
        ),
        "kehadiran": sorted(
            [
                [meeting, 1, MEETING, siti, "Ibu Siti", "ya", TICKED],
                [meeting, 1, MEETING, ani, "Ibu Ani", "tidak", TICKED],
                [meeting, 1, MEETING, budi, "Pak Budi", "ya", TICKED],
            ],
            key=lambda row: row[3],  # type: ignore[arg-type,return-value]
        ),
        "kuis": [
            [siti, "Ibu Siti", 1, q1, "B", "ya", 1, JOINED],
            [siti, "Ibu Siti", 1, q2, "C", "tidak", 1, JOINED],
        ],
    }


def workbook_rows(content: bytes) -> dict[str, list[list[object]]]:
    workbook = load_workbook(io.BytesIO(content))
    assert workbook.sheetnames == SHEETS
    tables = {}
    for sheet in workbook.worksheets:
        rows = [["" if v is None else v for v in row] for row in sheet.iter_rows(values_only=True)]
        assert rows[0] == HEADERS[sheet.title]
        tables[sheet.title] = rows[1:]
    for row in workbook["rsvp"].iter_rows(min_row=2):
        assert all(cell.data_type != "f" for cell in row)  # no formula, whatever the KPM typed
    return tables


def csv_rows(content: bytes) -> list[list[str]]:
    assert content.startswith("\ufeff".encode())  # so spreadsheet programs read UTF-8
    return list(csv.reader(io.StringIO(content.decode("utf-8-sig"))))


async def test_xlsx_in_the_chat(app: App, clock: FakeClock, demo: DemoData) -> None:
    ids = await seed(app, clock, demo)
    pendamping = Chat(app.service, "pendamping")
    await pendamping.say("menu")
    await pendamping.tap("Ekspor")  # one kelompok: straight to the format
    pendamping.expect_reply(contains="Ekspor data Sirnajaya 1", buttons=["Excel (XLSX)", "CSV", "Menu"])
    await pendamping.tap("Excel (XLSX)")
    first, last = pendamping.replies
    assert first.document is not None and not first.buttons
    assert first.document.filename == "p2k2-sirnajaya-1-20261205.xlsx"
    assert first.document.mime_type == "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    assert "data pribadi" in last.text and last.document is None and pendamping.labels == ["Menu"]
    assert workbook_rows(first.document.content) == expected_rows(app, demo, ids)
    async with app.db.transaction() as session:
        audit = (await session.scalars(select(AuditEntry).where(AuditEntry.action == "export"))).all()
    me = await user_id(app, "pendamping")
    assert [(a.actor_user_id, a.target_type, a.target_id, a.allowed, a.detail) for a in audit] == [
        (me, "kelompok", demo.kelompok_id, True, {"format": "xlsx"})
    ]


async def test_csv_in_the_chat(app: App, clock: FakeClock, demo: DemoData) -> None:
    ids = await seed(app, clock, demo)
    pendamping = Chat(app.service, "pendamping")
    await pendamping.say("ekspor")
    await pendamping.say("2")  # CSV
    documents = [r.document for r in pendamping.replies if r.document is not None]
    assert [d.filename for d in documents] == [f"p2k2-sirnajaya-1-20261205-{t}.csv" for t in SHEETS]
    assert all(d.mime_type == "text/csv" for d in documents)
    assert "ada di 4 berkas di atas" in pendamping.replies[-1].text and pendamping.labels == ["Menu"]
    expected = expected_rows(app, demo, ids)
    for title, document in zip(SHEETS, documents, strict=True):
        rows = csv_rows(document.content)
        assert rows[0] == HEADERS[title]
        wanted = [[str(v) for v in row] for row in expected[title]]
        if title == "rsvp":  # text that a spreadsheet would run as a formula is quoted
            wanted = [[f"'{v}" if v == REASON else v for v in row] for row in wanted]
        assert rows[1:] == wanted


async def test_an_empty_kelompok_exports_headers_only(app: App, demo: DemoData) -> None:
    pendamping = Chat(app.service, "pendamping")
    await pendamping.tap_id(f"export:xlsx:{demo.kelompok_id}")
    document = pendamping.replies[0].document
    assert isinstance(document, Document)
    assert workbook_rows(document.content) == {title: [] for title in SHEETS}


def files_in(folder: Path) -> list[str]:
    return sorted(p.name for p in folder.iterdir())


def operator(settings: Settings, cwd: Path, *args: str) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("DATABASE_URL", "TEST_"))}
    env["DATABASE_URL"] = settings.database_url
    return subprocess.run(
        [BIN, "export", *args], capture_output=True, text=True, cwd=cwd, env=env, timeout=60
    )


async def test_export_command_writes_the_files(
    app: App, clock: FakeClock, demo: DemoData, settings: Settings, tmp_path: Path
) -> None:
    ids = await seed(app, clock, demo)
    expected = expected_rows(app, demo, ids)
    out = tmp_path / "out"
    out.mkdir()

    result = operator(
        settings, tmp_path, "--kelompok", "sirna1", "--format", "xlsx", "--out", "out/sirna.xlsx"
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout == "out/sirna.xlsx\n"
    assert workbook_rows((out / "sirna.xlsx").read_bytes()) == expected

    result = operator(
        settings, tmp_path, "--kelompok", "SIRNA1", "--format", "csv", "--out", "out/sirna", "--json"
    )
    assert result.returncode == 0, result.stderr
    printed = json.loads(result.stdout)
    assert printed["files"] == [f"out/sirna-{t}.csv" for t in SHEETS]
    assert (printed["kelompok_id"], printed["kelompok_code"], printed["format"]) == (
        demo.kelompok_id,
        "SIRNA1",
        "csv",
    )
    assert csv_rows((out / "sirna-anggota.csv").read_bytes())[1:] == [
        [str(v) for v in r] for r in expected["anggota"]
    ]

    result = operator(settings, tmp_path, "--kelompok", "SIRNA1", "--format", "CSV", "--out", str(out))
    assert result.returncode == 0, result.stderr
    written = result.stdout.splitlines()
    assert [re.sub(r"-\d{8}-", "-DATE-", p) for p in written] == [
        str(out / f"p2k2-sirnajaya-1-DATE-{t}.csv") for t in SHEETS
    ]
    assert files_in(out) == sorted(
        ["sirna.xlsx", *(f"sirna-{t}.csv" for t in SHEETS), *(Path(p).name for p in written)]
    )

    async with app.db.transaction() as session:
        audit = (await session.scalars(select(AuditEntry).where(AuditEntry.action == "export"))).all()
    assert [(a.actor_user_id, a.target_id, a.detail) for a in audit] == [
        (None, demo.kelompok_id, {"format": "xlsx", "source": "cli"}),
        (None, demo.kelompok_id, {"format": "csv", "source": "cli"}),
        (None, demo.kelompok_id, {"format": "csv", "source": "cli"}),
    ]


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--kelompok", "NOPE99", "--out", "x.xlsx"], "--kelompok 'NOPE99': no kelompok has this join code"),
        (["--kelompok", "SIRNA1", "--format", "pdf", "--out", "x.pdf"], "--format must be xlsx or csv"),
        (["--kelompok", "SIRNA1", "--out", "missing/x.xlsx"], "does not exist"),
    ],
)
async def test_export_command_refuses_bad_arguments(
    app: App, demo: DemoData, settings: Settings, tmp_path: Path, args: list[str], message: str
) -> None:
    work = tmp_path / "work"
    work.mkdir()
    result = operator(settings, work, *args)
    assert result.returncode == 2 and result.stdout == ""
    assert result.stderr.startswith("Error: ") and result.stderr.count("\n") == 1 and message in result.stderr
    assert files_in(work) == []
    async with app.db.transaction() as session:
        assert (await session.scalars(select(AuditEntry).where(AuditEntry.action == "export"))).all() == []
