"""Telegram channel throughput and latency: the real P2K2 bot (TelegramChannel wired as `p2k2-bot run` wires
it, the service, a scratch database) and a bare aiogram echo bot, one after the other, each long-polling the
same fake Bot API server (no rate limit) and fed the same mix of updates.

    python -m bench.telegram_throughput [--database-url URL] [--updates N] [--rate R] [--seconds S] [--users M]

This process runs the fake server and the load; each bot runs in a child process, so the fake's own work
(which the real Telegram does on its own machines) is not counted against the bot. An update's latency runs
from pushing it into the getUpdates queue to the fake receiving the last sendMessage of its reply.

  1. saturation: N updates pushed at once; updates/s from the first push to the last reply;
  2. paced: R updates/s for S seconds; p50/p99 latency.

M KPM users join the demo kelompok (SIRNA1) and consent through the real conversation first, then every user
repeats: "menu" typed, a lesson card's "Lanjut" (learn:c:<card>), "Mulai kuis" (quiz:start:<session>), the
answer to the first question while in that quiz (quiz:a:<question>:<choice>), RSVP "Hadir"
(rsvp:<meeting>:yes). The echo bot gets the same updates and answers each with one message. Every reply is
checked (count and a fragment of its text), so a fast apology cannot pass for a fast answer.

One file on purpose (over the usual 400 lines): the load generator, both bots' child-process entry points
and the report must agree on the same update mix and reply checks, and the script is run as one command.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import gc
import logging
import os
import shlex
import signal
import statistics
import sys
import tempfile
import time
from collections import defaultdict, deque
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from sqlalchemy.engine import make_url

from bench.common import describe_machine, fresh_database
from bench.mix import JOIN, MIX, button_data, quiz_sessions
from bot.content_loader import load_curriculum
from bot.core.content import Curriculum
from bot.demo import seed_demo
from tests.fakes.telegram_api import FakeBotAPI, FakeUser

# kind -> (messages in the P2K2 reply, a fragment of its text)
P2K2_REPLIES = {
    "menu": (1, "Menu utama"),
    "card": (1, "kartu"),
    "quiz_start": (2, "Kuis"),
    "quiz_answer": (2, "Benar!"),
    "rsvp": (1, "Hadir"),
}
FIRST_CHAT = 700_001
WARM_UP_PER_USER = 2  # updates per user before measuring (caches, connection pools, JIT-less Python)
THROUGHPUT_SHARE = 0.5  # target: P2K2 >= 50% of the echo bot's updates/s
P99_TARGET_MS = 100.0
LOAD_BEFORE: list[float] = []  # other work on the machine skews every figure: it is printed with them


# The load ------------------------------------------------------------------------------------------------


@dataclass
class Step:
    chat: int
    kind: str
    update: dict[str, Any]
    replies: int
    fragment: str


class Script:
    """Where each user is in the mix, so that a user's next update makes sense to the bot (a quiz answer
    comes while that quiz is open). Updates are built before they are timed."""

    def __init__(
        self, api: FakeBotAPI, chats: list[int], curriculum: Curriculum, meeting_id: int, echo: bool
    ):
        self._api = api
        self._chats = chats
        # Users start at different points of the mix, so that every moment sees all kinds of update; not
        # at the quiz answer, which needs the quiz started first.
        self._turn = {chat: (0, 1, 2, 4)[n % 4] for n, chat in enumerate(chats)}
        self._sessions = quiz_sessions(curriculum)
        self._meeting_id = meeting_id
        self.echo = echo
        card = self._sessions[0].cards[0]
        self._shown = card.text  # the message a tapped button sits on (Telegram sends it along)

    def take(self, count: int) -> list[Step]:
        """`count` updates, round robin over the users."""
        steps: list[Step] = []
        while len(steps) < count:
            for chat in self._chats[: count - len(steps)]:
                steps.append(self._next(chat))
        return steps

    def _next(self, chat: int) -> Step:
        turn = self._turn[chat]
        self._turn[chat] += 1
        kind = MIX[turn % len(MIX)]
        round_ = turn // len(MIX)
        session = self._sessions[(chat + round_) % len(self._sessions)]
        if kind == "menu":
            update = self._api.text_update(chat, "menu")
        else:
            data = button_data(kind, session, round_, self._meeting_id)
            update = self._api.callback_update(chat, data, self._message(chat, data))
        if self.echo:
            echoed = update["message"]["text"] if "message" in update else update["callback_query"]["data"]
            return Step(chat, kind, update, 1, echoed)
        replies, fragment = P2K2_REPLIES[kind]
        return Step(chat, kind, update, replies, fragment)

    def _message(self, chat: int, data: str) -> dict[str, Any]:
        button = {"text": "Lanjut", "callback_data": data}
        return {
            "message_id": 1,
            "from": self._api.bot_user,
            "chat": self._api.chats[chat],
            "date": int(time.time()),
            "text": self._shown,
            "reply_markup": {"inline_keyboard": [[button, {"text": "Menu", "callback_data": "menu"}]]},
        }


@dataclass(eq=False)
class Waiting:
    kind: str
    pushed: float
    replies: int
    fragment: str
    texts: list[str] = field(default_factory=list)


class Tracker:
    """Matches the messages the bot sends to the updates pushed: one chat's updates are answered in order."""

    def __init__(self, ordered: bool) -> None:
        self._ordered = ordered  # aiogram's own polling runs a chat's updates side by side: echoes may swap
        self._queues: dict[int, deque[Waiting]] = defaultdict(deque)
        self.latencies: dict[str, list[float]] = defaultdict(list)
        self.wrong: list[str] = []  # replies without the expected text
        self.stray = 0  # messages nobody waited for
        self.last_reply = 0.0
        self._open = 0
        self._drained = asyncio.Event()
        self._drained.set()

    def pushing(self, step: Step) -> None:
        self._queues[step.chat].append(Waiting(step.kind, time.perf_counter(), step.replies, step.fragment))
        self._open += 1
        self._drained.clear()

    def on_message(self, message: dict[str, Any]) -> None:
        now = time.perf_counter()
        queue = self._queues.get(message["chat"]["id"])
        if not queue:
            self.stray += 1
            return
        text = str(message.get("text", ""))
        waiting = queue[0]
        if not self._ordered:
            waiting = next((w for w in queue if w.fragment == text), waiting)
        waiting.texts.append(text)
        if len(waiting.texts) < waiting.replies:
            return
        queue.remove(waiting)
        self.latencies[waiting.kind].append(now - waiting.pushed)
        if waiting.fragment not in "\n".join(waiting.texts):
            self.wrong.append(f"{waiting.kind}: {' | '.join(waiting.texts)[:200]}")
        self.last_reply = now
        self._open -= 1
        if self._open == 0:
            self._drained.set()

    async def drained(self, seconds: float) -> bool:
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(self._drained.wait(), seconds)
        return self._drained.is_set()

    @property
    def unanswered(self) -> int:
        return self._open

    def reset(self) -> None:
        self.latencies.clear()


@dataclass
class Figures:
    throughput: float = 0.0
    cpu_per_update: float | None = None  # seconds of the bot process's CPU per update (Linux only)
    pushed_rate: float = 0.0
    latencies: dict[str, list[float]] = field(default_factory=dict)
    unanswered: int = 0

    def all_latencies(self) -> list[float]:
        return [v for values in self.latencies.values() for v in values]


@dataclass
class Measured:
    saturation: Figures
    paced: Figures
    wrong: list[str]  # replies without the expected text
    stray: int  # messages nobody waited for


def cpu_seconds(pid: int) -> float | None:
    """User + system CPU time of a process, from /proc (None elsewhere)."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rpartition(")")[2].split()
    except OSError:
        return None
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


async def saturate(api: FakeBotAPI, tracker: Tracker, steps: list[Step], figures: Figures, pid: int) -> None:
    tracker.reset()
    cpu_before = cpu_seconds(pid)
    started = time.perf_counter()
    for step in steps:
        tracker.pushing(step)
        await api.push(step.update)
    if not await tracker.drained(max(60.0, len(steps) / 10)):
        figures.unanswered += tracker.unanswered
    figures.throughput = len(steps) / (tracker.last_reply - started)
    cpu_after = cpu_seconds(pid)
    if cpu_before is not None and cpu_after is not None:
        figures.cpu_per_update = (cpu_after - cpu_before) / len(steps)


async def pace(api: FakeBotAPI, tracker: Tracker, steps: list[Step], rate: float, figures: Figures) -> None:
    tracker.reset()
    started = time.perf_counter()
    for n, step in enumerate(steps):
        delay = started + n / rate - time.perf_counter()
        if delay > 0:
            await asyncio.sleep(delay)
        tracker.pushing(step)
        await api.push(step.update)
    figures.pushed_rate = len(steps) / (time.perf_counter() - started)
    if not await tracker.drained(max(60.0, len(steps) / 10)):
        figures.unanswered += tracker.unanswered
    figures.latencies = {kind: list(values) for kind, values in tracker.latencies.items()}


# The bots under test, each in a child process ------------------------------------------------------------


@contextlib.asynccontextmanager
async def bot_process(kind: str, api: FakeBotAPI, database_url: str, gc_freeze: bool) -> AsyncIterator[int]:
    """Starts `--serve kind` and waits until it polls; stops it with SIGTERM (a clean stop) afterwards."""
    command = [sys.executable, "-m", "bench.telegram_throughput", "--serve", kind, "--api-url", api.url]
    command += ["--token", api.token, "--database-url", database_url] + ["--gc-freeze"] * gc_freeze
    child = await asyncio.create_subprocess_exec(*command, stdout=asyncio.subprocess.PIPE)
    assert child.stdout is not None
    try:
        line = await asyncio.wait_for(child.stdout.readline(), 60)
        if line.strip() != b"ready":
            raise RuntimeError(f"the {kind} bot did not start (exit code {await child.wait()})")
        yield child.pid
    finally:
        if child.returncode is None:
            child.send_signal(signal.SIGTERM)
            try:
                await asyncio.wait_for(child.wait(), 60)
            except TimeoutError:
                child.kill()
                await child.wait()


async def serve_p2k2(api_url: str, token: str, database_url: str, gc_freeze: bool) -> None:
    """The bot as `p2k2-bot run` builds it (channel, paced reply sender, channel events), minus the HTTP
    server, delivery worker and scheduler, which sit idle here."""
    from bot.app import build_app
    from bot.logs import configure_logging
    from bot.runner import build_channels, paced
    from bot.settings import Settings

    values: dict[str, Any] = {
        "DATABASE_URL": database_url,
        "DEFAULT_LOCALE": "id",
        "DEFAULT_TIMEZONE": "Asia/Jakarta",
        "TELEGRAM_BOT_TOKEN": token,
        "TELEGRAM_API_URL": api_url,
        "LOG_LEVEL": "WARNING",
    }
    settings = Settings(_env_file=None, **values)  # type: ignore[call-arg]  # not the developer's .env
    configure_logging(settings.log_level, settings.log_format, settings.secrets())
    app = await build_app(settings)
    [channel] = build_channels(settings, app)
    app.connect(channel, paced(settings, channel))
    stop = asyncio.Event()
    asyncio.get_running_loop().add_signal_handler(signal.SIGTERM, stop.set)
    await channel.start()
    if gc_freeze:
        gc.freeze()
    print("ready", flush=True)
    await stop.wait()
    await channel.stop()
    await app.close()


async def serve_echo(api_url: str, token: str, gc_freeze: bool) -> None:
    """The baseline: aiogram's own long polling, one handler per update type, nothing stored."""
    from aiogram import Bot, Dispatcher
    from aiogram.client.session.aiohttp import AiohttpSession
    from aiogram.client.telegram import TelegramAPIServer
    from aiogram.types import CallbackQuery, Message

    logging.basicConfig(level=logging.ERROR)  # not "Received SIGTERM signal" at the stop
    bot = Bot(token, session=AiohttpSession(api=TelegramAPIServer.from_base(api_url)))
    dispatcher = Dispatcher()

    @dispatcher.message()
    async def echo(message: Message) -> None:
        await message.answer(message.text or "?")

    @dispatcher.callback_query()
    async def tapped(query: CallbackQuery) -> None:
        await query.answer()
        await bot.send_message(query.from_user.id, query.data or "?")

    @dispatcher.startup()
    async def ready() -> None:
        if gc_freeze:
            gc.freeze()
        print("ready", flush=True)

    await dispatcher.start_polling(bot, handle_signals=True)  # SIGTERM stops it


# One run ---------------------------------------------------------------------------------------------------


async def join(api: FakeBotAPI, chats: list[int]) -> None:
    """Each user joins with the demo code, consents and gives a name, through the real conversation."""
    gate = asyncio.Semaphore(25)

    async def one(chat: int) -> None:
        async with gate:
            user = FakeUser(api, chat)
            start, consent, name = JOIN
            await user.say(start)
            await user.tap(consent)
            await user.say(name)
            assert "anggota kelompok" in user.text, f"chat {chat} did not join: {user.text}"

    await asyncio.gather(*(one(chat) for chat in chats))


async def measure(
    api: FakeBotAPI, script: Script, chats: list[int], args: argparse.Namespace, pid: int
) -> Measured:
    """Warm-up, then saturation, then the paced run, all with the same users carrying on in the mix."""
    tracker = Tracker(ordered=not script.echo)
    api.on_message = tracker.on_message
    try:
        saturation, paced_run = Figures(), Figures()
        await saturate(api, tracker, script.take(WARM_UP_PER_USER * len(chats)), saturation, pid)
        await saturate(api, tracker, script.take(args.updates), saturation, pid)
        await pace(api, tracker, script.take(int(args.rate * args.seconds)), args.rate, paced_run)
    finally:
        api.on_message = None
    return Measured(saturation, paced_run, tracker.wrong, tracker.stray)


async def run(url: str, args: argparse.Namespace) -> None:
    db = await fresh_database(url)
    async with db.transaction() as session:
        demo = await seed_demo(session, datetime.now(UTC), "id")
    dialect = db.engine.dialect.name
    await db.close()
    curriculum = load_curriculum()
    chats = list(range(FIRST_CHAT, FIRST_CHAT + args.users))
    async with FakeBotAPI() as api:
        for chat in chats:
            api.user(chat)
        results: dict[str, Measured] = {}
        began = time.perf_counter()
        async with bot_process("echo", api, "", args.gc_freeze) as pid:
            script = Script(api, chats, curriculum, demo.meeting_id, echo=True)
            results["echo"] = await measure(api, script, chats, args, pid)
        echo_seconds = time.perf_counter() - began
        began = time.perf_counter()
        async with bot_process("p2k2", api, url, args.gc_freeze) as pid:
            await join(api, chats)
            script = Script(api, chats, curriculum, demo.meeting_id, echo=False)
            results["p2k2"] = await measure(api, script, chats, args, pid)
        p2k2_seconds = time.perf_counter() - began
        rejected = list(api.rejected)
    report(url, dialect, args, results, rejected, echo_seconds, p2k2_seconds)


# The report ------------------------------------------------------------------------------------------------


def percentile(values: list[float], share: float) -> float:
    if not values:
        return float("nan")
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(share * len(ordered)))]


def ms(seconds: float) -> str:
    return f"{seconds * 1000:.1f}"


def cpu_ms(figures: Figures) -> str:
    return "?" if figures.cpu_per_update is None else ms(figures.cpu_per_update)


def report(
    url: str,
    dialect: str,
    args: argparse.Namespace,
    results: dict[str, Measured],
    rejected: list[str],
    echo_seconds: float,
    p2k2_seconds: float,
) -> None:
    echo, p2k2 = results["echo"], results["p2k2"]
    echo_sat, echo_paced, p2k2_sat, p2k2_paced = echo.saturation, echo.paced, p2k2.saturation, p2k2.paced
    shown_url = make_url(url).render_as_string(hide_password=True)
    print(f"command: python -m bench.telegram_throughput {shlex.join(sys.argv[1:])}".rstrip())
    load = ", ".join(f"{n:.1f}" for n in LOAD_BEFORE)
    print(f"machine: {describe_machine()}; load average before the run: {load}")
    print(f"database: {dialect} ({shown_url})")
    print(
        f"users: {args.users}; saturation: N = {args.updates} updates pushed at once; paced: {args.rate:g} "
        f"updates/s for {args.seconds:g} s; mix per user: {', '.join(MIX)}"
    )
    print(f"wall time: echo bot {echo_seconds:.0f} s, P2K2 {p2k2_seconds:.0f} s (incl. joining and warm-up)")
    print()
    share = p2k2_sat.throughput / echo_sat.throughput if echo_sat.throughput else 0.0
    echo_all, p2k2_all = echo_paced.all_latencies(), p2k2_paced.all_latencies()
    p99 = percentile(p2k2_all, 0.99) * 1000
    rows = [
        ("saturation: updates/s", f"{echo_sat.throughput:,.0f}", f"{p2k2_sat.throughput:,.0f}",
         f"P2K2 >= {THROUGHPUT_SHARE:.0%} of echo: {share:.0%} "
         f"{'MET' if share >= THROUGHPUT_SHARE else 'MISSED'}"),
        ("saturation: bot CPU ms/update", cpu_ms(echo_sat), cpu_ms(p2k2_sat), ""),
        (f"paced {args.rate:g}/s: pushed at", f"{echo_paced.pushed_rate:.1f}/s", f"{p2k2_paced.pushed_rate:.1f}/s", ""),
        ("paced: p50 latency ms", ms(percentile(echo_all, 0.5)), ms(percentile(p2k2_all, 0.5)), ""),
        ("paced: p99 latency ms", ms(percentile(echo_all, 0.99)), ms(percentile(p2k2_all, 0.99)),
         f"P2K2 <= {P99_TARGET_MS:.0f} ms: {'MET' if p99 <= P99_TARGET_MS else 'MISSED'}"),
        ("paced: max latency ms", ms(max(echo_all, default=0)), ms(max(p2k2_all, default=0)), ""),
    ]  # fmt: skip
    print(f"{'':28} {'echo bot':>10} {'P2K2':>10}   target")
    for label, echo_figure, p2k2_figure, target in rows:
        print(f"{label:28} {echo_figure:>10} {p2k2_figure:>10}   {target}".rstrip())
    print()
    print("P2K2 paced latency by kind (ms):  kind         n     p50     p99     max")
    for kind in MIX:
        values = p2k2_paced.latencies.get(kind, [])
        print(
            f"{'':33} {kind:11} {len(values):>4} {ms(percentile(values, 0.5)):>7} "
            f"{ms(percentile(values, 0.99)):>7} {ms(max(values, default=0)):>7}"
        )
    mean = statistics.fmean(p2k2_all) if p2k2_all else float("nan")
    print(f"{'':33} all         {len(p2k2_all):>4}  mean {ms(mean)}")
    print()
    print(f"replies with unexpected text (echo, P2K2): {len(echo.wrong)}, {len(p2k2.wrong)}")
    print(f"messages no update waited for (echo, P2K2): {echo.stray}, {p2k2.stray}")
    unanswered = (echo_sat.unanswered + echo_paced.unanswered, p2k2_sat.unanswered + p2k2_paced.unanswered)
    print(f"updates never answered (echo, P2K2): {unanswered[0]}, {unanswered[1]}")
    print(f"requests the fake rejected as breaking the Bot API: {len(rejected)}")
    for line in (echo.wrong + p2k2.wrong + rejected)[:5]:
        print(f"  e.g. {line}")


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument(
        "--database-url", default="", help="PostgreSQL URL (its schema is dropped); default SQLite"
    )
    parser.add_argument("--updates", type=int, default=1500, help="N, updates in the saturation run")
    parser.add_argument("--rate", type=float, default=100.0, help="updates/s in the paced run")
    parser.add_argument("--seconds", type=float, default=20.0, help="length of the paced run")
    parser.add_argument("--users", type=int, default=200, help="simulated KPM users (Telegram chats)")
    parser.add_argument(
        "--gc-freeze",
        action="store_true",
        help="both bots call gc.freeze() once started (an experiment: P2K2 itself does not, yet)",
    )
    parser.add_argument("--serve", choices=["p2k2", "echo"], help=argparse.SUPPRESS)
    parser.add_argument("--api-url", help=argparse.SUPPRESS)
    parser.add_argument("--token", help=argparse.SUPPRESS)
    args = parser.parse_args()
    LOAD_BEFORE[:] = os.getloadavg()
    if args.serve == "p2k2":
        asyncio.run(serve_p2k2(args.api_url, args.token, args.database_url, args.gc_freeze))
    elif args.serve == "echo":
        asyncio.run(serve_echo(args.api_url, args.token, args.gc_freeze))
    else:
        with tempfile.TemporaryDirectory() as scratch:
            url = args.database_url or f"sqlite+aiosqlite:///{Path(scratch) / 'bench.db'}"
            asyncio.run(run(url, args))


if __name__ == "__main__":
    main()
