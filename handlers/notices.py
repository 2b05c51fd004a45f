"""What the bot says when it writes first: meeting reminders, announcements, lesson invitations and
meeting changes. Rendered when the message is sent (in the recipient's language, with the meeting as it
is then), from the small payload the outbox row keeps. Each notice also names the WhatsApp template and
variables to use outside the 24-hour window."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from bot.core.content import Curriculum
from bot.core.delivery import Template
from bot.core.i18n import Translator
from bot.core.messages import Button, Outbound
from bot.core.ports import MeetingView
from bot.core.reminders import Step
from bot.core.timefmt import format_when
from handlers.question_notices import KINDS as QUESTION_KINDS
from handlers.question_notices import question_notice


@dataclass(frozen=True)
class Notice:
    message: Outbound
    template: Template


def _rsvp_buttons(t: Translator, meeting_id: int) -> tuple[Button, ...]:
    return (
        Button(f"rsvp:{meeting_id}:yes", t.gettext("Attending")),
        Button(f"rsvp:{meeting_id}:no", t.gettext("Cannot attend")),
        Button(f"rsvp:{meeting_id}:maybe", t.gettext("Not sure yet")),
    )


def _topic(curriculum: Curriculum, meeting: MeetingView) -> str:
    session = curriculum.session(meeting.session_number)
    return f"{meeting.session_number}, {session.title}" if session else str(meeting.session_number)


def render_notice(
    t: Translator,
    curriculum: Curriculum,
    kind: str,
    payload: dict[str, Any],
    name: str,
    meeting: MeetingView | None,
) -> Notice | None:
    """The notice for an outbox row, or None when it is stale (its meeting moved, was cancelled or is over)."""
    greeting = t.gettext("Hello {name},").format(name=name) if name else t.gettext("Hello,")
    if kind == "broadcast":
        sender = str(payload.get("from", ""))
        text = t.gettext("Announcement from your pendamping {name}:").format(name=sender)
        body = str(payload.get("text", ""))
        return Notice(Outbound(f"{text}\n\n{body}"), Template("broadcast", (body,)))
    if kind == "nudge":
        number = int(payload.get("session", 0))
        session = curriculum.session(number)
        if session is None:
            return None
        text = t.gettext(
            "{greeting} there is a P2K2 lesson waiting for you: Session {number}, {title}."
        ).format(greeting=greeting, number=number, title=session.title)
        read = Button(f"learn:s:{number}", t.gettext("Read now"))
        return Notice(Outbound(text, (read,)), Template("nudge", (session.title,), ((read.id, read.label),)))
    if kind == "broadcast_report":
        return _report(t, payload)
    if kind in QUESTION_KINDS:
        return Notice(*question_notice(t, kind, payload))
    if meeting is None:
        return None
    when = format_when(meeting.starts_at, meeting.timezone, t.locale)
    topic = _topic(curriculum, meeting)
    if kind in (Step.INVITATION, Step.REMINDER):  # an outbox row's kind; its payload says which step
        if meeting.status != "scheduled" or payload.get("version") != meeting.version:
            return None
        if payload.get("step") == Step.INVITATION:
            opening = t.gettext("{greeting} you are invited to your group meeting of {group}:")
        elif payload.get("step") == Step.SOON:
            opening = t.gettext("{greeting} your group meeting of {group} starts soon:")
        else:
            opening = t.gettext("{greeting} a reminder of your group meeting of {group}:")
        text = t.gettext(
            "{opening}\nTopic: Session {topic}\nWhen: {when}\nWhere: {place}\n\nWill you attend?"
        ).format(
            opening=opening.format(greeting=greeting, group=meeting.kelompok_name),
            topic=topic,
            when=when,
            place=meeting.place,
        )
        buttons = _rsvp_buttons(t, meeting.id)
        # One approved template for all three: the same variables and buttons, only the opening differs.
        template = Template(
            "reminder", (name or "-", topic, when, meeting.place), tuple((b.id, b.label) for b in buttons)
        )
        return Notice(Outbound(text, buttons), template)
    if kind == "meeting_change":
        if payload.get("change") == "cancelled":
            text = t.gettext(
                "{greeting} the meeting of {group} on {when} is cancelled. Your pendamping will "
                "tell you the new date."
            ).format(greeting=greeting, group=meeting.kelompok_name, when=when)
            # Its own template: an approved template has a fixed set of buttons, and this one has none.
            return Notice(
                Outbound(text), Template("meeting_cancel", (name or "-", topic, when, meeting.place))
            )
        text = t.gettext(
            "{greeting} the meeting of {group} has moved.\nTopic: Session {topic}\nNew time: {when}\nWhere: {place}\n\n"
            "Will you attend?"
        ).format(greeting=greeting, group=meeting.kelompok_name, topic=topic, when=when, place=meeting.place)
        buttons = _rsvp_buttons(t, meeting.id)
        template = Template(
            "meeting_change",
            (name or "-", topic, when, meeting.place),
            tuple((b.id, b.label) for b in buttons),
        )
        return Notice(Outbound(text, buttons), template)
    return None


def _report(t: Translator, payload: dict[str, Any]) -> Notice:
    group = str(payload.get("kelompok", "")) or t.gettext("all your groups")
    counts = t.gettext("sent {sent}, failed {failed}, not reachable {unreachable} (of {total})").format(
        sent=payload.get("sent", 0),
        failed=payload.get("failed", 0),
        unreachable=payload.get("unreachable", 0),
        total=payload.get("total", 0),
    )
    if payload.get("finished"):
        text = t.gettext("Your announcement to {group} has been delivered: {counts}.")
    else:
        text = t.gettext("Your announcement to {group} is on its way: {counts}.")
    body = text.format(group=group, counts=counts)
    return Notice(Outbound(body), Template("broadcast", (body,)))
