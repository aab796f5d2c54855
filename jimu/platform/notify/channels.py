"""Sending one delivery over its channel: SMTP, a signed webhook, or a group robot.

:func:`send` returns what the attempt did (for the delivery's log) or raises
:class:`SendFailed` with the same, so the worker records every attempt alike.
"""

from __future__ import annotations

import json
import smtplib
import time
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlencode, urlsplit

import httpx

from jimu.platform.notify.signing import (
    WEBHOOK_SIGNATURE_HEADER,
    WEBHOOK_TIMESTAMP_HEADER,
    dingtalk_sign,
    feishu_sign,
    webhook_signature,
)

#: The longest answer kept in a delivery's log.
MAX_LOGGED_RESPONSE = 2000
DELIVERY_KEY_HEADER = "X-Jimu-Delivery-Key"


@dataclass(frozen=True)
class SmtpConfig:
    host: str
    port: int = 25
    user: str = ""
    password: str = ""
    starttls: bool = False
    timeout: float = 30.0


@dataclass(frozen=True)
class Outgoing:
    """What a delivery row says to send."""

    channel: str
    target: str
    payload: bytes
    options: dict[str, Any]
    key: str


@dataclass
class AttemptLog:
    """One attempt as the log keeps it."""

    request: dict[str, Any] = field(default_factory=dict)
    status: int | None = None
    response: str = ""
    error: str | None = None

    def as_dict(self) -> dict[str, Any]:
        return {
            "request": self.request,
            "status": self.status,
            "response": self.response,
            "error": self.error,
        }


class SendFailed(Exception):
    def __init__(self, attempt: AttemptLog) -> None:
        super().__init__(attempt.error or "send failed")
        self.attempt = attempt


def send(outgoing: Outgoing, smtp: SmtpConfig | None) -> AttemptLog:
    if outgoing.channel == "email":
        return _send_email(outgoing, smtp)
    if outgoing.channel == "webhook":
        return _send_webhook(outgoing)
    if outgoing.channel in ("dingtalk", "wecom", "feishu"):
        return _send_robot(outgoing)
    raise SendFailed(AttemptLog(error=f"unknown channel {outgoing.channel!r}"))


def _send_email(outgoing: Outgoing, smtp: SmtpConfig | None) -> AttemptLog:
    recipients = list(outgoing.options.get("to", [outgoing.target]))
    attempt = AttemptLog(request={"to": recipients})
    if smtp is None or not smtp.host:
        attempt.error = "SMTP is not configured (set JIMU_SMTP_HOST)"
        raise SendFailed(attempt)
    attempt.request["server"] = f"{smtp.host}:{smtp.port}"
    try:
        with smtplib.SMTP(smtp.host, smtp.port, timeout=smtp.timeout) as client:
            if smtp.starttls:
                client.starttls()
            if smtp.user:
                client.login(smtp.user, smtp.password)
            refused = client.sendmail(
                str(outgoing.options.get("from", "")), recipients, outgoing.payload
            )
    except (smtplib.SMTPException, OSError) as error:
        attempt.error = f"{type(error).__name__}: {error}"
        raise SendFailed(attempt) from error
    if refused:
        attempt.error = f"refused recipients: {sorted(refused)}"
        raise SendFailed(attempt)
    attempt.status = 250
    attempt.response = "accepted"
    return attempt


def _send_webhook(outgoing: Outgoing) -> AttemptLog:
    headers = {"Content-Type": "application/json", DELIVERY_KEY_HEADER: outgoing.key}
    secret = str(outgoing.options.get("secret") or "")
    if secret:
        timestamp = int(time.time())
        headers[WEBHOOK_TIMESTAMP_HEADER] = str(timestamp)
        headers[WEBHOOK_SIGNATURE_HEADER] = webhook_signature(secret, timestamp, outgoing.payload)
    return _post(outgoing.target, outgoing.payload, headers, outgoing, robot=False)


def _send_robot(outgoing: Outgoing) -> AttemptLog:
    secret = str(outgoing.options.get("secret") or "")
    url, body = outgoing.target, outgoing.payload
    if secret and outgoing.channel == "dingtalk":
        timestamp_ms = int(time.time() * 1000)
        query = urlencode({"timestamp": timestamp_ms, "sign": dingtalk_sign(secret, timestamp_ms)})
        url = f"{url}{'&' if urlsplit(url).query else '?'}{query}"
    elif secret and outgoing.channel == "feishu":
        timestamp = int(time.time())
        message = json.loads(body)
        signed = {"timestamp": str(timestamp), "sign": feishu_sign(secret, timestamp), **message}
        body = json.dumps(signed, ensure_ascii=False, separators=(",", ":")).encode()
    headers = {"Content-Type": "application/json; charset=utf-8"}
    return _post(url, body, headers, outgoing, robot=True)


def _post(
    url: str, body: bytes, headers: dict[str, str], outgoing: Outgoing, *, robot: bool
) -> AttemptLog:
    attempt = AttemptLog(request={"url": _without_query(url), "headers": dict(headers)})
    timeout = float(outgoing.options.get("timeout") or 10.0)
    try:
        response = httpx.post(url, content=body, headers=headers, timeout=timeout)
    except httpx.HTTPError as error:
        attempt.error = f"{type(error).__name__}: {error}"
        raise SendFailed(attempt) from error
    attempt.status = response.status_code
    attempt.response = response.text[:MAX_LOGGED_RESPONSE]
    if not response.is_success:
        attempt.error = f"HTTP {response.status_code}"
        raise SendFailed(attempt)
    if robot:
        refusal = _robot_refusal(response)
        if refusal:
            attempt.error = refusal
            raise SendFailed(attempt)
    return attempt


def _robot_refusal(response: httpx.Response) -> str | None:
    """The robot's own error (``errcode``/``code`` other than 0), if its answer has one."""
    try:
        answer = response.json()
    except ValueError:
        return None
    if not isinstance(answer, dict):
        return None
    for name in ("errcode", "code", "StatusCode"):
        code = answer.get(name)
        if code not in (None, 0):
            message = answer.get("errmsg") or answer.get("msg") or answer.get("StatusMessage")
            return f"robot refused: {name}={code} {message or ''}".strip()
    return None


def _without_query(url: str) -> str:
    """``url`` without its query (robots carry their access token and signature there)."""
    parts = urlsplit(url)
    return f"{parts.scheme}://{parts.netloc}{parts.path}"
