"""SQL names of entity tables, columns, junction tables and indexes (at most 63 characters)."""

from __future__ import annotations

import hashlib

MAX_IDENTIFIER = 63


def identifier(*parts: str) -> str:
    """``parts`` joined by ``_``; shortened with a stable hash suffix if too long for SQL."""
    name = "_".join(parts)
    if len(name) <= MAX_IDENTIFIER:
        return name
    digest = hashlib.sha1(name.encode()).hexdigest()[:8]
    return f"{name[: MAX_IDENTIFIER - 9]}_{digest}"


def table_name(app: str, entity: str) -> str:
    return identifier(app, entity)


def junction_name(app: str, entity: str, field: str) -> str:
    return identifier(app, entity, "", field)


def index_name(table: str, columns: list[str], unique: bool = False) -> str:
    return identifier("uq" if unique else "ix", table, *columns)
