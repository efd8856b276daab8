"""A loopback Bot API server for tests and benchmarks.

It speaks the methods our bot calls, over real HTTP on 127.0.0.1 (a random port), in the Bot
API's own wire format (form, multipart or JSON requests; `{"ok": ..., "result": ...}` answers):
getMe, getUpdates (long polling with offset and timeout), setWebhook/deleteWebhook/
getWebhookInfo (then it POSTs updates to the webhook with the secret-token header and performs
the one method a webhook's response may carry), sendMessage, sendDocument, sendPhoto,
editMessageText, editMessageReplyMarkup, answerCallbackQuery, getFile and the download path
`/file/bot<token>/<path>`, setMyCommands, getMyCommands, deleteMyCommands.

It records every call with its arrival time, serves file bytes, and can inject faults (429 with
retry_after, 5xx, 403) for chosen methods and chats, or enforce Telegram's send limits itself.
A 429 opens a flood wait, as on Telegram: until its retry_after has passed, by this server's
clock, every send in its scope (the chat it named, or the whole bot) is refused with a 429
giving the time left, and recorded in `flood_waits` for tests to check.
"""

from __future__ import annotations

import asyncio
import contextlib
import itertools
import json
import math
import time
from collections import Counter, defaultdict, deque
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import Any

from aiohttp import ClientSession, ClientTimeout, web

from tests.fake_bot_api import updates as factory

TOKEN = "123456789:AAH-fake_token_for_loopback_tests_0123456789"
DOWNLOAD_LIMIT = 20 * 1024 * 1024  # getFile refuses larger files, as the real Bot API does
SEND_METHODS = {"sendMessage", "sendDocument", "sendPhoto"}
# Parameters that PTB JSON-encodes (everything that is not a plain string).
_JSON_PARAMS = {
    "chat_id",
    "message_id",
    "reply_markup",
    "offset",
    "limit",
    "timeout",
    "allowed_updates",
    "commands",
    "scope",
    "drop_pending_updates",
    "max_connections",
    "show_alert",
    "cache_time",
    "disable_notification",
    "protect_content",
    "link_preview_options",
    "reply_parameters",
    "entities",
    "caption_entities",
}


@dataclass
class Call:
    """One request the bot made, as the server saw it."""

    method: str
    params: dict[str, Any]
    at: float  # time.monotonic() at arrival
    status: int = 200
    files: dict[str, tuple[str, bytes]] = field(default_factory=dict)  # field -> (name, bytes)
    result_message_id: int | None = None  # the message it created, for later button presses
    in_webhook_response: bool = False  # given in the body of a webhook's HTTP response

    @property
    def chat_id(self) -> int | None:
        value = self.params.get("chat_id")
        return int(value) if value is not None else None

    @property
    def text(self) -> str | None:
        return self.params.get("text")

    @property
    def reply_markup(self) -> dict[str, Any] | None:
        return self.params.get("reply_markup")

    def buttons(self) -> list[dict[str, Any]]:
        markup = self.reply_markup or {}
        rows = markup.get("inline_keyboard") or markup.get("keyboard") or []
        return [button for row in rows for button in row]


@dataclass
class Fault:
    method: str
    status: int
    chat_id: int | None = None
    times: int = 1  # how many matching calls fail; -1 for every one
    retry_after: int | None = None
    description: str | None = None


@dataclass
class FloodWait:
    """A 429 this server gave: sends in scope that arrive before `until` are refused."""

    at: float  # arrival (time.monotonic()) of the request it answered
    until: float
    chat_id: int | None  # None: the whole bot waits
    request_chat: int | None  # the chat of the request it answered
    cause: str  # "injected", "chat" or "overall" (our limits), or "flood" (refused inside one)

    def covers(self, call: Call) -> bool:
        in_scope = self.chat_id is None or self.chat_id == call.chat_id
        return in_scope and self.at < call.at < self.until


@dataclass
class Limits:
    """Telegram's documented send limits, enforced with a 429 when exceeded."""

    per_second: float = 30.0
    per_chat_per_second: float = 1.0
    # Arrival-time jitter forgiven, per chat and off the one-second window of the overall
    # count. Tests keep it 0: a sender that paces against answers needs none however loaded.
    tolerance: float = 0.0


@dataclass
class StoredFile:
    file_id: str
    unique_id: str
    data: bytes | None  # None: "too big" files known only by their size
    size: int
    path: str


class FakeBotApi:
    """`async with FakeBotApi() as api:` starts it; `api.base_url` goes to the bot.
    `python -m tests.fake_bot_api [--limits]` runs it alone and prints its port."""

    def __init__(
        self,
        token: str = TOKEN,
        *,
        limits: Limits | None = None,
        webhook_retry_delay: float = 0.3,
        record_calls: bool = True,
        per_chat_order: bool = False,
    ) -> None:
        self.token = token
        self.limits = limits
        self.webhook_retry_delay = webhook_retry_delay
        # As Telegram's webhook: one chat's messages one at a time (the next after a 2xx),
        # one user's button presses likewise on a queue of their own. Off: all at once.
        self.per_chat_order = per_chat_order
        # `deliver` waits for this too, when set: for a bot that confirms an update once it is
        # recorded and handles it after (webhook workers on PostgreSQL: bot/shared_intake.py).
        self.handled: Callable[[], Awaitable[object]] | None = None
        self.record_calls = record_calls
        self.bot_user = {
            "id": int(token.split(":")[0]),
            "is_bot": True,
            "first_name": "退休一件事",
            "username": "retire_one_thing_bot",
            "can_join_groups": False,
            "can_read_all_group_messages": False,
            "supports_inline_queries": False,
        }
        self.calls: list[Call] = []
        self.sent: list[Call] = []  # successful sendMessage/sendDocument/sendPhoto
        self.limit_violations = 0  # 429s this server gave because limits were exceeded
        self.violation_kinds: list[str] = []  # "chat" or "overall", one per violation
        self.flood_waits: list[FloodWait] = []  # every 429 given, in order
        self.sent_count = 0
        self.method_counts: Counter[str] = Counter()  # every call, recorded or not
        self.response_methods: Counter[str] = Counter()  # performed from webhook responses
        self.send_times: list[float] = []  # arrival of each successful send, always kept
        self.commands: dict[str, list[dict[str, Any]]] = {}  # language_code -> commands
        self.webhook: dict[str, Any] | None = None
        self.faults: list[Fault] = []
        self.files: dict[str, StoredFile] = {}
        self._pending: list[dict[str, Any]] = []  # not yet confirmed by an offset
        self._delivered: list[dict[str, Any]] = []  # confirmed (kept to redeliver on demand)
        self._forced: list[dict[str, Any]] = []  # duplicates given back whatever the offset
        self._next_update_id = 1
        self._poll_generation = 0
        self.handed_out: set[int] = set()  # update ids some getUpdates answer carried
        self._new_update = asyncio.Event()
        self._message_ids: dict[int, itertools.count[int]] = defaultdict(
            lambda: itertools.count(1)
        )
        self._recent_sends: deque[float] = deque()
        self._last_send_per_chat: dict[int, float] = {}
        self._runner: web.AppRunner | None = None
        self._webhook_task: asyncio.Task[None] | None = None
        self._webhook_session: ClientSession | None = None
        self.webhook_deliveries: list[tuple[int, int]] = []  # (update_id, http status)
        self.port = 0

    # -- lifetime --------------------------------------------------------------------------

    async def __aenter__(self) -> FakeBotApi:
        await self.start()
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self.stop()

    async def start(self) -> None:
        app = web.Application(client_max_size=64 * 1024 * 1024)
        app.router.add_route("*", "/bot{token}/{method}", self._api)
        app.router.add_get("/file/bot{token}/{path:.+}", self._download)
        # For benchmarks running this server in another process:
        app.router.add_post("/_control/updates", self._control_updates)
        app.router.add_get("/_control/stats", self._control_stats)
        self._runner = web.AppRunner(app, access_log=None)
        await self._runner.setup()
        site = web.TCPSite(self._runner, "127.0.0.1", 0)
        await site.start()
        server = site._server
        assert server is not None and server.sockets  # type: ignore[attr-defined]
        self.port = server.sockets[0].getsockname()[1]  # type: ignore[attr-defined]

    async def stop(self) -> None:
        await self._stop_webhook()
        if self._runner is not None:
            await self._runner.cleanup()

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    @property
    def base_url(self) -> str:
        return f"{self.url}/bot"

    @property
    def base_file_url(self) -> str:
        return f"{self.url}/file/bot"

    # -- what tests feed in ----------------------------------------------------------------

    def add_update(self, update: dict[str, Any], update_id: int | None = None) -> int:
        """Queue an update (as built by `tests.fake_bot_api.updates`); returns its id."""
        if update_id is None:
            update_id = self._next_update_id
        self._next_update_id = max(self._next_update_id, update_id + 1)
        self._pending.append({"update_id": update_id, **update})
        self._new_update.set()
        return update_id

    def redeliver(self, update_id: int) -> None:
        """Give an update again, whatever offset was confirmed: Telegram's at-least-once."""
        original = self._find_update(update_id)
        self._forced.append(original)
        self._new_update.set()

    def _find_update(self, update_id: int) -> dict[str, Any]:
        for update in self._history:
            if update["update_id"] == update_id:
                return update
        raise KeyError(update_id)

    @property
    def _history(self) -> list[dict[str, Any]]:
        return self._delivered + self._pending

    def add_file(self, data: bytes, size: int | None = None, suffix: str = "jpg") -> StoredFile:
        """Store bytes the bot can fetch through getFile; `size` fakes a huge file."""
        n = len(self.files) + 1
        stored = StoredFile(
            file_id=f"file-{n}-{suffix}",
            unique_id=f"u{n}",
            data=data,
            size=len(data) if size is None else size,
            path=f"documents/file_{n}.{suffix}",
        )
        self.files[stored.file_id] = stored
        return stored

    def photo_sizes(self, data: bytes, width: int = 1200, height: int = 1600) -> list[dict]:
        """Telegram's several sizes of one photo, smallest first; the largest is `data`."""
        small = self.add_file(data[:1000] + b"thumb", suffix="jpg")
        large = self.add_file(data, suffix="jpg")
        scale = 90 / max(width, height)
        return [
            {
                "file_id": small.file_id,
                "file_unique_id": small.unique_id,
                "width": round(width * scale),
                "height": round(height * scale),
                "file_size": small.size,
            },
            {
                "file_id": large.file_id,
                "file_unique_id": large.unique_id,
                "width": width,
                "height": height,
                "file_size": large.size,
            },
        ]

    def document_of(
        self, data: bytes, filename: str, mime_type: str, size: int | None = None
    ) -> dict[str, Any]:
        suffix = filename.rsplit(".", 1)[-1].lower() if "." in filename else "bin"
        stored = self.add_file(data, size=size, suffix=suffix)
        return {
            "file_id": stored.file_id,
            "file_unique_id": stored.unique_id,
            "file_name": filename,
            "mime_type": mime_type,
            "file_size": stored.size,
        }

    def inject(
        self,
        method: str,
        status: int,
        *,
        chat_id: int | None = None,
        times: int = 1,
        retry_after: int | None = None,
        description: str | None = None,
    ) -> None:
        """Make the next `times` calls of `method` (to `chat_id`, if given) fail."""
        self.faults.append(Fault(method, status, chat_id, times, retry_after, description))

    # -- what tests read -------------------------------------------------------------------

    def sent_to(self, chat_id: int) -> list[Call]:
        return [c for c in self.sent if c.chat_id == chat_id]

    def calls_of(self, method: str) -> list[Call]:
        return [c for c in self.calls if c.method == method]

    async def wait_for(
        self, predicate: Callable[[], object], timeout: float = 10.0, what: str = "condition"
    ) -> None:
        deadline = time.monotonic() + timeout
        while not predicate():
            if time.monotonic() > deadline:
                raise TimeoutError(f"fake Bot API: timed out waiting for {what}")
            await asyncio.sleep(0.01)

    async def wait_sent(self, chat_id: int, count: int, timeout: float = 10.0) -> list[Call]:
        await self.wait_for(
            lambda: len(self.sent_to(chat_id)) >= count, timeout, f"{count} sends to {chat_id}"
        )
        return self.sent_to(chat_id)

    def pending_update_ids(self) -> list[int]:
        """Updates not yet confirmed (polling: by a later offset; webhook: by a 2xx)."""
        return [u["update_id"] for u in self._pending + self._forced]

    async def deliver(self, *updates: dict[str, Any], timeout: float = 20.0) -> list[Call]:
        """Queue updates (of one chat) and wait until the bot has confirmed them, i.e. fully
        handled them (our bot confirms only then, or see `handled`); returns what it sent to
        that chat."""
        chat_id = _chat_of(updates[0])
        before = len(self.sent_to(chat_id))
        ids = {self.add_update(update) for update in updates}
        await self.wait_for(
            lambda: not ids & set(self.pending_update_ids()), timeout, f"updates {sorted(ids)}"
        )
        if self.handled is not None:
            await self.handled()
        return self.sent_to(chat_id)[before:]

    async def _control_updates(self, request: web.Request) -> web.Response:
        for update in await request.json():
            self.add_update(update)
        return web.json_response({"pending": len(self._pending)})

    async def _control_stats(self, request: web.Request) -> web.Response:
        times = self.send_times
        return web.json_response(
            {
                "sent": self.sent_count,
                "methods": self.method_counts,
                "response_methods": self.response_methods,
                "pending": len(self._pending) + len(self._forced),
                "limit_violations": self.limit_violations,
                "violation_kinds": self.violation_kinds,
                "send_times": times if request.query.get("times") else None,
                "first_send": times[0] if times else None,
                "last_send": times[-1] if times else None,
            }
        )

    # -- the API ---------------------------------------------------------------------------

    async def _api(self, request: web.Request) -> web.StreamResponse:
        if request.match_info["token"] != self.token:
            return _error(401, "Unauthorized")
        params, files = await _read_params(request)
        return await self._perform(
            Call(request.match_info["method"], params, time.monotonic(), files=files)
        )

    async def _perform(self, call: Call) -> web.Response:
        method = call.method
        counts = self.response_methods if call.in_webhook_response else self.method_counts
        counts[method] += 1
        handler = getattr(self, f"_m_{method}", None)
        if handler is None:
            call.status = 404
            self._record(call)
            return _error(404, "Not Found: method not found")
        fault = self._flood_refusal(call) if method in SEND_METHODS else None
        if fault is None:
            fault = self._take_fault(method, call.chat_id)
        if fault is None and method in SEND_METHODS and self.limits is not None:
            fault = self._check_limits(call)
        if fault is not None:
            call.status = fault.status
            self._record(call)
            if fault.status == 429 and fault.description != "flood":
                scope = call.chat_id if fault.chat_id is not None else None
                cause = fault.description or "injected"
                retry = fault.retry_after or 1
                wait = FloodWait(call.at, call.at + retry, scope, call.chat_id, cause)
                self.flood_waits.append(wait)
            return _fault_response(fault)
        try:
            result = await handler(call)
        except _ApiError as exc:
            call.status = exc.status
            self._record(call)
            return _error(exc.status, exc.description)
        if isinstance(result, dict) and "message_id" in result:
            call.result_message_id = result["message_id"]
        self._record(call)
        if method in SEND_METHODS:
            self.sent_count += 1
            if self.record_calls:
                self.sent.append(call)
            self._note_send(call)
        return web.json_response({"ok": True, "result": result})

    def _record(self, call: Call) -> None:
        if self.record_calls or call.method not in SEND_METHODS | {"getUpdates"}:
            self.calls.append(call)

    def _take_fault(self, method: str, chat_id: int | None) -> Fault | None:
        for fault in self.faults:
            if fault.method != method or fault.times == 0:
                continue
            if fault.chat_id is not None and fault.chat_id != chat_id:
                continue
            if fault.times > 0:
                fault.times -= 1
            return fault
        return None

    def _flood_refusal(self, call: Call) -> Fault | None:
        """A send inside a flood wait is refused with the whole seconds still left."""
        waits = [w for w in self.flood_waits if w.covers(call)]
        if not waits:
            return None
        left = max(w.until for w in waits) - call.at
        return Fault(call.method, 429, call.chat_id, 1, math.ceil(left), description="flood")

    def flood_refused(self, wait: FloodWait) -> list[Call]:
        """The sends that arrived inside `wait` (each refused)."""
        return [c for c in self.calls if c.method in SEND_METHODS and wait.covers(c)]

    def _check_limits(self, call: Call) -> Fault | None:
        assert self.limits is not None
        now = call.at
        window = 1.0 - self.limits.tolerance
        while self._recent_sends and now - self._recent_sends[0] >= window:
            self._recent_sends.popleft()
        chat = call.chat_id or 0
        last = self._last_send_per_chat.get(chat)
        gap = 1.0 / self.limits.per_chat_per_second - self.limits.tolerance
        too_fast_chat = last is not None and now - last < gap
        too_many = len(self._recent_sends) >= self.limits.per_second
        if too_fast_chat or too_many:
            kind = "chat" if too_fast_chat else "overall"
            self.limit_violations += 1
            self.violation_kinds.append(kind)
            return Fault(call.method, 429, chat if too_fast_chat else None, 1, None, kind)
        return None

    def _note_send(self, call: Call) -> None:
        self.send_times.append(call.at)
        self._recent_sends.append(call.at)
        self._last_send_per_chat[call.chat_id or 0] = call.at

    def _message(self, chat_id: int, **content: Any) -> dict[str, Any]:
        return {
            "message_id": next(self._message_ids[chat_id]),
            "date": int(time.time()),
            "chat": {"id": chat_id, "type": "private", "first_name": "Applicant"},
            "from": self.bot_user,
            **content,
        }

    async def _m_getMe(self, call: Call) -> Any:
        return self.bot_user

    async def _m_getUpdates(self, call: Call) -> Any:
        if self.webhook is not None:
            raise _ApiError(409, "Conflict: can't use getUpdates method while webhook is active")
        offset = int(call.params.get("offset") or 0)
        limit = int(call.params.get("limit") or 100)
        timeout = float(call.params.get("timeout") or 0)
        self._confirm(offset)
        # Like Telegram, a new getUpdates ends the one still waiting (a restarted bot's
        # predecessor) instead of both competing for the same updates.
        self._poll_generation += 1
        generation = self._poll_generation
        self._new_update.set()
        await asyncio.sleep(0)
        deadline = time.monotonic() + timeout
        while True:
            if generation != self._poll_generation:
                raise _ApiError(409, "Conflict: terminated by other getUpdates request")
            ready = self._forced + [u for u in self._pending if u["update_id"] >= offset]
            if ready:
                self._forced = []
                self.handed_out.update(u["update_id"] for u in ready[:limit])
                return ready[:limit]
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                return []
            self._new_update.clear()
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._new_update.wait(), remaining)

    def _confirm(self, offset: int) -> None:
        if offset <= 0:
            return
        keep: list[dict[str, Any]] = []
        for update in self._pending:
            (self._delivered if update["update_id"] < offset else keep).append(update)
        self._pending = keep

    async def _m_setWebhook(self, call: Call) -> Any:
        url = call.params.get("url") or ""
        if not url:
            await self._stop_webhook()
            return True
        if call.params.get("drop_pending_updates"):
            self._confirm(self._next_update_id)
        await self._stop_webhook()
        self.webhook = {
            "url": url,
            "secret_token": call.params.get("secret_token"),
            "max_connections": int(call.params.get("max_connections") or 40),
        }
        self._webhook_session = ClientSession(timeout=ClientTimeout(total=60))
        self._webhook_task = asyncio.create_task(self._deliver_webhooks())
        return True

    async def _m_deleteWebhook(self, call: Call) -> Any:
        if call.params.get("drop_pending_updates"):
            self._confirm(self._next_update_id)
        await self._stop_webhook()
        return True

    async def _m_getWebhookInfo(self, call: Call) -> Any:
        return {
            "url": (self.webhook or {}).get("url", ""),
            "has_custom_certificate": False,
            "pending_update_count": len(self._pending),
        }

    async def _stop_webhook(self) -> None:
        self.webhook = None
        if self._webhook_task is not None:
            self._webhook_task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._webhook_task
            self._webhook_task = None
        if self._webhook_session is not None:
            await self._webhook_session.close()
            self._webhook_session = None

    async def _deliver_webhooks(self) -> None:
        """POST each pending update, several at once like Telegram; drop it on a 2xx."""
        assert self.webhook is not None and self._webhook_session is not None
        in_flight: dict[int, asyncio.Task[bool]] = {}
        queues: dict[int, Any] = {}  # update id in flight -> its delivery queue
        while True:
            ready = self._forced + self._pending
            self._forced = []
            busy = set(queues.values())
            for update in ready:
                uid, queue = update["update_id"], _delivery_queue(update, self.per_chat_order)
                if uid in in_flight or queue in busy:
                    continue
                busy.add(queue)  # a later update of this queue waits for this one
                if len(in_flight) >= self.webhook["max_connections"]:
                    continue
                in_flight[uid] = asyncio.create_task(self._post_update(update))
                queues[uid] = queue
            if not in_flight:
                self._new_update.clear()
                await self._new_update.wait()
                continue
            done, _ = await asyncio.wait(
                in_flight.values(), timeout=0.05, return_when=asyncio.FIRST_COMPLETED
            )
            for uid, task in list(in_flight.items()):
                if task in done:
                    del in_flight[uid]
                    queues.pop(uid, None)
                    if task.result():
                        self._delivered += [u for u in self._pending if u["update_id"] == uid]
                        self._pending = [u for u in self._pending if u["update_id"] != uid]
                    else:
                        await asyncio.sleep(self.webhook_retry_delay)

    async def _post_update(self, update: dict[str, Any]) -> bool:
        assert self.webhook is not None and self._webhook_session is not None
        headers = {}
        if self.webhook["secret_token"]:
            headers["X-Telegram-Bot-Api-Secret-Token"] = self.webhook["secret_token"]
        try:
            async with self._webhook_session.post(
                self.webhook["url"], json=update, headers=headers
            ) as response:
                self.webhook_deliveries.append((update["update_id"], response.status))
                if not 200 <= response.status < 300:
                    return False
                if response.content_type == "application/json":
                    await self._perform_from_response(await response.json())
                return True
        except (TimeoutError, OSError):
            self.webhook_deliveries.append((update["update_id"], 0))
            return False

    async def _perform_from_response(self, body: Any) -> None:
        """Like Telegram, perform the one Bot API method a webhook's response names; its
        result goes nowhere (the bot cannot learn it)."""
        if isinstance(body, dict) and isinstance(body.get("method"), str):
            params = {k: v for k, v in body.items() if k != "method"}
            call = Call(body["method"], params, time.monotonic(), in_webhook_response=True)
            await self._perform(call)

    async def _m_sendMessage(self, call: Call) -> Any:
        chat_id = _require_chat(call)
        content: dict[str, Any] = {"text": call.params.get("text", "")}
        markup = call.params.get("reply_markup")
        if isinstance(markup, dict) and "inline_keyboard" in markup:
            # Telegram echoes only inline keyboards in the sent message.
            content["reply_markup"] = markup
        return self._message(chat_id, **content)

    async def _m_sendDocument(self, call: Call) -> Any:
        chat_id = _require_chat(call)
        name, data = call.files.get("document", ("document", b""))
        stored = self.add_file(data, suffix=name.rsplit(".", 1)[-1])
        doc = {
            "file_id": stored.file_id,
            "file_unique_id": stored.unique_id,
            "file_name": name,
            "file_size": stored.size,
        }
        return self._message(chat_id, document=doc, caption=call.params.get("caption"))

    async def _m_sendPhoto(self, call: Call) -> Any:
        chat_id = _require_chat(call)
        _name, data = call.files.get("photo", ("photo", b""))
        stored = self.add_file(data)
        size = {"file_id": stored.file_id, "file_unique_id": stored.unique_id, "width": 1,
                "height": 1, "file_size": stored.size}  # fmt: skip
        return self._message(chat_id, photo=[size])

    async def _m_editMessageText(self, call: Call) -> Any:
        chat_id = _require_chat(call)
        return {
            **self._message(chat_id, text=call.params.get("text", "")),
            "message_id": int(call.params.get("message_id") or 0),
        }

    async def _m_editMessageReplyMarkup(self, call: Call) -> Any:
        chat_id = _require_chat(call)
        return {**self._message(chat_id), "message_id": int(call.params.get("message_id") or 0)}

    async def _m_answerCallbackQuery(self, call: Call) -> Any:
        return True

    async def _m_getFile(self, call: Call) -> Any:
        stored = self.files.get(call.params.get("file_id", ""))
        if stored is None:
            raise _ApiError(400, "Bad Request: invalid file_id")
        if stored.size > DOWNLOAD_LIMIT:
            raise _ApiError(400, "Bad Request: file is too big")
        return {
            "file_id": stored.file_id,
            "file_unique_id": stored.unique_id,
            "file_size": stored.size,
            "file_path": stored.path,
        }

    async def _m_setMyCommands(self, call: Call) -> Any:
        self.commands[call.params.get("language_code") or ""] = call.params["commands"]
        return True

    async def _m_getMyCommands(self, call: Call) -> Any:
        return self.commands.get(call.params.get("language_code") or "", [])

    async def _m_deleteMyCommands(self, call: Call) -> Any:
        self.commands.pop(call.params.get("language_code") or "", None)
        return True

    async def _m_close(self, call: Call) -> Any:
        return True

    async def _download(self, request: web.Request) -> web.StreamResponse:
        if request.match_info["token"] != self.token:
            return web.Response(status=401)
        path = request.match_info["path"]
        for stored in self.files.values():
            if stored.path == path and stored.data is not None:
                self.calls.append(Call("download", {"path": path}, time.monotonic()))
                return web.Response(body=stored.data)
        return web.Response(status=404)


# Re-exported so tests need one import.
updates = factory


def _chat_of(update: dict[str, Any]) -> int:
    body = (
        update.get("message")
        or update.get("edited_message")
        or update.get("callback_query", {}).get("message")
        or {}
    )
    return int(body["chat"]["id"])


class _ApiError(Exception):
    def __init__(self, status: int, description: str) -> None:
        self.status, self.description = status, description


def _require_chat(call: Call) -> int:
    if call.chat_id is None:
        raise _ApiError(400, "Bad Request: chat_id is empty")
    return call.chat_id


def _error(status: int, description: str, **parameters: Any) -> web.Response:
    body: dict[str, Any] = {"ok": False, "error_code": status, "description": description}
    if parameters:
        body["parameters"] = parameters
    return web.json_response(body, status=status)


def _fault_response(fault: Fault) -> web.Response:
    if fault.status == 429:
        retry = max(1, fault.retry_after or 1)
        return _error(429, f"Too Many Requests: retry after {retry}", retry_after=retry)
    if fault.status == 403:
        return _error(403, fault.description or "Forbidden: bot was blocked by the user")
    return _error(fault.status, fault.description or "Internal Server Error")


async def _read_params(request: web.Request) -> tuple[dict[str, Any], dict[str, Any]]:
    """Form, multipart or JSON, as real clients send; values decoded to Python types."""
    params: dict[str, Any] = dict(request.query)
    files: dict[str, tuple[str, bytes]] = {}
    if request.method == "POST":
        if request.content_type == "application/json":
            body = await request.read()
            params.update(json.loads(body) if body else {})
            return params, files
        form = await request.post()
        for key, value in form.items():
            if isinstance(value, web.FileField):
                files[key] = (value.filename or key, value.file.read())
            else:
                params[key] = value
    for key in _JSON_PARAMS & params.keys():
        if isinstance(params[key], str):
            with contextlib.suppress(ValueError):
                params[key] = json.loads(params[key])
    return params, files


async def serve_alone(limited: bool) -> None:
    """`python -m tests.fake_bot_api [--limits]`: print the port, serve until killed."""
    async with FakeBotApi(limits=Limits() if limited else None, record_calls=False) as api:
        print(api.port, flush=True)
        await asyncio.Event().wait()


def _delivery_queue(update: dict[str, Any], per_chat: bool) -> Any:
    """The queue an update waits in before it is posted, as telegram-bot-api's WebhookActor
    keys them: a chat's messages by the chat, a user's button presses by the user (a queue
    beside the chat's). Without `per_chat`, every update is a queue of its own."""
    if per_chat:
        if "callback_query" in update:
            return ("presses", update["callback_query"]["from"]["id"])
        message = update.get("message") or update.get("edited_message")
        if message is not None:
            return ("chat", message["chat"]["id"])
    return ("update", update["update_id"])
