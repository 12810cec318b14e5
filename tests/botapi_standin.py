"""A Telegram Bot API stand-in for tests: a real HTTP server on 127.0.0.1 that speaks the Bot
API's JSON, feeds updates the test queues to getUpdates, and records every call.

It is strict where Telegram is: HTML must parse with Telegram's tags, texts must fit 4096
characters and callback data 64 bytes, and the token in the URL must be the bot's. A test can
make it answer one call with a 429 or drop the connection, to exercise retries.
"""

from __future__ import annotations

import html
import itertools
import json
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from email.parser import BytesParser
from email.policy import HTTP
from html.parser import HTMLParser
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qsl, unquote

JSON_PARAMS = {
    "reply_markup", "reply_parameters", "commands", "scope", "allowed_updates", "entities", "link_preview_options",
}
INT_PARAMS = {"chat_id", "message_id", "offset", "limit", "timeout"}
ALLOWED_TAGS = {
    "b", "strong", "i", "em", "u", "ins", "s", "strike", "del", "span", "tg-spoiler", "a", "code", "pre",
    "blockquote", "tg-emoji",
}
NAMED_ENTITIES = {"lt", "gt", "amp", "quot"}
LONG_POLL_CAP = 1.0
"""getUpdates waits at most this long for an update, whatever timeout the bot asks for."""


@dataclass(frozen=True)
class Call:
    method: str
    params: dict[str, Any]


@dataclass
class Fault:
    """What to do instead of answering the next call to a method."""

    status: int = 429
    retry_after: int = 1
    drop: bool = False
    description: str = "Too Many Requests: retry after 1"


@dataclass
class StoredFile:
    path: str
    data: bytes


class TelegramHTML(HTMLParser):
    """Checks text the way Telegram's HTML parse mode does (tags, balance, entities)."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=False)
        self.open: list[str] = []
        self.problems: list[str] = []
        self.visible: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag not in ALLOWED_TAGS:
            self.problems.append(f"unsupported tag <{tag}>")
        self.open.append(tag)

    def handle_endtag(self, tag: str) -> None:
        if not self.open or self.open[-1] != tag:
            self.problems.append(f"unexpected </{tag}>, open: {self.open}")
            return
        self.open.pop()

    def handle_data(self, data: str) -> None:
        for char in "<>&":
            if char in data:
                self.problems.append(f"unescaped {char!r} in {data[:40]!r}")
        self.visible.append(data)

    def handle_entityref(self, name: str) -> None:
        if name not in NAMED_ENTITIES:
            self.problems.append(f"unsupported entity &{name};")
        self.visible.append(html.unescape(f"&{name};"))

    def handle_charref(self, name: str) -> None:
        self.visible.append(html.unescape(f"&#{name};"))


def telegram_html_problems(text: str) -> list[str]:
    """Why Telegram would refuse `text` in HTML parse mode (empty when it would accept it)."""
    parser = TelegramHTML()
    parser.feed(text)
    parser.close()
    if parser.rawdata:
        parser.problems.append(f"unparsed rest {parser.rawdata[:40]!r}")
    if parser.open:
        parser.problems.append(f"unclosed tags {parser.open}")
    return parser.problems


def visible_text(text: str) -> str:
    """What the user sees of an HTML message: tags gone, entities resolved."""
    parser = TelegramHTML()
    parser.feed(text)
    parser.close()
    return "".join(parser.visible)


def visible_length(text: str) -> int:
    return len(visible_text(text).encode("utf-16-le")) // 2


class BotApiStandIn:
    def __init__(self, token: str, bot_id: int = 700000001, username: str = "samordna_testbot") -> None:
        self.token = token
        self.bot = {"id": bot_id, "is_bot": True, "first_name": "Samordna", "username": username,
                    "can_join_groups": True, "can_read_all_group_messages": False, "supports_inline_queries": False}
        self.calls: list[Call] = []
        self.files: dict[str, StoredFile] = {}
        self._updates: list[dict[str, Any]] = []
        self._update_ids = itertools.count(1)
        self._message_ids = itertools.count(5000)
        self._chats: dict[int, dict[str, Any]] = {}
        self._messages: dict[tuple[int, int], dict[str, Any]] = {}
        self._faults: dict[str, list[Fault]] = {}
        self._changed = threading.Condition()
        self._server = ThreadingHTTPServer(("127.0.0.1", 0), self._handler_class())
        self._server.daemon_threads = True
        self._thread = threading.Thread(target=self._server.serve_forever, name="botapi-standin", daemon=True)

    # Lifecycle

    def __enter__(self) -> BotApiStandIn:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._server.shutdown()
        self._server.server_close()

    @property
    def base_url(self) -> str:
        host, port = self._server.server_address[:2]
        return f"http://{host}:{port}"

    # Feeding updates

    def push(self, update: dict[str, Any]) -> dict[str, Any]:
        with self._changed:
            update = {"update_id": next(self._update_ids), **update}
            self._updates.append(update)
            self._changed.notify_all()
        return update

    def user(self, user_id: int) -> dict[str, Any]:
        return {"id": user_id, "is_bot": False, "first_name": f"Person{user_id}", "language_code": "sv"}

    def chat(self, chat_id: int, kind: str) -> dict[str, Any]:
        chat = {"id": chat_id, "type": kind}
        if kind == "private":
            chat["first_name"] = f"Person{chat_id}"
        else:
            chat["title"] = "Testgruppen"
        self._chats[chat_id] = chat
        return chat

    def message(
        self, text: str | None, user_id: int, chat_id: int | None = None, chat_type: str = "private",
        reply_to: dict[str, Any] | None = None, **extra: Any,
    ) -> dict[str, Any]:
        """A message update; commands and @mentions get the entities Telegram would add."""
        chat_id = user_id if chat_id is None else chat_id
        message: dict[str, Any] = {
            "message_id": next(self._message_ids), "date": int(time.time()),
            "chat": self.chat(chat_id, chat_type), "from": self.user(user_id), **extra,
        }
        if text is not None:
            message["text"] = text
            entities = self._entities(text)
            if entities:
                message["entities"] = entities
        if reply_to is not None:
            message["reply_to_message"] = reply_to
        return self.push({"message": message})

    def callback(self, data: str, user_id: int, message: dict[str, Any]) -> dict[str, Any]:
        return self.push({"callback_query": {
            "id": str(next(self._message_ids)), "from": self.user(user_id), "chat_instance": "ci",
            "data": data, "message": message,
        }})

    def document(
        self, file_name: str, data: bytes, user_id: int, caption: str | None = None, mime_type: str = "text/plain"
    ) -> dict[str, Any]:
        file_id = f"file{len(self.files) + 1}"
        self.files[file_id] = StoredFile(f"documents/{file_id}_{file_name.replace('/', '_')}", data)
        document = {"file_id": file_id, "file_unique_id": f"u{file_id}", "file_name": file_name,
                    "mime_type": mime_type, "file_size": len(data)}
        extra: dict[str, Any] = {"document": document}
        if caption is not None:
            extra["caption"] = caption
        return self.message(None, user_id, **extra)

    def _entities(self, text: str) -> list[dict[str, Any]]:
        entities = []
        if text.startswith("/"):
            entities.append({"type": "bot_command", "offset": 0, "length": _utf16(text.split()[0])})
        position = 0
        for word in text.split(" "):
            if word.startswith("@") and len(word) > 1:
                name = word.rstrip("?,.!:")
                entities.append({"type": "mention", "offset": _utf16(text[:position]), "length": _utf16(name)})
            position += len(word) + 1
        return entities

    # Faults

    def fail_next(self, method: str, status: int = 429, retry_after: int = 1, description: str | None = None) -> None:
        fault = Fault(status=status, retry_after=retry_after)
        if description:
            fault.description = description
        self._faults.setdefault(method, []).append(fault)

    def drop_next(self, method: str) -> None:
        """Close the connection of the next call to `method` without an answer."""
        self._faults.setdefault(method, []).append(Fault(drop=True))

    # Inspection

    def calls_to(self, method: str) -> list[Call]:
        with self._changed:
            return [call for call in self.calls if call.method == method]

    def wait_for(self, condition: Callable[[], Any], timeout: float = 15.0, what: str = "condition") -> Any:
        """Wait until `condition()` is truthy (re-checked whenever a call arrives) and return it."""
        deadline = time.monotonic() + timeout
        with self._changed:
            while True:
                result = condition()
                if result:
                    return result
                left = deadline - time.monotonic()
                if left <= 0:
                    raise AssertionError(f"timed out waiting for {what}; calls: {[c.method for c in self.calls]}")
                self._changed.wait(min(left, 0.2))

    def sent(self, chat_id: int | None = None) -> list[dict[str, Any]]:
        """Parameters of every successful sendMessage (to `chat_id`), in order."""
        return [
            call.params for call in self.calls_to("sendMessage")
            if call.params.get("_ok") and (chat_id is None or call.params["chat_id"] == chat_id)
        ]

    def wait_for_sent(self, chat_id: int, count: int, timeout: float = 15.0) -> list[dict[str, Any]]:
        return self.wait_for(
            lambda: (lambda sent: sent if len(sent) >= count else None)(self.sent(chat_id)),
            timeout, f"{count} message(s) to {chat_id}",
        )

    def bot_message(self, params: dict[str, Any]) -> dict[str, Any]:
        """The Message object the bot got back for a sendMessage (for building replies and callbacks)."""
        return self._messages[(params["chat_id"], params["_message_id"])]

    # Serving

    def _handler_class(self) -> type[BaseHTTPRequestHandler]:
        standin = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, format: str, *args: Any) -> None:
                """Quiet."""

            def do_GET(self) -> None:
                standin._serve(self, b"")

            def do_POST(self) -> None:
                try:
                    body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
                except (BrokenPipeError, ConnectionResetError):
                    return  # the bot cancelled the call (a "typing…" it no longer needs)
                standin._serve(self, body)

        return Handler

    def _serve(self, request: BaseHTTPRequestHandler, body: bytes) -> None:
        path = unquote(request.path.split("?", 1)[0])  # PTB quotes file paths, ":" of the token too
        file_prefix = f"/file/bot{self.token}/"
        if path.startswith(file_prefix):
            stored = next((f for f in self.files.values() if f.path == path[len(file_prefix):]), None)
            self._record("download", {"path": path[len(file_prefix):]})
            if stored is None:
                self._reply(request, 404, b"not found", "text/plain")
            else:
                self._reply(request, 200, stored.data, "application/octet-stream")
            return
        prefix, _, method = path.rpartition("/")
        if prefix != f"/bot{self.token}":
            self._reply_json(request, 401, {"ok": False, "error_code": 401, "description": "Unauthorized"})
            return
        params = self._params(request, body)
        call = self._record(method, params)
        faults = self._faults.get(method)
        fault = faults.pop(0) if faults else None
        if fault is not None and fault.drop:
            request.close_connection = True
            request.connection.shutdown(2)
            return
        if fault is not None:
            answer: dict[str, Any] = {"ok": False, "error_code": fault.status, "description": fault.description}
            if fault.status == 429:
                answer["parameters"] = {"retry_after": fault.retry_after}
            self._reply_json(request, fault.status, answer)
            return
        status, answer = self._answer(method, params)
        if status == 200:
            with self._changed:
                call.params["_ok"] = True
                self._changed.notify_all()
        self._reply_json(request, status, answer)

    def _params(self, request: BaseHTTPRequestHandler, body: bytes) -> dict[str, Any]:
        kind = request.headers.get("Content-Type", "")
        if kind.startswith("application/json"):
            raw = json.loads(body or b"{}")
        elif kind.startswith("multipart/form-data"):
            message = BytesParser(policy=HTTP).parsebytes(
                f"Content-Type: {kind}\r\n\r\n".encode() + body
            )
            raw = {part.get_param("name", header="content-disposition"): part.get_content()
                   for part in message.iter_parts()}
        else:
            raw = dict(parse_qsl(body.decode("utf-8"), keep_blank_values=True))
        params: dict[str, Any] = {}
        for key, value in raw.items():
            if key in JSON_PARAMS and isinstance(value, str):
                value = json.loads(value)
            elif key in INT_PARAMS and isinstance(value, str) and value.lstrip("-").isdigit():
                value = int(value)
            params[key] = value
        return params

    def _record(self, method: str, params: dict[str, Any]) -> Call:
        call = Call(method, params)
        with self._changed:
            self.calls.append(call)
            self._changed.notify_all()
        return call

    def _answer(self, method: str, params: dict[str, Any]) -> tuple[int, dict[str, Any]]:
        if method == "getMe":
            return _ok(self.bot)
        if method == "getUpdates":
            return _ok(self._take_updates(params))
        if method in ("sendMessage", "editMessageText"):
            problem = self._text_problem(params)
            if problem:
                return 400, {"ok": False, "error_code": 400, "description": f"Bad Request: {problem}"}
        if method == "sendMessage":
            return _ok(self._store_message(params))
        if method in ("editMessageText", "editMessageReplyMarkup"):
            key = (params["chat_id"], params["message_id"])
            if key not in self._messages:
                return 400, {"ok": False, "error_code": 400, "description": "Bad Request: message to edit not found"}
            message = dict(self._messages[key])
            if "text" in params:
                message["text"] = params["text"]
            if "reply_markup" in params:
                message["reply_markup"] = params["reply_markup"]
            else:
                message.pop("reply_markup", None)
            self._messages[key] = message
            return _ok(message)
        if method in ("answerCallbackQuery", "sendChatAction", "setMyCommands", "deleteWebhook", "setWebhook"):
            return _ok(True)
        if method == "getFile":
            stored = self.files.get(params.get("file_id", ""))
            if stored is None:
                return 400, {"ok": False, "error_code": 400, "description": "Bad Request: invalid file_id"}
            return _ok({"file_id": params["file_id"], "file_unique_id": "u" + params["file_id"],
                        "file_size": len(stored.data), "file_path": stored.path})
        return 404, {"ok": False, "error_code": 404, "description": "Not Found: method not found"}

    def _take_updates(self, params: dict[str, Any]) -> list[dict[str, Any]]:
        offset = params.get("offset") or 0
        deadline = time.monotonic() + min(float(params.get("timeout") or 0), LONG_POLL_CAP)
        with self._changed:
            self._updates = [u for u in self._updates if u["update_id"] >= offset]
            while not self._updates and time.monotonic() < deadline:
                self._changed.wait(deadline - time.monotonic())
            return list(self._updates)

    def _text_problem(self, params: dict[str, Any]) -> str | None:
        text = params.get("text", "")
        if params.get("parse_mode") == "HTML":
            problems = telegram_html_problems(text)
            if problems:
                return "can't parse entities: " + "; ".join(problems)
        length = visible_length(text) if params.get("parse_mode") == "HTML" else len(text)
        if not 0 < length <= 4096:
            return "message is too long" if length else "message text is empty"
        for row in (params.get("reply_markup") or {}).get("inline_keyboard", []):
            for button in row:
                if len(button.get("callback_data", "").encode("utf-8")) > 64:
                    return "BUTTON_DATA_INVALID"
        return None

    def _store_message(self, params: dict[str, Any]) -> dict[str, Any]:
        chat_id = params["chat_id"]
        message = {
            "message_id": next(self._message_ids), "date": int(time.time()),
            "chat": self._chats.get(chat_id, {"id": chat_id, "type": "private", "first_name": "?"}),
            "from": self.bot, "text": visible_text(params["text"]) if params.get("parse_mode") else params["text"],
        }
        if "reply_markup" in params:
            message["reply_markup"] = params["reply_markup"]
        self._messages[(chat_id, message["message_id"])] = message
        params["_message_id"] = message["message_id"]
        return message

    def _reply_json(self, request: BaseHTTPRequestHandler, status: int, answer: dict[str, Any]) -> None:
        self._reply(request, status, json.dumps(answer).encode(), "application/json")

    @staticmethod
    def _reply(request: BaseHTTPRequestHandler, status: int, body: bytes, kind: str) -> None:
        try:
            request.send_response(status)
            request.send_header("Content-Type", kind)
            request.send_header("Content-Length", str(len(body)))
            request.end_headers()
            request.wfile.write(body)
        except (BrokenPipeError, ConnectionResetError):
            pass  # the bot gave up waiting (a long poll cancelled at shutdown)


def _ok(result: Any) -> tuple[int, dict[str, Any]]:
    return 200, {"ok": True, "result": result}


def _utf16(text: str) -> int:
    return len(text.encode("utf-16-le")) // 2
