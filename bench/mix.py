"""The mix of messages the Telegram and message-cost benchmarks send: what a member does between
meetings. Both benchmarks send the same kinds with the same button data, so their figures compare."""

from __future__ import annotations

from bot.core.content import Curriculum, Session

MIX = ("menu", "card", "quiz_start", "quiz_answer", "rsvp")
JOIN = ("/start SIRNA1", "Saya setuju", "Ibu Siti")  # typed, tapped, typed: joining the demo kelompok


def quiz_sessions(curriculum: Curriculum) -> list[Session]:
    """Sessions with a quiz and a card after the first, so that every kind in the mix makes sense."""
    return [s for s in curriculum.sessions if s.quiz and len(s.cards) > 1]


def button_data(kind: str, session: Session, round_: int, meeting_id: int) -> str:
    """The button a member taps for `kind` (not "menu", which is typed) in the given round of the mix.
    quiz:start asks the questions in order, so the answer is to the first question."""
    if kind == "card":
        return f"learn:c:{session.cards[1 + round_ % (len(session.cards) - 1)].id}"
    if kind == "quiz_start":
        return f"quiz:start:{session.number}"
    if kind == "quiz_answer":
        question = session.quiz[0]
        return f"quiz:a:{question.id}:{question.correct_index}"
    if kind == "rsvp":
        return f"rsvp:{meeting_id}:yes"
    raise ValueError(f"{kind!r} is not a tapped kind")
