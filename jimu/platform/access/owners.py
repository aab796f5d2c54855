"""Who may become the owner of a record (see docs/access.md, "Owners").

Every owner a write names must be an active user (422 naming ``owner_id`` otherwise, for
administrators too). A caller may make owners only of the users their roles let them assign
records to (``assign_to``: themselves, their department, their department tree, anyone),
else 403. And a change must leave the record in the caller's write scope: the owner it gets
is the assignment right's to judge, everything else the write scope's.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from typing import Any

import sqlalchemy as sa

from jimu.engines.form.sqltypes import MAX_ID
from jimu.errors import FieldError, PermissionDenied
from jimu.platform.models import User
from jimu.platform.records.checks import chunks

USERS: sa.Table = User.__table__  # type: ignore[assignment]
#: Whom each ``assign_to`` lets its holders assign records to, as a refusal says it.
ASSIGNABLE_WORDS = {
    "self": "only to yourself",
    "department": "only to people of your department",
    "department_tree": "only to people of your department and the departments below it",
}

#: Owner id → the JSON pointers of the ``owner_id`` values that name it.
Owners = dict[int, list[str]]


def _owner(value: Any) -> int | None:
    """The owner a row names (values that are no user id are the codec's to refuse)."""
    if isinstance(value, int) and not isinstance(value, bool) and value > 0:
        return value
    return None


def given_owners(
    rows: Sequence[Mapping[str, Any]],
    prefixes: Sequence[str],
    subtables: Iterable[str] = (),
    *,
    top: bool = True,
) -> Owners:
    """The owners ``rows`` name, with the new rows (no ``id``) of their sub-tables; ``top``
    False leaves the rows' own ``owner_id`` out (the caller judges those against the record)."""
    owners: Owners = {}
    names = tuple(subtables)
    for row, prefix in zip(rows, prefixes, strict=True):
        if top and (owner := _owner(row.get("owner_id"))) is not None:
            owners.setdefault(owner, []).append(f"{prefix}/owner_id")
        for name in names:
            items = row.get(name)
            if not isinstance(items, list):
                continue
            for j, item in enumerate(items):
                new = isinstance(item, Mapping) and "id" not in item
                if new and (owner := _owner(item.get("owner_id"))) is not None:
                    owners.setdefault(owner, []).append(f"{prefix}/{name}/{j}/owner_id")
    return owners


def changed_owners(
    changes: Sequence[Mapping[str, Any]],
    prefixes: Sequence[str],
    ids: Sequence[int],
    current: Mapping[int, int | None],
) -> Owners:
    """The owners ``changes`` give their records that those records do not have yet."""
    owners: Owners = {}
    for change, prefix, record_id in zip(changes, prefixes, ids, strict=True):
        owner = _owner(change.get("owner_id"))
        if owner is not None and record_id in current and current[record_id] != owner:
            owners.setdefault(owner, []).append(f"{prefix}/owner_id")
    return owners


def current_owners(
    conn: sa.Connection, table: sa.Table, ids: Iterable[int]
) -> dict[int, int | None]:
    """Record id → its owner now, for the records of ``ids`` that exist."""
    found: dict[int, int | None] = {}
    for part in chunks(sorted(set(ids))):
        stmt = sa.select(table.c.id, table.c.owner_id).where(table.c.id.in_(part))
        found.update((int(i), owner) for i, owner in conn.execute(stmt))
    return found


def require_assignable(
    owners: Owners,
    assignees: frozenset[int] | None,
    assign_to: str,
    label: str,
) -> None:
    """PermissionDenied unless every owner is among ``assignees`` (None: anyone)."""
    if assignees is None:
        return
    refused = {owner: where for owner, where in owners.items() if owner not in assignees}
    if not refused:
        return
    words = ASSIGNABLE_WORDS.get(assign_to, ASSIGNABLE_WORDS["self"])
    errors = [
        FieldError(pointer, f"you may not assign records to user {owner}", "assign")
        for owner, where in sorted(refused.items())
        for pointer in where
    ]
    raise PermissionDenied(
        f"You may assign {label} records {words}.",
        errors,
        extra={"action": "assign", "assign_to": assign_to},
    )


def inactive_owner_errors(conn: sa.Connection, owners: Owners) -> list[FieldError]:
    """A 422 error at every ``owner_id`` that names no user, or a user who is not active."""
    if not owners:
        return []
    active: set[int] = set()
    # An id beyond the database's integer range names no user (and must not reach the driver).
    for part in chunks(sorted(owner for owner in owners if owner <= MAX_ID)):
        stmt = sa.select(USERS.c.id).where(USERS.c.id.in_(part), USERS.c.is_active.is_(True))
        active.update(conn.scalars(stmt))
    errors = []
    for owner, where in sorted(owners.items()):
        if owner in active:
            continue
        errors += [
            FieldError(pointer, f"there is no active user {owner}", "unknown_user")
            for pointer in where
        ]
    return errors


def with_owner(rule: Any, owner: int | None) -> Any:
    """``rule`` with the record's ``owner_id`` read as ``owner`` (a literal)."""
    if isinstance(rule, list):
        return [with_owner(item, owner) for item in rule]
    if not isinstance(rule, Mapping):
        return rule
    if len(rule) == 1 and "var" in rule:
        target = rule["var"]
        name = target[0] if isinstance(target, list) and target else target
        return owner if name == "owner_id" else dict(rule)
    return {op: with_owner(args, owner) for op, args in rule.items()}
