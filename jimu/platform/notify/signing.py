"""Signatures of outgoing requests.

- Jimu's webhooks: ``X-Jimu-Timestamp`` (Unix seconds) and ``X-Jimu-Signature:
  sha256=<hex>``, the HMAC-SHA256 with the secret over ``<timestamp>.`` followed by exactly the
  body bytes sent.
- DingTalk group robots: ``timestamp`` (milliseconds) and ``sign`` in the URL's query, ``sign``
  being base64(HMAC-SHA256(key=secret, msg=timestamp + "\\n" + secret)).
- Feishu/Lark group robots: ``timestamp`` (seconds) and ``sign`` in the JSON body, ``sign``
  being base64(HMAC-SHA256(key=timestamp + "\\n" + secret, msg=b"")).
- WeCom group robots carry their key in the URL and are not signed.
"""

from __future__ import annotations

import base64
import hashlib
import hmac

WEBHOOK_TIMESTAMP_HEADER = "X-Jimu-Timestamp"
WEBHOOK_SIGNATURE_HEADER = "X-Jimu-Signature"


def webhook_signature(secret: str, timestamp: int, body: bytes) -> str:
    digest = hmac.new(secret.encode(), f"{timestamp}.".encode() + body, hashlib.sha256)
    return "sha256=" + digest.hexdigest()


def dingtalk_sign(secret: str, timestamp_ms: int) -> str:
    message = f"{timestamp_ms}\n{secret}".encode()
    digest = hmac.new(secret.encode(), message, hashlib.sha256).digest()
    return base64.b64encode(digest).decode()


def feishu_sign(secret: str, timestamp: int) -> str:
    key = f"{timestamp}\n{secret}".encode()
    digest = hmac.new(key, b"", hashlib.sha256).digest()
    return base64.b64encode(digest).decode()
