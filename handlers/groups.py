"""A pendamping's own kelompok: names, join codes and member counts."""

from __future__ import annotations

from bot.core.context import Context, Result
from bot.core.messages import Inbound, Outbound
from bot.core.router import Router
from bot.core.users import Role
from handlers.menu import back_to_menu

router = Router()


@router.command("kelompok", "/kelompok")
@router.button("groups")
async def my_groups(ctx: Context, _msg: Inbound) -> Result:
    if ctx.user.role is not Role.PENDAMPING or ctx.user.pendamping_id is None:
        text = ctx._("This menu is for pendamping only.")
        return ctx.reply(Outbound(text, (back_to_menu(ctx),)), state=ctx.state.idle())
    groups = await ctx.ports.kelompok.of_pendamping(ctx.user.pendamping_id)
    if not groups:
        text = ctx._("You have no group yet.")
        return ctx.reply(Outbound(text, (back_to_menu(ctx),)), state=ctx.state.idle())
    lines = [ctx._("Your groups:")]
    for group in groups:
        members = ctx.t.ngettext("{count} member", "{count} members", group.members).format(
            count=group.members
        )
        lines.append(
            ctx._("- {name} (Desa {desa}): code {code}, {members}").format(
                name=group.name, desa=group.desa, code=group.join_code, members=members
            )
        )
    lines.append(ctx._("KPM join a group by typing its code in this chat."))
    return ctx.reply(Outbound("\n".join(lines), (back_to_menu(ctx),)), state=ctx.state.idle())
