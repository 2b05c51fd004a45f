"""One inbound message = one transaction: load the user and their dialog state, run the handler, save
the new state, the handler's events and the replies (as outbox rows) together; then send the replies
at once (`bot.replies`), with the delivery worker as the safety net for any the platform did not take.

Messages of one chat are never handled side by side: the channel runtime (`bot.channels.runtime`)
serves each chat's messages one at a time, and is the only per-chat ordering there is."""

from __future__ import annotations

import logging
import time
import uuid
from collections.abc import Callable
from dataclasses import replace
from datetime import datetime, timedelta

from bot.catalogs import GettextTranslator
from bot.core.content import Curriculum
from bot.core.context import Context, Result
from bot.core.delivery import ChannelSender
from bot.core.dialog import DialogState
from bot.core.events import PersonalDataDeleted
from bot.core.messages import Inbound, InboundKind, Outbound
from bot.core.ports import Links, Ports
from bot.core.reminders import ReminderPolicy
from bot.core.router import Router
from bot.db import dialog_store, inbound_keys, outbox, users
from bot.db.channel_events import SqlChannelEvents
from bot.db.codes import RandomCodes
from bot.db.effects import apply_events
from bot.db.engine import Database
from bot.db.kelompok import SqlKelompokReader
from bot.db.meetings import SqlMeetingReader
from bot.db.pendamping_reader import SqlPendampingReader
from bot.db.progress import SqlProgressReader
from bot.db.questions import SqlQuestionReader
from bot.db.rsvps import SqlRsvpReader
from bot.finishing import Finisher, RetryPolicy
from bot.metrics import DUPLICATE_MESSAGES, ERRORS, HANDLER_LATENCY, INBOUND_MESSAGES
from bot.replies import Answer, dispatch

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
        worker: str = "local",
        lease: timedelta = timedelta(minutes=2),
        retry: RetryPolicy | None = None,
    ) -> None:
        """`worker` names this process in the outbox rows it holds (see `DeliveryWorker`); `lease` is
        how long other workers leave a reply alone before taking it over."""
        self._db = db
        self._policy = policy or ReminderPolicy()
        self._links = links or Links()
        self._router = router
        self._curriculum = curriculum
        self._translators = translators
        self._default_locale = default_locale
        self._clock = clock
        self._worker = worker
        self._lease = lease
        self._retry = retry or RetryPolicy()
        self._finisher = Finisher(db, clock)
        self._events = SqlChannelEvents(db)

    def translator(self, locale: str) -> GettextTranslator:
        return self._translators.get(locale) or self._translators[self._default_locale]

    async def converse(self, inbound: Inbound, sender: ChannelSender) -> Answer:
        """Handles one inbound message and sends its replies through `sender` at once."""
        answer = await self.handle(inbound)
        await dispatch(answer, sender, self._finisher, self._events, self._clock, self._retry)
        return answer

    async def handle(self, inbound: Inbound) -> Answer:
        """Handles one inbound message; its replies are in the outbox when this returns. Never raises:
        failures are logged and answered with an apology (sent once, not stored: nothing was saved)."""
        INBOUND_MESSAGES.labels(inbound.channel).inc()
        received = inbound.received_at
        if inbound.kind is InboundKind.GROUP:
            # Nothing about a group chat is stored: members' numbers must never be exposed to each other.
            t = self.translator(self._default_locale)
            text = t.gettext("I only work in a private chat. Please send me a direct message.")
            return Answer(inbound.channel, inbound.address, received, (Outbound(text),))
        started = time.perf_counter()
        locale, user_id = self._default_locale, None
        try:
            async with self._finisher.riding() as record_finished, self._db.transaction() as session:
                await record_finished(session)  # before the sender is read: their last reply counts as sent
                now = self._clock()
                if inbound.message_id and not await inbound_keys.first_time(
                    session, inbound.channel, inbound.message_id, now
                ):
                    DUPLICATE_MESSAGES.labels(inbound.channel).inc()
                    return Answer(inbound.channel, inbound.address, received, ())
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
                if any(isinstance(e, PersonalDataDeleted) for e in result.events):
                    # The user and their chat are gone: the confirmation is sent, but not stored.
                    return Answer(inbound.channel, inbound.address, received, tuple(result.replies))
                key = f"{inbound.channel}:{inbound.message_id}" if inbound.message_id else uuid.uuid4().hex
                send_now = not sender.reply_waiting
                row_ids = await outbox.queue_replies(
                    session,
                    sender.identity_id,
                    view.id,
                    [reply.to_payload() for reply in result.replies],
                    key,
                    now,
                    (self._worker, self._lease) if send_now else None,
                )
                return Answer(
                    inbound.channel,
                    inbound.address,
                    received,
                    tuple(result.replies),
                    tuple(row_ids),
                    send_now,
                )
        except Exception:
            ERRORS.labels("inbound").inc()
            log.exception("inbound message failed", extra={"user_id": user_id, "channel": inbound.channel})
            t = self.translator(locale)
            text = t.gettext("Sorry, something went wrong on our side. Please try again, or type MENU.")
            return Answer(inbound.channel, inbound.address, received, (Outbound(text),))
        finally:
            HANDLER_LATENCY.observe(time.perf_counter() - started)
