"""Stopping and resuming messages (BERHENTI / STOP, MULAI), and deleting personal data (HAPUS DATA).
Both ask for confirmation first."""

from __future__ import annotations

from bot.core.context import Context, Result
from bot.core.events import MessagesResumed, MessagesStopped, PersonalDataDeleted
from bot.core.messages import Button, Inbound, Outbound
from bot.core.router import Router
from bot.core.users import Role
from handlers.menu import back_to_menu, main_menu

router = Router()


@router.command("berhenti", "stop", "/stop", "/berhenti")
@router.button("stop")
async def stop(ctx: Context, msg: Inbound) -> Result:
    if not ctx.user.consented and ctx.user.kelompok_id is None and ctx.user.role is Role.KPM:
        text = ctx._("You are not registered, so we send you no reminders or announcements.")
        return ctx.reply(main_menu(ctx, text), state=ctx.state.idle())
    if msg.button_id == "stop:yes" and ctx.state.flow == "stop":
        text = ctx._(
            "Done. You will no longer get reminders, lesson invitations or announcements. "
            "You can still open lessons here. Type MULAI to receive messages again."
        )
        return ctx.reply(
            Outbound(text, (back_to_menu(ctx),)), state=ctx.state.idle(), events=(MessagesStopped(),)
        )
    if msg.button_id == "stop:no":
        return ctx.reply(main_menu(ctx, ctx._("All right, nothing was changed.")), state=ctx.state.idle())
    if ctx.user.stopped:
        text = ctx._("Messages are already stopped. Type MULAI to receive them again.")
        return ctx.reply(Outbound(text, (back_to_menu(ctx),)), state=ctx.state.idle())
    text = ctx._("Stop all reminders, lesson invitations and announcements from your pendamping?")
    buttons = (Button("stop:yes", ctx._("Yes, stop")), Button("stop:no", ctx._("Cancel")))
    return ctx.reply(Outbound(text, buttons), state=ctx.state.at("stop"))


@router.command("mulai", "/mulai", "resume")
@router.button("resume")
async def resume(ctx: Context, _msg: Inbound) -> Result:
    if not ctx.user.stopped:
        text = ctx._("Messages are on. You will receive reminders and announcements.")
        return ctx.reply(main_menu(ctx, text), state=ctx.state.idle())
    text = ctx._("Welcome back. You will receive reminders and announcements again.")
    return ctx.reply(main_menu(ctx, text), state=ctx.state.idle(), events=(MessagesResumed(),))


@router.command("hapus data", "/hapus", "hapus", "delete my data")
@router.button("delete")
async def delete(ctx: Context, msg: Inbound) -> Result:
    if not ctx.user.consented and ctx.user.kelompok_id is None and ctx.user.role is Role.KPM:
        text = ctx._(
            "We have stored nothing about you except this chat's number, which we need to answer you. "
            "There is nothing to delete."
        )
        return ctx.reply(main_menu(ctx, text), state=ctx.state.idle())
    if msg.button_id == "delete:yes" and ctx.state.flow == "delete":
        text = ctx._(
            "Your data has been deleted: your name, your chat account, your group membership, "
            "your meeting answers and reasons, your lesson progress and your consent. "
            "Quiz answers and attendance remain only as counts without your name. "
            "If you write again, we will start fresh."
        )
        return ctx.reply(Outbound(text), state=ctx.state.idle(), events=(PersonalDataDeleted(),))
    if msg.button_id == "delete:no":
        return ctx.reply(main_menu(ctx, ctx._("All right, nothing was changed.")), state=ctx.state.idle())
    text = ctx._(
        "Delete your data? Your name, your group membership, your meeting answers and your lesson progress "
        "will be deleted and cannot be brought back."
    )
    buttons = (Button("delete:yes", ctx._("Yes, delete")), Button("delete:no", ctx._("Cancel")))
    return ctx.reply(Outbound(text, buttons), state=ctx.state.at("delete"))
