"""A kelompok's records (members, RSVPs, attendance, quiz answers) sent to the pendamping as files in the
chat: one Excel workbook with a sheet each, or one CSV file each. Every export is written to the audit log.

Button ids: "export" (the only kelompok directly, else a choice), "export:k:<kelompok>" (the format),
"export:xlsx:<kelompok>", "export:csv:<kelompok>". The files are built through the pendamping port, so
another pendamping's kelompok is refused and audited."""

from __future__ import annotations

from bot.core.context import Context, Result
from bot.core.events import ExportSent
from bot.core.messages import Button, Inbound, InboundKind, Outbound
from bot.core.router import Router
from handlers.authz import pendamping_of, refuse
from handlers.menu import back_to_menu

router = Router()

FORMATS = ("xlsx", "csv")


@router.command("ekspor", "/ekspor", "export")
@router.button("export")
async def export(ctx: Context, msg: Inbound) -> Result:
    parts = msg.button_id.split(":") if msg.kind is InboundKind.BUTTON else ["export"]
    action, arg = [*parts, "", ""][1:3]
    target = int(arg) if arg.isdigit() else None
    pendamping = pendamping_of(ctx)
    if pendamping is None:
        return refuse(ctx, "export", "kelompok", target)
    if action == "k" or action in FORMATS:
        group = await ctx.ports.pendamping.kelompok(pendamping, target or 0)
        if group is None:
            return refuse(ctx, "export", "kelompok", target)
        if action in FORMATS:
            return await send(ctx, pendamping, group.id, group.name, action)
        return ask_format(ctx, group.id, group.name)
    groups = await ctx.ports.kelompok.of_pendamping(pendamping)
    if not groups:
        text = ctx._("You have no group yet.")
        return ctx.reply(Outbound(text, (back_to_menu(ctx),)), state=ctx.state.idle())
    if len(groups) == 1:
        return ask_format(ctx, groups[0].id, groups[0].name)
    buttons = tuple(Button(f"export:k:{g.id}", g.name) for g in groups)
    text = ctx._("Export the data of which group?")
    return ctx.reply(Outbound(text, (*buttons, back_to_menu(ctx))), state=ctx.state.idle())


def ask_format(ctx: Context, kelompok_id: int, name: str) -> Result:
    # Format names are the same in every language, so they stay out of the translations.
    text = ctx._(
        "Export the data of {group}: members, meeting answers, attendance and quiz answers.\n"
        "{excel}: one file with a sheet for each. {csv}: one file for each."
    ).format(group=name, excel="Excel", csv="CSV")
    buttons = (
        Button(f"export:xlsx:{kelompok_id}", "Excel (XLSX)"),
        Button(f"export:csv:{kelompok_id}", "CSV"),
        back_to_menu(ctx),
    )
    return ctx.reply(Outbound(text, buttons), state=ctx.state.idle())


async def send(ctx: Context, pendamping: int, kelompok_id: int, name: str, fmt: str) -> Result:
    documents = await ctx.ports.pendamping.export(pendamping, kelompok_id, fmt, ctx.now)
    if documents is None:
        return refuse(ctx, "export", "kelompok", kelompok_id)
    files = tuple(Outbound(document.filename, document=document) for document in documents)
    if len(documents) == 1:
        text = ctx._(
            "The data of {group} is in the file above. It holds personal data: keep it safe and do not share it."
        ).format(group=name)
    else:
        text = ctx._(
            "The data of {group} is in the {count} files above. They hold personal data: keep them safe and "
            "do not share them."
        ).format(group=name, count=len(documents))
    return ctx.reply(
        *files,
        Outbound(text, (back_to_menu(ctx),)),
        state=ctx.state.idle(),
        events=(ExportSent(kelompok_id, fmt),),
    )
