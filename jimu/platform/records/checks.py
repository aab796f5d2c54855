"""Checks that need the database: link targets exist, unique values are free, decimals fit."""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from typing import Any

import sqlalchemy as sa

from jimu.errors import FieldError
from jimu.platform.models import User
from jimu.platform.records.runtime import AppRuntime, EntityRuntime

CHUNK = 500


def chunks(values: Sequence[Any], size: int = CHUNK) -> Iterable[Sequence[Any]]:
    for start in range(0, len(values), size):
        yield values[start : start + size]


#: Significant digits of a decimal SQLite stores exactly: it keeps NUMERIC values as 8-byte
#: floats (even when given as text), which hold 15 decimal digits without loss.
SQLITE_EXACT_DIGITS = 15


def inexact_decimal_errors(
    conn: sa.Connection,
    rt: EntityRuntime,
    rows: Sequence[Mapping[str, Any]],
    prefixes: Sequence[str],
) -> list[FieldError]:
    """On SQLite, errors for decimal/money input SQLite would round (more than 15 significant
    digits, e.g. 10 trillion with cents): refused rather than stored changed."""
    if conn.dialect.name != "sqlite" or not rt.decimal_inputs:
        return []
    errors: list[FieldError] = []
    for values, prefix in zip(rows, prefixes, strict=True):
        for name, scale in rt.decimal_inputs:
            value = values.get(name)
            # parsed decimals have exactly ``scale`` decimals: digits = adjusted() + 1 + scale
            if value is not None and value.adjusted() + scale >= SQLITE_EXACT_DIGITS:
                errors.append(
                    FieldError(
                        f"{prefix}/{name}",
                        f"must have at most {SQLITE_EXACT_DIGITS} significant digits"
                        " (this database, SQLite, stores no more exactly)",
                        "precision",
                    )
                )
    return errors


def existing_ids(conn: sa.Connection, rt: EntityRuntime, ids: Iterable[int]) -> set[int]:
    """Which of ``ids`` are live (not deleted) records of ``rt``."""
    wanted = sorted(set(ids))
    found: set[int] = set()
    table = rt.table
    for part in chunks(wanted):
        stmt = sa.select(table.c.id).where(table.c.id.in_(part), table.c.deleted_at.is_(None))
        found.update(conn.execute(stmt).scalars())
    return found


def link_errors(
    conn: sa.Connection,
    app: AppRuntime,
    rt: EntityRuntime,
    rows: Sequence[Mapping[str, Any]],
    prefixes: Sequence[str],
) -> list[FieldError]:
    """Errors for link values that name no live record of the target entity (or no user)."""
    errors: list[FieldError] = user_errors(conn, rt, rows, prefixes)
    for name, target in [*rt.links.items(), *rt.many_links.items()]:
        many = name in rt.many_links
        wanted: set[int] = set()
        for row in rows:
            value = row.get(name)
            if value is not None:
                wanted.update(value if many else [value])
        if not wanted:
            continue
        found = existing_ids(conn, app.entities[target], wanted)
        if found == wanted:
            continue
        for row, prefix in zip(rows, prefixes, strict=True):
            value = row.get(name)
            given: list[Any] = list(value or []) if many else [value]
            for missing in [v for v in given if v is not None]:
                if missing not in found:
                    errors.append(
                        FieldError(
                            f"{prefix}/{name}", f"there is no {target} record {missing}", "link"
                        )
                    )
    return errors


def user_errors(
    conn: sa.Connection,
    rt: EntityRuntime,
    rows: Sequence[Mapping[str, Any]],
    prefixes: Sequence[str],
) -> list[FieldError]:
    """Errors for user fields that name no platform user."""
    names = [f.name for f in rt.entity.fields if f.type == "user"]
    wanted = {row[n] for row in rows for n in names if row.get(n) is not None}
    if not wanted:
        return []
    users: sa.Table = User.__table__  # type: ignore[assignment]
    found: set[int] = set()
    for part in chunks(sorted(wanted)):
        found.update(conn.execute(sa.select(users.c.id).where(users.c.id.in_(part))).scalars())
    return [
        FieldError(f"{prefix}/{name}", f"there is no user {row[name]}", "link")
        for row, prefix in zip(rows, prefixes, strict=True)
        for name in names
        if row.get(name) is not None and row[name] not in found
    ]


def unique_errors(
    conn: sa.Connection,
    rt: EntityRuntime,
    rows: Sequence[Mapping[str, Any]],
    prefixes: Sequence[str],
    own_ids: Sequence[int | None],
) -> list[FieldError]:
    """Errors for unique fields whose value another record (or an earlier row) already has."""
    errors: list[FieldError] = []
    for name in rt.unique:
        column = rt.column(name)
        seen: dict[Any, int | None] = {}
        for row, prefix, own in zip(rows, prefixes, own_ids, strict=True):
            value = row.get(name)
            if value is None:
                continue
            if value in seen:
                errors.append(FieldError(f"{prefix}/{name}", f"{value!r} is used twice", "unique"))
            seen.setdefault(value, own)
        taken: dict[Any, int] = {}
        for part in chunks(list(seen)):
            stmt = sa.select(column, rt.table.c.id).where(column.in_(part))
            taken.update({v: i for v, i in conn.execute(stmt)})
        for row, prefix, own in zip(rows, prefixes, own_ids, strict=True):
            value = row.get(name)
            if value is not None and value in taken and taken[value] != own:
                errors.append(
                    FieldError(f"{prefix}/{name}", f"{value!r} is already taken", "unique")
                )
    return errors
