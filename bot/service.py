"""One inbound message = one transaction: load the user and their dialog state, run the handler, save
the new state and the handler's events together, and return the replies for the channel to send."""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from dataclasses import replace
from datetime import datetime

from bot.catalogs import GettextTranslator
from bot.core.content import Curriculum
from bot.core.context import Context, Result
from bot.core.dialog import DialogState
from bot.core.messages import Inbound, InboundKind, Outbound
from bot.core.ports import Links, Ports
from bot.core.reminders import ReminderPolicy
from bot.core.router import Router
from bot.db import dialog_store, inbound_keys, users
from bot.db.codes import RandomCodes
from bot.db.effects import apply_events
from bot.db.engine import Database
from bot.db.kelompok import SqlKelompokReader
from bot.db.meetings import SqlMeetingReader
from bot.db.pendamping_reader import SqlPendampingReader
from bot.db.progress import SqlProgressReader
from bot.db.questions import SqlQuestionReader
from bot.db.rsvps import SqlRsvpReader
from bot.locks import KeyedLocks
from bot.metrics import DUPLICATE_MESSAGES, ERRORS, HANDLER_LATENCY, INBOUND_MESSAGES

log = logging.getLogger(__name__)
Clock = Callable[[], datetime]


def remember_buttons(result: Result) -> DialogState:
    """The buttons a user sees last are the ones their typed numbers and words refer to."""
    shown = next((r.buttons for r in reversed(result.replies) if r.buttons), ())
    return replace(result.state, buttons=shown)


class ConversationService:
    def __init__(
        self,
        db: Database,
        router: Router,
        curriculum: Curriculum,
        translators: dict[str, GettextTranslator],
        default_locale: str,
        clock: Clock,
        policy: ReminderPolicy | None = None,
        links: Links | None = None,
    ) -> None:
        self._db = db
        self._policy = policy or ReminderPolicy()
        self._links = links or Links()
        self._router = router
        self._curriculum = curriculum
        self._translators = translators
        self._default_locale = default_locale
        self._clock = clock
        self._locks = KeyedLocks()

    def translator(self, locale: str) -> GettextTranslator:
        return self._translators.get(locale) or self._translators[self._default_locale]

    async def handle(self, inbound: Inbound) -> list[Outbound]:
        """Replies to one inbound message. Never raises: failures are logged and answered with an apology."""
        INBOUND_MESSAGES.labels(inbound.channel).inc()
        if inbound.kind is InboundKind.GROUP:
            # Nothing about a group chat is stored: members' numbers must never be exposed to each other.
            t = self.translator(self._default_locale)
            return [Outbound(t.gettext("I only work in a private chat. Please send me a direct message."))]
        started = time.perf_counter()
        locale, user_id = self._default_locale, None
        async with self._locks.hold((inbound.channel, inbound.address)):
            try:
                async with self._db.transaction() as session:
                    now = self._clock()
                    if inbound.message_id and not await inbound_keys.first_time(
                        session, inbound.channel, inbound.message_id, now
                    ):
                        DUPLICATE_MESSAGES.labels(inbound.channel).inc()
                        return []
                    sender = await users.load_sender(
                        session, inbound.channel, inbound.address, now, self._default_locale
                    )
                    view = sender.view
                    locale, user_id = view.locale, view.id
                    state = DialogState.from_json(sender.stored_state)
                    ports = Ports(
                        curriculum=self._curriculum,
                        meetings=SqlMeetingReader(session),
                        kelompok=SqlKelompokReader(session),
                        rsvps=SqlRsvpReader(session),
                        progress=SqlProgressReader(session),
                        pendamping=SqlPendampingReader(session, self._curriculum),
                        codes=RandomCodes(),
                        questions=SqlQuestionReader(session),
                        links=self._links,
                        reminders=self._policy,
                    )
                    ctx = Context(view, state, now, self.translator(view.locale), ports)
                    handler, routed = self._router.resolve(state, inbound, view.role)
                    result = await handler(ctx, routed)
                    await dialog_store.save_state(
                        session, view.id, remember_buttons(result), sender.stored_state, now
                    )
                    await apply_events(session, view, result.events, now, self._policy)
                    return list(result.replies)
            except Exception:
                ERRORS.labels("inbound").inc()
                log.exception(
                    "inbound message failed", extra={"user_id": user_id, "channel": inbound.channel}
                )
                t = self.translator(locale)
                return [
                    Outbound(
                        t.gettext("Sorry, something went wrong on our side. Please try again, or type MENU.")
                    )
                ]
            finally:
                HANDLER_LATENCY.observe(time.perf_counter() - started)
