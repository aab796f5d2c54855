"""Real local receivers for the delivery tests: an HTTP server that checks Jimu's webhook
signature and the DingTalk / Feishu robot signatures the way those platforms do, and an SMTP
server (aiosmtpd)."""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import socket
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, urlsplit

from aiosmtpd.controller import Controller
from aiosmtpd.smtp import SMTP, Envelope, Session


@dataclass
class Received:
    path: str
    query: dict[str, list[str]]
    headers: dict[str, str]
    body: bytes
    verdict: str

    def json(self) -> Any:
        return json.loads(self.body)


@dataclass
class Receiver:
    """What the server is told to expect, and what it got."""

    secret: str = ""
    #: Answer the first ``fail_first`` requests with 500.
    fail_first: int = 0
    #: What a robot answers (its JSON) when the request checks out.
    robot_answer: dict[str, Any] = field(default_factory=lambda: {"errcode": 0, "errmsg": "ok"})
    received: list[Received] = field(default_factory=list)
    url: str = ""
    #: Seconds to wait before answering (a slow receiver).
    delay: float = 0.0

    def verify(
        self, path: str, query: dict[str, list[str]], headers: dict[str, str], body: bytes
    ) -> str:
        if path.startswith("/webhook"):
            return self._verify_webhook(headers, body)
        if path.startswith("/dingtalk"):
            return self._verify_dingtalk(query)
        if path.startswith("/feishu"):
            return self._verify_feishu(body)
        if path.startswith("/wecom"):
            return "ok" if query.get("key") == ["robot-key"] else "no key"
        return "unknown path"

    def _verify_webhook(self, headers: dict[str, str], body: bytes) -> str:
        timestamp = headers.get("x-jimu-timestamp", "")
        expected = hmac.new(
            self.secret.encode(), timestamp.encode() + b"." + body, hashlib.sha256
        ).hexdigest()
        if headers.get("x-jimu-signature") != f"sha256={expected}":
            return "bad signature"
        if abs(time.time() - int(timestamp)) > 300:
            return "stale timestamp"
        return "ok"

    def _verify_dingtalk(self, query: dict[str, list[str]]) -> str:
        # https://open.dingtalk.com/document/robots/customize-robot-security-settings
        timestamp = query.get("timestamp", [""])[0]
        string_to_sign = f"{timestamp}\n{self.secret}".encode()
        digest = hmac.new(self.secret.encode(), string_to_sign, hashlib.sha256).digest()
        if query.get("sign", [""])[0] != base64.b64encode(digest).decode():
            return "bad signature"
        if abs(time.time() * 1000 - int(timestamp)) > 3600 * 1000:
            return "stale timestamp"
        return "ok"

    def _verify_feishu(self, body: bytes) -> str:
        # https://open.feishu.cn/document/client-docs/bot-v3/add-custom-bot
        message = json.loads(body)
        timestamp = str(message.get("timestamp", ""))
        key = f"{timestamp}\n{self.secret}".encode()
        sign = base64.b64encode(hmac.new(key, b"", hashlib.sha256).digest()).decode()
        if message.get("sign") != sign:
            return "bad signature"
        if abs(time.time() - int(timestamp)) > 3600:
            return "stale timestamp"
        return "ok"


def _handler(receiver: Receiver) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            length = int(self.headers.get("Content-Length", "0"))
            body = self.rfile.read(length)
            parts = urlsplit(self.path)
            query = parse_qs(parts.query)
            headers = {name.lower(): value for name, value in self.headers.items()}
            verdict = receiver.verify(parts.path, query, headers, body)
            receiver.received.append(Received(parts.path, query, headers, body, verdict))
            time.sleep(receiver.delay)
            if len(receiver.received) <= receiver.fail_first:
                self._answer(500, {"error": "try later"})
            elif verdict != "ok":
                self._answer(401, {"error": verdict})
            elif parts.path.startswith("/webhook"):
                self._answer(200, {"ok": True})
            else:
                self._answer(200, receiver.robot_answer)

        def _answer(self, status: int, body: dict[str, Any]) -> None:
            data = json.dumps(body).encode()
            try:
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)
            except (BrokenPipeError, ConnectionResetError):
                pass  # the sender gave up waiting (a timeout test)

        def log_message(self, *_args: Any) -> None:
            pass

    return Handler


@contextmanager
def http_receiver(receiver: Receiver) -> Iterator[Receiver]:
    server = ThreadingHTTPServer(("127.0.0.1", 0), _handler(receiver))
    receiver.url = f"http://127.0.0.1:{server.server_address[1]}"
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield receiver
    finally:
        server.shutdown()
        server.server_close()


@dataclass
class Mailbox:
    messages: list[Envelope] = field(default_factory=list)

    async def handle_DATA(self, _server: SMTP, _session: Session, envelope: Envelope) -> str:
        self.messages.append(envelope)
        return "250 Message accepted for delivery"


@contextmanager
def smtp_receiver() -> Iterator[tuple[Mailbox, int]]:
    mailbox = Mailbox()
    port = _free_port()
    controller = Controller(mailbox, hostname="127.0.0.1", port=port)
    controller.start()
    try:
        yield mailbox, port
    finally:
        controller.stop()


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])
