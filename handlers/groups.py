"""A pendamping's own kelompok: the list with join codes, links and member counts; each kelompok's members,
20 to a page; and a new kelompok, step by step (name, desa, kecamatan, kabupaten, time zone, confirm).

Button ids: "groups" (the list), "groups:members:<kelompok>:<page>", "groups:new", "groups:tz:<WIB|WITA|WIT>",
"groups:save", "groups:abort". Everything is read through the pendamping port, which returns only the
pendamping's own kelompok; anyone else is refused and the attempt audited."""

from __future__ import annotations

from bot.core.context import Context, Result
from bot.core.events import KelompokCreated
from bot.core.i18n import N_
from bot.core.messages import Button, Inbound, InboundKind, Outbound
from bot.core.ports import KelompokView
from bot.core.router import Router
from bot.core.timefmt import ZONE_NAMES
from handlers.authz import pendamping_of, refuse
from handlers.menu import back_to_menu, cancel

router = Router()

PAGE = 20
FIELD_MAX = 80
CODE_LENGTH = 6
STEPS = ("name", "desa", "kecamatan", "kabupaten")
PROMPTS = {
    "name": N_("What is the new group called? For example: Sirnajaya 2"),
    "desa": N_("Which desa (village) is it in? For example: Sirnajaya"),
    "kecamatan": N_("Which kecamatan? For example: Serang Baru"),
    "kabupaten": N_("Which kabupaten? For example: Bogor"),
}
# Place names read the same in every language, so they are data here rather than catalog text.
ZONE_REGIONS = {
    "WIB": "Sumatra, Jawa, Kalimantan Barat, Kalimantan Tengah",
    "WITA": "Bali, NTB, NTT, Sulawesi, Kalimantan Selatan, Timur, Utara",
    "WIT": "Maluku, Papua",
}
ACTIONS = {
    "members": "kelompok.members",
    "new": "kelompok.create",
    "tz": "kelompok.create",
    "save": "kelompok.create",
}


def abort_button(ctx: Context) -> Button:
    return Button("groups:abort", ctx._("Cancel"))


@router.command("kelompok", "/kelompok")
@router.button("groups")
async def groups(ctx: Context, msg: Inbound) -> Result:
    parts = msg.button_id.split(":") if msg.kind is InboundKind.BUTTON else ["groups"]
    action = parts[1] if len(parts) > 1 else ""
    pendamping = pendamping_of(ctx)
    if pendamping is None:
        target = int(parts[2]) if action == "members" and parts[2:3] and parts[2].isdigit() else None
        return refuse(ctx, ACTIONS.get(action, "kelompok.list"), "kelompok", target)
    if action == "members":
        return await members(ctx, pendamping, parts[2:])
    if action == "new":
        return ask_field(ctx, "name", {})
    if action == "tz" and ctx.state.flow == "groups" and ctx.state.step == "tz":
        return chosen_zone(ctx, parts[2] if len(parts) > 2 else "")
    if action == "save" and ctx.state.flow == "groups" and ctx.state.step == "confirm":
        return await save(ctx, pendamping)
    if action == "abort":
        return await cancel(ctx, msg)
    if action in ("tz", "save") and ctx.state.flow == "groups":  # an old button of an earlier step
        return again(ctx, {k: str(v) for k, v in ctx.state.data.items()})
    if action in ("tz", "save"):  # an old button: the group was saved or the steps were left
        return await listed(ctx, pendamping, ctx._("Nothing was changed."))
    return await listed(ctx, pendamping)


def join_lines(ctx: Context, code: str) -> list[str]:
    lines = [ctx._("Join code: {code}").format(code=code)]
    telegram, whatsapp = ctx.ports.links.telegram(code), ctx.ports.links.whatsapp(code)
    if telegram:
        lines.append(ctx._("Telegram link: {link}").format(link=telegram))
    if whatsapp:
        lines.append(ctx._("WhatsApp link: {link}").format(link=whatsapp))
    return lines


def how_to_join(ctx: Context) -> str:
    if ctx.ports.links.telegram("X") or ctx.ports.links.whatsapp("X"):
        return ctx._("KPM join a group by typing its code in this chat, or by opening its link.")
    return ctx._("KPM join a group by typing its code in this chat.")


async def listed(ctx: Context, pendamping: int, intro: str = "") -> Result:
    kelompok = await ctx.ports.kelompok.of_pendamping(pendamping)
    new = Button("groups:new", ctx._("New group"))
    if not kelompok:
        text = ctx._("You have no group yet. Create one, then give its code to the KPM.")
        return ctx.reply(
            Outbound(f"{intro}\n\n{text}".strip(), (new, back_to_menu(ctx))), state=ctx.state.idle()
        )
    blocks = [intro, ctx._("Your groups:")] if intro else [ctx._("Your groups:")]
    for number, group in enumerate(kelompok, 1):
        blocks.append("\n".join([f"{number}. {group_title(ctx, group)}", *join_lines(ctx, group.join_code)]))
    blocks.append(how_to_join(ctx))
    buttons = [
        Button(f"groups:members:{g.id}:1", ctx._("Members: {group}").format(group=g.name)) for g in kelompok
    ]
    return ctx.reply(
        Outbound("\n\n".join(blocks), (*buttons, new, back_to_menu(ctx))), state=ctx.state.idle()
    )


def group_title(ctx: Context, group: KelompokView) -> str:
    count = ctx.t.ngettext("{count} member", "{count} members", group.members).format(count=group.members)
    return ctx._("{name} (Desa {desa}), {members}").format(name=group.name, desa=group.desa, members=count)


async def members(ctx: Context, pendamping: int, args: list[str]) -> Result:
    kelompok_id = int(args[0]) if args and args[0].isdigit() else 0
    page = int(args[1]) if len(args) > 1 and args[1].isdigit() else 1
    group = await ctx.ports.pendamping.kelompok(pendamping, kelompok_id)
    people = await ctx.ports.pendamping.members(pendamping, kelompok_id)
    if group is None or people is None:
        return refuse(ctx, "kelompok.members", "kelompok", kelompok_id or None)
    back = Button("groups", ctx._("My groups"))
    if not people:
        text = ctx._("{group} has no members yet. KPM join by typing the code {code} in this chat.").format(
            group=group.name, code=group.join_code
        )
        return ctx.reply(Outbound(text, (back, back_to_menu(ctx))), state=ctx.state.idle())
    pages = (len(people) + PAGE - 1) // PAGE
    page = min(max(page, 1), pages)
    lines = [group_title(ctx, group)]
    if pages > 1:
        lines.append(ctx._("Page {page} of {pages}").format(page=page, pages=pages))
    for number, person in enumerate(people[(page - 1) * PAGE : page * PAGE], (page - 1) * PAGE + 1):
        notes = []
        if not person.reachable:
            notes.append(ctx._("cannot be reached"))
        if person.stopped:
            notes.append(ctx._("stopped messages"))
        suffix = f" ({', '.join(notes)})" if notes else ""
        lines.append(f"{number}. {person.name}{suffix}")
    buttons = []
    if page > 1:
        buttons.append(Button(f"groups:members:{group.id}:{page - 1}", ctx._("Previous")))
    if page < pages:
        buttons.append(Button(f"groups:members:{group.id}:{page + 1}", ctx._("Next")))
    return ctx.reply(Outbound("\n".join(lines), (*buttons, back, back_to_menu(ctx))), state=ctx.state.idle())


def ask_field(ctx: Context, step: str, data: dict[str, str], problem: str = "") -> Result:
    text = ctx._(PROMPTS[step])
    return ctx.reply(
        Outbound(f"{problem}\n\n{text}".strip(), (abort_button(ctx),)),
        state=ctx.state.at("groups", step, **data),
    )


def field_value(text: str) -> str | None:
    """One line of 1-80 characters that is not only digits or symbols."""
    if "\n" in text.strip():
        return None
    value = " ".join(text.split())
    if not 1 <= len(value) <= FIELD_MAX or value.replace(" ", "").isdigit():
        return None
    return value if any(ch.isalpha() for ch in value) else None


@router.flow("groups")
async def typed(ctx: Context, msg: Inbound) -> Result:
    if pendamping_of(ctx) is None:
        return refuse(ctx, "kelompok.create", "kelompok")
    step, data = ctx.state.step, {k: str(v) for k, v in ctx.state.data.items()}
    if step in STEPS:
        value = field_value(msg.text)
        if value is None:
            problem = ctx._("Please type one line of 1 to {limit} letters (not only numbers).").format(
                limit=FIELD_MAX
            )
            return ask_field(ctx, step, data, problem)
        data[step] = value
        following = STEPS.index(step) + 1
        if following < len(STEPS):
            return ask_field(ctx, STEPS[following], data)
        return ask_zone(ctx, data)
    if step == "tz":
        return chosen_zone(ctx, msg.text.strip().upper())
    return again(ctx, data)


def again(ctx: Context, data: dict[str, str]) -> Result:
    """The question of the current step once more."""
    if ctx.state.step in STEPS:
        return ask_field(ctx, ctx.state.step, data)
    if ctx.state.step == "tz":
        return ask_zone(ctx, data)
    if ctx.state.step == "confirm":
        return summary(ctx, data)
    return ask_field(ctx, "name", {})


def ask_zone(ctx: Context, data: dict[str, str]) -> Result:
    regions = (f"{abbr}: {ZONE_REGIONS[abbr]}" for abbr in ZONE_NAMES)
    text = "\n".join((ctx._("Which time zone is the group in?"), *regions))
    buttons = (*(Button(f"groups:tz:{abbr}", abbr) for abbr in ZONE_NAMES), abort_button(ctx))
    return ctx.reply(Outbound(text, buttons), state=ctx.state.at("groups", "tz", **data))


def chosen_zone(ctx: Context, abbreviation: str) -> Result:
    data = {k: str(v) for k, v in ctx.state.data.items()}
    if abbreviation not in ZONE_NAMES:
        return ask_zone(ctx, data)
    return summary(ctx, {**data, "timezone": ZONE_NAMES[abbreviation], "zone": abbreviation})


def summary(ctx: Context, data: dict[str, str]) -> Result:
    text = ctx._(
        "New group:\nName: {name}\nDesa: {desa}\nKecamatan: {kecamatan}\nKabupaten: {kabupaten}\n"
        "Time zone: {zone}\n\nSave it?"
    ).format(**data)
    buttons = (Button("groups:save", ctx._("Save")), abort_button(ctx))
    return ctx.reply(Outbound(text, buttons), state=ctx.state.at("groups", "confirm", **data))


async def save(ctx: Context, pendamping: int) -> Result:
    data = {k: str(v) for k, v in ctx.state.data.items()}
    code = ctx.ports.codes.code(CODE_LENGTH)
    for _ in range(5):  # a clash is unlikely; the unique index stays the last word
        if await ctx.ports.kelompok.by_join_code(code, ctx.now) is None:
            break
        code = ctx.ports.codes.code(CODE_LENGTH)
    created = KelompokCreated(
        pendamping_id=pendamping,
        name=data["name"],
        desa=data["desa"],
        kecamatan=data["kecamatan"],
        kabupaten=data["kabupaten"],
        timezone=data["timezone"],
        join_code=code,
    )
    lines = [
        ctx._("The group {name} was created.").format(name=created.name),
        *join_lines(ctx, code),
        how_to_join(ctx),
    ]
    buttons = (Button("groups", ctx._("My groups")), back_to_menu(ctx))
    return ctx.reply(Outbound("\n".join(lines), buttons), state=ctx.state.idle(), events=(created,))
