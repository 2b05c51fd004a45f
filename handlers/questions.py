"""Questions for a person: free text the bot cannot answer is offered to the member's pendamping, and
urgent words are answered first with the number to call (content/urgent.yaml), even in the middle of a
flow. The typed text waits in the dialog state until the member taps "Ask pendamping"; only then is it
stored and forwarded:

    data {"ask": "kapan bansos cair?"}          (the flow in progress, if any, is kept)

Button ids: "ask:send"."""

from __future__ import annotations

from dataclasses import replace

from bot.core.context import Context, Result
from bot.core.dialog import DialogState
from bot.core.events import QuestionAsked
from bot.core.messages import Button, Inbound, Outbound
from bot.core.router import Router
from bot.core.urgent import UrgentWords
from bot.core.users import Role
from handlers.menu import back_to_menu

router = Router()

TEXT_MAX = 500  # what the pendamping can read on a phone; the rest is cut, with a note to the member


def _member_of_kelompok(ctx: Context) -> bool:
    return ctx.user.consented and ctx.user.kelompok_id is not None


def worth_forwarding(text: str) -> bool:
    """Words, not only emoji or signs: "🙏🙏" gets the usual hint rather than an offer to forward it."""
    return sum(ch.isalnum() for ch in text) >= 2


def join_first(ctx: Context, state: DialogState) -> Result:
    text = ctx._(
        "Sorry, I cannot answer that myself. Once you have joined a kelompok, you can ask your pendamping "
        "here. Type the kelompok code your pendamping gave you."
    )
    return ctx.reply(Outbound(text, (back_to_menu(ctx),)), state=state)


async def offer_question(ctx: Context, msg: Inbound, keep_flow: bool = False) -> Result:
    """The answer to free text: forward it to the pendamping? `keep_flow`: the flow in progress goes on."""
    state = ctx.state if keep_flow else ctx.state.idle()
    if not _member_of_kelompok(ctx):
        return join_first(ctx, state)
    text = ctx._(
        "Sorry, I cannot answer that myself. Shall I forward your message to your pendamping? "
        "They will answer you here in this chat."
    )
    buttons = (Button("ask:send", ctx._("Ask pendamping")), back_to_menu(ctx))
    return ctx.reply(Outbound(text, buttons), state=state.with_data(ask=msg.text.strip()))


@router.button("ask")
async def send(ctx: Context, _msg: Inbound) -> Result:
    if not _member_of_kelompok(ctx) or ctx.user.kelompok_id is None:
        return join_first(ctx, ctx.state.idle())
    raw = ctx.state.data.get("ask")
    if not isinstance(raw, str) or not raw:
        text = ctx._("That question was already forwarded to your pendamping.")
        return ctx.reply(Outbound(text, (back_to_menu(ctx),)), state=ctx.state.idle())
    cut = len(raw) > TEXT_MAX
    question = raw[: TEXT_MAX - 1].rstrip() + "…" if cut else raw
    group = await ctx.ports.kelompok.get(ctx.user.kelompok_id)
    if group is not None and group.pendamping_name:
        done = ctx._(
            "Your question has been forwarded to pendamping {name}. The answer will come here in this chat."
        ).format(name=group.pendamping_name)
    else:
        done = ctx._(
            "Your question has been forwarded to your pendamping. The answer will come here in this chat."
        )
    if cut:
        note = ctx._("Your message was long, so only its first {limit} letters were sent.")
        done = f"{done}\n\n{note.format(limit=TEXT_MAX)}"
    return ctx.reply(
        Outbound(done, (back_to_menu(ctx),)), state=ctx.state.idle(), events=(QuestionAsked(question),)
    )


def urgent_screen(words: UrgentWords, rest: Router) -> Router:
    """Answers a member's urgent words before anything else. A pendamping's text (an answer, an
    announcement) is never screened: it goes on to `rest`, the router of every other feature."""
    screen = Router()

    @screen.screen(lambda inbound: bool(words.find(inbound.text)))
    async def urgent(ctx: Context, msg: Inbound) -> Result:
        if ctx.user.role is Role.PENDAMPING:
            handler, routed = rest.resolve(ctx.state, msg, ctx.user.role)
            return await handler(ctx, routed)
        numbers = tuple(Outbound(help_.message) for help_ in words.find(msg.text))
        offer = await offer_question(ctx, msg, keep_flow=True)
        return replace(offer, replies=numbers + offer.replies)

    return screen
