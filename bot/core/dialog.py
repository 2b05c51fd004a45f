"""Dialog state: where a user is in a conversation, stored after every message so it survives restarts."""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from typing import Any

from bot.core.messages import Button

JSON = dict[str, Any]


@dataclass(frozen=True)
class DialogState:
    """`flow` names the handler that receives free text; `data` is that flow's JSON-safe memory;
    `buttons` are the choices last shown, so that typed numbers and words can be matched to them."""

    flow: str = ""
    step: str = ""
    data: JSON = field(default_factory=dict)
    buttons: tuple[Button, ...] = ()

    def at(self, flow: str, step: str = "", **data: Any) -> DialogState:
        return DialogState(flow=flow, step=step, data=dict(data), buttons=self.buttons)

    def with_data(self, **data: Any) -> DialogState:
        return replace(self, data={**self.data, **data})

    def idle(self) -> DialogState:
        return DialogState(buttons=self.buttons)

    def to_json(self) -> JSON:
        return {
            "flow": self.flow,
            "step": self.step,
            "data": self.data,
            "buttons": [[b.id, b.label] for b in self.buttons],
        }

    @classmethod
    def from_json(cls, raw: JSON | None) -> DialogState:
        if not raw:
            return cls()
        buttons = tuple(Button(str(i), str(label)) for i, label in raw.get("buttons", []))
        return cls(
            flow=str(raw.get("flow", "")),
            step=str(raw.get("step", "")),
            data=dict(raw.get("data", {})),
            buttons=buttons,
        )
