"""The `p2k2-bot` command: chat in the terminal, run the channels, migrate the database."""

from __future__ import annotations

import asyncio
import logging
from dataclasses import replace
from enum import StrEnum
from pathlib import Path

import typer
from sqlalchemy.engine import make_url

from bot.app import App, StartupError, build_app
from bot.catalogs import CatalogError, load_translators
from bot.channels.console import ConsoleChannel
from bot.cli_operator import export_command, kelompok_cli, meeting_cli, pendamping_cli
from bot.content_check import MAX_LONGEST_SHARE, MAX_LONGEST_SHARE_OVERALL, check_content
from bot.content_loader import ContentError
from bot.db import migrate as migrations
from bot.db.engine import make_engine
from bot.delivery import DeliveryWorker
from bot.demo import PENDAMPING_ADDRESS, has_kelompok, seed_demo, seed_demo_members
from bot.logs import configure_logging
from bot.settings import Settings, SettingsError, load_settings

cli = typer.Typer(
    help="P2K2 bot: lessons, quizzes, meetings and reminders for PKH families.",
    no_args_is_help=True,
    add_completion=False,
    # Plain click help: this typer's rich help prints flags as "--help <bool>", as if they took a value.
    rich_markup_mode=None,
)
log = logging.getLogger("bot")
cli.add_typer(pendamping_cli, name="pendamping")
cli.add_typer(kelompok_cli, name="kelompok")
cli.add_typer(meeting_cli, name="meeting")
cli.command("export", short_help="Export a kelompok's records as XLSX or CSV.")(export_command)


class Speaker(StrEnum):
    kpm = "kpm"
    pendamping = "pendamping"


def _settings() -> Settings:
    try:
        settings = load_settings()
    except SettingsError as exc:
        typer.echo(f"Error: {exc}", err=True)
        raise typer.Exit(2) from None
    configure_logging(settings.log_level, settings.log_format, settings.secrets())
    return settings


async def _start(settings: Settings) -> App:
    try:
        return await build_app(settings)
    except (StartupError, ContentError, CatalogError) as exc:
        typer.echo(f"Error: {exc}", err=True)
        raise typer.Exit(1) from None


def database_location(url: str) -> str:
    """The SQLite file's path, or the server URL without its password."""
    parsed = make_url(url)
    if parsed.get_backend_name() == "sqlite" and parsed.database:
        return str(Path(parsed.database).resolve())
    return parsed.render_as_string(hide_password=True)


@cli.command(short_help="Talk to the bot in this terminal.")
def chat(
    demo: bool = typer.Option(
        False,
        "--demo",
        help="Seed the demo kelompok Sirnajaya 1: members with answers, a past and an upcoming meeting.",
    ),
    as_: Speaker = typer.Option(Speaker.kpm, "--as", help="Talk as a KPM or as the demo pendamping."),
    name: str = typer.Option(
        "",
        "--chat",
        help="Talk from another terminal chat of this name, e.g. a new pendamping's, who then "
        "sends the claim code printed by `p2k2-bot pendamping add`.",
    ),
) -> None:
    """Talk to the bot in this terminal (SQLite by default; no tokens needed). Leave with Ctrl-C or
    Ctrl-D."""
    address = name.strip() or (PENDAMPING_ADDRESS if as_ is Speaker.pendamping else "kpm")
    # Its own worker name: a terminal chat that starts takes back only its own unfinished messages,
    # never those of a `p2k2-bot run` on the same host and database.
    settings = _settings()
    settings = settings.model_copy(update={"worker_id": f"{settings.worker_id}:chat:{address}"[:64]})
    goodbye = ""

    async def main() -> None:
        nonlocal goodbye
        app = await _start(settings)
        try:
            t = app.service.translator(settings.default_locale)
            goodbye = t.gettext("Goodbye.")
            if demo:
                async with app.db.transaction() as session:
                    data = await seed_demo(session, app.clock(), settings.default_locale)
                    members = await seed_demo_members(
                        session, app.clock(), settings.default_locale, app.curriculum, data
                    )
                typer.echo(
                    t.gettext("Demo group Sirnajaya 1 is ready. Its join code is {code}.").format(
                        code=data.join_code
                    )
                )
                typer.echo(
                    t.gettext(
                        "It has {count} members, a meeting that has passed (to try attendance) "
                        "and an upcoming one."
                    ).format(count=members)
                )
            else:
                async with app.db.transaction() as session:
                    # A first chat would have no group to join: it gets the demo's (without members).
                    added = (
                        None
                        if await has_kelompok(session)
                        else await seed_demo(session, app.clock(), settings.default_locale)
                    )
                if added is not None:
                    typer.echo(
                        t.gettext(
                            "The database had no group yet: the demo group Sirnajaya 1 was added. "
                            "Its join code is {code}."
                        ).format(code=added.join_code)
                    )
            typer.echo(
                t.gettext("Database: {location}").format(location=database_location(settings.database_url))
            )
            typer.echo(t.gettext("Type a message, then Enter. To leave: Ctrl-C or Ctrl-D."))
            console = ConsoleChannel(address, app.clock, settings.exports_dir)
            app.connect(console, console.sender)
            await console.start()
            # This terminal's own share of the outbox: its replies' safety net, and the reminders and
            # announcements for this chat.
            worker = DeliveryWorker(
                app.db,
                {"console": console.sender},
                app.curriculum,
                load_translators(),
                settings.default_locale,
                app.clock,
                replace(app.delivery, addresses=(address,), idle_poll=1.0),
            )
            stop = asyncio.Event()
            delivering = asyncio.create_task(worker.run(stop))
            try:
                await console.run()
            finally:
                stop.set()
                await delivering
                await console.stop()
        finally:
            await app.close()

    try:
        asyncio.run(main())
    except KeyboardInterrupt:
        # Ctrl-C is the ordinary way out of a chat: say goodbye and exit 0, like Ctrl-D.
        pass
    if goodbye:
        typer.echo(f"\n{goodbye}")


@cli.command(short_help="Run the channels, HTTP server and scheduler.")
def run() -> None:
    """Run every configured channel, the HTTP server (GET /healthz, GET /metrics), the delivery worker
    and the scheduler until Ctrl-C or SIGTERM."""
    settings = _settings()
    # Imported here: the channel libraries take seconds to import, which `chat` and the operator
    # commands should not pay.
    from bot.runner import serve

    async def main() -> None:
        app = await _start(settings)
        try:
            await serve(settings, app)
        finally:
            await app.close()

    asyncio.run(main())


@cli.command(short_help="Upgrade the database to the newest schema.")
def migrate() -> None:
    """Upgrade the database named by DATABASE_URL to the newest schema."""
    settings = _settings()

    async def main() -> None:
        engine = make_engine(settings.database_url)
        try:
            before = await migrations.current_revision(engine)
            await migrations.upgrade(engine)
            after = await migrations.current_revision(engine)
        finally:
            await engine.dispose()
        typer.echo(f"database schema: {before or 'empty'} -> {after}")

    asyncio.run(main())


content_cli = typer.Typer(help="Check the lesson content in content/.", no_args_is_help=True)
cli.add_typer(content_cli, name="content")


@content_cli.command("check")
def content_check(
    directory: Path | None = typer.Option(
        None, "--dir", help="Content directory to check (default: the installed content/)."
    ),
    max_longest_share: float = typer.Option(
        MAX_LONGEST_SHARE,
        "--max-longest-share",
        help="Fail a session where more than this share of quiz items has the longest option correct.",
    ),
    max_longest_share_overall: float = typer.Option(
        MAX_LONGEST_SHARE_OVERALL,
        "--max-longest-share-overall",
        help="Fail when more than this share of all quiz items has the longest option correct.",
    ),
) -> None:
    """Validate every lesson file and spell-check all Indonesian text (needs hunspell and hunspell-id)."""
    report = check_content(
        directory, max_longest_share=max_longest_share, max_longest_share_overall=max_longest_share_overall
    )
    typer.echo(
        f"{report.sessions} sessions, {report.cards} cards, {report.questions} questions; "
        f"{len({u.word for u in report.unknown_words})} unknown words"
    )
    if report.longest_correct:
        longest, items = report.longest_correct_overall
        per_session = ", ".join(f"{number}: {n}/{t}" for number, n, t in report.longest_correct)
        typer.echo(
            f"longest option is the correct one: {longest} of {items} questions ({longest / items:.0%}); "
            f"per session {per_session}"
        )
    for problem in report.problems:
        typer.echo(f"problem: {problem}")
    for unknown in report.unknown_words:
        typer.echo(f"unknown word {unknown.word!r}: {unknown.where}")
    raise typer.Exit(0 if report.ok else 1)


def main() -> None:
    cli()
