"""Inbound webhooks: ``POST /api/hooks/{app}/{rule}`` starts a webhook rule with a JSON body.

The caller signs each request like Jimu signs its own webhooks: ``X-Jimu-Timestamp`` (Unix
seconds) and ``X-Jimu-Signature: sha256=<hex>``, the HMAC-SHA256 with the rule's secret over
``<timestamp>.`` followed by the raw body bytes. A timestamp more than :data:`WINDOW_SECONDS`
away from now is refused, and so is a signature already accepted within that window (a replay).
The secret is generated for the rule (on its first publish in the designer, or on "rotate") and
stored encrypted (AES-GCM) under a key derived from the platform's secret key: HMAC needs the
secret itself, so a hash would not do; the database alone does not give it away.

An accepted request writes one outbox event (kind ``webhook``, the rule's name in
``changed_fields``, the body in ``payload``) in one transaction, and the worker runs the rule.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import os
import secrets
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Any

import sqlalchemy as sa
from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM

from jimu.engines.rule.webhook_trigger import WEBHOOK
from jimu.errors import FieldError, JimuError, NotFound
from jimu.platform import metadata_store as store
from jimu.platform.models import Outbox, WebhookSecret, WebhookSeen, utcnow
from jimu.platform.notify.signing import (
    WEBHOOK_SIGNATURE_HEADER,
    WEBHOOK_TIMESTAMP_HEADER,
    webhook_signature,
)
from jimu.platform.rules.catalog import disabled_rules
from jimu.platform.rules.wake import mark_written

if TYPE_CHECKING:
    from jimu.platform.state import Platform

OUTBOX: sa.Table = Outbox.__table__  # type: ignore[assignment]
SECRETS: sa.Table = WebhookSecret.__table__  # type: ignore[assignment]
SEEN: sa.Table = WebhookSeen.__table__  # type: ignore[assignment]

#: How far (seconds) a request's timestamp may be from now, and how long signatures are kept.
WINDOW_SECONDS = 300
#: The largest body accepted (bytes).
MAX_BODY_BYTES = 256 * 1024
_KEY_CONTEXT = b"jimu inbound webhook secrets v1:"


class Refused(JimuError):
    """A request the hook does not accept: 401 (signature), 413 (size) or 422 (body)."""

    def __init__(self, status: int, code: str, message: str, pointer: str = "") -> None:
        errors = [FieldError(pointer, message, code)] if pointer else []
        super().__init__(message, errors, code=code, status=status)


# -- the secret ---------------------------------------------------------------------------------


def _cipher(platform_secret: str) -> AESGCM:
    key = hashlib.sha256(_KEY_CONTEXT + platform_secret.encode("utf-8")).digest()
    return AESGCM(key)


def encrypt(platform_secret: str, secret: str, app: str, rule: str) -> str:
    """``secret`` encrypted for the row of ``app``/``rule`` (bound to it: not movable)."""
    nonce = os.urandom(12)
    sealed = _cipher(platform_secret).encrypt(nonce, secret.encode(), f"{app}/{rule}".encode())
    return base64.urlsafe_b64encode(nonce + sealed).decode("ascii")


def decrypt(platform_secret: str, stored: str, app: str, rule: str) -> str:
    raw = base64.urlsafe_b64decode(stored.encode("ascii"))
    try:
        plain = _cipher(platform_secret).decrypt(raw[:12], raw[12:], f"{app}/{rule}".encode())
    except InvalidTag as exc:  # the platform's secret key changed since
        raise JimuError(
            "The webhook secret cannot be read with this server's secret key: rotate it.",
            code="webhook_secret_unreadable",
            status=500,
        ) from exc
    return plain.decode()


def webhook_rule(conn: sa.Connection, app: str, rule: str) -> dict[str, Any] | None:
    """The published body of ``rule`` if it is a webhook rule, else None."""
    published = store.published(conn, app, "rule", rule)
    if published is None or published.body.get("trigger", {}).get("on") != WEBHOOK:
        return None
    return dict(published.body)


def rotate(platform: Platform, conn: sa.Connection, app: str, rule: str, actor: int | None) -> str:
    """A new secret for the webhook rule ``rule`` (the old one stops working); returned once."""
    if webhook_rule(conn, app, rule) is None:
        raise NotFound(f"There is no published webhook rule {rule!r}.")
    secret = "whsec_" + secrets.token_urlsafe(32)
    sealed = encrypt(platform.settings.secret_key, secret, app, rule)
    conn.execute(sa.delete(SECRETS).where(SECRETS.c.app == app, SECRETS.c.rule == rule))
    conn.execute(
        sa.insert(SECRETS).values(
            app=app, rule=rule, encrypted=sealed, created_at=utcnow(), created_by=actor
        )
    )
    return secret


def secret_state(conn: sa.Connection, app: str, rule: str) -> datetime | None:
    """When the rule's current secret was made (None: it has none)."""
    row = conn.execute(
        sa.select(SECRETS.c.created_at).where(SECRETS.c.app == app, SECRETS.c.rule == rule)
    ).first()
    return None if row is None else row.created_at


def _secret(platform: Platform, conn: sa.Connection, app: str, rule: str) -> str | None:
    row = conn.execute(
        sa.select(SECRETS.c.encrypted).where(SECRETS.c.app == app, SECRETS.c.rule == rule)
    ).first()
    if row is None:
        return None
    return decrypt(platform.settings.secret_key, row.encrypted, app, rule)


# -- a request ----------------------------------------------------------------------------------


def _timestamp(value: str | None, now: datetime) -> int:
    if not value:
        message = f"The {WEBHOOK_TIMESTAMP_HEADER} header is missing."
        raise Refused(401, "missing_timestamp", message)
    try:
        stamp = int(value)
    except ValueError:
        message = f"{WEBHOOK_TIMESTAMP_HEADER} must be Unix seconds, not {value[:40]!r}."
        raise Refused(401, "bad_timestamp", message) from None
    if abs(now.timestamp() - stamp) > WINDOW_SECONDS:
        message = (
            f"{WEBHOOK_TIMESTAMP_HEADER} is more than {WINDOW_SECONDS // 60} minutes away from "
            "the server's time: sign the request when you send it."
        )
        raise Refused(401, "stale_timestamp", message)
    return stamp


def accept(
    platform: Platform,
    conn: sa.Connection,
    app: str,
    rule: str,
    headers: dict[str, str],
    body: bytes,
    now: datetime | None = None,
) -> int:
    """Check a posted request and queue its event; returns the event id (raises Refused, or
    NotFound for a rule that is no published, switched-on webhook rule)."""
    from jimu.platform.input_guard import loads

    now = now or utcnow()
    doc = webhook_rule(conn, app, rule)
    if doc is None or rule in disabled_rules(conn, app):
        raise NotFound(f"There is no webhook {app}/{rule}.")
    secret = _secret(platform, conn, app, rule)
    if secret is None:
        raise Refused(401, "no_secret", "The webhook has no secret yet: make one in the designer.")
    stamp = _timestamp(headers.get(WEBHOOK_TIMESTAMP_HEADER.lower()), now)
    given = headers.get(WEBHOOK_SIGNATURE_HEADER.lower()) or ""
    expected = webhook_signature(secret, stamp, body)
    if not hmac.compare_digest(expected.encode(), given.strip().encode()):
        message = (
            f"{WEBHOOK_SIGNATURE_HEADER} does not match: expected sha256=<hex HMAC-SHA256 of "
            f"'<timestamp>.<body>' with the webhook's secret>."
        )
        raise Refused(401, "bad_signature", message)
    try:
        payload = loads(body.decode("utf-8"))
    except UnicodeDecodeError:
        raise Refused(422, "bad_body", "The body is not UTF-8 text.", "/") from None
    except ValueError as exc:
        raise Refused(422, "bad_body", f"The body is not JSON: {exc}", "/") from None
    cutoff = now - timedelta(seconds=WINDOW_SECONDS)
    conn.execute(sa.delete(SEEN).where(SEEN.c.seen_at < cutoff))
    seen = sa.select(SEEN.c.seen_at).where(
        SEEN.c.app == app, SEEN.c.rule == rule, SEEN.c.signature == given
    )
    if conn.execute(seen).first() is not None:
        message = "This signed request was already accepted (a replay): sign each request anew."
        raise Refused(401, "replayed", message)
    conn.execute(sa.insert(SEEN).values(app=app, rule=rule, signature=given, seen_at=now))
    event = conn.execute(
        OUTBOX.insert()
        .values(
            app=app,
            entity=str(doc["entity"]),
            record_id=0,  # none yet: the run finds or creates it
            kind=WEBHOOK,
            changed_fields=[rule],
            source="webhook",
            caused_by=None,
            depth=0,
            created_at=now,
            payload=payload,
        )
        .returning(OUTBOX.c.id)
    ).scalar_one()
    mark_written(conn)
    return int(event)
