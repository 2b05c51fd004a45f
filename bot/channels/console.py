"""Terminal chat: the bot on standard input and output, buttons shown as numbered choices.

A channel like the others: typed lines go to its `ChannelRuntime` and the replies come back through
the outbox's fast path to `send`, which prints them."""

from __future__ import annotations

import asyncio
import os
import re
import shutil
import sys
import textwrap
from collections.abc import Callable
from datetime import datetime
from pathlib import Path
from typing import TextIO

from aiohttp import web

from bot.channels.runtime import ChannelRuntime
from bot.core.delivery import ChannelSender, Envelope, Outcome, Sent
from bot.core.messages import Inbound, Outbound

CHANNEL = "console"
BUTTON_GAP = "   "
# A list item's continuation lines are indented under its text: "1. ", "- ", "• ".
_ITEM = re.compile(r"^\s*(?:[-•*]|\d+[.)])\s+")


def terminal_width(stdout: TextIO) -> int | None:
    """The width to wrap at: the terminal's (80 when it cannot tell), or COLUMNS when set. Output piped
    to a file or another program is not wrapped, so scripts see each message line whole."""
    if os.environ.get("COLUMNS", "").strip().isdigit() or stdout.isatty():
        return shutil.get_terminal_size((80, 24)).columns
    return None


def wrap_text(text: str, width: int | None) -> list[str]:
    """Breaks long lines at spaces, never inside a word (a word longer than the line stays whole)."""
    if width is None:
        return text.split("\n")
    lines: list[str] = []
    for line in text.split("\n"):
        item = _ITEM.match(line)
        indent = " " * len(item.group(0)) if item else line[: len(line) - len(line.lstrip())]
        wrapped = textwrap.wrap(
            line,
            width,
            subsequent_indent=indent,
            break_long_words=False,
            break_on_hyphens=False,
        )
        lines.extend(wrapped or [""])
    return lines


def button_rows(labels: list[str], width: int | None) -> list[str]:
    """ "[1] Label" choices side by side, starting a new row before one would pass the width."""
    rows: list[str] = []
    for n, label in enumerate(labels, 1):
        choice = f"[{n}] {label}"
        if rows and (width is None or len(rows[-1]) + len(BUTTON_GAP) + len(choice) <= width):
            rows[-1] += BUTTON_GAP + choice
        else:
            rows.append(choice)
    return rows


def render(message: Outbound, exports_dir: Path, width: int | None = None) -> str:
    lines = wrap_text(message.text, width)
    if message.document is not None:
        exports_dir.mkdir(parents=True, exist_ok=True)
        path = exports_dir / Path(message.document.filename).name
        path.write_bytes(message.document.content)
        lines.append(f"[{path} · {len(message.document.content):,} bytes]")
    if message.buttons:
        lines.extend(button_rows([button.label for button in message.buttons], width))
    return "\n".join(lines)


class LineReader:
    """Reads lines from standard input without a thread. A thread blocked in `readline` cannot be
    interrupted, so Ctrl-C would hang until Enter; waiting on the event loop can be cancelled at once."""

    def __init__(self, stream: TextIO) -> None:
        self._stream = stream
        self._buffer = b""
        self._eof = False

    async def readline(self) -> str:
        """One line with its newline; "" at the end of input (Ctrl-D, or the end of a piped script)."""
        loop = asyncio.get_running_loop()
        try:
            fd = self._stream.fileno()
            while b"\n" not in self._buffer and not self._eof:
                await self._readable(loop, fd)
                chunk = os.read(fd, 65536)
                self._eof = not chunk
                self._buffer += chunk
        except NotImplementedError:  # an event loop without add_reader (Windows)
            return await asyncio.to_thread(self._stream.readline)
        except (OSError, ValueError):
            # No descriptor (StringIO) or a regular file (`< script.txt`): reading never blocks.
            # Any other error (the terminal went away) ends the input.
            if self._eof or self._buffer:
                rest, self._buffer, self._eof = self._buffer, b"", True
                return rest.decode("utf-8", errors="replace")
            return self._stream.readline()
        line, newline, self._buffer = self._buffer.partition(b"\n")
        return (line + newline).decode("utf-8", errors="replace")

    @staticmethod
    async def _readable(loop: asyncio.AbstractEventLoop, fd: int) -> None:
        ready: asyncio.Future[None] = loop.create_future()

        def wake() -> None:
            if not ready.done():
                ready.set_result(None)

        loop.add_reader(fd, wake)
        try:
            await ready
        finally:
            loop.remove_reader(fd)


class ConsoleChannel:
    """`Channel` for the terminal; `sender` prints. `run` reads lines until the input ends."""

    def __init__(
        self,
        address: str,
        clock: Callable[[], datetime],
        exports_dir: Path,
        stdin: TextIO = sys.stdin,
        stdout: TextIO = sys.stdout,
        width: Callable[[], int | None] | None = None,
    ) -> None:
        self._address = address
        self._clock = clock
        self._exports_dir = exports_dir
        self._stdin = stdin
        self._stdout = stdout
        self._interactive = stdin.isatty()
        self._width = width or (lambda: terminal_width(stdout))  # asked each time: terminals resize
        self._runtime: ChannelRuntime | None = None

    @property
    def name(self) -> str:
        return CHANNEL

    @property
    def channel(self) -> str:
        return CHANNEL

    @property
    def sender(self) -> ChannelSender:
        return self

    def attach(self, runtime: ChannelRuntime) -> None:
        self._runtime = runtime

    def add_routes(self, app: web.Application) -> None:
        """The terminal has no webhook."""

    async def start(self) -> None:
        if self._runtime is None:
            raise RuntimeError("attach() the terminal chat before starting it")

    async def stop(self) -> None:
        if self._runtime is not None:
            await self._runtime.stop()

    async def send(self, envelope: Envelope) -> Outcome:
        """Replies, and the messages the bot sends first (reminders, announcements), appear here."""
        self.show(envelope.message)
        if self._interactive and not envelope.reply:
            self._stdout.write("\n> ")
            self._stdout.flush()
        return Sent(("console",))

    def show(self, message: Outbound) -> None:
        self._stdout.write("\n" + render(message, self._exports_dir, self._width()) + "\n")
        self._stdout.flush()

    async def say(self, text: str) -> None:
        assert self._runtime is not None
        await self._runtime.answer(Inbound.typed(CHANNEL, self._address, text, self._clock()))

    async def run(self, opening: str = "/start") -> None:
        """Reads lines until end of input (Ctrl-D, or the end of a piped script). Cancelling it (Ctrl-C)
        ends the wait for input at once."""
        reader = LineReader(self._stdin)
        await self.say(opening)
        while True:
            if self._interactive:
                self._stdout.write("\n> ")
                self._stdout.flush()
            line = await reader.readline()
            if not line:
                break
            text = line.rstrip("\n")
            if not self._interactive:
                self._stdout.write(f"\n> {text}\n")
            if text.strip():
                await self.say(text)
