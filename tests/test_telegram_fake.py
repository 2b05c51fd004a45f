"""The fake Bot API server keeps the documented rules, so tests through it mean something: each check
below is a request the real Bot API would refuse, or an encoding it accepts."""

from __future__ import annotations

import json
from collections.abc import AsyncIterator
from typing import Any

import aiohttp
import pytest

from tests.fakes.telegram_api import SPEC_PATH, FakeBotAPI, load_spec

CHAT = 42


@pytest.fixture
async def api() -> AsyncIterator[FakeBotAPI]:
    async with FakeBotAPI() as fake:
        fake.user(CHAT)
        yield fake


async def call(api: FakeBotAPI, method: str, **kwargs: Any) -> tuple[int, dict[str, Any]]:
    async with (
        aiohttp.ClientSession() as client,
        client.post(f"{api.url}/bot{api.token}/{method}", **kwargs) as response,
    ):
        return response.status, await response.json()


def button(**fields: str) -> str:
    return json.dumps({"inline_keyboard": [[{"text": "Hadir", **fields}]]})


def test_the_spec_is_found_next_to_the_repository() -> None:
    assert SPEC_PATH.is_file()
    assert load_spec().version.startswith("Bot API")


async def test_form_json_and_multipart_bodies_are_accepted_and_method_names_ignore_case(
    api: FakeBotAPI,
) -> None:
    form = {"chat_id": str(CHAT), "text": "Halo", "reply_markup": button(callback_data="rsvp:1:yes")}
    assert (await call(api, "sendMessage", data=form))[0] == 200
    assert (await call(api, "SENDMESSAGE", json={"chat_id": CHAT, "text": "Halo lagi"}))[0] == 200
    upload = aiohttp.FormData()
    upload.add_field("chat_id", str(CHAT))
    upload.add_field("document", b"a,b\n", filename="data.csv")
    assert (await call(api, "sendDocument", data=upload))[0] == 200
    assert [m.get("text") for m in api.sent_to(CHAT)] == ["Halo", "Halo lagi", None]
    assert api.sent_to(CHAT)[0]["reply_markup"]["inline_keyboard"][0][0]["callback_data"] == "rsvp:1:yes"
    assert api.rejected == []


@pytest.mark.parametrize(
    ("method", "params", "problem"),
    [
        ("sendMessage", {"chat_id": CHAT}, "parameter text is required"),
        ("sendMessage", {"chat_id": CHAT, "text": "x" * 4097}, "text must be 1-4096 characters"),
        ("sendMessage", {"chat_id": CHAT, "text": "🙂" * 2049}, "text must be 1-4096 characters"),
        ("sendMessage", {"chat_id": CHAT, "text": "   "}, "text is empty"),
        ("sendMessage", {"chat_id": CHAT, "text": "x", "colour": "red"}, "unknown parameter colour"),
        ("sendMessage", {"chat_id": CHAT, "text": "x", "reply_markup": button()}, "exactly one"),
        (
            "sendMessage",
            {"chat_id": CHAT, "text": "x", "reply_markup": button(callback_data="a", url="https://x.id")},
            "exactly one",
        ),
        (
            "sendMessage",
            {"chat_id": CHAT, "text": "x", "reply_markup": button(callback_data="é" * 33)},
            "callback_data must be 1-64 bytes",
        ),
        ("sendDocument", {"chat_id": CHAT, "document": "x", "caption": "c" * 1025}, "0-1024 characters"),
        ("setMyCommands", {"commands": json.dumps([{"command": "Menu", "description": "Menu"}])}, "only a-z"),
        ("answerCallbackQuery", {"callback_query_id": "nope"}, "query is too old"),
        ("setWebhook", {"url": "https://x.id/hook", "secret_token": "no spaces"}, "unallowed characters"),
    ],
)
async def test_requests_breaking_the_documented_limits_are_refused(
    api: FakeBotAPI, method: str, params: dict[str, Any], problem: str
) -> None:
    status, body = await call(api, method, data=params)
    assert status == 400 and body["ok"] is False and body["error_code"] == 400
    assert body["description"].startswith("Bad Request: ") and problem in body["description"]


async def test_unknown_methods_and_tokens_are_refused(api: FakeBotAPI) -> None:
    assert (await call(api, "sendTelepathy", data={}))[0] == 404
    async with (
        aiohttp.ClientSession() as client,
        client.post(f"{api.url}/bot1:wrong/getMe") as response,
    ):
        assert response.status == 401


async def test_injected_failures_look_like_telegrams(api: FakeBotAPI) -> None:
    api.fail("sendMessage", 429, retry_after=30)
    status, body = await call(api, "sendMessage", data={"chat_id": str(CHAT), "text": "x"})
    assert (status, body["parameters"]) == (429, {"retry_after": 30})
    api.blocked.add(CHAT)
    status, body = await call(api, "sendMessage", data={"chat_id": str(CHAT), "text": "x"})
    assert (status, body["description"]) == (403, "Forbidden: bot was blocked by the user")
    status, body = await call(api, "sendMessage", data={"chat_id": "777", "text": "x"})
    assert (status, body["description"]) == (400, "Bad Request: chat not found")


async def test_edit_message_text_changes_the_message_and_refuses_a_no_op(api: FakeBotAPI) -> None:
    await call(api, "sendMessage", data={"chat_id": str(CHAT), "text": "Kartu 1"})
    message_id = api.sent_to(CHAT)[0]["message_id"]
    edit = {"chat_id": str(CHAT), "message_id": str(message_id), "text": "Kartu 2"}
    assert (await call(api, "editMessageText", data=edit))[0] == 200
    assert api.sent_to(CHAT)[0]["text"] == "Kartu 2"
    status, body = await call(api, "editMessageText", data=edit)
    assert status == 400 and "message is not modified" in body["description"]


async def test_get_updates_long_polls_and_an_offset_confirms(api: FakeBotAPI) -> None:
    first, second = api.text_update(CHAT, "1"), api.text_update(CHAT, "2")
    await api.push(first)
    await api.push(second)
    _, body = await call(api, "getUpdates", data={"timeout": "0"})
    assert [u["update_id"] for u in body["result"]] == [first["update_id"], second["update_id"]]
    _, body = await call(api, "getUpdates", data={"offset": str(second["update_id"]), "timeout": "0"})
    assert [u["update_id"] for u in body["result"]] == [second["update_id"]]
    assert api.confirmed == second["update_id"]
    await call(api, "setWebhook", data={"url": "https://x.id/hook"})
    assert (await call(api, "getUpdates", data={}))[0] == 409
