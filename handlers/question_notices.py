"""The notices of a member's question: to the pendamping when it is asked, to the member when it is
answered. Rendered at sending time from the outbox payload:

    question: {"question": 7, "member": "Ibu Siti", "kelompok": "Sirnajaya 1", "text": "..."}
    answer:   {"question": 7, "from": "Bu Rina", "asked": "...", "text": "..."}"""

from __future__ import annotations

from typing import Any

from bot.core.delivery import Template
from bot.core.i18n import Translator
from bot.core.messages import Button, Outbound

KINDS = ("question", "answer")
QUOTE_MAX = 100


def _quote(text: str) -> str:
    text = " ".join(text.split())
    return text if len(text) <= QUOTE_MAX else text[: QUOTE_MAX - 1].rstrip() + "…"


def question_notice(t: Translator, kind: str, payload: dict[str, Any]) -> tuple[Outbound, Template]:
    text = str(payload.get("text", ""))
    if kind == "question":
        heading = t.gettext("A question from {name} ({group}):").format(
            name=payload.get("member") or "?", group=payload.get("kelompok", "")
        )
        hint = t.gettext("Tap Answer, or find it later under Member questions in your menu.")
        body = f"{heading}\n\n“{text}”\n\n{hint}"
        answer = Button(f"pq:o:{payload.get('question', 0)}", t.gettext("Answer"))
        return Outbound(body, (answer,)), Template("broadcast", (body,))
    heading = t.gettext("Answer from your pendamping, {name}:").format(name=payload.get("from", ""))
    asked = t.gettext("Your question: “{question}”").format(question=_quote(str(payload.get("asked", ""))))
    body = f"{heading}\n\n{text}\n\n{asked}"
    return Outbound(body), Template("broadcast", (body,))
