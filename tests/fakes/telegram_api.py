"""A fake Telegram Bot API server on 127.0.0.1 for tests, reached by the real aiogram client.

It checks every request against the Bot API description (`shared/specs/telegram-bot-api.json`, Bot API
10.1): the method exists (names are case-insensitive), required parameters are present, values have the
documented types (nested objects such as reply_markup are JSON-decoded from form fields), the documented
lengths hold ("1-4096 characters" counted in UTF-16 units, "1-64 bytes" in UTF-8 bytes), and each inline
button has exactly one action. A request that breaks a rule gets Telegram's answer:
{"ok": false, "error_code": 400, "description": "Bad Request: ..."}.

Tests push updates (into the getUpdates queue, or POSTed to the registered webhook with its secret),
read what the bot sent per chat, and inject failures (429 with retry_after, 403 blocked, 400, 5xx, a
request held without an answer).
`FakeUser` wraps one private chat: `await user.say("/start")`, `await user.tap("Saya setuju")`.

Why one long module: the validator and the server are only ever used together, by tests."""

from __future__ import annotations

import asyncio
import contextlib
import itertools
import json
import re
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from typing import Any

import aiohttp
from aiohttp import web

from tests.fakes.specs import SPECS_DIR

SPEC_PATH = SPECS_DIR / "telegram-bot-api.json"
TOKEN = "123456789:AAFakeTokenForTests_0123456789abcdefgh"
_PRIMITIVES = {"String", "Integer", "Float", "Boolean", "InputFile"}
_LIMIT = re.compile(r"(\d+)-(\d+) (characters|bytes)")
_CONSTANT = re.compile(r'(?:must be|always) "?([a-z_]+)"?$')
_COMMAND = re.compile(r"[a-z0-9_]{1,32}")
_SECRET = re.compile(r"[A-Za-z0-9_-]{1,256}")
_SEND_METHODS = {"sendmessage", "senddocument", "editmessagetext", "sendphoto"}
_DEFAULT = object()


class BadRequest(Exception):
    pass


@dataclass(frozen=True)
class Upload:
    filename: str
    content: bytes


@dataclass(frozen=True)
class Call:
    method: str  # as the spec spells it: "sendMessage"
    params: dict[str, Any]
    status: int = 200


@dataclass
class Failure:
    method: str  # lower case
    status: int
    description: str
    count: int
    retry_after: int | None = None
    chat_id: int | None = None
    skip: int = 0


def units(text: str) -> int:
    return len(text.encode("utf-16-le")) // 2


# The Bot API description -------------------------------------------------------------------------------


class Spec:
    def __init__(self, raw: Mapping[str, Any]) -> None:
        self.version = raw["version"]
        self.methods = {name.lower(): m for name, m in raw["methods"].items()}
        self.types: dict[str, Any] = raw["types"]
        button = {f["name"] for f in self.types["InlineKeyboardButton"]["fields"]}
        self.button_actions = button - {"text", "icon_custom_emoji_id", "style"}

    def params(self, method: Mapping[str, Any], raw: Mapping[str, Any], form: bool) -> dict[str, Any]:
        """Decoded, checked parameters of one call; raises BadRequest with Telegram-like wording."""
        fields = {f["name"]: f for f in method.get("fields", [])}
        files = {k: v for k, v in raw.items() if isinstance(v, Upload) and k not in fields}
        params: dict[str, Any] = {}
        for key, value in raw.items():
            if isinstance(value, Upload) and key not in fields:
                continue
            spec = fields.get(key)
            if spec is None:
                raise BadRequest(f"unknown parameter {key}")
            if isinstance(value, str) and value.startswith("attach://") and "InputFile" in spec["types"]:
                value = files.pop(value.removeprefix("attach://"), None)
                if value is None:
                    raise BadRequest(f"file for {key} is not attached")
            elif form and isinstance(value, str):
                value = self._from_form(value, spec["types"])
            params[key] = value
        if files:
            raise BadRequest(f"file {next(iter(files))} is not referenced by attach://")
        for spec in fields.values():
            if spec["required"] and spec["name"] not in params:
                raise BadRequest(f"parameter {spec['name']} is required")
        for key, value in params.items():
            problems = self.check(value, fields[key]["types"], key, fields[key]["description"])
            if problems:
                raise BadRequest(problems[0])
        return params

    def _from_form(self, value: str, types: list[str]) -> Any:
        if any(t.removeprefix("Array of ").removeprefix("Array of ") not in _PRIMITIVES for t in types):
            with contextlib.suppress(ValueError):
                decoded = json.loads(value)
                if isinstance(decoded, dict | list):
                    return decoded
        if "Integer" in types and re.fullmatch(r"-?\d+", value):
            return int(value)
        if "Float" in types:
            with contextlib.suppress(ValueError):
                return float(value)
        if "Boolean" in types and value.lower() in ("true", "false"):
            return value.lower() == "true"
        if any(t.startswith("Array of") for t in types):
            with contextlib.suppress(ValueError):
                return json.loads(value)
        return value

    def check(self, value: Any, types: list[str], path: str, description: str = "") -> list[str]:
        """Problems with a value that may be any of `types`: none if one alternative fits, else those of
        the alternative that fits best."""
        best: list[str] | None = None
        for kind in types:
            problems = self._check(value, kind, path, description)
            if not problems:
                return []
            if best is None or len(problems) < len(best):
                best = problems
        return best or []

    def _check(self, value: Any, kind: str, path: str, description: str) -> list[str]:
        if kind.startswith("Array of "):
            if not isinstance(value, list):
                return [f"{path} must be an array"]
            item = kind.removeprefix("Array of ")
            return [p for i, v in enumerate(value) for p in self._check(v, item, f"{path}[{i}]", description)]
        if kind == "String":
            return self._string(value, path, description)
        if kind == "Integer":
            return (
                []
                if isinstance(value, int) and not isinstance(value, bool)
                else [f"{path} must be an integer"]
            )
        if kind == "Float":
            ok = isinstance(value, int | float) and not isinstance(value, bool)
            return [] if ok else [f"{path} must be a number"]
        if kind == "Boolean":
            return [] if isinstance(value, bool) else [f"{path} must be a boolean"]
        if kind == "InputFile":
            return [] if isinstance(value, Upload) else [f"{path} must be an uploaded file"]
        definition = self.types[kind]
        if definition.get("subtypes"):
            return self.check(value, definition["subtypes"], path)
        if not isinstance(value, dict):
            return [f"{path} must be an object ({kind})"]
        return self._object(value, kind, path)

    @staticmethod
    def _string(value: Any, path: str, description: str) -> list[str]:
        if not isinstance(value, str):
            return [f"{path} must be a string"]
        limit = _LIMIT.search(description)
        if limit is None:
            return []
        low, high, unit = int(limit[1]), int(limit[2]), limit[3]
        size = len(value.encode()) if unit == "bytes" else units(value)
        if not low <= size <= high:
            return [f"{path} must be {low}-{high} {unit}, got {size}"]
        if low >= 1 and not value.strip():
            return [f"{path} is empty"]
        return []

    def _object(self, value: dict[str, Any], kind: str, path: str) -> list[str]:
        fields = {f["name"]: f for f in self.types[kind].get("fields", [])}
        problems = [f"{path}: unknown field {key} for {kind}" for key in value if key not in fields]
        for name, spec in fields.items():
            if name not in value:
                if spec["required"]:
                    problems.append(f"{path}.{name} is required for {kind}")
                continue
            constant = _CONSTANT.search(spec["description"]) if name in ("type", "status", "source") else None
            if constant and value[name] != constant[1]:
                problems.append(f"{path}.{name} must be {constant[1]} for {kind}")
            problems += self.check(value[name], spec["types"], f"{path}.{name}", spec["description"])
        return problems + self._rules(value, kind, path)

    def _rules(self, value: dict[str, Any], kind: str, path: str) -> list[str]:
        """Rules written only in prose (or observed: 100 buttons, 8 a row)."""
        if kind == "InlineKeyboardButton":
            actions = [key for key in value if key in self.button_actions]
            if len(actions) != 1:
                return [f"{path}: a button needs exactly one of {sorted(self.button_actions)}, got {actions}"]
        if kind == "InlineKeyboardMarkup" and isinstance(value.get("inline_keyboard"), list):
            rows = value["inline_keyboard"]
            if sum(len(row) for row in rows if isinstance(row, list)) > 100:
                return ["reply markup is too long: more than 100 buttons"]
            if any(isinstance(row, list) and len(row) > 8 for row in rows):
                return ["reply markup is too long: more than 8 buttons in a row"]
        if kind == "BotCommand" and not _COMMAND.fullmatch(str(value.get("command", ""))):
            return [f"{path}.command: only a-z, 0-9 and _ (1-32)"]
        return []


@cache
def load_spec(path: Path = SPEC_PATH) -> Spec:
    return Spec(json.loads(path.read_text(encoding="utf-8")))


# The server -------------------------------------------------------------------------------------------


class FakeBotAPI:
    """`async with FakeBotAPI() as api:` then point aiogram at `api.url` with `api.token`."""

    def __init__(self, token: str = TOKEN, spec: Spec | None = None) -> None:
        self.token = token
        self.spec = spec or load_spec()
        self.bot_user = {
            "id": int(token.split(":")[0]),
            "is_bot": True,
            "first_name": "P2K2",
            "username": "p2k2_test_bot",
            "can_join_groups": True,
            "can_read_all_group_messages": False,
            "supports_inline_queries": False,
        }
        self.calls: list[Call] = []
        self.rejected: list[str] = []  # requests that broke the Bot API's rules (tests expect none)
        self.messages: dict[int, list[dict[str, Any]]] = {}  # what the bot sent, per chat
        self.chats: dict[int, dict[str, Any]] = {}  # chats that have talked to the bot
        # Called with each message the bot sends (sendMessage, sendDocument): benchmarks time replies.
        self.on_message: Callable[[dict[str, Any]], None] | None = None
        self.users: dict[int, dict[str, Any]] = {}
        self.commands: dict[str, list[dict[str, Any]]] = {}  # scope (JSON) -> commands
        self.answered: dict[str, dict[str, Any]] = {}  # callback query id -> answerCallbackQuery params
        self.blocked: set[int] = set()
        self.files: dict[str, bytes] = {}  # file_id -> uploaded content
        self.webhook_url = ""
        self.webhook_secret: str | None = None
        self.confirmed = 0  # getUpdates confirmed every update_id below this
        self.fetched: list[int] = []  # update_ids getUpdates handed out, in order (repeats included)
        self._pending: list[dict[str, Any]] = []
        self._allowed: list[str] = []
        self._queries: set[str] = set()
        self._failures: list[Failure] = []
        self._holds: dict[str, int] = {}  # method (lower case) -> calls still to hold
        self.held = 0  # calls held so far
        self._released = asyncio.Event()
        self._update_ids = itertools.count(10001)
        self._query_ids = itertools.count(1)
        self._file_ids = itertools.count(1)
        self._message_ids: dict[int, itertools.count[int]] = {}
        self._changed = asyncio.Condition()
        self._closing = False
        self._runner: web.AppRunner | None = None
        self._client: aiohttp.ClientSession | None = None
        self.port = 0

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    async def __aenter__(self) -> FakeBotAPI:
        app = web.Application(client_max_size=50 * 1024 * 1024)
        app.router.add_route("*", "/{tail:.*}", self._dispatch)
        self._runner = web.AppRunner(app, access_log=None)
        await self._runner.setup()
        site = web.TCPSite(self._runner, "127.0.0.1", 0)
        await site.start()
        self.port = self._runner.addresses[0][1]
        return self

    async def __aexit__(self, *_exc: object) -> None:
        self._closing = True
        self._released.set()
        await self._notify()
        if self._client is not None:
            await self._client.close()
        if self._runner is not None:
            await self._runner.cleanup()

    # What tests read ----------------------------------------------------------------------------------

    def called(self, method: str, status: int | None = 200) -> list[Call]:
        return [c for c in self.calls if c.method.lower() == method.lower() and status in (None, c.status)]

    def sent_to(self, chat_id: int) -> list[dict[str, Any]]:
        return self.messages.get(chat_id, [])

    # Failures ------------------------------------------------------------------------------------------

    def fail(
        self,
        method: str,
        status: int = 429,
        description: str | None = None,
        count: int = 1,
        retry_after: int | None = None,
        chat_id: int | None = None,
        skip: int = 0,
    ) -> None:
        """The next `count` calls of `method` (for `chat_id`, if given) fail with this status, after
        `skip` calls that succeed."""
        if status == 429 and retry_after is None:
            retry_after = 3
        default = {
            429: f"Too Many Requests: retry after {retry_after}",
            403: "Forbidden: bot was blocked by the user",
            400: "Bad Request: injected failure",
            500: "Internal Server Error",
            502: "Bad Gateway",
        }
        text = description or default.get(status, "Error")
        self._failures.append(Failure(method.lower(), status, text, count, retry_after, chat_id, skip))

    def heal(self) -> None:
        """The failures still to come are called off: the platform works again."""
        self._failures.clear()

    def hold(self, method: str, count: int = 1) -> None:
        """The next `count` calls of `method` get no answer until the fake closes, and do nothing: as if
        the request was lost on the way while the bot waits for the answer (then, say, is killed)."""
        self._holds[method.lower()] = self._holds.get(method.lower(), 0) + count

    def _injected(self, method: str, params: Mapping[str, Any]) -> web.Response | None:
        chat_id = params.get("chat_id")
        if method in _SEND_METHODS and chat_id in self.blocked:
            return _error(403, "Forbidden: bot was blocked by the user")
        for failure in self._failures:
            if failure.method == method and failure.count > 0 and failure.chat_id in (None, chat_id):
                if failure.skip > 0:
                    failure.skip -= 1
                    continue
                failure.count -= 1
                extra = {"retry_after": failure.retry_after} if failure.retry_after is not None else None
                return _error(failure.status, failure.description, extra)
        return None

    # Updates --------------------------------------------------------------------------------------------

    def user(self, user_id: int, first_name: str = "Siti", language_code: str = "id") -> FakeUser:
        self.users[user_id] = {
            "id": user_id,
            "is_bot": False,
            "first_name": first_name,
            "language_code": language_code,
        }
        self.chats[user_id] = {"id": user_id, "type": "private", "first_name": first_name}
        return FakeUser(self, user_id)

    def _update(self, kind: str, body: dict[str, Any], update_id: int | None = None) -> dict[str, Any]:
        update = {"update_id": update_id or next(self._update_ids), kind: body}
        problems = self.spec.check(update, ["Update"], "update")
        assert not problems, f"the fake built an invalid update: {problems}"
        return update

    def _next_message_id(self, chat_id: int) -> int:
        return next(self._message_ids.setdefault(chat_id, itertools.count(1)))

    def message_update(self, chat_id: int, from_id: int | None = None, **content: Any) -> dict[str, Any]:
        """A message from a user (`from_id`, default the chat) in a known chat: text=..., photo=..."""
        body = {
            "message_id": self._next_message_id(chat_id),
            "from": self.users[from_id or chat_id],
            "chat": self.chats[chat_id],
            "date": int(time.time()),
            **content,
        }
        return self._update("message", body)

    def text_update(self, chat_id: int, text: str) -> dict[str, Any]:
        return self.message_update(chat_id, text=text)

    def photo_update(self, chat_id: int) -> dict[str, Any]:
        photo = [{"file_id": "photo-1", "file_unique_id": "p1", "width": 320, "height": 240}]
        return self.message_update(chat_id, photo=photo)

    def group_update(self, group_id: int, from_id: int, text: str) -> dict[str, Any]:
        self.chats.setdefault(group_id, {"id": group_id, "type": "group", "title": "Arisan RT 3"})
        return self.message_update(group_id, from_id, text=text)

    def callback_update(
        self, chat_id: int, data: str, message: dict[str, Any] | None = None
    ) -> dict[str, Any]:
        query_id = str(next(self._query_ids))
        self._queries.add(query_id)
        body: dict[str, Any] = {
            "id": query_id,
            "from": self.users[chat_id],
            "chat_instance": f"ci{chat_id}",
            "data": data,
        }
        if message is not None:
            body["message"] = message
        return self._update("callback_query", body)

    def member_update(self, chat_id: int, status: str) -> dict[str, Any]:
        """The user blocked (status "kicked") or unblocked ("member") the bot."""
        old, new = ("member", "kicked") if status == "kicked" else ("kicked", "member")

        def member(state: str) -> dict[str, Any]:
            entry: dict[str, Any] = {"status": state, "user": self.bot_user}
            return entry | {"until_date": 0} if state == "kicked" else entry

        body = {
            "chat": self.chats[chat_id],
            "from": self.users[chat_id],
            "date": int(time.time()),
            "old_chat_member": member(old),
            "new_chat_member": member(new),
        }
        if status == "kicked":
            self.blocked.add(chat_id)
        else:
            self.blocked.discard(chat_id)
        return self._update("my_chat_member", body)

    async def push(self, update: dict[str, Any]) -> None:
        """Queues an update for getUpdates (the same update twice is a redelivery)."""
        self._pending.append(update)
        await self._notify()

    async def deliver(self, update: Any, secret: Any = _DEFAULT, url: str | None = None) -> int:
        """POSTs an update to the webhook as Telegram does; returns the HTTP status. `secret=None` sends
        no secret header; by default the one registered with setWebhook is sent."""
        if self._client is None:
            self._client = aiohttp.ClientSession()
        headers = {}
        secret = self.webhook_secret if secret is _DEFAULT else secret
        if secret is not None:
            headers["X-Telegram-Bot-Api-Secret-Token"] = secret
        body = update if isinstance(update, bytes | str) else json.dumps(update)
        headers["Content-Type"] = "application/json"
        async with self._client.post(url or self.webhook_url, data=body, headers=headers) as response:
            return response.status

    async def wait_for(self, predicate: Callable[[], bool], seconds: float = 5.0, what: str = "") -> None:
        try:
            async with self._changed:
                await asyncio.wait_for(self._changed.wait_for(predicate), seconds)
        except TimeoutError:
            raise AssertionError(f"timed out after {seconds} s waiting for {what or predicate}") from None

    async def until_handled(self, update_id: int, seconds: float = 5.0) -> None:
        """Polling mode: the bot asked for updates past this one, so it has finished with it."""
        await self.wait_for(lambda: self.confirmed > update_id, seconds, f"update {update_id} to be handled")

    async def _notify(self) -> None:
        async with self._changed:
            self._changed.notify_all()

    # Requests -----------------------------------------------------------------------------------------

    async def _dispatch(self, request: web.Request) -> web.Response:
        match = re.fullmatch(r"/bot([^/]+)/([A-Za-z]+)", request.path)
        if match is None:
            return _error(404, "Not Found")
        if match[1] != self.token:
            return _error(401, "Unauthorized")
        method = self.spec.methods.get(match[2].lower())
        if method is None:
            return _error(404, "Not Found: method not found")
        name = method["name"]
        try:
            raw, form = await _read(request)
            params = self.spec.params(method, raw, form)
        except BadRequest as exc:
            self.rejected.append(f"{name}: {exc}")
            self.calls.append(Call(name, {"rejected": str(exc)}, 400))
            await self._notify()
            return _error(400, f"Bad Request: {exc}")
        if self._holds.get(name.lower(), 0) > 0:
            self._holds[name.lower()] -= 1
            self.held += 1
            await self._notify()
            await self._released.wait()
            return _error(502, "Bad Gateway")
        response = self._injected(name.lower(), params)
        if response is None:
            implementation = getattr(self, f"_m_{name.lower()}", None)
            try:
                if implementation is None:
                    raise _ApiError(501, f"Not Implemented in the fake: {name}")
                result = await implementation(params)
            except BadRequest as exc:
                response = _error(400, f"Bad Request: {exc}")
            except _ApiError as exc:
                response = _error(exc.status, exc.description)
            else:
                response = web.json_response({"ok": True, "result": result})
        self.calls.append(Call(name, params, response.status))
        await self._notify()
        return response

    def _chat_to_send(self, params: Mapping[str, Any]) -> dict[str, Any]:
        chat = self.chats.get(params["chat_id"]) if isinstance(params["chat_id"], int) else None
        if chat is None:
            raise BadRequest("chat not found")
        return chat

    def _bot_message(self, chat: dict[str, Any], **content: Any) -> dict[str, Any]:
        message = {
            "message_id": self._next_message_id(chat["id"]),
            "from": self.bot_user,
            "chat": chat,
            "date": int(time.time()),
            **{k: v for k, v in content.items() if v is not None},
        }
        self.messages.setdefault(chat["id"], []).append(message)
        if self.on_message is not None:
            self.on_message(message)
        return message

    async def _m_getme(self, _params: dict[str, Any]) -> Any:
        return self.bot_user

    async def _m_getupdates(self, params: dict[str, Any]) -> Any:
        if self.webhook_url:
            raise _ApiError(
                409,
                "Conflict: can't use getUpdates method while webhook is active; "
                "use deleteWebhook to delete the webhook first",
            )
        offset = params.get("offset", 0)
        if offset > 0:
            self._pending = [u for u in self._pending if u["update_id"] >= offset]
            self.confirmed = max(self.confirmed, offset)
        if params.get("allowed_updates"):
            self._allowed = params["allowed_updates"]
        if self._allowed:
            self._pending = [
                u for u in self._pending if next(k for k in u if k != "update_id") in self._allowed
            ]
        await self._notify()
        deadline = time.monotonic() + params.get("timeout", 0)
        async with self._changed:
            while not self._pending and not self._closing and time.monotonic() < deadline:
                with contextlib.suppress(TimeoutError):
                    await asyncio.wait_for(self._changed.wait(), deadline - time.monotonic())
        batch = self._pending[: params.get("limit", 100)]
        self.fetched += [u["update_id"] for u in batch]
        return batch

    async def _m_sendmessage(self, params: dict[str, Any]) -> Any:
        chat = self._chat_to_send(params)
        return self._bot_message(chat, text=params["text"], reply_markup=params.get("reply_markup"))

    async def _m_senddocument(self, params: dict[str, Any]) -> Any:
        chat = self._chat_to_send(params)
        upload = params["document"]
        if not isinstance(upload, Upload):
            raise BadRequest("wrong file identifier/HTTP URL specified")
        number = next(self._file_ids)
        file_id = f"doc-{number}"
        document = {
            "file_id": file_id,
            "file_unique_id": f"d{number}",
            "file_name": upload.filename,
            "file_size": len(upload.content),
        }
        self.files[file_id] = upload.content
        return self._bot_message(
            chat, document=document, caption=params.get("caption"), reply_markup=params.get("reply_markup")
        )

    async def _m_editmessagetext(self, params: dict[str, Any]) -> Any:
        chat = self._chat_to_send(params)
        found = [m for m in self.messages.get(chat["id"], []) if m["message_id"] == params.get("message_id")]
        if not found or "text" not in found[0]:
            raise BadRequest("message to edit not found")
        message = found[0]
        if message["text"] == params["text"] and message.get("reply_markup") == params.get("reply_markup"):
            raise BadRequest(
                "message is not modified: specified new message content and reply markup are exactly "
                "the same as a current content and reply markup of the message"
            )
        message["text"] = params["text"]
        message["edit_date"] = int(time.time())
        if params.get("reply_markup") is None:
            message.pop("reply_markup", None)
        else:
            message["reply_markup"] = params["reply_markup"]
        return message

    async def _m_answercallbackquery(self, params: dict[str, Any]) -> Any:
        query_id = params["callback_query_id"]
        if query_id not in self._queries or query_id in self.answered:
            raise BadRequest("query is too old and response timeout expired or query ID is invalid")
        self.answered[query_id] = params
        return True

    async def _m_setmycommands(self, params: dict[str, Any]) -> Any:
        scope = params.get("scope", {"type": "default"})
        self.commands[json.dumps(scope, sort_keys=True)] = params["commands"]
        return True

    async def _m_deletemycommands(self, params: dict[str, Any]) -> Any:
        self.commands.pop(json.dumps(params.get("scope", {"type": "default"}), sort_keys=True), None)
        return True

    async def _m_setwebhook(self, params: dict[str, Any]) -> Any:
        secret = params.get("secret_token")
        if secret is not None and not _SECRET.fullmatch(secret):
            raise BadRequest("secret token contains unallowed characters")
        self.webhook_url = params["url"]
        self.webhook_secret = secret if self.webhook_url else None
        if params.get("allowed_updates"):
            self._allowed = params["allowed_updates"]
        return True

    async def _m_deletewebhook(self, params: dict[str, Any]) -> Any:
        self.webhook_url, self.webhook_secret = "", None
        if params.get("drop_pending_updates"):
            self._pending.clear()
        return True

    async def _m_getwebhookinfo(self, _params: dict[str, Any]) -> Any:
        return {
            "url": self.webhook_url,
            "has_custom_certificate": False,
            "pending_update_count": len(self._pending),
        }


class _ApiError(Exception):
    def __init__(self, status: int, description: str) -> None:
        super().__init__(description)
        self.status, self.description = status, description


def _error(status: int, description: str, parameters: dict[str, Any] | None = None) -> web.Response:
    body: dict[str, Any] = {"ok": False, "error_code": status, "description": description}
    if parameters:
        body["parameters"] = parameters
    return web.json_response(body, status=status)


async def _read(request: web.Request) -> tuple[dict[str, Any], bool]:
    """Parameters from the query string and the body (form-urlencoded, multipart or JSON). The flag
    says whether values arrived as form strings (to be decoded) or as JSON values."""
    if request.content_type == "application/json":
        try:
            body = await request.json()
        except ValueError:
            raise BadRequest("can't parse JSON body") from None
        if not isinstance(body, dict):
            raise BadRequest("the JSON body must be an object")
        return body, False
    raw: dict[str, Any] = dict(request.query)
    if request.method == "POST":
        for key, value in (await request.post()).items():
            if isinstance(value, web.FileField):
                raw[key] = Upload(value.filename, value.file.read())
            else:
                raw[key] = value
    return raw, True


# One private chat, as a test talks in it ----------------------------------------------------------------


@dataclass
class FakeUser:
    api: FakeBotAPI
    chat_id: int
    replies: list[dict[str, Any]] = field(default_factory=list)

    @property
    def messages(self) -> list[dict[str, Any]]:
        return self.api.sent_to(self.chat_id)

    async def send(self, update: dict[str, Any]) -> list[dict[str, Any]]:
        """Pushes an update and waits until the (polling) bot is done with it; returns its replies."""
        before = len(self.messages)
        await self.api.push(update)
        await self.api.until_handled(update["update_id"])
        self.replies = self.messages[before:]
        return self.replies

    async def say(self, text: str) -> list[dict[str, Any]]:
        return await self.send(self.api.text_update(self.chat_id, text))

    async def tap(self, label: str) -> list[dict[str, Any]]:
        """Taps the newest button with this label (or callback data); checks the tap was answered."""
        for message in reversed(self.messages):
            for button in (b for row in keyboard(message) for b in row):
                if label in (button["text"], button.get("callback_data")):
                    update = self.api.callback_update(self.chat_id, button["callback_data"], message)
                    replies = await self.send(update)
                    assert update["callback_query"]["id"] in self.api.answered, "callback not answered"
                    return replies
        shown = [b["text"] for m in self.messages[-3:] for row in keyboard(m) for b in row]
        raise AssertionError(f"no button {label!r}; the last messages show {shown}")

    @property
    def text(self) -> str:
        return "\n---\n".join(text_of(m) for m in self.replies)

    @property
    def labels(self) -> list[str]:
        return [b["text"] for m in self.replies for row in keyboard(m) for b in row]


def text_of(message: Mapping[str, Any]) -> str:
    return str(message.get("text") or message.get("caption") or "")


def keyboard(message: Mapping[str, Any]) -> list[list[dict[str, Any]]]:
    markup = message.get("reply_markup") or {}
    return list(markup.get("inline_keyboard", []))
