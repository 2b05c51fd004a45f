"""The polite refusal for anything a user may not do. Handlers check permissions through the
pendamping read port (which only ever returns the pendamping's own data); a refusal changes nothing
and is written to the audit log."""

from __future__ import annotations

from bot.core.context import Context, Result
from bot.core.events import AccessRefused
from bot.core.messages import Outbound
from bot.core.users import Role
from handlers.menu import back_to_menu


def pendamping_of(ctx: Context) -> int | None:
    """The pendamping id of this chat's user, or None for anyone else."""
    return ctx.user.pendamping_id if ctx.user.role is Role.PENDAMPING else None


def refuse(ctx: Context, action: str, target_type: str = "", target_id: int | None = None) -> Result:
    if pendamping_of(ctx) is None:
        text = ctx._("This menu is for pendamping only.")
    else:
        text = ctx._("That is not one of your groups, so I cannot show or change it.")
    return ctx.reply(
        Outbound(text, (back_to_menu(ctx),)),
        state=ctx.state.idle(),
        events=(AccessRefused(action, target_type, target_id),),
    )
