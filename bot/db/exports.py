"""A kelompok's records as spreadsheets: members, RSVPs, attendance and quiz answers, one table each.
XLSX gives one workbook with a sheet per table; CSV gives one file per table (WhatsApp cannot send zips)."""

from __future__ import annotations

import csv
import io
import re
from datetime import datetime
from zoneinfo import ZoneInfo

from openpyxl import Workbook
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE
from sqlalchemy import and_, select
from sqlalchemy.ext.asyncio import AsyncSession

from bot.core.messages import Document
from bot.core.ports import KelompokView
from bot.db.models import Attendance, Meeting, Membership, QuizAnswer, Rsvp, User

Table = tuple[str, list[str], list[list[object]]]
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


async def tables(session: AsyncSession, kelompok: KelompokView) -> list[Table]:
    zone = ZoneInfo(kelompok.timezone)

    def local(when: datetime | None) -> str:
        return when.astimezone(zone).strftime("%Y-%m-%d %H:%M") if when else ""

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
            select(Meeting).where(Meeting.kelompok_id == kelompok.id).order_by(Meeting.starts_at)
        )
    ).all()
    meeting_ids = [m.id for m in meetings]
    when = {m.id: local(m.starts_at) for m in meetings}
    rsvps = (
        await session.execute(
            select(Rsvp.meeting_id, Rsvp.user_id, Rsvp.answer, Rsvp.reason, Rsvp.updated_at)
            .where(Rsvp.meeting_id.in_(meeting_ids), Rsvp.user_id.in_(member_ids))
            .order_by(Rsvp.meeting_id, Rsvp.user_id)
        )
    ).all()
    attendance = (
        await session.execute(
            select(Attendance.meeting_id, Attendance.user_id, Attendance.present, Attendance.recorded_at)
            .where(and_(Attendance.meeting_id.in_(meeting_ids), Attendance.user_id.in_(member_ids)))
            .order_by(Attendance.meeting_id, Attendance.user_id)
        )
    ).all()
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
    session_of = {m.id: m.session_number for m in meetings}
    return [
        (
            "anggota",
            ["id", "nama", "bergabung"],
            [[uid, names[uid], local(joined)] for uid, _, joined in members],
        ),
        (
            "rsvp",
            ["pertemuan", "sesi", "waktu", "id", "nama", "jawaban", "alasan", "diperbarui"],
            [
                [mid, session_of[mid], when[mid], uid, names[uid], answer, reason or "", local(at)]
                for mid, uid, answer, reason, at in rsvps
            ],
        ),
        (
            "kehadiran",
            ["pertemuan", "sesi", "waktu", "id", "nama", "hadir", "dicatat"],
            [
                [mid, session_of[mid], when[mid], uid, names[uid], "ya" if present else "tidak", local(at)]
                for mid, uid, present, at in attendance
                if uid is not None
            ],
        ),
        (
            "kuis",
            ["id", "nama", "sesi", "pertanyaan", "pilihan", "benar", "percobaan", "waktu"],
            [
                [
                    uid,
                    names[uid],
                    number,
                    qid,
                    "ABCD"[choice] if 0 <= choice < 4 else choice,
                    "ya" if correct else "tidak",
                    attempt,
                    local(at),
                ]
                for uid, number, qid, choice, correct, attempt, at in answers
                if uid is not None
            ],
        ),
    ]


# Text typed by KPM (names, RSVP reasons) must never run as a spreadsheet formula (CSV injection).
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def _csv_cell(value: object) -> object:
    return f"'{value}" if isinstance(value, str) and value.startswith(_FORMULA_START) else value


def _xlsx_cell(value: object) -> object:
    # openpyxl refuses control characters and would store text starting with "=" as a formula.
    return ILLEGAL_CHARACTERS_RE.sub("", value) if isinstance(value, str) else value


def _slug(name: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", name.lower()).strip("-") or "kelompok"


async def export_kelompok(
    session: AsyncSession, kelompok: KelompokView, fmt: str, now: datetime
) -> tuple[Document, ...]:
    stem = f"p2k2-{_slug(kelompok.name)}-{now.astimezone(ZoneInfo(kelompok.timezone)):%Y%m%d}"
    data = await tables(session, kelompok)
    if fmt == "csv":
        documents = []
        for title, header, rows in data:
            buffer = io.StringIO()
            writer = csv.writer(buffer)
            writer.writerow(header)
            writer.writerows([_csv_cell(v) for v in row] for row in rows)
            # A byte-order mark lets spreadsheet programs open the UTF-8 file with the right letters.
            content = ("\ufeff" + buffer.getvalue()).encode()
            documents.append(Document(f"{stem}-{title}.csv", content, "text/csv"))
        return tuple(documents)
    workbook = Workbook()
    workbook.remove(workbook.worksheets[0])
    for title, header, rows in data:
        sheet = workbook.create_sheet(title)
        sheet.append(header)
        for row in rows:
            sheet.append([_xlsx_cell(v) for v in row])
            for cell in sheet[sheet.max_row]:
                if isinstance(cell.value, str) and cell.value.startswith("="):
                    cell.data_type = "s"
    binary = io.BytesIO()
    workbook.save(binary)
    return (Document(f"{stem}.xlsx", binary.getvalue(), XLSX),)
