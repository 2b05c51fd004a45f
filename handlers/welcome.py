"""The first words of a conversation: a welcome for someone new, a welcome back by name for someone known
(with the unfinished lesson or quiz offered), and a short answer to greetings and thanks.

On WhatsApp a first message is usually "Halo", "P" or "Assalamualaikum", and a sticker is common too;
none of them may be answered with "I did not understand"."""

from __future__ import annotations

import re

from bot.core.choices import normalize
from bot.core.context import Context, Result
from bot.core.messages import Button, Inbound, Outbound
from bot.core.router import Router, command_args
from bot.core.users import Role
from handlers.claim import CLAIM_CODE, claim_by_code
from handlers.menu import main_menu, menu_buttons
from handlers.onboarding import join_by_code
from handlers.quiz import current_run, question_message

router = Router()

_GREETING_WORDS = frozenset(
    "p halo hallo helo hello hai hay hi hey hei pagi siang sore malam selamat met "
    "assalamualaikum assalamu'alaikum asalamualaikum assalamualaikom salam wr wb warahmatullahi "
    "wabarakatuh permisi punten misi om swastiastu shalom salom".split()
)
_POLITE_WORDS = frozenset("bu ibu pak bapak kak kakak mbak mas min admin bot semua ya dong nih".split())
_THANKS = re.compile(r"^(terima ?kasih|makasih|makasi|trims|trimakasih|thanks|thank you|tq|thx|nuhun)\b")


def is_greeting(text: str) -> bool:
    """ "Halo", "pagi bu", "Assalamualaikum wr wb", "P": only greeting and polite words."""
    words = normalize(text).replace(",", " ").split()
    return (
        bool(words)
        and any(w in _GREETING_WORDS for w in words)
        and all(w in _GREETING_WORDS or w in _POLITE_WORDS for w in words)
    )


def is_thanks(text: str) -> bool:
    return bool(_THANKS.match(normalize(text)))


def is_new(ctx: Context) -> bool:
    """Someone who has not agreed to anything yet: nothing is known but their chat."""
    return ctx.user.role is Role.KPM and not ctx.user.consented and ctx.user.kelompok_id is None


def welcome(ctx: Context) -> Result:
    """The first answer to a new user, whatever they sent."""
    text = ctx._(
        "Hello! I am the P2K2 assistant. I help you learn the P2K2 lessons, "
        "remember group meetings and hear news from your pendamping."
    )
    if is_new(ctx):
        text += "\n\n" + ctx._("If your pendamping gave you a group code, type it here to join.")
    return ctx.reply(main_menu(ctx, text), state=ctx.state.idle())


async def welcome_back(ctx: Context) -> Result:
    """A known user greets again: by name, with what they left unfinished offered first."""
    if ctx.user.role is Role.PENDAMPING:
        text = ctx._("Hello, {name}. You are signed in as a pendamping. Choose from your menu:").format(
            name=ctx.user.name or ctx._("pendamping")
        )
        return ctx.reply(Outbound(text, menu_buttons(ctx)), state=ctx.state.idle())
    if not ctx.user.consented:
        return welcome(ctx)
    lines = [ctx._("Welcome back, {name}.").format(name=ctx.user.name)]
    run = current_run(ctx)
    if run is not None:
        # Straight back to the question, so that a typed answer still counts; MENU leaves the quiz.
        lines.append(
            ctx._("You were in the middle of the quiz of session {number} (question {n} of {total}).").format(
                number=run.session.number, n=run.index + 1, total=len(run.order)
            )
            + " "
            + ctx._("Let us continue. To stop the quiz, type MENU.")
        )
        return ctx.reply(Outbound("\n".join(lines)), question_message(ctx, run))
    offers: list[Button] = []
    progress = await ctx.ports.progress.of_user(ctx.user.id)
    number = progress.last_session
    if number is not None and number not in progress.completed:
        lines.append(ctx._("Your last lesson was session {number}.").format(number=number))
        offers.append(Button("learn:continue", ctx._("Continue session {number}").format(number=number)))
    lines.append(ctx._("What would you like to do?"))
    return ctx.reply(Outbound("\n".join(lines), (*offers, *menu_buttons(ctx))), state=ctx.state.idle())


def thanks(ctx: Context) -> Result:
    text = ctx._("You are welcome. Type MENU whenever you need me.")
    return ctx.reply(Outbound(text, ctx.state.buttons or menu_buttons(ctx)))


@router.command("/start")
async def start(ctx: Context, msg: Inbound) -> Result:
    """Telegram's start button (with a deep-link code after it) and the terminal chat's opening line."""
    payload = command_args(msg)
    if CLAIM_CODE.match(payload):
        return await claim_by_code(ctx, payload)
    if payload:
        return await join_by_code(ctx, payload)
    return welcome(ctx) if is_new(ctx) else await welcome_back(ctx)
