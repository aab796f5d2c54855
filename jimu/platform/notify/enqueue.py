"""Enqueueing external sends: a row in ``jimu_delivery``, in the caller's transaction.

A run that rolls back sends nothing; a send enqueued twice with the same idempotency key is
one row (the second call changes nothing and returns the first row's id).
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from datetime import timedelta
from email.message import EmailMessage
from email.utils import formatdate, make_msgid
from typing import Any
from urllib.parse import urlsplit

import sqlalchemy as sa
from sqlalchemy.dialects import postgresql, sqlite

from jimu.errors import FieldError, ValidationFailed
from jimu.platform.models import Delivery, utcnow
from jimu.platform.notify import wakeup
from jimu.platform.notify.robots import ROBOT_KINDS, RobotKind, robot_message
from jimu.platform.notify.templates import render_json, render_text

DEFAULT_MAX_ATTEMPTS = 8
DEFAULT_TIMEOUT_SECONDS = 10.0
MAX_KEY_LENGTH = 200


def enqueue_email(
    conn: sa.Connection,
    *,
    to: Sequence[str],
    subject: str,
    body: str,
    key: str,
    sender: str,
    values: Mapping[str, Any] | None = None,
    max_attempts: int = DEFAULT_MAX_ATTEMPTS,
) -> int:
    """An email to ``to`` (subject and body are templates over ``values``), sent over SMTP."""
    recipients = [address.strip() for address in to if address.strip()]
    if not recipients or not all(_looks_like_address(address) for address in recipients):
        raise ValidationFailed(
            "An email needs at least one recipient address.",
            [FieldError("/to", "Give one or more email addresses.", code="email")],
        )
    context = values or {}
    message = EmailMessage()
    message["From"] = sender
    message["To"] = ", ".join(recipients)
    # One line: a value with a line break must not end the header (or add one).
    message["Subject"] = " ".join(render_text(subject, context, pointer="/subject").split())
    message["Date"] = formatdate(localtime=False, usegmt=True)
    message["Message-ID"] = make_msgid(domain="jimu")
    message["X-Jimu-Delivery-Key"] = key
    message.set_content(render_text(body, context, pointer="/body"))
    options = {"to": recipients, "from": sender}
    return _insert(conn, "email", recipients[0], message.as_bytes(), options, key, max_attempts)


def enqueue_webhook(
    conn: sa.Connection,
    *,
    url: str,
    body: Any,
    key: str,
    secret: str = "",
    values: Mapping[str, Any] | None = None,
    timeout: float = DEFAULT_TIMEOUT_SECONDS,
    max_attempts: int = DEFAULT_MAX_ATTEMPTS,
    typed: bool = False,
) -> int:
    """A JSON POST to ``url``: ``body`` is a JSON template over ``values``, signed with
    ``secret`` (HMAC-SHA256, see :mod:`jimu.platform.notify.signing`) when one is given.
    ``typed``: a string that is one placeholder alone becomes the value with its JSON type."""
    _check_url(url, "/url")
    payload = _json_bytes(render_json(body, values or {}, pointer="/body", typed=typed))
    options = {"secret": secret, "timeout": _check_timeout(timeout)}
    return _insert(conn, "webhook", url, payload, options, key, max_attempts)


def enqueue_robot(
    conn: sa.Connection,
    *,
    kind: str,
    url: str,
    text: str,
    key: str,
    title: str | None = None,
    secret: str = "",
    values: Mapping[str, Any] | None = None,
    timeout: float = DEFAULT_TIMEOUT_SECONDS,
    max_attempts: int = DEFAULT_MAX_ATTEMPTS,
) -> int:
    """A message to a DingTalk / WeCom / Feishu group robot at ``url`` (its webhook address),
    signed with ``secret`` where the platform signs (DingTalk, Feishu)."""
    if kind not in ROBOT_KINDS:
        raise ValidationFailed(
            "Unknown group robot.",
            [FieldError("/kind", f"Use one of {', '.join(ROBOT_KINDS)}.", code="enum")],
        )
    robot: RobotKind = kind
    _check_url(url, "/url")
    context = values or {}
    rendered_title = render_text(title, context, pointer="/title") if title else None
    message = robot_message(robot, render_text(text, context, pointer="/text"), rendered_title)
    options = {"secret": secret, "timeout": _check_timeout(timeout)}
    return _insert(conn, robot, url, _json_bytes(message), options, key, max_attempts)


def _insert(
    conn: sa.Connection,
    channel: str,
    target: str,
    payload: bytes,
    options: dict[str, Any],
    key: str,
    max_attempts: int,
) -> int:
    if not key or len(key) > MAX_KEY_LENGTH:
        raise ValidationFailed(
            "A delivery needs an idempotency key.",
            [FieldError("/key", f"Give 1 to {MAX_KEY_LENGTH} characters.", code="length")],
        )
    if max_attempts < 1:
        raise ValidationFailed(
            "A delivery needs at least one attempt.",
            [FieldError("/max_attempts", "Give 1 or more.", code="minimum")],
        )
    now = utcnow()
    row = {
        "channel": channel,
        "target": target,
        "payload": payload,
        "options": options,
        "idempotency_key": key,
        "status": "pending",
        "attempts": 0,
        "max_attempts": max_attempts,
        # A microsecond back, so a worker reading "now" right after the commit finds it due.
        "next_attempt_at": now - timedelta(microseconds=1),
        "log": [],
        "created_at": now,
    }
    table: sa.Table = Delivery.__table__  # type: ignore[assignment]
    dialect = postgresql if conn.dialect.name == "postgresql" else sqlite
    statement = (
        dialect.insert(table)
        .values(**row)
        .on_conflict_do_nothing(index_elements=["idempotency_key"])
        .returning(table.c.id)
    )
    inserted = conn.execute(statement).scalar_one_or_none()
    if inserted is None:
        existing = conn.execute(
            sa.select(table.c.id).where(table.c.idempotency_key == key)
        ).scalar_one()
        return int(existing)
    wakeup.mark(conn)
    return int(inserted)


def _looks_like_address(address: str) -> bool:
    local, at, domain = address.rpartition("@")
    return bool(at and local and domain) and not any(c.isspace() or c in ",<>" for c in address)


def _json_bytes(value: Any) -> bytes:
    return json.dumps(value, ensure_ascii=False, separators=(",", ":")).encode()


def _check_url(url: str, pointer: str) -> None:
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.netloc:
        raise ValidationFailed(
            "The address to send to is not an http(s) URL.",
            [FieldError(pointer, "Give an http:// or https:// address.", code="url")],
        )


def _check_timeout(timeout: float) -> float:
    if not 0 < timeout <= 120:
        raise ValidationFailed(
            "The timeout is out of range.",
            [FieldError("/timeout", "Give more than 0 and at most 120 seconds.", code="range")],
        )
    return float(timeout)
