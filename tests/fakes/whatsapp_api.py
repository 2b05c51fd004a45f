"""A fake WhatsApp Cloud API (Graph API v23.0) on 127.0.0.1 for tests, reached by the bot's real httpx client.

It serves `POST /v23.0/{phone_number_id}/messages` and `/media`, checks the Bearer token (401 with code
190 otherwise), checks the envelope by hand (messaging_product, to, type), validates `interactive`, `text` and `template` against Meta's OpenAPI sub-schemas
(`shared/specs/business-messaging-api_v23.0.yaml`: `InteractiveObject`, `TextMessage_1`, `TemplateObject`)
and adds the rules the spec cannot express (platforms.md §3.2): at most 3 reply buttons with unique titles,
at most 10 list rows across sections, the 24-hour window per user (131047 for anything but a template).
A refused message gets Meta's error body `{"error": {"code": ..., "message": ...}}` with HTTP 400.

Tests open a user's window (`user_wrote`), inject errors for the next sends (`fail_next`), and play
Meta's side of the webhook: signed posts of messages and statuses, and the GET handshake.
`WhatsAppUser` wraps one phone: `await user.say("SIRNA1")`, `await user.tap("Saya setuju")`."""

from __future__ import annotations

import hashlib
import hmac
import itertools
import json
from collections.abc import Awaitable, Callable, Iterator, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from functools import cache
from typing import Any

import aiohttp
import yaml
from aiohttp import test_utils, web
from jsonschema.exceptions import best_match
from openapi_schema_validator import OAS31Validator
from referencing import Registry, Resource
from referencing.jsonschema import DRAFT202012

from tests.fakes.specs import SPECS_DIR

SPEC_PATH = SPECS_DIR / "business-messaging-api_v23.0.yaml"
TOKEN = "EAAGfakeAccessTokenForTests0123456789"
PHONE_NUMBER_ID = "106540352242922"
DISPLAY_NUMBER = "+62 811-2000-3000"
APP_SECRET = "fake-app-secret-0123456789abcdef"
VERIFY_TOKEN = "fake-verify-token"
WINDOW = timedelta(hours=24)
# Types the media endpoint takes for documents (and the two image types), per Meta's "supported media".
MEDIA_TYPES = {
    "text/plain",
    "application/pdf",
    "application/msword",
    "application/vnd.ms-excel",
    "application/vnd.ms-powerpoint",
    "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "application/vnd.openxmlformats-officedocument.presentationml.presentation",
    "image/jpeg",
    "image/png",
}
_SPEC_URI = "urn:whatsapp-business-messaging-api"
_DEFAULT: Any = object()

Payload = dict[str, Any]


# The OpenAPI description -------------------------------------------------------------------------------


@cache
def _registry() -> Registry[Any]:
    loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
    spec = yaml.load(SPEC_PATH.read_text(encoding="utf-8"), Loader=loader)
    schemas = spec["components"]["schemas"]
    # Two known mistakes of the v23.0 file (platforms.md §3.2): `language.policy` is optional in practice,
    # and the button index pattern "^[2-6, 11-14]$" refuses "0", the documented first index.
    schemas["LanguageObject"]["required"] = ["code"]
    schemas["TemplateComponent"]["properties"]["index"].pop("pattern", None)
    resource: Resource[Any] = Resource.from_contents(spec, default_specification=DRAFT202012)
    registry: Registry[Any] = Registry().with_resource(_SPEC_URI, resource)
    return registry


@cache
def _validator(schema: str) -> OAS31Validator:
    return OAS31Validator({"$ref": f"{_SPEC_URI}#/components/schemas/{schema}"}, registry=_registry())


def schema_errors(schema: str, instance: Any) -> str | None:
    """The most relevant violation of the named sub-schema, or None."""
    error = best_match(_validator(schema).iter_errors(instance))
    if error is None:
        return None
    where = "/".join(str(p) for p in error.absolute_path)
    return f"{schema}{'/' + where if where else ''}: {error.message[:300]}"


class Rejected(Exception):
    def __init__(self, message: str, code: int = 131009, status: int = 400) -> None:
        super().__init__(message)
        self.code = code
        self.status = status


def _require(condition: bool, message: str) -> None:
    if not condition:
        raise Rejected(message)


def _check_schema(schema: str, instance: Any) -> None:
    problem = schema_errors(schema, instance)
    if problem:
        raise Rejected(problem)


def check_interactive(interactive: Payload) -> None:
    _check_schema("InteractiveObject", interactive)
    kind = interactive["type"]
    _require(kind in ("button", "list"), f"interactive type {kind!r} is not used by the bot")
    body = interactive.get("body", {}).get("text", "")
    _require(bool(body.strip()), "interactive body.text is required")
    _require(len(body) <= 1024, f"interactive body is {len(body)} characters (max 1024)")
    action = interactive["action"]
    if kind == "button":
        buttons = action.get("buttons", [])
        _require(1 <= len(buttons) <= 3, f"{len(buttons)} reply buttons (1-3)")
        titles = [b["reply"]["title"] for b in buttons]
        ids = [b["reply"]["id"] for b in buttons]
        _require(all(t.strip() and len(t) <= 20 for t in titles), f"button titles {titles} (1-20 chars)")
        _require(len(set(titles)) == len(titles), f"button titles not unique: {titles}")
        _require(all(i and i == i.strip() for i in ids) and len(set(ids)) == len(ids), f"button ids {ids}")
        return
    label = action.get("button", "")
    _require(bool(label.strip()) and len(label) <= 20, f"list button label {label!r} (1-20 chars)")
    sections = action.get("sections", [])
    rows = [row for section in sections for row in section.get("rows", [])]
    _require(1 <= len(rows) <= 10, f"{len(rows)} list rows across sections (1-10)")
    _require(len(sections) == 1 or all(s.get("title") for s in sections), "section titles needed (>1)")
    for row in rows:
        _require(bool(row["title"].strip()) and len(row["title"]) <= 24, f"row title {row['title']!r}")
        _require(len(row.get("description", "")) <= 72, "row description over 72 characters")
    ids = [row["id"] for row in rows]
    _require(len(set(ids)) == len(ids), f"row ids not unique: {ids}")


def check_template(template: Payload) -> None:
    _check_schema("TemplateObject", template)
    for component in template.get("components", []):
        for parameter in component.get("parameters", []):
            text = parameter.get("text", "")
            _require("\n" not in text and "\t" not in text and "     " not in text, "template param format")
            _require(bool(text.strip()) or parameter.get("type") != "text", "empty template parameter")


# The server ------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class SentMessage:
    wamid: str
    to: str
    type: str
    payload: Payload  # the whole request body
    at: datetime

    @property
    def content(self) -> Payload:
        content = self.payload[self.type]
        assert isinstance(content, dict)
        return content

    @property
    def text(self) -> str:
        """What the user reads: the text, the interactive body or the document caption."""
        if self.type == "text":
            return str(self.content["body"])
        if self.type == "interactive":
            return str(self.content["body"]["text"])
        if self.type == "document":
            return str(self.content.get("caption", ""))
        return ""

    @property
    def choices(self) -> list[tuple[str, str]]:
        """(id, title) of the reply buttons or list rows (or template quick replies: (payload, ""))."""
        if self.type == "interactive":
            action = self.content["action"]
            if self.content["type"] == "button":
                return [(b["reply"]["id"], b["reply"]["title"]) for b in action["buttons"]]
            return [(r["id"], r["title"]) for s in action["sections"] for r in s["rows"]]
        if self.type == "template":
            return [
                (c["parameters"][0]["payload"], "")
                for c in self.content.get("components", [])
                if c.get("type") == "button"
            ]
        return []


@dataclass(frozen=True)
class Upload:
    media_id: str
    filename: str
    content: bytes
    mime_type: str


@dataclass
class Failure:
    code: int
    count: int
    status: int = 400
    message: str = ""
    skip: int = 0  # requests let through before the failures start


@dataclass
class FakeGraphAPI:
    """Start with `async with FakeGraphAPI(clock) as fake:`; `fake.api_url` is the bot's WHATSAPP_API_URL."""

    clock: Callable[[], datetime] = field(default=lambda: datetime.now(UTC))
    token: str = TOKEN
    phone_number_id: str = PHONE_NUMBER_ID
    app_secret: str = APP_SECRET
    sent: list[SentMessage] = field(default_factory=list)
    rejected: list[tuple[Payload, str]] = field(default_factory=list)
    uploads: dict[str, Upload] = field(default_factory=dict)
    requests: int = 0  # every request that reached the fake, accepted or not
    webhook_url: str | None = None  # where Meta posts webhooks: set by the test, like the app dashboard
    window: dict[str, datetime] = field(default_factory=dict)
    failures: list[Failure] = field(default_factory=list)
    _server: test_utils.TestServer | None = None
    _ids: Iterator[int] = field(default_factory=lambda: itertools.count(1))

    async def __aenter__(self) -> FakeGraphAPI:
        app = web.Application()
        app.router.add_post("/v23.0/{pnid}/messages", self._messages)
        app.router.add_post("/v23.0/{pnid}/media", self._media)
        self._server = test_utils.TestServer(app, host="127.0.0.1")
        await self._server.start_server()
        return self

    async def __aexit__(self, *exc: object) -> None:
        if self._server is not None:
            await self._server.close()

    @property
    def api_url(self) -> str:
        assert self._server is not None
        return str(self._server.make_url("/v23.0"))

    def _next_id(self, prefix: str) -> str:
        return f"{prefix}{next(self._ids)}"

    # What tests set up ------------------------------------------------------------------------------

    def user_wrote(self, wa_id: str, at: datetime | None = None) -> None:
        """Opens (or refreshes) this user's 24-hour customer-service window."""
        self.window[wa_id] = at or self.clock()

    def fail_next(
        self, code: int, times: int = 1, status: int = 400, message: str = "", after: int = 0
    ) -> None:
        """The next `times` sends (messages or uploads), after `after` more accepted ones, get this error."""
        self.failures.append(Failure(code, times, status, message or f"(#{code}) Forced by the test", after))

    def heal(self) -> None:
        """The failures still to come are called off: the platform works again."""
        self.failures.clear()

    def messages_to(self, wa_id: str) -> list[SentMessage]:
        return [m for m in self.sent if m.to == wa_id]

    # Requests -----------------------------------------------------------------------------------------

    def _error(self, status: int, code: int, message: str) -> web.Response:
        body = {
            "error": {
                "message": message,
                "type": "OAuthException",
                "code": code,
                "error_data": {"messaging_product": "whatsapp", "details": message},
                "fbtrace_id": "AfakeTrace",
            }
        }
        return web.json_response(body, status=status)

    def _gate(self, request: web.Request) -> web.Response | None:
        """Token, phone number id and injected failures, in that order."""
        self.requests += 1
        if request.headers.get("Authorization") != f"Bearer {self.token}":
            return self._error(401, 190, "Invalid OAuth access token - Cannot parse access token")
        if request.match_info["pnid"] != self.phone_number_id:
            return self._error(400, 100, "Unsupported post request. Object does not exist")
        if self.failures and self.failures[0].skip > 0:
            self.failures[0].skip -= 1
        elif self.failures:
            failure = self.failures[0]
            failure.count -= 1
            if failure.count <= 0:
                self.failures.pop(0)
            return self._error(failure.status, failure.code, failure.message)
        return None

    async def _media(self, request: web.Request) -> web.Response:
        refused = self._gate(request)
        if refused is not None:
            return refused
        form = await request.post()
        upload = form.get("file")
        if form.get("messaging_product") != "whatsapp" or not isinstance(upload, web.FileField):
            return self._error(400, 100, "(#100) The parameter messaging_product and file are required")
        mime = str(form.get("type") or upload.content_type)
        if mime not in MEDIA_TYPES:
            return self._error(400, 131053, f"(#131053) Media upload error: {mime} is not supported")
        media_id = self._next_id("90000")
        content = upload.file.read()
        self.uploads[media_id] = Upload(media_id, upload.filename, content, mime)
        return web.json_response({"id": media_id})

    async def _messages(self, request: web.Request) -> web.Response:
        refused = self._gate(request)
        if refused is not None:
            return refused
        try:
            body = await request.json()
            self._check(body)
        except Rejected as exc:
            self.rejected.append((body, str(exc)))
            return self._error(exc.status, exc.code, f"(#{exc.code}) {exc}")
        except (ValueError, KeyError, TypeError, AttributeError) as exc:
            return self._error(400, 100, f"(#100) Invalid request: {exc!r}")
        wamid = self._next_id("wamid.FAKE")
        self.sent.append(SentMessage(wamid, body["to"], body["type"], body, self.clock()))
        return web.json_response(
            {
                "messaging_product": "whatsapp",
                "contacts": [{"input": body["to"], "wa_id": body["to"]}],
                "messages": [{"id": wamid}],
            }
        )

    def _check(self, body: Any) -> None:
        _require(isinstance(body, dict), "the body must be a JSON object")
        _require(body.get("messaging_product") == "whatsapp", "messaging_product must be 'whatsapp'")
        _require(body.get("recipient_type", "individual") == "individual", "recipient_type")
        to = body.get("to")
        _require(isinstance(to, str) and to.lstrip("+").isdigit(), f"'to' must be a phone number: {to!r}")
        kind = body.get("type")
        _require(kind in ("text", "interactive", "template", "document"), f"type {kind!r}")
        extra = set(body) - {"messaging_product", "recipient_type", "to", "type", kind, "context"}
        _require(not extra, f"unexpected fields {sorted(extra)}")
        content = body.get(kind)
        _require(isinstance(content, dict), f"{kind} object missing")
        if kind == "text":
            _check_schema("TextMessage_1", content)
            _require(bool(content["body"].strip()), "text.body is empty")
        elif kind == "interactive":
            check_interactive(content)
        elif kind == "template":
            check_template(content)
        else:
            _require(content.get("id") in self.uploads, "document.id is not an uploaded media id")
            _require(bool(content.get("filename")), "document.filename is missing")
            _require(len(content.get("caption", "")) <= 1024, "document caption over 1024 characters")
        if kind != "template":
            opened = self.window.get(to)
            if opened is None or self.clock() - opened >= WINDOW:
                raise Rejected(
                    "Message failed to send because more than 24 hours have passed since the customer "
                    "last replied to this number.",
                    code=131047,
                )

    # Meta's side of the webhook --------------------------------------------------------------------

    def sign(self, body: bytes) -> str:
        return "sha256=" + hmac.new(self.app_secret.encode(), body, hashlib.sha256).hexdigest()

    def payload(self, messages: Sequence[Payload] = (), statuses: Sequence[Payload] = ()) -> Payload:
        """A webhook body with these messages (of one contact) and statuses."""
        value: Payload = {
            "messaging_product": "whatsapp",
            "metadata": {"display_phone_number": DISPLAY_NUMBER, "phone_number_id": self.phone_number_id},
        }
        if messages:
            value["contacts"] = [{"profile": {"name": "Siti"}, "wa_id": messages[0]["from"]}]
            value["messages"] = list(messages)
        if statuses:
            value["statuses"] = list(statuses)
        change = {"field": "messages", "value": value}
        return {"object": "whatsapp_business_account", "entry": [{"id": "WABA-1", "changes": [change]}]}

    def message(self, wa_id: str, kind: str, content: Any, wamid: str | None = None) -> Payload:
        """One inbound message; `content` goes under the key `kind` (e.g. "text": {"body": ...})."""
        timestamp = str(int(self.clock().timestamp()))
        message: Payload = {
            "from": wa_id,
            "id": wamid or self._next_id("wamid.IN"),
            "timestamp": timestamp,
            "type": kind,
        }
        if kind == "interactive" or kind == "button":
            message["context"] = {"from": DISPLAY_NUMBER, "id": "wamid.FAKE1"}
        message[kind] = content
        return message

    def status(
        self, wamid: str, status: str, recipient: str, error: tuple[int, str] | None = None
    ) -> Payload:
        timestamp = str(int(self.clock().timestamp()))
        payload: Payload = {"id": wamid, "status": status, "timestamp": timestamp, "recipient_id": recipient}
        if error is not None:
            payload["errors"] = [{"code": error[0], "title": error[1], "message": error[1]}]
        return payload

    async def post_webhook(
        self, payload: Payload | bytes, signature: str | None = _DEFAULT
    ) -> tuple[int, str]:
        """Posts to `webhook_url`, signed with the app secret unless `signature` is given (None: none)."""
        assert self.webhook_url, "set fake.webhook_url to the bot's /whatsapp/webhook"
        body = payload if isinstance(payload, bytes) else json.dumps(payload, ensure_ascii=False).encode()
        headers = {"Content-Type": "application/json"}
        signature = self.sign(body) if signature is _DEFAULT else signature
        if signature is not None:
            headers["X-Hub-Signature-256"] = signature
        async with (
            aiohttp.ClientSession() as session,
            session.post(self.webhook_url, data=body, headers=headers) as response,
        ):
            return response.status, await response.text()

    async def handshake(
        self, verify_token: str, challenge: str = "1158201444", mode: str = "subscribe"
    ) -> tuple[int, str]:
        assert self.webhook_url
        query = {"hub.mode": mode, "hub.challenge": challenge, "hub.verify_token": verify_token}
        async with (
            aiohttp.ClientSession() as session,
            session.get(self.webhook_url, params=query) as response,
        ):
            return response.status, await response.text()


class WhatsAppUser:
    """One person's phone: what they type or tap reaches the bot as a signed webhook; `replies` are the
    messages the fake accepted for them in answer. `settle` waits until the bot has handled everything."""

    def __init__(self, fake: FakeGraphAPI, wa_id: str, settle: Callable[[], Awaitable[None]]) -> None:
        self.fake = fake
        self.wa_id = wa_id
        self.settle = settle
        self.replies: list[SentMessage] = []
        self.last_payload: Payload | None = None

    async def send(self, kind: str, content: Any) -> list[SentMessage]:
        self.fake.user_wrote(self.wa_id)
        self.last_payload = self.fake.payload([self.fake.message(self.wa_id, kind, content)])
        return await self._post(self.last_payload)

    async def _post(self, payload: Payload) -> list[SentMessage]:
        before = len(self.fake.sent)
        status, _ = await self.fake.post_webhook(payload)
        assert status == 200, status
        await self.settle()
        self.replies = [m for m in self.fake.sent[before:] if m.to == self.wa_id]
        return self.replies

    async def redeliver(self) -> list[SentMessage]:
        """Meta posts the last webhook again (same wamid)."""
        assert self.last_payload is not None
        return await self._post(self.last_payload)

    async def say(self, text: str) -> list[SentMessage]:
        return await self.send("text", {"body": text})

    async def tap(self, title: str) -> list[SentMessage]:
        """Taps the reply button or list row with this title (or id) in the last replies."""
        for message in reversed(self.replies):
            for choice_id, choice_title in message.choices:
                if title in (choice_title, choice_id):
                    if message.type == "template":
                        return await self.send("button", {"payload": choice_id, "text": title})
                    kind = "button_reply" if message.content["type"] == "button" else "list_reply"
                    reply = {"type": kind, kind: {"id": choice_id, "title": choice_title}}
                    return await self.send("interactive", reply)
        raise AssertionError(f"no choice {title!r}; shown: {self.labels}")

    async def send_image(self) -> list[SentMessage]:
        image = {
            "mime_type": "image/jpeg",
            "sha256": "SfInY0gGKTsJlUWbwxC1k+FAD0FZHvzwfpvO0zX0GUI=",
            "id": "1003",
        }
        return await self.send("image", image)

    @property
    def text(self) -> str:
        return "\n---\n".join(m.text for m in self.replies)

    @property
    def labels(self) -> list[str]:
        return [title for m in self.replies for _, title in m.choices]

    def expect_reply(self, contains: str | list[str] = "", buttons: list[str] | None = None) -> None:
        assert self.replies, "the bot did not answer"
        for fragment in [contains] if isinstance(contains, str) else contains:
            assert fragment in self.text, f"{fragment!r} not in reply:\n{self.text}"
        if buttons is not None:
            assert self.labels == buttons, f"buttons {self.labels} != {buttons}"
