"""The role claim: the one-time code an operator printed with `p2k2-bot pendamping add` makes the chat that
sends it (as `/start <code>` or typed) the pendamping's. Staff act here, so the KPM consent flow does not
apply. Used, expired and unknown codes are refused, audited, and change nothing."""

from __future__ import annotations

import re
from dataclasses import replace

from bot.core.context import Context, Result
from bot.core.events import AccessRefused, PendampingClaimed
from bot.core.messages import Button, Inbound, Outbound
from bot.core.ports import ClaimView
from bot.core.router import Router
from bot.core.users import Role
from handlers.authz import pendamping_of
from handlers.menu import main_menu

router = Router()

CLAIM_CODE = re.compile(r"^[A-Za-z0-9]{8}$")


async def claim_by_code(ctx: Context, code: str, claim: ClaimView | None = None) -> Result:
    claim = claim or await ctx.ports.pendamping.claim(code, ctx.now)
    refused = _claim_refusal(ctx, claim)
    if refused is not None:
        return refused
    assert claim is not None
    text = ctx._("You will become the pendamping {name}. Continue?").format(name=claim.name)
    buttons = (Button("claim:yes", ctx._("Yes")), Button("claim:no", ctx._("Cancel")))
    return ctx.reply(Outbound(text, buttons), state=ctx.state.at("claim", code=code.strip().upper()))


def _claim_refusal(ctx: Context, claim: ClaimView | None) -> Result | None:
    if pendamping_of(ctx) is not None:
        text = ctx._("You are already a pendamping. Nothing was changed.")
    elif claim is None or claim.status == "used":
        text = ctx._("This code is not known or was already used. Nothing was changed.")
    elif claim.status != "active":
        text = ctx._(
            "This code has expired. Nothing was changed. Please ask the district operator for a new one."
        )
    else:
        return None
    event = AccessRefused("role.claim", "pendamping", claim.pendamping_id if claim else None)
    return ctx.reply(main_menu(ctx, text), state=ctx.state.idle(), events=(event,))


@router.button("claim")
async def claim_answer(ctx: Context, msg: Inbound) -> Result:
    code = str(ctx.state.data.get("code", "")) if ctx.state.flow == "claim" else ""
    if msg.button_id != "claim:yes" or not code:
        return ctx.reply(main_menu(ctx, ctx._("Nothing was changed.")), state=ctx.state.idle())
    claim = await ctx.ports.pendamping.claim(code, ctx.now)
    refused = _claim_refusal(ctx, claim)
    if refused is not None:
        return refused
    assert claim is not None
    user = replace(ctx.user, role=Role.PENDAMPING, pendamping_id=claim.pendamping_id)
    text = ctx._("Welcome, {name}. This chat is now your pendamping chat.").format(name=claim.name)
    return ctx.reply(
        main_menu(replace(ctx, user=user), text),
        state=ctx.state.idle(),
        events=(PendampingClaimed(claim.pendamping_id),),
    )
