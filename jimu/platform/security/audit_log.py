"""Appending to the security audit log (``jimu_audit_event``).

Call ``log_event`` inside the transaction of the change it describes, so an event is recorded
exactly when the change commits. Kinds in use are listed in ``EVENT_KINDS`` (docs/security.md).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Session
from starlette.requests import Request

from jimu.platform.models import AuditEvent, utcnow

AUDIT: sa.Table = AuditEvent.__table__  # type: ignore[assignment]
#: The longest username kept; a longer name typed at the login form is kept cut to this.
USERNAME_LENGTH = 150

EVENT_KINDS = (
    "sign_in",
    "sign_in_failed",
    "sign_out",
    "account_locked",
    "account_unlocked",
    "address_unlocked",
    "password_changed",
    "role_assigned",
    "role_unassigned",
    "roles_published",
    "role_draft_saved",
    "role_draft_discarded",
    "form_deleted",
    "record_shared",
    "record_unshared",
    "token_created",
    "token_revoked",
    "export",
    "import",
    "user_created",
    "user_changed",
    "user_invited",
    "password_reset",
    "invitation_used",
    "department_created",
    "department_changed",
    "department_merged",
    "department_deleted",
)


def log_event(
    bind: sa.Connection | Session,
    kind: str,
    *,
    actor_id: int | None = None,
    app: str | None = None,
    detail: Mapping[str, Any] | None = None,
    ip: str | None = None,
    username: str | None = None,
) -> None:
    """Append one event; ``kind`` must be one of ``EVENT_KINDS``."""
    if kind not in EVENT_KINDS:
        raise ValueError(f"unknown audit event kind {kind!r}")
    bind.execute(
        sa.insert(AUDIT).values(
            at=utcnow(),
            kind=kind,
            actor_id=actor_id,
            app=app,
            detail=dict(detail or {}),
            ip=ip,
            username=username[:USERNAME_LENGTH] if username is not None else None,
        )
    )


def client_ip(request: Request) -> str | None:
    """The address the request came from (as the server saw it), for the log."""
    return request.client.host if request.client else None
