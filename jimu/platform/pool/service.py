"""The public pool (公海) of an entity: claiming, returning, transferring records, each an
owner change through the records service with its reason kept (``owners.record_owner_change``)
and shown in the record's history. See docs/pool.md.

A record is *in the pool* when its owner field is empty and its entity has a pool. Whoever the
pool's ``claimers`` name (everyone who may read the entity when it names nobody) sees the pool
and may claim from it within the limits; claiming is atomic: the record's row is locked, so of
two users claiming it at once one wins and the other gets a 409. A user's claims are serialised
too (an advisory lock on PostgreSQL, ``BEGIN IMMEDIATE`` on SQLite), so the limits hold under
concurrent claims.
"""

from __future__ import annotations

import zlib
from collections.abc import Mapping
from dataclasses import dataclass, replace
from datetime import datetime, timedelta
from typing import Any

import sqlalchemy as sa

from jimu.engines.form.pool import PoolSettings, pool_settings
from jimu.errors import Conflict, FieldError, NotFound, PermissionDenied, ValidationFailed
from jimu.platform.access.guarded import GuardedRecords
from jimu.platform.access.loading import ancestors_and_self
from jimu.platform.models import utcnow
from jimu.platform.pool.owners import OwnerMove, claims_since, previous_owners, record_owner_change
from jimu.platform.records import ListQuery, Page, WriteContext
from jimu.platform.records.protocol import RecordService

MAX_NOTE = 1000


@dataclass(frozen=True)
class ClaimLimits:
    """Where a user stands against the pool's limits (None: no such limit)."""

    claims_per_day: int | None
    claimed_today: int
    max_held: int | None
    held: int
    #: When today's claims start again (the next midnight, UTC).
    resets_at: datetime

    @property
    def claims_left(self) -> int | None:
        if self.claims_per_day is None:
            return None
        return max(0, self.claims_per_day - self.claimed_today)

    @property
    def holding_left(self) -> int | None:
        return None if self.max_held is None else max(0, self.max_held - self.held)

    def as_dict(self) -> dict[str, Any]:
        return {
            "claims_per_day": self.claims_per_day,
            "claimed_today": self.claimed_today,
            "claims_left": self.claims_left,
            "max_held": self.max_held,
            "held": self.held,
            "holding_left": self.holding_left,
            "resets_at": self.resets_at.isoformat().replace("+00:00", "Z"),
        }


def settings_of(records: GuardedRecords | RecordService, entity: str) -> PoolSettings:
    """The entity's pool; NotFound (naming the entity) when it has none."""
    settings = pool_settings(records.model.entity(entity))
    if settings is None:
        raise NotFound(f"The entity {entity!r} has no public pool.", extra={"entity": entity})
    return settings


def in_pool_filter(settings: PoolSettings) -> dict[str, Any]:
    """JsonLogic: the record's owner field is empty."""
    return {"==": [{"var": settings.owner_field}, None]}


def day_start(now: datetime) -> datetime:
    return now.replace(hour=0, minute=0, second=0, microsecond=0)


# -- who may ---------------------------------------------------------------------------------


def may_claim(conn: sa.Connection, records: GuardedRecords, entity: str) -> bool:
    """Whether the caller may see the pool of ``entity`` and claim from it: administrators,
    and the users the pool's ``claimers`` name who may read the entity (everyone who may read
    it when the pool names nobody)."""
    settings = settings_of(records, entity)
    policy = records.policy
    if policy.context.get("is_admin"):
        return True
    if not records.access(entity).allows("read"):
        return False
    if settings.everyone_may_claim:
        return True
    if set(settings.claim_roles) & set(policy.role_names):
        return True
    if settings.claim_departments:
        mine = ancestors_and_self(conn, policy.context.get("department_ids") or [])
        return bool(mine & set(settings.claim_departments))
    return False


def _require_claimer(conn: sa.Connection, records: GuardedRecords, entity: str) -> None:
    if not may_claim(conn, records, entity):
        raise PermissionDenied(
            f"You may not claim {entity} records from the public pool.",
            extra={"entity": entity, "action": "claim"},
        )


def pool_page(conn: sa.Connection, records: GuardedRecords, entity: str, query: ListQuery) -> Page:
    """The records in the pool as a claimer sees them (403 for others): the pool's right to
    claim shows them whatever the caller's row scope; hidden fields stay hidden."""
    settings = settings_of(records, entity)
    _require_claimer(conn, records, entity)
    hidden = records.access(entity).hidden | query.hidden
    condition = in_pool_filter(settings)
    scope = condition if query.scope is None else {"and": [condition, query.scope]}
    return records.records.list(
        conn, entity, replace(query, scope=scope, hidden=hidden, count=True)
    )


# -- limits ----------------------------------------------------------------------------------


def limits(
    conn: sa.Connection,
    records: GuardedRecords | RecordService,
    entity: str,
    user_id: int,
    now: datetime | None = None,
) -> ClaimLimits:
    """The user's claims today and records held, against the pool's limits."""
    settings = settings_of(records, entity)
    now = now or utcnow()
    start = day_start(now)
    claimed = claims_since(conn, records.app, entity, user_id, start)
    held = 0
    if settings.max_held is not None:
        held = _held(conn, _unguarded(records), entity, settings, user_id)
    return ClaimLimits(
        settings.daily_claims, claimed, settings.max_held, held, start + timedelta(days=1)
    )


def _unguarded(records: GuardedRecords | RecordService) -> RecordService:
    return records.records if isinstance(records, GuardedRecords) else records


def _held(
    conn: sa.Connection, records: RecordService, entity: str, settings: PoolSettings, user: int
) -> int:
    mine: dict[str, Any] = {"==": [{"var": settings.owner_field}, user]}
    condition = {"and": [mine, settings.open_condition]} if settings.open_condition else mine
    page = records.list(
        conn, entity, ListQuery(filter=condition, limit=1, fields=["id"], count=True)
    )
    return int(page.total or 0)


def _serialise_claims(conn: sa.Connection, app: str, entity: str, user_id: int) -> None:
    """One claim of a user at a time (their limits are counted, then written)."""
    if conn.dialect.name == "postgresql":
        key = zlib.crc32(f"jimu-pool:{app}:{entity}:{user_id}".encode()) - 2**31
        conn.execute(sa.text("SELECT pg_advisory_xact_lock(:key)"), {"key": key})


def _require_within_limits(
    conn: sa.Connection, records: GuardedRecords, entity: str, user_id: int, count: int
) -> None:
    found = limits(conn, records, entity, user_id)
    resets = found.as_dict()["resets_at"]
    if found.claims_left is not None and found.claims_left < count:
        raise Conflict(
            f"You have claimed {found.claimed_today} of {found.claims_per_day} {entity} records "
            f"allowed today; more may be claimed from {resets}.",
            extra={"problem": "claim_limit", "limit": "claims_per_day", **found.as_dict()},
        )
    if found.holding_left is not None and found.holding_left < count:
        raise Conflict(
            f"You hold {found.held} {entity} records, the most one may hold is "
            f"{found.max_held}; return some to the pool first.",
            extra={"problem": "claim_limit", "limit": "max_held", **found.as_dict()},
        )


# -- the record ------------------------------------------------------------------------------


def _locked_record(
    conn: sa.Connection, records: RecordService, entity: str, record_id: int
) -> dict[str, Any]:
    """The record, its row locked for the rest of the transaction (PostgreSQL; SQLite's
    ``BEGIN IMMEDIATE`` already holds the database)."""
    table = records.table(entity)
    locked = conn.execute(
        sa.select(table.c.id)
        .where(table.c.id == record_id, table.c.deleted_at.is_(None))
        .with_for_update()
    ).first()
    if locked is None:
        raise NotFound(f"There is no {entity} record {record_id}.")
    return records.get(conn, entity, record_id)


def _owner(record: Mapping[str, Any], settings: PoolSettings) -> int | None:
    value = record.get(settings.owner_field)
    return value if isinstance(value, int) and not isinstance(value, bool) else None


def _note(note: str | None) -> str | None:
    if note is None:
        return None
    text = note.strip()
    if len(text) > MAX_NOTE:
        raise ValidationFailed(
            "The note is too long.",
            [FieldError("/note", f"must be at most {MAX_NOTE} characters", "max_length")],
        )
    return text or None


# -- claim -----------------------------------------------------------------------------------


def claim(
    conn: sa.Connection,
    records: GuardedRecords,
    entity: str,
    record_ids: list[int],
    ctx: WriteContext,
) -> list[dict[str, Any]]:
    """Make the caller the owner of pool records (all or none): 403 if they may not claim,
    409 if one is no longer in the pool or a limit would be passed, 404 if one does not
    exist. Returns the records as the caller may see them."""
    settings = settings_of(records, entity)
    user_id = int(records.policy.context["id"])
    _require_claimer(conn, records, entity)
    _serialise_claims(conn, records.app, entity, user_id)
    _require_within_limits(conn, records, entity, user_id, len(set(record_ids)))
    service = records.records
    claimed: list[dict[str, Any]] = []
    for record_id in dict.fromkeys(record_ids):
        record = _locked_record(conn, service, entity, record_id)
        owner = _owner(record, settings)
        if owner is not None:
            raise Conflict(
                f"The {entity} record {record_id} is no longer in the public pool: "
                "someone claimed it first.",
                extra={"problem": "not_in_pool", "record_id": record_id},
            )
        if not settings.previous_owner_may_claim and user_id in previous_owners(
            conn, records.app, entity, record_id
        ):
            raise PermissionDenied(
                f"You owned the {entity} record {record_id} before; it cannot go back to you.",
                extra={"record_id": record_id, "action": "claim"},
            )
        changes = {settings.owner_field: user_id}
        done = service.update(conn, entity, record_id, changes, ctx, record["version"])
        move = OwnerMove(
            entity, record_id, done["version"], settings.owner_field, "claim", None, user_id
        )
        record_owner_change(conn, records.app, move, ctx)
        claimed.append(done)
    hidden = records.access(entity).hidden
    return [{k: v for k, v in r.items() if k not in hidden} for r in claimed]


# -- return ----------------------------------------------------------------------------------


def _checked_reason(settings: PoolSettings, reason: str | None) -> str | None:
    if reason in (None, ""):
        if settings.reason_required:
            raise ValidationFailed(
                "Say why the record goes back to the pool.",
                [FieldError("/reason", "is required", "required")],
            )
        return None
    if settings.reason(str(reason)) is None:
        allowed = ", ".join(r.value for r in settings.return_reasons) or "none"
        raise ValidationFailed(
            "That is not a return reason of this pool.",
            [FieldError("/reason", f"must be one of: {allowed}", "enum")],
        )
    return str(reason)


def move_to_pool(
    conn: sa.Connection,
    service: RecordService,
    entity: str,
    record_id: int,
    ctx: WriteContext,
    *,
    kind: str = "return",
    reason: str | None = None,
    note: str | None = None,
) -> dict[str, Any] | None:
    """Empty the record's owner (and the fields the pool clears on return) and keep the owner
    change; no rights are checked (the callers do). None when it is in the pool already."""
    settings = settings_of(service, entity)
    record = _locked_record(conn, service, entity, record_id)
    owner = _owner(record, settings)
    if owner is None:
        return None
    changes: dict[str, Any] = {settings.owner_field: None}
    changes.update({name: None for name in settings.clear_on_return})
    done = service.update(conn, entity, record_id, changes, ctx, record["version"])
    move = OwnerMove(
        entity, record_id, done["version"], settings.owner_field, kind, owner, None, reason, note
    )
    record_owner_change(conn, service.app, move, ctx)
    return done


def return_to_pool(
    conn: sa.Connection,
    records: GuardedRecords,
    entity: str,
    record_ids: list[int],
    ctx: WriteContext,
    reason: str | None = None,
    note: str | None = None,
) -> list[dict[str, Any]]:
    """Give records back to the pool (all or none), with a reason of the pool's list (422 at
    ``/reason`` when it is required and missing, or not one of them). The owner may return
    their records; others need the right to change them (a manager). 409 for a record already
    in the pool."""
    settings = settings_of(records, entity)
    reason = _checked_reason(settings, reason)
    note = _note(note)
    user_id = int(records.policy.context["id"])
    service = records.records
    done: list[dict[str, Any]] = []
    for record_id in dict.fromkeys(record_ids):
        record = _locked_record(conn, service, entity, record_id)
        owner = _owner(record, settings)
        if owner is None:
            raise Conflict(
                f"The {entity} record {record_id} is in the public pool already.",
                extra={"problem": "in_pool", "record_id": record_id},
            )
        if owner != user_id:
            records.require_rows(conn, entity, [record_id], "update")
        returned = move_to_pool(
            conn, service, entity, record_id, ctx, reason=reason, note=note, kind="return"
        )
        assert returned is not None
        done.append(returned)
    hidden = records.access(entity).hidden
    return [{k: v for k, v in r.items() if k not in hidden} for r in done]


# -- transfer --------------------------------------------------------------------------------


def transfer(
    conn: sa.Connection,
    records: GuardedRecords,
    entity: str,
    record_ids: list[int],
    to_user: int,
    ctx: WriteContext,
    note: str | None = None,
) -> list[dict[str, Any]]:
    """Hand records to another user (all or none): a write through the caller's access, so it
    needs the right to change them and to assign to that user (docs/access.md, "Owners");
    an unknown or inactive user is 422 at ``/to_user``. A record in the pool is *assigned*."""
    settings = settings_of(records, entity)
    note = _note(note)
    service = records.records
    done: list[dict[str, Any]] = []
    for record_id in dict.fromkeys(record_ids):
        record = _locked_record(conn, service, entity, record_id)
        owner = _owner(record, settings)
        if owner == to_user:
            raise Conflict(
                f"The {entity} record {record_id} is that user's already.",
                extra={"problem": "same_owner", "record_id": record_id},
            )
        try:
            changed = records.update(
                conn, entity, record_id, {settings.owner_field: to_user}, ctx, record["version"]
            )
        except ValidationFailed as error:
            raise _at_to_user(error, settings.owner_field) from None
        except PermissionDenied as error:
            raise PermissionDenied(
                error.message, _errors_at_to_user(error), extra=error.extra
            ) from None
        kind = "assign" if owner is None else "transfer"
        move = OwnerMove(
            entity, record_id, changed["version"], settings.owner_field, kind, owner, to_user,
            None, note,
        )  # fmt: skip
        record_owner_change(conn, records.app, move, ctx)
        done.append(changed)
    return done


def _errors_at_to_user(error: PermissionDenied) -> list[FieldError]:
    return [FieldError("/to_user", e.message, e.code) for e in error.errors]


def _at_to_user(error: ValidationFailed, owner_field: str) -> ValidationFailed:
    moved = [
        FieldError("/to_user", e.message, e.code) if e.pointer == f"/{owner_field}" else e
        for e in error.errors
    ]
    return ValidationFailed(error.message, moved, extra=error.extra)
