"""The small value types of the records service: who writes, what to list, what came back."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

SOURCES = ("ui", "api", "import", "rule", "process", "system", "public")


@dataclass(frozen=True)
class WriteContext:
    """Who writes and why: ``source`` is one of ui/api/import/rule/process/system/public.

    ``caused_by`` is the outbox event id that led to this write (rules, processes) and ``depth``
    how many causes deep it is; both are copied into the write's outbox events.

    ``strict`` says the values are JSON a client sent to the JSON API: each must have its
    field type's JSON type (``42`` is no text, ``"a"`` no multi-select; docs/records.md).
    Without it (imports, HTML forms, rules) values are converted (``"42"`` is a number).
    """

    actor_id: int | None = None
    source: str = "api"
    caused_by: int | None = None
    depth: int = 0
    strict: bool = False

    def __post_init__(self) -> None:
        if self.source not in SOURCES:
            raise ValueError(f"source must be one of {SOURCES}, not {self.source!r}")

    def derived(self, caused_by: int | None) -> WriteContext:
        """The context of a change this write causes in another record (rollups, lookups)."""
        return WriteContext(self.actor_id, "system", caused_by, self.depth + 1)


@dataclass(frozen=True)
class ListQuery:
    """What ``Records.list`` returns: see docs/records.md."""

    filter: Mapping[str, Any] | None = None
    sort: tuple[str, ...] | list[str] = ()
    limit: int = 50
    cursor: str | None = None
    fields: tuple[str, ...] | list[str] | None = None
    count: bool = False
    deleted: bool = False
    #: An extra JsonLogic condition ANDed with ``filter`` (the caller's data scope).
    scope: Mapping[str, Any] | None = None
    #: Fields the caller may not see: not selectable, filterable or sortable, never returned.
    hidden: frozenset[str] = frozenset()


@dataclass
class Page:
    items: list[dict[str, Any]]
    next_cursor: str | None = None
    total: int | None = None


@dataclass
class RowProblem:
    row: int
    pointer: str
    message: str

    def as_dict(self) -> dict[str, Any]:
        return {"row": self.row, "pointer": self.pointer, "message": self.message}


@dataclass
class ImportReport:
    total: int = 0
    errors: list[RowProblem] = field(default_factory=list)
    created: list[int] = field(default_factory=list)
    dry_run: bool = True
    #: The file's columns that fill no field, so were not imported.
    unmapped: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.errors

    def as_dict(self) -> dict[str, Any]:
        return {
            "ok": self.ok,
            "total": self.total,
            "dry_run": self.dry_run,
            "created": list(self.created),
            "errors": [e.as_dict() for e in self.errors],
            "unmapped": list(self.unmapped),
        }
