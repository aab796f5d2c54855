"""What administrators do with sign-in throttling: see who is being slowed down, and forget
the failures of an address or a username at once (audited as ``address_unlocked`` or
``account_unlocked``)."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy.orm import Session

from jimu.platform.auth.users import find_user
from jimu.platform.models import User
from jimu.platform.security import throttle_store as store
from jimu.platform.security.audit_log import log_event
from jimu.platform.security.backoff import ACCOUNT, ADDRESS, Failures, ThrottlePolicy


def remembered_failures(db: Session, policy: ThrottlePolicy, now: datetime) -> list[Failures]:
    """Every address and username with failures still remembered, the latest first."""
    return store.remembered(db, policy, now)


def clear_failures(
    db: Session, scope: str, key: str, admin: User, ip: str | None
) -> Failures | None:
    """Forget the failures of address or username ``key`` and audit it (also when none were
    remembered: the administrator's act is what is recorded). The caller commits."""
    forgotten = store.forget(db, scope, key)
    failures = forgotten.count if forgotten is not None else 0
    if scope == ADDRESS:
        log_event(
            db,
            "address_unlocked",
            actor_id=admin.id,
            ip=ip,
            detail={"address": key, "failures": failures},
        )
    else:
        user = find_user(db, key)
        log_event(
            db,
            "account_unlocked",
            actor_id=admin.id,
            username=key,
            ip=ip,
            detail={"user_id": user.id if user else None, "failures": failures},
        )
    return forgotten


__all__ = ["ACCOUNT", "ADDRESS", "clear_failures", "remembered_failures"]
