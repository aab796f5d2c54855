"""The owner changes of records (``jimu_owner_change``): writing one beside the record write
it describes, reading them back for the history (the reason of each) and for the earlier owners
of a record (``previous_owners``: the assignment helpers exclude them)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

import sqlalchemy as sa

from jimu.engines.form.pool import DEFAULT_OWNER_FIELD
from jimu.engines.form.types.temporal import format_datetime
from jimu.platform.models import OwnerChange, RecordHistory, utcnow
from jimu.platform.records import WriteContext

CHANGES: sa.Table = OwnerChange.__table__  # type: ignore[assignment]
HISTORY: sa.Table = RecordHistory.__table__  # type: ignore[assignment]

#: What an owner change is: claimed from the pool, returned to it, handed to someone else,
#: given out of the pool, moved to the pool by a rule.
KINDS = ("claim", "return", "transfer", "assign", "pool")


@dataclass(frozen=True)
class OwnerMove:
    """One owner change of one record, as written beside the record write."""

    entity: str
    record_id: int
    version: int
    field: str
    kind: str
    from_user: int | None
    to_user: int | None
    reason: str | None = None
    note: str | None = None


def record_owner_change(
    conn: sa.Connection, app: str, move: OwnerMove, ctx: WriteContext, at: datetime | None = None
) -> None:
    """Keep ``move`` (in the caller's transaction, after the record write it describes: its
    ``version`` is the record's version that write made)."""
    if move.kind not in KINDS:
        raise ValueError(f"kind must be one of {KINDS}, not {move.kind!r}")
    conn.execute(
        CHANGES.insert().values(
            app=app,
            entity=move.entity,
            record_id=move.record_id,
            version=move.version,
            field=move.field,
            kind=move.kind,
            from_user=move.from_user,
            to_user=move.to_user,
            reason=move.reason,
            note=move.note,
            actor_id=ctx.actor_id,
            source=ctx.source,
            changed_at=at or utcnow(),
        )
    )


def owner_changes(
    conn: sa.Connection, app: str, entity: str, record_id: int
) -> list[dict[str, Any]]:
    """The record's owner changes, oldest first."""
    rows = conn.execute(
        sa.select(CHANGES)
        .where(CHANGES.c.app == app, CHANGES.c.entity == entity, CHANGES.c.record_id == record_id)
        .order_by(CHANGES.c.id)
    ).mappings()
    return [
        {
            "version": row["version"],
            "field": row["field"],
            "kind": row["kind"],
            "from_user": row["from_user"],
            "to_user": row["to_user"],
            "reason": row["reason"],
            "note": row["note"],
            "actor_id": row["actor_id"],
            "source": row["source"],
            "changed_at": format_datetime(row["changed_at"]),
        }
        for row in rows
    ]


def owner_periods(
    conn: sa.Connection, app: str, entity: str, record_id: int
) -> list[dict[str, Any]]:
    """Who held the record when, as far as the pool's owner changes tell, oldest first: each
    period's ``user``, ``since`` and how it began (``started``: claim, transfer, assign; None
    for an owner from before the first change), ``until`` and how it ended (``ended``: return,
    transfer, pool) with the ``reason`` — both None while the user still holds it."""
    periods: list[dict[str, Any]] = []
    current: dict[str, Any] | None = None
    for change in owner_changes(conn, app, entity, record_id):
        if change["from_user"] is not None:
            if current is None or current["user"] != change["from_user"]:
                current = {"user": change["from_user"], "since": None, "started": None}
                periods.append(current)
            current.update(until=change["changed_at"], ended=change["kind"])
            current["reason"] = change["reason"]
            current = None
        if change["to_user"] is not None:
            current = {"user": change["to_user"], "since": change["changed_at"],
                       "started": change["kind"], "until": None, "ended": None,
                       "reason": None}  # fmt: skip
            periods.append(current)
    for period in periods:
        period.setdefault("until", None)
        period.setdefault("ended", None)
        period.setdefault("reason", None)
    return periods


def changes_by_version(
    conn: sa.Connection, app: str, entity: str, record_id: int
) -> dict[tuple[int, str], dict[str, Any]]:
    """The record's owner changes by (version, owner field): what the history shows beside
    the owner field's change of that version."""
    return {
        (int(c["version"]), str(c["field"])): c for c in owner_changes(conn, app, entity, record_id)
    }


def previous_owners(conn: sa.Connection, app: str, entity: str, record_id: int) -> list[int]:
    """Every user who owned the record before and gave it up or had it taken (returned to the
    pool, transferred, reassigned, or an owner changed by a plain edit), most recent first.

    Read from the owner changes and from the record history of the owner fields (``owner_id``
    and any user field a pool names), so edits outside the pool count too."""
    found: list[tuple[datetime, int]] = []
    fields = {DEFAULT_OWNER_FIELD}
    for change in _change_rows(conn, app, entity, record_id):
        fields.add(str(change["field"]))
        if isinstance(change["from_user"], int):
            found.append((change["changed_at"], change["from_user"]))
    history = conn.execute(
        sa.select(HISTORY.c.old_value, HISTORY.c.changed_at).where(
            HISTORY.c.app == app,
            HISTORY.c.entity == entity,
            HISTORY.c.record_id == record_id,
            HISTORY.c.field.in_(sorted(fields)),
        )
    )
    for old, at in history:
        if isinstance(old, int) and not isinstance(old, bool):
            found.append((at, old))
    ordered: list[int] = []
    for _, user in sorted(found, key=lambda item: _aware(item[0]), reverse=True):
        if user not in ordered:
            ordered.append(user)
    return ordered


def _aware(at: datetime) -> datetime:
    return at if at.tzinfo is not None else at.replace(tzinfo=utcnow().tzinfo)


def _change_rows(conn: sa.Connection, app: str, entity: str, record_id: int) -> list[sa.RowMapping]:
    query = sa.select(CHANGES.c.field, CHANGES.c.from_user, CHANGES.c.changed_at).where(
        CHANGES.c.app == app, CHANGES.c.entity == entity, CHANGES.c.record_id == record_id
    )
    return list(conn.execute(query).mappings())


def claims_since(conn: sa.Connection, app: str, entity: str, user_id: int, since: datetime) -> int:
    """How many records of ``entity`` the user claimed from the pool since ``since``."""
    query = sa.select(sa.func.count()).where(
        CHANGES.c.app == app,
        CHANGES.c.entity == entity,
        CHANGES.c.actor_id == user_id,
        CHANGES.c.kind == "claim",
        CHANGES.c.changed_at >= since,
    )
    return int(conn.execute(query).scalar_one())
