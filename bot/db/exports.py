"""A kelompok's records as spreadsheets a person can read and pass on to the Dinas as they are: a header
sheet (kelompok, desa, pendamping, export date), the meetings, the members, every member's answer to every
invitation ("Belum menjawab" included, since those are whom a pendamping calls), attendance, and quiz
answers with the question and the chosen answer written out. Words are Indonesian, as the Dinas reads
them. XLSX gives one workbook with a sheet per table (real dates, bold frozen header, column widths);
CSV gives one file per table (WhatsApp cannot send zips)."""

from __future__ import annotations

import csv
import io
import re
from collections import Counter
from dataclasses import dataclass
from datetime import datetime
from zoneinfo import ZoneInfo

from openpyxl import Workbook
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE
from openpyxl.styles import Font
from openpyxl.utils import get_column_letter
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from bot.core.content import Curriculum
from bot.core.messages import Document
from bot.core.ports import KelompokView
from bot.core.timefmt import zone_abbreviation
from bot.db.models import Attendance, Meeting, Membership, QuizAnswer, Rsvp, User

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
ANSWERS = {"yes": "Hadir", "no": "Tidak bisa hadir", "maybe": "Belum tahu"}
NO_ANSWER = "Belum menjawab"
DATE_FORMAT = "dd/mm/yyyy hh:mm"
WIDEST = 60


@dataclass(frozen=True)
class Table:
    title: str  # the sheet's name, and the CSV file's suffix
    header: list[str]
    rows: list[list[object]]


async def tables(
    session: AsyncSession, kelompok: KelompokView, curriculum: Curriculum, now: datetime
) -> list[Table]:
    zone = ZoneInfo(kelompok.timezone)
    abbreviation = zone_abbreviation(now, kelompok.timezone)

    def local(when: datetime | None) -> datetime | None:
        return _local(when, zone)

    members = (
        await session.execute(
            select(User.id, User.display_name, Membership.joined_at)
            .join(Membership, Membership.user_id == User.id)
            .where(Membership.kelompok_id == kelompok.id, Membership.left_at.is_(None))
            .order_by(User.display_name, User.id)
        )
    ).all()
    member_ids = [m[0] for m in members]
    names = {uid: name or f"#{uid}" for uid, name, _ in members}
    meetings = (
        await session.scalars(
            select(Meeting).where(Meeting.kelompok_id == kelompok.id).order_by(Meeting.starts_at, Meeting.id)
        )
    ).all()
    meeting_ids = [m.id for m in meetings]
    rsvps = {
        (mid, uid): (answer, reason, at)
        for mid, uid, answer, reason, at in await session.execute(
            select(Rsvp.meeting_id, Rsvp.user_id, Rsvp.answer, Rsvp.reason, Rsvp.updated_at).where(
                Rsvp.meeting_id.in_(meeting_ids), Rsvp.user_id.in_(member_ids)
            )
        )
    }
    attendance = {
        (mid, uid): (present, at)
        for mid, uid, present, at in await session.execute(
            select(
                Attendance.meeting_id, Attendance.user_id, Attendance.present, Attendance.recorded_at
            ).where(Attendance.meeting_id.in_(meeting_ids), Attendance.user_id.in_(member_ids))
        )
    }
    answers = (
        await session.execute(
            select(
                QuizAnswer.user_id,
                QuizAnswer.session_number,
                QuizAnswer.question_id,
                QuizAnswer.choice,
                QuizAnswer.correct,
                QuizAnswer.attempt,
                QuizAnswer.answered_at,
            )
            .where(QuizAnswer.user_id.in_(member_ids))
            .order_by(QuizAnswer.user_id, QuizAnswer.id)
        )
    ).all()

    def topic(number: int) -> str:
        found = curriculum.session(number)
        return found.title if found else ""

    def status(meeting: Meeting) -> str:
        if meeting.status == "cancelled":
            return "Dibatalkan"
        return "Sudah lewat" if meeting.starts_at <= now else "Terjadwal"

    said_yes = Counter(mid for (mid, _), (answer, _, _) in rsvps.items() if answer == "yes")
    present = Counter(mid for (mid, _), (was_there, _) in attendance.items() if was_there)
    held = [m for m in meetings if m.status != "cancelled"]
    past = [m for m in held if m.starts_at <= now]
    return [
        Table(
            "kelompok",
            ["Keterangan", "Isi"],
            [
                ["Kelompok", kelompok.name],
                ["Desa", kelompok.desa],
                ["Pendamping", kelompok.pendamping_name],
                ["Anggota", len(members)],
                ["Zona waktu", abbreviation],
                ["Diekspor pada", local(now)],
            ],
        ),
        Table(
            "pertemuan",
            [
                "Sesi",
                "Topik",
                f"Waktu ({abbreviation})",
                "Tempat",
                "Status",
                "Menjawab hadir",
                "Tercatat hadir",
            ],
            [
                [
                    m.session_number,
                    topic(m.session_number),
                    local(m.starts_at),
                    m.place,
                    status(m),
                    said_yes[m.id],
                    present[m.id],
                ]
                for m in meetings
            ],
        ),
        Table(
            "anggota",
            ["Nama", "ID anggota", "Bergabung pada"],
            [[names[uid], uid, local(joined)] for uid, _, joined in members],
        ),
        Table(
            "undangan",
            [
                f"Waktu pertemuan ({abbreviation})",
                "Sesi",
                "Nama",
                "ID anggota",
                "Jawaban",
                "Alasan",
                "Dijawab pada",
            ],
            [
                [
                    local(m.starts_at),
                    m.session_number,
                    names[uid],
                    uid,
                    *_answer(rsvps.get((m.id, uid)), zone),
                ]
                for m in held
                for uid in member_ids
            ],
        ),
        Table(
            "kehadiran",
            [f"Waktu pertemuan ({abbreviation})", "Sesi", "Nama", "ID anggota", "Kehadiran", "Dicatat pada"],
            [
                [
                    local(m.starts_at),
                    m.session_number,
                    names[uid],
                    uid,
                    *_presence(attendance.get((m.id, uid)), zone),
                ]
                for m in past
                for uid, _, joined in members
                if joined <= m.starts_at or (m.id, uid) in attendance  # not those who joined after it
            ],
        ),
        Table(
            "kuis",
            [
                "Nama",
                "ID anggota",
                "Sesi",
                "Pertanyaan",
                "Jawaban dipilih",
                "Hasil",
                "Percobaan ke",
                "Dijawab pada",
            ],
            [
                [
                    names[uid],
                    uid,
                    number,
                    *_question(curriculum, number, qid, choice),
                    "Benar" if correct else "Salah",
                    attempt,
                    local(at),
                ]
                for uid, number, qid, choice, correct, attempt, at in answers
                if uid is not None
            ],
        ),
    ]


def _local(when: datetime | None, zone: ZoneInfo) -> datetime | None:
    """The kelompok's wall-clock time, without a zone: spreadsheets store dates that way."""
    return when.astimezone(zone).replace(tzinfo=None) if when else None


def _answer(row: tuple[str, str | None, datetime] | None, zone: ZoneInfo) -> list[object]:
    if row is None:
        return [NO_ANSWER, "", None]
    answer, reason, at = row
    return [ANSWERS.get(answer, answer), reason or "", _local(at, zone)]


def _presence(row: tuple[bool, datetime] | None, zone: ZoneInfo) -> list[object]:
    if row is None:
        return ["Belum dicatat", None]
    present, at = row
    return ["Hadir" if present else "Tidak hadir", _local(at, zone)]


def _question(curriculum: Curriculum, number: int, question_id: str, choice: int) -> list[object]:
    """The question and the chosen answer as the member read them; the ids when the content has changed."""
    found = curriculum.session(number)
    question = next((q for q in found.quiz if q.id == question_id), None) if found else None
    if question is None or not 0 <= choice < len(question.options):
        return [question_id, choice]
    return [question.question, question.options[choice].text]


# Text typed by KPM (names, RSVP reasons) must never run as a spreadsheet formula (CSV injection).
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def _csv_cell(value: object) -> object:
    if isinstance(value, datetime):
        return f"{value:%Y-%m-%d %H:%M}"
    if value is None:
        return ""
    return f"'{value}" if isinstance(value, str) and value.startswith(_FORMULA_START) else value


def _xlsx_cell(value: object) -> object:
    # openpyxl refuses control characters and would store text starting with "=" as a formula.
    return ILLEGAL_CHARACTERS_RE.sub("", value) if isinstance(value, str) else value


def _shown_width(value: object) -> int:
    return 16 if isinstance(value, datetime) else len(str(value)) if value is not None else 0


def _slug(name: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", name.lower()).strip("-") or "kelompok"


async def export_kelompok(
    session: AsyncSession, kelompok: KelompokView, curriculum: Curriculum, fmt: str, now: datetime
) -> tuple[Document, ...]:
    stem = f"p2k2-{_slug(kelompok.name)}-{now.astimezone(ZoneInfo(kelompok.timezone)):%Y%m%d}"
    data = await tables(session, kelompok, curriculum, now)
    if fmt == "csv":
        documents = []
        for table in data:
            buffer = io.StringIO()
            writer = csv.writer(buffer)
            writer.writerow(table.header)
            writer.writerows([_csv_cell(v) for v in row] for row in table.rows)
            # A byte-order mark lets spreadsheet programs open the UTF-8 file with the right letters.
            content = ("\ufeff" + buffer.getvalue()).encode()
            documents.append(Document(f"{stem}-{table.title}.csv", content, "text/csv"))
        return tuple(documents)
    workbook = Workbook()
    workbook.remove(workbook.worksheets[0])
    for table in data:
        sheet = workbook.create_sheet(table.title)
        sheet.append(table.header)
        for cell in sheet[1]:
            cell.font = Font(bold=True)
        sheet.freeze_panes = "A2"
        for row in table.rows:
            sheet.append([_xlsx_cell(v) for v in row])
            for cell in sheet[sheet.max_row]:
                if isinstance(cell.value, str) and cell.value.startswith("="):
                    cell.data_type = "s"
                elif isinstance(cell.value, datetime):
                    cell.number_format = DATE_FORMAT
        for index, column in enumerate(zip(table.header, *table.rows, strict=False), start=1):
            widest = max(_shown_width(v) for v in column)
            sheet.column_dimensions[get_column_letter(index)].width = min(widest + 2, WIDEST)
    binary = io.BytesIO()
    workbook.save(binary)
    return (Document(f"{stem}.xlsx", binary.getvalue(), XLSX),)
