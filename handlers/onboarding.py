"""Consent first, then the name to address the user by, then joining a kelompok with its code.

Nothing beyond the channel id is stored before the user agrees (UU PDP): handlers that store data call
`ask_consent` with the button id to come back to once the user has agreed and given a name."""

from __future__ import annotations

import re
import unicodedata

from bot.core.context import Context, Result
from bot.core.events import ConsentGiven, Event, KelompokJoined, NameSet
from bot.core.messages import Button, Inbound, Outbound
from bot.core.ports import KelompokView
from bot.core.router import Router
from handlers.claim import CLAIM_CODE, claim_by_code
from handlers.menu import back_to_menu, main_menu

router = Router()

CONSENT_VERSION = "2026-12-1"  # the text changed: who can see the data, what stays after deleting
JOIN_CODE = re.compile(r"^[A-Za-z0-9]{6}$")
_NAME = re.compile(r"^[^\W\d_]+(?:[ .'-]+[^\W\d_]+)*\.?$")
_MANY_DIGITS = re.compile(r"\d{6,}")
_LOOSE_CODE = re.compile(
    r"^(?P<prefix>(?:kode|code)(?:\s+(?:kelompok|gabung|grup|group))?\s*:?\s*)?"
    r"(?P<code>[A-Za-z0-9](?:[\s.-]?[A-Za-z0-9]){5})$",
    re.IGNORECASE,
)


def ask_consent(ctx: Context, then: str = "", join: int | None = None) -> Result:
    """`then` is a button id offered once the user has agreed; `join` a kelompok to join right away.
    A join or a `then` already waiting for the answer is kept: asking again never loses it."""
    if ctx.state.flow in ("consent", "name"):
        pending = ctx.state.data.get("join")
        join = join if join is not None else pending if isinstance(pending, int) else None
        then = then or str(ctx.state.data.get("then", ""))
    text = ctx._(
        "Before we start, please read this.\n\n"
        "What we keep: the name you want to be called, your WhatsApp number or Telegram account, your group, "
        "your quiz answers, your answers to meeting invitations and the questions you send your pendamping.\n"
        "Why: to send you lessons, quizzes and meeting reminders.\n"
        "Who can see it: your pendamping, and the district operator who runs this service and can "
        "download your group's data.\n"
        "We never ask for your NIK or other ID numbers.\n"
        "You can stop messages (type BERHENTI) or delete your data (type HAPUS DATA) at any time. "
        "After deleting, only counts without your name remain (quiz answers and attendance).\n\n"
        "Do you agree?"
    )
    buttons = (Button("consent:yes", ctx._("I agree")), Button("consent:no", ctx._("I do not agree")))
    state = ctx.state.at("consent", then=then, join=join)
    return ctx.reply(Outbound(text, buttons), state=state)


@router.command("daftar", "/daftar", "setuju")
async def register(ctx: Context, _msg: Inbound) -> Result:
    if ctx.user.consented:
        return ctx.reply(main_menu(ctx, ctx._("You have already agreed. Thank you.")), state=ctx.state.idle())
    return ask_consent(ctx)


def _has_emoji(text: str) -> bool:
    return any(unicodedata.category(ch) in ("So", "Sk", "Cs") or 0x1F000 <= ord(ch) for ch in text)


@router.button("consent")
async def consent_answer(ctx: Context, msg: Inbound) -> Result:
    answer = msg.button_id.partition(":")[2]
    if ctx.user.consented:
        return ctx.reply(main_menu(ctx), state=ctx.state.idle())
    if answer == "no":
        text = ctx._(
            "All right, no problem. We have not stored anything about you. "
            "You can still read the lessons. If you change your mind, type DAFTAR."
        )
        return ctx.reply(main_menu(ctx, text), state=ctx.state.idle())
    if answer != "yes" or ctx.state.flow != "consent":
        return ask_consent(ctx)
    then, join = str(ctx.state.data.get("then", "")), ctx.state.data.get("join")
    text = ctx._("Thank you. How should we address you? Type your name, for example: Ibu Siti")
    state = ctx.state.at("name", then=then, join=join)
    return ctx.reply(Outbound(text), state=state, events=(ConsentGiven(CONSENT_VERSION),))


@router.command("ganti nama", "/nama")
async def rename(ctx: Context, _msg: Inbound) -> Result:
    if not ctx.user.consented:
        return ask_consent(ctx)
    text = ctx._("How should we address you? Type your name, for example: Ibu Siti")
    return ctx.reply(Outbound(text, (back_to_menu(ctx),)), state=ctx.state.at("name"))


@router.flow("name")
async def name_given(ctx: Context, msg: Inbound) -> Result:
    name = " ".join(msg.text.split())
    if _MANY_DIGITS.search(name):
        text = ctx._("Please do not send ID or phone numbers. Type only your name, for example: Ibu Siti")
        return ctx.reply(Outbound(text))
    if _has_emoji(name):
        text = ctx._("Please type your name without emoji, for example: Ibu Siti")
        return ctx.reply(Outbound(text))
    if not 2 <= len(name) <= 40:
        text = ctx._("Please type a name of 2 to 40 letters, for example: Ibu Siti")
        return ctx.reply(Outbound(text))
    if not _NAME.match(name):
        text = ctx._("Please type only letters, spaces and dots in your name, for example: Ibu Siti")
        return ctx.reply(Outbound(text))
    events: list[Event] = [NameSet(name)]
    lines = [ctx._("Nice to meet you, {name}.").format(name=name)]
    join = ctx.state.data.get("join")
    group = await ctx.ports.kelompok.get(join) if isinstance(join, int) else None
    if group is not None:
        events.append(KelompokJoined(group.id))
        lines.append(joined_text(ctx, group))
    elif ctx.user.kelompok_id is None:
        lines.append(
            ctx._("You are not in a group yet. Ask your pendamping for your group's code and type it here.")
        )
    then = str(ctx.state.data.get("then", ""))
    if then:
        buttons = (Button(then, ctx._("Continue")), back_to_menu(ctx))
        return ctx.reply(Outbound("\n\n".join(lines), buttons), state=ctx.state.idle(), events=tuple(events))
    return ctx.reply(main_menu(ctx, "\n\n".join(lines)), state=ctx.state.idle(), events=tuple(events))


def joined_text(ctx: Context, group: KelompokView) -> str:
    return ctx._(
        "You are now a member of group {group} (Desa {desa}). Your pendamping: {pendamping}."
    ).format(group=group.name, desa=group.desa, pendamping=group.pendamping_name)


async def join_by_code(ctx: Context, code: str) -> Result:
    group = await ctx.ports.kelompok.by_join_code(code, ctx.now)
    if group is None:
        text = ctx._(
            "The code {code} is not known, or it is no longer valid. Please check it with your pendamping."
        ).format(code=code.upper())
        return ctx.reply(Outbound(text, (back_to_menu(ctx),)), state=ctx.state.idle())
    if not ctx.user.consented:
        return ask_consent(ctx, join=group.id)
    if ctx.user.kelompok_id == group.id:
        text = ctx._("You are already a member of group {group}.").format(group=group.name)
        return ctx.reply(main_menu(ctx, text), state=ctx.state.idle())
    if ctx.user.kelompok_id is not None:
        current = await ctx.ports.kelompok.get(ctx.user.kelompok_id)
        text = ctx._(
            "You are a member of group {current}. Move to group {group}? You will leave {current}."
        ).format(current=current.name if current else "?", group=group.name)
        buttons = (Button(f"join:yes:{group.id}", ctx._("Yes, move")), Button("join:no", ctx._("No")))
        return ctx.reply(Outbound(text, buttons), state=ctx.state.at("join", kelompok=group.id))
    return ctx.reply(
        main_menu(ctx, joined_text(ctx, group)), state=ctx.state.idle(), events=(KelompokJoined(group.id),)
    )


@router.button("join")
async def join_answer(ctx: Context, msg: Inbound) -> Result:
    parts = msg.button_id.split(":")
    pending = ctx.state.data.get("kelompok") if ctx.state.flow == "join" else None
    if len(parts) == 3 and parts[1] == "yes" and parts[2].isdigit() and int(parts[2]) == pending:
        group = await ctx.ports.kelompok.get(int(parts[2]))
        if group is not None and ctx.user.consented:
            return ctx.reply(
                main_menu(ctx, joined_text(ctx, group)),
                state=ctx.state.idle(),
                events=(KelompokJoined(group.id),),
            )
    text = (
        ctx._("All right, you stay in your group.") if parts[1:2] == ["no"] else ctx._("Nothing was changed.")
    )
    return ctx.reply(main_menu(ctx, text), state=ctx.state.idle())


async def typed_code(ctx: Context, text: str) -> Result | None:
    """Six letters or digits typed on their own may be a join code, eight a pendamping claim code. A known
    code is used; an unknown one is answered as a code only when it looks like one (has a digit or is in
    capitals), so that an ordinary word still gets the usual "not understood" answer. A join code typed
    loosely ("SIRNA 1", "kode SIRNA1") is used when it is known, or when the word "kode" came first."""
    loose = _LOOSE_CODE.match(text.strip())
    if loose is not None and not JOIN_CODE.match(text.strip()):
        code = re.sub(r"[\s.:-]", "", loose["code"])
        if JOIN_CODE.match(code) and (
            loose["prefix"] or await ctx.ports.kelompok.by_join_code(code, ctx.now) is not None
        ):
            return await join_by_code(ctx, code)
        return None
    candidate = text.strip()
    if CLAIM_CODE.match(candidate):
        claim = await ctx.ports.pendamping.claim(candidate, ctx.now)
        if claim is not None or candidate.isupper() or any(ch.isdigit() for ch in candidate):
            return await claim_by_code(ctx, candidate, claim)
        return None
    if not JOIN_CODE.match(candidate):
        return None
    if await ctx.ports.kelompok.by_join_code(candidate, ctx.now) is not None:
        return await join_by_code(ctx, candidate)
    if candidate.isupper() or any(ch.isdigit() for ch in candidate):
        return await join_by_code(ctx, candidate)
    return None
