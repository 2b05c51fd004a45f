"""What a pendamping is told will go out about a meeting they are saving: the invitation (or the change
notice) and each reminder with its time, read from the same plan the outbox follows."""

from __future__ import annotations

from datetime import datetime

from bot.core.context import Context
from bot.core.reminders import Step, announce_time, plan_meeting
from bot.core.timefmt import format_short


def plan_lines(ctx: Context, starts_at: datetime, timezone: str, moved: bool) -> list[str]:
    policy = ctx.ports.reminders

    def at(due: datetime) -> str:
        return format_short(due, timezone, ctx.t.locale)

    lines = []
    news = announce_time(ctx.now, starts_at, timezone, policy.quiet)
    if moved:
        lines.append(
            ctx._("The members are told now.")
            if news <= ctx.now
            else ctx._("The members are told {when}, after the quiet hours.").format(when=at(news))
        )
    steps = plan_meeting(starts_at, ctx.now, timezone, policy, invite=not moved)
    for step in steps:
        if step.step is Step.SOON:
            hours = int(policy.soon.total_seconds() // 3600)
            lines.append(
                ctx.t.ngettext(
                    "The meeting is less than {n} hour away: the members get only the invitation, now.",
                    "The meeting is less than {n} hours away: the members get only the invitation, now.",
                    hours,
                ).format(n=hours)
            )
        elif step.step is Step.INVITATION:
            lines.append(
                ctx._("The invitation goes out now.")
                if step.due <= ctx.now
                else ctx._("The invitation goes out {when}, after the quiet hours.").format(when=at(step.due))
            )
    reminders = [at(s.due) for s in steps if s.step is Step.REMINDER]
    if reminders:
        lines.append(ctx._("Reminders: {times}.").format(times="; ".join(reminders)))
    elif not any(s.step is Step.SOON for s in steps):
        lines.append(ctx._("No reminder after that: the meeting is too close."))
    return lines
