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
from datetime import datetime
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
MEETING = datetime(2026, 12, 5, 9, 0)  # local WIB times, as the spreadsheet shows them
JOINED = datetime(2026, 12, 3, 8, 0)
TICKED = datetime(2026, 12, 5, 11, 0)
REASON = '=HYPERLINK("http://x") anak sakit'  # typed text must stay text, never a formula
SHEETS = ["kelompok", "pertemuan", "anggota", "undangan", "kehadiran", "kuis"]
HEADERS = {
    "kelompok": ["Keterangan", "Isi"],
    "pertemuan": ["Sesi", "Topik", "Waktu (WIB)", "Tempat", "Status", "Menjawab hadir", "Tercatat hadir"],
    "anggota": ["Nama", "ID anggota", "Bergabung pada"],
    "undangan": ["Waktu pertemuan (WIB)", "Sesi", "Nama", "ID anggota", "Jawaban", "Alasan", "Dijawab pada"],
    "kehadiran": ["Waktu pertemuan (WIB)", "Sesi", "Nama", "ID anggota", "Kehadiran", "Dicatat pada"],
    "kuis": [
        "Nama",
        "ID anggota",
        "Sesi",
        "Pertanyaan",
        "Jawaban dipilih",
        "Hasil",
        "Percobaan ke",
        "Dijawab pada",
    ],
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
    """What a person reads in each sheet: words, not codes; Budi, who never answered, is listed."""
    first = app.curriculum.sessions[0]
    q1, q2 = first.quiz[:2]
    siti, ani, budi = ids["Ibu Siti"], ids["Ibu Ani"], ids["Pak Budi"]
    return {
        "kelompok": [
            ["Kelompok", "Sirnajaya 1"],
            ["Desa", "Sirnajaya"],
            ["Pendamping", "Pendamping Demo"],
            ["Anggota", 3],
            ["Zona waktu", "WIB"],
            ["Diekspor pada", TICKED],
        ],
        "pertemuan": [[1, first.title, MEETING, "Balai Desa Sirnajaya", "Sudah lewat", 1, 2]],
        "anggota": [["Ibu Ani", ani, JOINED], ["Ibu Siti", siti, JOINED], ["Pak Budi", budi, JOINED]],
        "undangan": [
            [MEETING, 1, "Ibu Ani", ani, "Tidak bisa hadir", REASON, JOINED],
            [MEETING, 1, "Ibu Siti", siti, "Hadir", "", JOINED],
            [MEETING, 1, "Pak Budi", budi, "Belum menjawab", "", ""],
        ],
        "kehadiran": [
            [MEETING, 1, "Ibu Ani", ani, "Tidak hadir", TICKED],
            [MEETING, 1, "Ibu Siti", siti, "Hadir", TICKED],
            [MEETING, 1, "Pak Budi", budi, "Hadir", TICKED],
        ],
        "kuis": [
            ["Ibu Siti", siti, 1, q1.question, q1.options[1].text, "Benar", 1, JOINED],
            ["Ibu Siti", siti, 1, q2.question, q2.options[2].text, "Salah", 1, JOINED],
        ],
    }


def as_csv(value: object) -> str:
    return f"{value:%Y-%m-%d %H:%M}" if isinstance(value, datetime) else str(value)


def workbook_rows(content: bytes) -> dict[str, list[list[object]]]:
    workbook = load_workbook(io.BytesIO(content))
    assert workbook.sheetnames == SHEETS
    tables = {}
    for sheet in workbook.worksheets:
        rows = [["" if v is None else v for v in row] for row in sheet.iter_rows(values_only=True)]
        assert rows[0] == HEADERS[sheet.title]
        tables[sheet.title] = rows[1:]
    for row in workbook["undangan"].iter_rows(min_row=2):
        assert all(cell.data_type != "f" for cell in row)  # no formula, whatever the KPM typed
    for sheet in workbook.worksheets:  # a header a person can find: bold, frozen, wide enough to read
        assert all(cell.font.bold for cell in sheet[1]) and sheet.freeze_panes == "A2"
        assert all(sheet.column_dimensions[c.column_letter].width >= len(str(c.value)) for c in sheet[1])
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
    assert "ada di 6 berkas di atas" in pendamping.replies[-1].text and pendamping.labels == ["Menu"]
    expected = expected_rows(app, demo, ids)
    for title, document in zip(SHEETS, documents, strict=True):
        rows = csv_rows(document.content)
        assert rows[0] == HEADERS[title]
        wanted = [[as_csv(v) for v in row] for row in expected[title]]
        if title == "undangan":  # text that a spreadsheet would run as a formula is quoted
            wanted = [[f"'{v}" if v == REASON else v for v in row] for row in wanted]
        assert rows[1:] == wanted


async def test_an_empty_kelompok_exports_headers_only(app: App, demo: DemoData) -> None:
    pendamping = Chat(app.service, "pendamping")
    await pendamping.tap_id(f"export:xlsx:{demo.kelompok_id}")
    document = pendamping.replies[0].document
    assert isinstance(document, Document)
    tables = workbook_rows(document.content)
    assert tables["kelompok"][3] == ["Anggota", 0] and len(tables["pertemuan"]) == 1  # the demo's meeting
    assert all(tables[title] == [] for title in ("anggota", "undangan", "kehadiran", "kuis"))


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
    expected["kelompok"].pop()  # the command runs on the real clock: its export date is checked apart
    out = tmp_path / "out"
    out.mkdir()

    result = operator(
        settings, tmp_path, "--kelompok", "sirna1", "--format", "xlsx", "--out", "out/sirna.xlsx"
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout == "out/sirna.xlsx\n"
    written_rows = workbook_rows((out / "sirna.xlsx").read_bytes())
    label, exported = written_rows["kelompok"].pop()
    assert label == "Diekspor pada" and isinstance(exported, datetime) and exported.year >= 2026
    assert written_rows == expected

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
        [as_csv(v) for v in r] for r in expected["anggota"]
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
