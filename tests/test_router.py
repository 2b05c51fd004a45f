from datetime import UTC, datetime

import pytest

from bot.core.choices import exact_choice, normalize
from bot.core.context import Context, Result
from bot.core.dialog import DialogState
from bot.core.messages import Button, Inbound
from bot.core.router import Router, command_args
from bot.core.users import Role

AT = datetime(2026, 12, 3, tzinfo=UTC)
BUTTONS = (Button("learn", "Belajar"), Button("meeting", "Pertemuan"), Button("my", "Progres saya 📈"))


def test_normalize_ignores_case_spacing_emoji_and_end_punctuation() -> None:
    assert normalize("  Progres   SAYA 📈 ! ") == "progres saya"
    assert normalize("/start ABC") == "/start abc"
    assert normalize("🙏🙏") == ""
    assert normalize("LANJÚT") == "lanjut"


@pytest.mark.parametrize(
    ("typed", "expected"),
    [
        ("1", "learn"),
        ("3", "my"),
        ("pertemuan", "meeting"),
        ("PROGRES SAYA", "my"),
        ("4", None),
        ("0", None),
        ("bel", None),
        ("", None),
    ],
)
def test_typed_number_or_whole_label_matches_a_shown_button(typed: str, expected: str | None) -> None:
    chosen = exact_choice(BUTTONS, typed)
    assert (chosen.id if chosen else None) == expected


def test_command_args_are_the_words_after_the_command() -> None:
    assert command_args(Inbound.typed("t", "1", "/start  SIRNA1 ", AT)) == "SIRNA1"
    assert command_args(Inbound.typed("t", "1", "/start", AT)) == ""


def _router(seen: list[str]) -> Router:
    router = Router()

    def handler(name: str):  # type: ignore[no-untyped-def]
        async def handle(ctx: Context, msg: Inbound) -> Result:
            seen.append(f"{name}:{msg.button_id or msg.text}")
            return Result((), DialogState())

        return handle

    router.command("menu", "/start")(handler("menu"))
    router.button("learn")(handler("learn"))
    router.flow("naming")(handler("naming"))
    router.fallback(handler("fallback"))
    return router


def test_typed_choices_become_button_taps() -> None:
    router = _router([])
    state = DialogState(flow="naming", buttons=BUTTONS)
    cases = ["MENU", "/start ABC", "1", "Belajar", "Ibu Siti", "2"]
    resolved = [router.resolve(state, Inbound.typed("t", "1", typed, AT)) for typed in cases]
    kinds = [(inbound.kind.value, inbound.button_id) for _, inbound in resolved]
    assert kinds == [
        ("text", ""),
        ("text", ""),
        ("button", "learn"),
        ("button", "learn"),
        ("text", ""),
        ("button", "meeting"),
    ]


async def test_each_input_reaches_the_expected_handler() -> None:
    seen: list[str] = []
    router = _router(seen)
    state = DialogState(flow="naming", buttons=BUTTONS)
    for typed in ["MENU", "/start ABC", "1", "Ibu Siti", "2"]:
        handler, inbound = router.resolve(state, Inbound.typed("t", "1", typed, AT))
        await handler(None, inbound)  # type: ignore[arg-type]
    assert seen == ["menu:MENU", "menu:/start ABC", "learn:learn", "naming:Ibu Siti", "fallback:meeting"]


async def test_unknown_button_and_idle_text_fall_back() -> None:
    seen: list[str] = []
    router = _router(seen)
    for inbound in (Inbound.tapped("t", "1", "nope:1", AT), Inbound.typed("t", "1", "halo", AT)):
        handler, routed = router.resolve(DialogState(), inbound)
        await handler(None, routed)  # type: ignore[arg-type]
    assert seen == ["fallback:nope:1", "fallback:halo"]


def test_two_handlers_for_one_command_is_a_programming_error() -> None:
    router = Router()

    async def a(ctx: Context, msg: Inbound) -> Result:
        return ctx.reply()

    async def b(ctx: Context, msg: Inbound) -> Result:
        return ctx.reply()

    router.command("menu")(a)
    with pytest.raises(ValueError, match="two handlers"):
        router.command("MENU")(b)


def test_button_ids_longer_than_64_bytes_are_refused() -> None:
    with pytest.raises(ValueError):
        Button("x" * 65, "too long")
    Button("é" * 32, "ok")  # 64 bytes


def _named(seen: list[str], name: str):  # type: ignore[no-untyped-def]
    async def handle(ctx: Context, msg: Inbound) -> Result:
        seen.append(f"{name}:{msg.button_id or msg.text}")
        return Result((), DialogState())

    return handle


async def _route(router: Router, state: DialogState, typed: str, role: Role = Role.KPM) -> None:
    handler, inbound = router.resolve(state, Inbound.typed("t", "1", typed, AT), role)
    await handler(None, inbound)  # type: ignore[arg-type]


async def test_buttons_on_screen_win_over_global_commands() -> None:
    seen: list[str] = []
    router = _router(seen)
    router.command("setuju", "pertemuan")(_named(seen, "command"))
    router.button("consent")(_named(seen, "consent"))
    consent = DialogState(
        flow="consent", buttons=(Button("consent:yes", "Saya setuju"), Button("consent:no", "Tidak setuju"))
    )
    await _route(router, consent, "setuju")
    await _route(router, consent, "iya")
    await _route(router, DialogState(buttons=BUTTONS), "Pertemuan")
    await _route(router, DialogState(), "setuju")
    assert seen == ["consent:consent:yes", "consent:consent:yes", "fallback:meeting", "command:setuju"]


async def test_a_pendamping_word_means_the_pendamping_feature() -> None:
    seen: list[str] = []
    router = _router(seen)
    router.command("pertemuan")(_named(seen, "kpm"))
    router.command("pertemuan", role=Role.PENDAMPING)(_named(seen, "pendamping"))
    await _route(router, DialogState(), "pertemuan", Role.PENDAMPING)
    await _route(router, DialogState(), "Pertemuan", Role.KPM)
    assert seen == ["pendamping:pertemuan", "kpm:Pertemuan"]


async def test_screens_come_before_flows_and_buttons() -> None:
    seen: list[str] = []
    router = _router(seen)
    router.screen(lambda inbound: "darurat" in inbound.text)(_named(seen, "urgent"))
    await _route(router, DialogState(flow="naming", buttons=BUTTONS), "tolong darurat")
    await _route(router, DialogState(flow="naming", buttons=BUTTONS), "Ibu Siti")
    assert seen == ["urgent:tolong darurat", "naming:Ibu Siti"]


async def test_escape_words_are_never_read_loosely_as_a_button() -> None:
    seen: list[str] = []
    router = _router(seen)
    router.command("batal")(_named(seen, "cancel"))
    state = DialogState(flow="naming", buttons=(Button("pmeet:cancel:3", "Batalkan pertemuan"),))
    await _route(router, state, "batal")
    await _route(router, state, "batalkan")
    assert seen == ["cancel:batal", "fallback:pmeet:cancel:3"]
