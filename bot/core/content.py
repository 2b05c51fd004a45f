"""The P2K2 curriculum as frozen, typed objects. Session numbers 1-14 are the stable keys; card and
question ids are stable too, so editing a lesson's words never breaks saved progress."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Source:
    title: str
    url: str
    cards: tuple[str, ...] = ()  # ids of the cards this document supports


@dataclass(frozen=True)
class UrgentHelp:
    """Where to call when a message has one of `words` (content/urgent.yaml): `message` names `number`."""

    id: str
    words: tuple[str, ...]
    message: str
    number: str
    source: Source


@dataclass(frozen=True)
class Card:
    id: str
    title: str
    text: str


@dataclass(frozen=True)
class Option:
    text: str
    correct: bool


@dataclass(frozen=True)
class Question:
    id: str
    question: str
    options: tuple[Option, ...]
    explanation: str

    @property
    def correct_index(self) -> int:
        return next(i for i, option in enumerate(self.options) if option.correct)


@dataclass(frozen=True)
class Session:
    number: int
    module: int
    title: str
    summary: str
    cards: tuple[Card, ...]
    task: str
    quiz: tuple[Question, ...]
    sources: tuple[Source, ...]


@dataclass(frozen=True)
class Module:
    number: int
    title: str
    sessions: tuple[int, ...]


@dataclass(frozen=True)
class Curriculum:
    spec_version: int
    modules: tuple[Module, ...]
    sessions: tuple[Session, ...]

    def session(self, number: int) -> Session | None:
        return next((s for s in self.sessions if s.number == number), None)

    def module(self, number: int) -> Module | None:
        return next((m for m in self.modules if m.number == number), None)

    def question(self, question_id: str) -> tuple[Session, Question] | None:
        for session in self.sessions:
            for question in session.quiz:
                if question.id == question_id:
                    return session, question
        return None
