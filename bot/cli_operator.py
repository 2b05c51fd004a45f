"""Operator commands for district operators and scripts: `pendamping`, `kelompok` and `meeting`.

Each prints one readable line per item, or exactly one JSON object with `--json`. A bad argument prints
one line on stderr and exits with code 2, changing nothing: every command validates its input, then
writes in a single transaction that rolls back on any refusal. The three command groups stay in one
module, just over 400 lines, because they share its validation, transaction and output helpers; the
next group added should move them to a module of their own first."""

from __future__ import annotations

import asyncio
import json
import os
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, NoReturn, TypeVar
from zoneinfo import ZoneInfo

import typer
from sqlalchemy.exc import OperationalError
from sqlalchemy.ext.asyncio import AsyncSession

from bot import operator_input as check
from bot.app import StartupError, prepare_schema, utc_now
from bot.content_loader import load_curriculum
from bot.core.reminders import ReminderPolicy
from bot.core.timefmt import format_when, zone_abbreviation
from bot.db import exports
from bot.db import kelompok as kelompok_db
from bot.db import meetings as meetings_db
from bot.db import pendamping as pendamping_db
from bot.db.audit import audit
from bot.db.engine import Database, make_engine
from bot.db.reminders import plan_reminders
from bot.logs import configure_logging
from bot.settings import Settings, SettingsError, load_settings

pendamping_cli = typer.Typer(help="Create pendamping and see their claim codes.", no_args_is_help=True)
kelompok_cli = typer.Typer(help="Create and list kelompok (family groups).", no_args_is_help=True)
meeting_cli = typer.Typer(help="Schedule and list kelompok meetings.", no_args_is_help=True)

T = TypeVar("T")
Work = Callable[[AsyncSession, datetime], Awaitable[T]]


def _json_option() -> Any:
    return typer.Option(False, "--json", help="Print one JSON object instead of readable lines.")


def _fail(message: str, code: int = 2) -> NoReturn:
    typer.echo(f"Error: {message}", err=True)
    raise typer.Exit(code)


def _settings() -> Settings:
    try:
        settings = load_settings()
    except SettingsError as exc:
        _fail(str(exc))
    configure_logging(settings.log_level, settings.log_format, settings.secrets())
    return settings


def _in_transaction(settings: Settings, work: Work[T]) -> T:
    """Runs `work` in one transaction on the configured database, creating the schema if it is empty."""

    async def main() -> T:
        db = Database(make_engine(settings.database_url))
        try:
            await prepare_schema(db)
            async with db.transaction() as session:
                return await work(session, utc_now())
        finally:
            await db.close()

    try:
        return asyncio.run(main())
    except (check.OperatorInputError, kelompok_db.UnknownPendamping) as exc:
        _fail(str(exc))
    except StartupError as exc:
        _fail(str(exc), 1)
    except (OperationalError, OSError) as exc:
        _fail(f"cannot use the database named by DATABASE_URL ({type(exc).__name__})", 1)


def _validated(value: Callable[[], T]) -> T:
    try:
        return value()
    except check.OperatorInputError as exc:
        _fail(str(exc))


def _emit(as_json: bool, data: dict[str, Any], lines: list[str]) -> None:
    if as_json:
        typer.echo(json.dumps(data, ensure_ascii=False))
        return
    for line in lines:
        typer.echo(line)


def _local(when: datetime, zone: str) -> str:
    return f"{when.astimezone(ZoneInfo(zone)):%Y-%m-%d %H:%M} {zone_abbreviation(when, zone)}"


def _iso(when: datetime | None) -> str | None:
    return when.isoformat() if when else None


def claim_link(code: str, bot_username: str | None) -> str | None:
    """The Telegram deep link that claims the role in one tap, when the bot's username is known."""
    return f"https://t.me/{bot_username.lstrip('@')}?start={code}" if bot_username else None


def print_pendamping_added(
    new: pendamping_db.NewPendamping, name: str, zone: str, as_json: bool, bot_username: str | None
) -> None:
    link = claim_link(new.claim_code, bot_username)
    lines = [
        f'pendamping {new.id} "{name}": claim code {new.claim_code}, '
        f"one-time, valid until {_local(new.claim_expires_at, zone)}",
        "Send this code to the bot from the pendamping's own chat.",
    ]
    if link:
        lines.append(f"Or open this link in their Telegram: {link}")
    data = {
        "id": new.id,
        "name": name,
        "claim_code": new.claim_code,
        "claim_expires_at": _iso(new.claim_expires_at),
        "deep_link": link,
    }
    _emit(as_json, data, lines)


@pendamping_cli.command("add")
def pendamping_add(
    name: str = typer.Argument(..., help='The pendamping\'s name, e.g. "Siti Aminah".'),
    expires_days: str = typer.Option(
        str(pendamping_db.DEFAULT_CLAIM_DAYS),
        "--expires-days",
        metavar="DAYS",
        help="Days the claim code stays valid (1-90).",
    ),
    as_json: bool = _json_option(),
) -> None:
    """Create a pendamping and print a one-time code that claims the role from their chat."""
    clean_name = _validated(lambda: check.required_text(name, "the name", 80))
    days = _validated(lambda: check.claim_days(expires_days))
    settings = _settings()

    async def work(session: AsyncSession, now: datetime) -> pendamping_db.NewPendamping:
        return await pendamping_db.create_pendamping(session, clean_name, now, days)

    new = _in_transaction(settings, work)
    print_pendamping_added(
        new, clean_name, settings.default_timezone, as_json, bot_username=settings.telegram_bot_username
    )


@pendamping_cli.command("list")
def pendamping_list(as_json: bool = _json_option()) -> None:
    """List every pendamping: claimed or not, and the state of their claim code."""
    settings = _settings()
    zone = settings.default_timezone

    async def work(session: AsyncSession, now: datetime) -> list[pendamping_db.PendampingStatus]:
        return await pendamping_db.list_pendamping(session, now)

    rows = _in_transaction(settings, work)
    lines = []
    for p in rows:
        claimed = f"claimed {_local(p.claimed_at, zone)}" if p.claimed_at else "not claimed"
        code = p.code_status.value
        if p.code_status is pendamping_db.CodeStatus.ACTIVE and p.code_expires_at:
            code = f"active until {_local(p.code_expires_at, zone)}"
        lines.append(f'pendamping {p.id} "{p.name}": {claimed}; code {code}')
    items = [
        {
            "id": p.id,
            "name": p.name,
            "claimed": p.claimed_at is not None,
            "claimed_at": _iso(p.claimed_at),
            "code_status": p.code_status.value,
            "code_expires_at": _iso(p.code_expires_at),
        }
        for p in rows
    ]
    _emit(as_json, {"pendamping": items}, lines or ["no pendamping yet"])


@kelompok_cli.command("add")
def kelompok_add(
    name: str = typer.Argument(..., help='The kelompok\'s name, e.g. "Sirnajaya 1".'),
    pendamping: str = typer.Option(
        ..., "--pendamping", metavar="ID", help="Id of the pendamping who runs it."
    ),
    desa: str = typer.Option(..., "--desa"),
    kecamatan: str = typer.Option(..., "--kecamatan"),
    kabupaten: str = typer.Option(..., "--kabupaten"),
    timezone: str = typer.Option(
        ..., "--timezone", help="WIB, WITA, WIT or Asia/Jakarta, Asia/Pontianak, ..."
    ),
    as_json: bool = _json_option(),
) -> None:
    """Create a kelompok and print its join code."""
    clean_name = _validated(lambda: check.required_text(name, "the name", 80))
    clean_desa = _validated(lambda: check.required_text(desa, "--desa", 80))
    clean_kecamatan = _validated(lambda: check.required_text(kecamatan, "--kecamatan", 80))
    clean_kabupaten = _validated(lambda: check.required_text(kabupaten, "--kabupaten", 80))
    zone = _validated(lambda: check.timezone(timezone))
    pendamping_id = _validated(lambda: check.record_id(pendamping, "--pendamping"))
    settings = _settings()

    async def work(session: AsyncSession, now: datetime) -> kelompok_db.NewKelompok:
        return await kelompok_db.create_kelompok(
            session,
            pendamping_id=pendamping_id,
            name=clean_name,
            desa=clean_desa,
            kecamatan=clean_kecamatan,
            kabupaten=clean_kabupaten,
            timezone=zone,
            now=now,
        )

    new = _in_transaction(settings, work)
    place = f"Desa {clean_desa}, Kec. {clean_kecamatan}, Kab. {clean_kabupaten}"
    abbreviation = zone_abbreviation(utc_now(), zone)
    line = f'kelompok {new.id} "{clean_name}" ({place}, {abbreviation}): join code {new.join_code}'
    data = {
        "id": new.id,
        "join_code": new.join_code,
        "name": clean_name,
        "pendamping_id": pendamping_id,
        "desa": clean_desa,
        "kecamatan": clean_kecamatan,
        "kabupaten": clean_kabupaten,
        "timezone": zone,
    }
    _emit(as_json, data, [line])


@kelompok_cli.command("list")
def kelompok_list(
    pendamping: str = typer.Option(
        "", "--pendamping", metavar="ID", help="Only the kelompok of this pendamping."
    ),
    as_json: bool = _json_option(),
) -> None:
    """List kelompok: id, name, desa, join code, pendamping and number of members."""
    pendamping_id = _validated(lambda: check.record_id(pendamping, "--pendamping")) if pendamping else None
    settings = _settings()

    async def work(session: AsyncSession, now: datetime) -> list[kelompok_db.KelompokListing]:
        return await kelompok_db.list_kelompok(session, pendamping_id)

    rows = _in_transaction(settings, work)
    items = [
        {
            "id": r.kelompok.id,
            "name": r.kelompok.name,
            "desa": r.kelompok.desa,
            "join_code": r.kelompok.join_code,
            "timezone": r.kelompok.timezone,
            "pendamping_id": r.pendamping_id,
            "pendamping": r.kelompok.pendamping_name,
            "members": r.kelompok.members,
        }
        for r in rows
    ]
    lines = [
        f'kelompok {i["id"]} "{i["name"]}" (Desa {i["desa"]}): join code {i["join_code"]}, pendamping '
        f'{i["pendamping_id"]} "{i["pendamping"]}", {i["members"]} member{"" if i["members"] == 1 else "s"}'
        for i in items
    ]
    _emit(as_json, {"kelompok": items}, lines or ["no kelompok yet"])


def _meeting_item(meeting_id: int, when: datetime, zone: str, sesi: int, place: str) -> dict[str, Any]:
    return {
        "id": meeting_id,
        "starts_at": _iso(when.astimezone(UTC)),
        "when": format_when(when, zone, locale="id"),
        "timezone": zone,
        "sesi": sesi,
        "place": place,
    }


def _meeting_line(item: dict[str, Any]) -> str:
    # Readable lines are English throughout, dates too; the JSON "when" stays Indonesian, as members read it.
    when = format_when(datetime.fromisoformat(item["starts_at"]), item["timezone"], locale="en")
    return f"meeting {item['id']}: {when}, session {item['sesi']}, {item['place']}"


@meeting_cli.command("add")
def meeting_add(
    kelompok: str = typer.Option(..., "--kelompok", help="The kelompok's join code."),
    at: str = typer.Option(..., "--at", help='Local time in the kelompok\'s zone: "YYYY-MM-DD HH:MM".'),
    place: str = typer.Option(..., "--place"),
    sesi: str = typer.Option(..., "--sesi", metavar="N", help="P2K2 session, 1-14."),
    as_json: bool = _json_option(),
) -> None:
    """Schedule a meeting of a kelompok and print its id and date."""
    session_number = _validated(lambda: check.session_number(sesi))
    clean_place = _validated(lambda: check.required_text(place, "--place", 200))
    _validated(lambda: check.local_time(at, check.TIMEZONES[0]))  # the format, before touching the database
    settings = _settings()

    async def work(session: AsyncSession, now: datetime) -> dict[str, Any]:
        group = await kelompok_db.find_by_join_code(session, kelompok)
        if group is None:
            raise check.OperatorInputError(f"--kelompok {kelompok!r}: no kelompok has this join code")
        when = check.future_time(at, group.timezone, now)
        meeting_id = await meetings_db.create_meeting(
            session,
            kelompok_id=group.id,
            session_number=session_number,
            starts_at=when,
            place=clean_place,
            now=now,
        )
        policy = ReminderPolicy(tuple(settings.offsets), settings.quiet)
        # the invitation and reminders of the members present now; later joiners get theirs on joining
        await plan_reminders(session, meeting_id, policy, now, invite=True)
        item = _meeting_item(meeting_id, when, group.timezone, session_number, clean_place)
        return {**item, "kelompok_id": group.id, "kelompok_code": group.join_code, "kelompok": group.name}

    item = _in_transaction(settings, work)
    _emit(as_json, item, [f"{_meeting_line(item)} (kelompok {item['kelompok']}, {item['kelompok_code']})"])


@meeting_cli.command("list")
def meeting_list(
    kelompok: str = typer.Option(..., "--kelompok", help="The kelompok's join code."),
    as_json: bool = _json_option(),
) -> None:
    """List the upcoming scheduled meetings of a kelompok."""
    settings = _settings()

    async def work(session: AsyncSession, now: datetime) -> list[dict[str, Any]]:
        group = await kelompok_db.find_by_join_code(session, kelompok)
        if group is None:
            raise check.OperatorInputError(f"--kelompok {kelompok!r}: no kelompok has this join code")
        meetings = await meetings_db.upcoming_meetings(session, group.id, now)
        return [_meeting_item(m.id, m.starts_at, m.timezone, m.session_number, m.place) for m in meetings]

    items = _in_transaction(settings, work)
    empty = f"no upcoming meetings for {kelompok.strip().upper()}"
    lines = [_meeting_line(item) for item in items] or [empty]
    _emit(as_json, {"meetings": items}, lines)


# `p2k2-bot export`: a kelompok's records as files, for the operator (any kelompok; audited, actor none).

EXPORT_FORMATS = ("xlsx", "csv")


def export_paths(out: Path, filenames: list[str], fmt: str) -> list[Path]:
    """Where each file goes. A directory (existing, or written with a trailing slash) keeps the files'
    own names; otherwise `out` is the file (xlsx) or the prefix of one file per table (csv):
    `--out data/sirna` gives data/sirna-kelompok.csv, data/sirna-pertemuan.csv, ..."""
    if out.is_dir() or str(out).endswith(("/", os.sep)):
        return [out / name for name in filenames]
    if fmt == "xlsx":
        return [out]
    stem = str(out).removesuffix(".csv")
    return [Path(f"{stem}-{name.rsplit('-', 1)[-1]}") for name in filenames]


def export_command(
    kelompok: str = typer.Option(..., "--kelompok", help="The kelompok's join code."),
    fmt: str = typer.Option("xlsx", "--format", help="xlsx (one workbook) or csv (one file per table)."),
    out: Path = typer.Option(
        ..., "--out", help="The file to write; for csv a path prefix or a directory (one file per table)."
    ),
    as_json: bool = _json_option(),
) -> None:
    """Export a kelompok's meetings, members, RSVPs, attendance and quiz answers as XLSX or CSV."""
    chosen = fmt.strip().lower()
    if chosen not in EXPORT_FORMATS:
        _fail(f"--format must be xlsx or csv, got {fmt!r}")
    folder = out if out.is_dir() or str(out).endswith(("/", os.sep)) else out.parent
    if not folder.is_dir():
        _fail(f"--out {str(out)!r}: the directory {str(folder)!r} does not exist")
    settings = _settings()

    async def work(session: AsyncSession, now: datetime) -> dict[str, Any]:
        group = await kelompok_db.find_by_join_code(session, kelompok)
        view = await kelompok_db.SqlKelompokReader(session).get(group.id) if group else None
        if group is None or view is None:
            raise check.OperatorInputError(f"--kelompok {kelompok!r}: no kelompok has this join code")
        documents = await exports.export_kelompok(session, view, load_curriculum(), chosen, now)
        paths = export_paths(out, [d.filename for d in documents], chosen)
        try:
            for document, path in zip(documents, paths, strict=True):
                path.write_bytes(document.content)
        except OSError as exc:
            raise check.OperatorInputError(f"--out {str(out)!r}: cannot write ({exc.strerror})") from None
        audit(session, now, None, "export", "kelompok", group.id, format=chosen, source="cli")
        files = [str(p) for p in paths]
        return {"kelompok_id": group.id, "kelompok_code": group.join_code, "format": chosen, "files": files}

    item = _in_transaction(settings, work)
    _emit(as_json, item, item["files"])
