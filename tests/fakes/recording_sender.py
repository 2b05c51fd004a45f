"""An in-process channel for delivery tests: records what it is asked to send and answers with scripted
outcomes (Sent by default)."""

from __future__ import annotations

import asyncio
from collections import deque
from dataclasses import dataclass, field

from bot.core.delivery import Envelope, Outcome, Sent


@dataclass
class RecordingSender:
    channel: str = "console"
    sent: list[Envelope] = field(default_factory=list)
    script: deque[Outcome] = field(default_factory=deque)  # outcomes to answer first, in order
    delay: float = 0.0

    async def send(self, envelope: Envelope) -> Outcome:
        if self.delay:
            await asyncio.sleep(self.delay)
        outcome = self.script.popleft() if self.script else Sent((f"m{len(self.sent) + 1}",))
        if isinstance(outcome, Sent):
            self.sent.append(envelope)
        return outcome

    def texts(self, address: str | None = None) -> list[str]:
        return [e.message.text for e in self.sent if address is None or e.address == address]
