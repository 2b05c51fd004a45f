"""What one inbound message costs the service alone (no channel): SQL statements and CPU per kind of
message, for the mix the Telegram benchmark sends.

    python -m bench.message_cost [--database-url URL] [--users N]

N KPM join the demo kelompok through the real conversation, then each sends, in turn: "menu", a lesson
card's "Lanjut", "Mulai kuis", the answer to the first question, RSVP "Hadir". Statements are counted
as the database driver receives them (BEGIN and COMMIT excluded, and the de-duplication insert a
channel message adds, as these carry no provider id); CPU is this process's, per message,
averaged over the second half of the users (warm caches)."""

from __future__ import annotations

import argparse
import time
from collections import defaultdict
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import event

from bench.common import describe_machine, fresh_database, parser_for, run_on_scratch
from bench.mix import JOIN, MIX, button_data, quiz_sessions
from bot.app import build_app
from bot.demo import seed_demo
from bot.settings import Settings
from tests.transcript import Chat


async def run(url: str, args: argparse.Namespace) -> None:
    db = await fresh_database(url)
    async with db.transaction() as session:
        demo = await seed_demo(session, datetime.now(UTC), "id")
    await db.close()
    settings = Settings(
        _env_file=None,  # type: ignore[call-arg]  # not the developer's .env
        DATABASE_URL=url,
        DEFAULT_LOCALE="id",
        DEFAULT_TIMEZONE="Asia/Jakarta",
    )
    app = await build_app(settings)
    statements: list[str] = []

    def count(_conn: Any, _cursor: Any, statement: str, *_: Any) -> None:
        statements.append(statement)

    event.listen(app.db.engine.sync_engine, "before_cursor_execute", count)
    session = quiz_sessions(app.curriculum)[0]
    costs: dict[str, list[tuple[int, float]]] = defaultdict(list)
    try:
        for n in range(args.users):
            chat = Chat(app.service, f"bench-{n}", channel="telegram")
            start, consent, name = JOIN
            await chat.say(start)
            await chat.tap(consent)
            await chat.say(name)
            for kind in MIX:
                tapped = None if kind == "menu" else button_data(kind, session, 0, demo.meeting_id)
                statements.clear()
                started = time.process_time()
                await (chat.say("menu") if tapped is None else chat.tap_id(tapped))
                cpu = time.process_time() - started
                if not chat.replies or "gangguan" in chat.text:
                    raise RuntimeError(f"{kind}: unexpected reply {chat.text!r}")
                costs[kind].append((len([s for s in statements if not s.startswith("BEGIN")]), cpu))
    finally:
        await app.close()
    print(f"machine: {describe_machine()}; database: {app.db.engine.dialect.name}; users: {args.users}")
    print(f"{'kind':12} {'statements':>10} {'CPU ms':>8}")
    for kind, rows in costs.items():
        warm = rows[len(rows) // 2 :]
        print(f"{kind:12} {warm[-1][0]:>10} {1000 * sum(c for _, c in warm) / len(warm):>8.2f}")


def main() -> None:
    parser = parser_for(__doc__)
    parser.add_argument("--users", type=int, default=100, help="N, simulated KPM")
    run_on_scratch(parser, run)


if __name__ == "__main__":
    main()
