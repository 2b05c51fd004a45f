"""Reads `content/` YAML into the frozen curriculum types. A broken file stops start-up with a message
that names the file and the field."""

from __future__ import annotations

from importlib.resources import files
from pathlib import Path
from typing import Annotated, TypeVar

import yaml
from pydantic import BaseModel, ConfigDict, Field, StringConstraints, ValidationError, model_validator

from bot.core.content import Card, Curriculum, Module, Option, Question, Session, Source, UrgentHelp

SPEC_VERSION = 1
M = TypeVar("M", bound=BaseModel)
Text = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1)]
Id = Annotated[str, StringConstraints(pattern=r"^s\d{2}[kq]\d{1,2}$")]


class ContentError(Exception):
    pass


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class _Source(_Strict):
    title: Text
    url: Annotated[str, StringConstraints(pattern=r"^https?://\S+$")]
    cards: list[Id] = []  # the cards this document supports (content check: every health card is named)


class _Card(_Strict):
    id: Id
    title: Annotated[Text, Field(max_length=60)]
    text: Annotated[Text, Field(max_length=600)]


class _Option(_Strict):
    text: Annotated[Text, Field(max_length=120)]
    correct: bool


class _Question(_Strict):
    id: Id
    question: Annotated[Text, Field(max_length=300)]
    options: Annotated[list[_Option], Field(min_length=2, max_length=4)]
    explanation: Annotated[Text, Field(max_length=300)]

    @model_validator(mode="after")
    def _one_correct(self) -> _Question:
        if sum(option.correct for option in self.options) != 1:
            raise ValueError("exactly one option must have correct: true")
        return self


class _Session(_Strict):
    spec_version: int
    session: Annotated[int, Field(ge=1, le=14)]
    title: Annotated[Text, Field(max_length=60)]
    summary: Annotated[Text, Field(max_length=150)]
    cards: Annotated[list[_Card], Field(min_length=4, max_length=6)]
    task: Annotated[Text, Field(max_length=600)]
    quiz: Annotated[list[_Question], Field(min_length=3, max_length=5)]
    sources: Annotated[list[_Source], Field(min_length=1)]


class _Module(_Strict):
    number: Annotated[int, Field(ge=1)]
    title: Text
    sessions: list[Annotated[int, Field(ge=1, le=14)]]


class _Modules(_Strict):
    spec_version: int
    modules: Annotated[list[_Module], Field(min_length=1)]


def content_dir() -> Path:
    return Path(str(files("content")))


def _parse(path: Path, model: type[M]) -> M:
    try:
        raw = yaml.safe_load(path.read_text(encoding="utf-8"))
    except (OSError, yaml.YAMLError) as exc:
        raise ContentError(f"{path}: cannot read YAML: {exc}") from None
    try:
        parsed = model.model_validate(raw)
    except ValidationError as exc:
        first = exc.errors()[0]
        where = ".".join(str(part) for part in first["loc"]) or "(file)"
        raise ContentError(f"{path}: field {where}: {first['msg']}") from None
    if getattr(parsed, "spec_version", SPEC_VERSION) != SPEC_VERSION:
        raise ContentError(f"{path}: field spec_version: this program reads version {SPEC_VERSION}")
    return parsed


def _session(raw: _Session, module: int) -> Session:
    return Session(
        number=raw.session,
        module=module,
        title=raw.title,
        summary=raw.summary,
        cards=tuple(Card(c.id, c.title, c.text) for c in raw.cards),
        task=raw.task,
        quiz=tuple(
            Question(q.id, q.question, tuple(Option(o.text, o.correct) for o in q.options), q.explanation)
            for q in raw.quiz
        ),
        sources=tuple(Source(s.title, s.url, tuple(s.cards)) for s in raw.sources),
    )


def load_curriculum(directory: Path | None = None) -> Curriculum:
    directory = directory or content_dir()
    modules_file = directory / "modules.yaml"
    modules = _parse(modules_file, _Modules).modules
    module_of = {number: m.number for m in modules for number in m.sessions}
    if sorted(module_of) != list(range(1, 15)) or sum(len(m.sessions) for m in modules) != 14:
        raise ContentError(f"{modules_file}: field modules: sessions 1-14 must each appear exactly once")
    sessions = []
    seen_ids: dict[str, Path] = {}
    for number in range(1, 15):
        path = directory / "sessions" / f"sesi-{number:02d}.yaml"
        if not path.exists():
            raise ContentError(f"{path}: missing (every session 1-14 needs a file)")
        raw = _parse(path, _Session)
        if raw.session != number:
            raise ContentError(f"{path}: field session: says {raw.session}, file name says {number}")
        prefix = f"s{number:02d}"
        for item_id in [c.id for c in raw.cards] + [q.id for q in raw.quiz]:
            if not item_id.startswith(prefix):
                raise ContentError(f"{path}: field id: {item_id!r} must start with {prefix!r}")
            if item_id in seen_ids:
                raise ContentError(f"{path}: field id: {item_id!r} also used in {seen_ids[item_id]}")
            seen_ids[item_id] = path
        sessions.append(_session(raw, module_of[number]))
    return Curriculum(
        spec_version=SPEC_VERSION,
        modules=tuple(Module(m.number, m.title, tuple(m.sessions)) for m in modules),
        sessions=tuple(sessions),
    )


class _UrgentHelp(_Strict):
    id: Annotated[str, StringConstraints(pattern=r"^[a-z]+$")]
    number: Annotated[str, StringConstraints(pattern=r"^[0-9][0-9-]{2,14}$")]
    words: Annotated[list[Annotated[Text, Field(min_length=3)]], Field(min_length=1)]
    message: Annotated[Text, Field(max_length=600)]
    source: _Source

    @model_validator(mode="after")
    def _names_its_number(self) -> _UrgentHelp:
        if self.number not in self.message:
            raise ValueError(f"the message must name the number {self.number}")
        return self


class _Urgent(_Strict):
    spec_version: int
    helps: Annotated[list[_UrgentHelp], Field(min_length=1)]


def load_urgent(path: Path | None = None) -> tuple[UrgentHelp, ...]:
    """The urgent words and the numbers to call (content/urgent.yaml)."""
    path = path or content_dir() / "urgent.yaml"
    helps = _parse(path, _Urgent).helps
    seen: set[str] = set()
    for raw in helps:
        for word in raw.words:
            if word.casefold() in seen:
                raise ContentError(f"{path}: field words: {word!r} appears twice")
            seen.add(word.casefold())
    return tuple(
        UrgentHelp(h.id, tuple(h.words), h.message, h.number, Source(h.source.title, h.source.url))
        for h in helps
    )
