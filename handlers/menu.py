"""Start, main menu and help. Typing MENU (or /start, /menu) always comes back here."""

from __future__ import annotations

from bot.core.context import Context, Result
from bot.core.i18n import N_
from bot.core.messages import Button, Inbound, Outbound
from bot.core.router import Router
from bot.core.users import Role

router = Router()

KPM_MENU = (
    ("learn", N_("Learn")),
    ("quiz", N_("Quiz")),
    ("meeting", N_("Meetings")),
    ("progress", N_("My progress")),
    ("help", N_("Help")),
    ("settings", N_("Settings")),
)
PENDAMPING_MENU = (
    ("groups", N_("My groups")),
    ("pmeet", N_("Meetings")),
    ("attend", N_("Attendance")),
    ("bcast", N_("Announcements")),
    ("results", N_("Quiz results")),
    ("export", N_("Export")),
    ("pq", N_("Member questions")),
    ("learn", N_("Learn")),
    ("help", N_("Help")),
)


def menu_buttons(ctx: Context) -> tuple[Button, ...]:
    items = PENDAMPING_MENU if ctx.user.role is Role.PENDAMPING else KPM_MENU
    return tuple(Button(button_id, ctx._(label)) for button_id, label in items)


def main_menu(ctx: Context, intro: str = "") -> Outbound:
    text = ctx._("Main menu. Choose one:")
    return Outbound(f"{intro}\n\n{text}" if intro else text, menu_buttons(ctx))


def back_to_menu(ctx: Context) -> Button:
    return Button("menu", ctx._("Menu"))


@router.command("menu", "/menu", "menu utama", "kembali")
@router.button("menu")
async def menu(ctx: Context, _msg: Inbound) -> Result:
    waiting = ""
    if ctx.user.role is Role.PENDAMPING and ctx.user.pendamping_id is not None:
        count = await ctx.ports.questions.open_count(ctx.user.pendamping_id)
        if count:
            waiting = ctx.t.ngettext(
                "{count} member question is waiting for your answer.",
                "{count} member questions are waiting for your answer.",
                count,
            ).format(count=count)
    return ctx.reply(main_menu(ctx, waiting), state=ctx.state.idle())


@router.command("batal", "/batal", "cancel")
async def cancel(ctx: Context, _msg: Inbound) -> Result:
    text = ctx._("Cancelled. Nothing was changed.") if ctx.state.flow else ""
    return ctx.reply(main_menu(ctx, text), state=ctx.state.idle())


@router.command("bantuan", "help", "/help", "/bantuan", "tolong")
@router.button("help")
async def help_(ctx: Context, _msg: Inbound) -> Result:
    if ctx.user.role is Role.PENDAMPING:
        text = ctx._(
            "How to use this chat as a pendamping:\n"
            "- Tap a button, or type its number or its word.\n"
            "- PERTEMUAN: schedule, change or cancel meetings and see the answers.\n"
            "- KEHADIRAN: record who came to a meeting.\n"
            "- PENGUMUMAN: send an announcement to your groups.\n"
            "- EKSPOR: download your groups' data.\n"
            "- Type MENU at any time to go back to your menu."
        )
    else:
        text = ctx._(
            "How to use this chat:\n"
            "- Tap a button, or type its number or its word.\n"
            "- Type MENU at any time to go back to the main menu.\n"
            "- Type BANTUAN to see this help again.\n"
            "If you are stuck, ask your pendamping at the next meeting."
        )
    return ctx.reply(Outbound(text, (back_to_menu(ctx),)), state=ctx.state.idle())
