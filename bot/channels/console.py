"""Terminal chat: the bot on standard input and output, buttons shown as numbered choices."""

from __future__ import annotations

import asyncio
import sys
from collections.abc import Awaitable, Callable
from datetime import datetime
from pathlib import Path
from typing import TextIO

from bot.core.delivery import Envelope, Outcome, Sent
from bot.core.messages import Inbound, Outbound

Handle = Callable[[Inbound], Awaitable[list[Outbound]]]
CHANNEL = "console"


def render(message: Outbound, exports_dir: Path) -> str:
    lines = [message.text]
    if message.document is not None:
        exports_dir.mkdir(parents=True, exist_ok=True)
        path = exports_dir / Path(message.document.filename).name
        path.write_bytes(message.document.content)
        lines.append(f"[{path} · {len(message.document.content):,} bytes]")
    if message.buttons:
        lines.append("   ".join(f"[{n}] {button.label}" for n, button in enumerate(message.buttons, 1)))
    return "\n".join(lines)


class ConsoleChat:
    def __init__(
        self,
        handle: Handle,
        address: str,
        clock: Callable[[], datetime],
        exports_dir: Path,
        stdin: TextIO = sys.stdin,
        stdout: TextIO = sys.stdout,
    ) -> None:
        self._handle = handle
        self._address = address
        self._clock = clock
        self._exports_dir = exports_dir
        self._stdin = stdin
        self._stdout = stdout
        self._interactive = stdin.isatty()

    @property
    def channel(self) -> str:
        return CHANNEL

    async def send(self, envelope: Envelope) -> Outcome:
        """Messages the bot sends first (reminders, announcements) appear in this terminal too."""
        self.show([envelope.message])
        if self._interactive:
            self._stdout.write("\n> ")
            self._stdout.flush()
        return Sent(("console",))

    def show(self, replies: list[Outbound]) -> None:
        for reply in replies:
            self._stdout.write("\n" + render(reply, self._exports_dir) + "\n")
        self._stdout.flush()

    async def say(self, text: str) -> None:
        self.show(await self._handle(Inbound.typed(CHANNEL, self._address, text, self._clock())))

    async def run(self, opening: str = "/start") -> None:
        """Reads lines until end of input (Ctrl-D, or the end of a piped script)."""
        await self.say(opening)
        while True:
            if self._interactive:
                self._stdout.write("\n> ")
                self._stdout.flush()
            line = await asyncio.to_thread(self._stdin.readline)
            if not line:
                break
            text = line.rstrip("\n")
            if not self._interactive:
                self._stdout.write(f"\n> {text}\n")
            if text.strip():
                await self.say(text)
