"""The `p2k2-bot` command: chat in the terminal, run the channels, migrate the database."""

from __future__ import annotations

import asyncio
import logging
import signal
from enum import StrEnum
from pathlib import Path

import typer
from aiohttp import web

from bot.app import App, StartupError, build_app
from bot.catalogs import CatalogError
from bot.channels.console import ConsoleChat
from bot.cli_operator import kelompok_cli, meeting_cli, pendamping_cli
from bot.content_check import check_content
from bot.content_loader import ContentError
from bot.db import inbound_keys
from bot.db import migrate as migrations
from bot.db.engine import make_engine
from bot.demo import PENDAMPING_ADDRESS, seed_demo
from bot.logs import configure_logging
from bot.metrics import ERRORS
from bot.settings import Settings, SettingsError, load_settings
from bot.web import make_web_app
from scheduler.jobs import INBOUND_KEY_RETENTION, build_scheduler

cli = typer.Typer(
    help="P2K2 bot: lessons, quizzes, meetings and reminders for PKH families.",
    no_args_is_help=True,
    add_completion=False,
)
log = logging.getLogger("bot")
cli.add_typer(pendamping_cli, name="pendamping")
cli.add_typer(kelompok_cli, name="kelompok")
cli.add_typer(meeting_cli, name="meeting")


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


@cli.command()
def chat(
    demo: bool = typer.Option(
        False, "--demo", help="Seed the demo kelompok Sirnajaya 1 and its next meeting."
    ),
    as_: Speaker = typer.Option(Speaker.kpm, "--as", help="Talk as a KPM or as the demo pendamping."),
) -> None:
    """Talk to the bot in this terminal (SQLite by default; no tokens needed)."""
    settings = _settings()

    async def main() -> None:
        app = await _start(settings)
        try:
            if demo:
                async with app.db.transaction() as session:
                    data = await seed_demo(session, app.clock(), settings.default_locale)
                t = app.service.translator(settings.default_locale)
                typer.echo(
                    t.gettext("Demo group Sirnajaya 1 is ready. Its join code is {code}.").format(
                        code=data.join_code
                    )
                )
            address = PENDAMPING_ADDRESS if as_ is Speaker.pendamping else "kpm"
            console = ConsoleChat(app.service.handle, address, app.clock, Path("data/exports"))
            await console.run()
        finally:
            await app.close()

    asyncio.run(main())


@cli.command()
def run() -> None:
    """Run every configured channel and the HTTP server (GET /healthz, GET /metrics) until stopped."""
    settings = _settings()

    async def main() -> None:
        app = await _start(settings)
        runner = web.AppRunner(make_web_app(app.db))

        async def prune_inbound_keys() -> None:
            async with app.db.transaction() as session:
                await inbound_keys.prune(session, app.clock() - INBOUND_KEY_RETENTION)

        jobs = build_scheduler(prune_inbound_keys, lambda name: ERRORS.labels(name).inc())
        stop = asyncio.Event()
        loop = asyncio.get_running_loop()
        for sig in (signal.SIGINT, signal.SIGTERM):
            loop.add_signal_handler(sig, stop.set)
        try:
            await runner.setup()
            await web.TCPSite(runner, settings.http_host, settings.http_port).start()
            jobs.start()
            log.info("HTTP server on http://%s:%s", settings.http_host, settings.http_port)
            log.warning(
                "No chat channel is configured. Set TELEGRAM_BOT_TOKEN, or WHATSAPP_ACCESS_TOKEN and "
                "WHATSAPP_PHONE_NUMBER_ID, in the environment or .env (see .env.example). "
                "To try the bot without any token, run: p2k2-bot chat --demo"
            )
            await stop.wait()
            log.info("stopping")
        finally:
            if jobs.running:
                jobs.shutdown(wait=False)
            await runner.cleanup()
            await app.close()

    asyncio.run(main())


@cli.command()
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
) -> None:
    """Validate every lesson file and spell-check all Indonesian text (needs hunspell and hunspell-id)."""
    report = check_content(directory)
    typer.echo(
        f"{report.sessions} sessions, {report.cards} cards, {report.questions} questions; "
        f"{len({u.word for u in report.unknown_words})} unknown words"
    )
    for problem in report.problems:
        typer.echo(f"problem: {problem}")
    for unknown in report.unknown_words:
        typer.echo(f"unknown word {unknown.word!r}: {unknown.where}")
    raise typer.Exit(0 if report.ok else 1)


def main() -> None:
    cli()
