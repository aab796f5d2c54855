"""The import wizard's column step: which field each column of the file fills, and a preview.

Every column of the file is offered with a select of the fields the user may import into,
pre-chosen by field name or label in either language (:func:`matched_columns`). The choice
travels in the form as ``col.<index>`` = field name (empty: the column is not imported) and
becomes the record service's ``{column name: field}`` mapping.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from jimu.builder_ui.pages.records.scope import EntityScope
from jimu.errors import FieldError
from jimu.platform.records.runtime import EntityRuntime
from jimu.platform.records.stamps import IMPORTED_TIMES
from jimu.platform.records.tabular import read_table
from jimu.platform.records.transfer import importable_fields, matched_columns

COLUMN_PARAM = "col."
PREVIEW_ROWS = 5
SAMPLES = 3


@dataclass(frozen=True)
class FieldChoice:
    name: str
    label: str


@dataclass(frozen=True)
class ColumnChoice:
    index: int
    header: str
    field: str
    samples: tuple[str, ...]


@dataclass(frozen=True)
class ColumnStep:
    """What the column step shows: the columns with their fields, and the first rows."""

    columns: list[ColumnChoice]
    fields: list[FieldChoice]
    preview_fields: list[FieldChoice]
    preview_rows: list[list[str]]

    @property
    def unmapped(self) -> list[str]:
        return [c.header or f"#{c.index + 1}" for c in self.columns if not c.field]

    def problems(self) -> list[FieldError]:
        """The mapping names columns, so a chosen column must be the first of its name."""
        header = [c.header for c in self.columns]
        return [
            FieldError(
                f"/mapping/{c.header}",
                f"columns {header.index(c.header) + 1} and {c.index + 1} are both called "
                f"{c.header!r}: rename one of them in the file",
                "duplicate_column",
            )
            for c in self.columns
            if c.field and header.index(c.header) != c.index
        ]

    @property
    def mapping(self) -> dict[str, str]:
        """The record service's mapping: column name → field, for the columns imported."""
        return {c.header: c.field for c in self.columns if c.field}


def _runtime(scope: EntityScope) -> EntityRuntime:
    return scope.records.runtime.entity(scope.name)


def _skipped(scope: EntityScope) -> frozenset[str]:
    return scope.access.hidden | scope.access.read_only


def _shown(value: Any) -> str:
    if value is None:
        return ""
    return value.strip() if isinstance(value, str) else str(value)


def field_choices(scope: EntityScope) -> list[FieldChoice]:
    rt = _runtime(scope)
    viewer = scope.viewer
    choices = []
    for name in importable_fields(rt, _skipped(scope)):
        if name in IMPORTED_TIMES:
            label = viewer.t(f"import.{name}")
        else:
            label = viewer.label(rt.codec.inputs[name].field.label, name)
        choices.append(FieldChoice(name, label))
    return choices


def chosen_columns(form: Mapping[str, str], header: Sequence[str]) -> dict[int, str]:
    """The form's ``col.<index>`` choices (index → field; the empty choice is left out)."""
    chosen = {}
    for key, value in form.items():
        index = key.removeprefix(COLUMN_PARAM)
        wanted = key.startswith(COLUMN_PARAM) and index.isdigit() and int(index) < len(header)
        if wanted and value.strip():
            chosen[int(index)] = value.strip()
    return chosen


def column_step(
    scope: EntityScope, data: bytes, format: str, form: Mapping[str, str] | None
) -> ColumnStep:
    """The columns of the file with their fields: those of ``form`` when it has any choice
    field, else matched automatically. ``ValidationFailed`` for an unreadable file."""
    header, table = read_table(data, format)
    fields = field_choices(scope)
    allowed = {f.name for f in fields}
    has_choices = form is not None and any(k.startswith(COLUMN_PARAM) for k in form)
    if form is not None and has_choices:
        chosen = {i: f for i, f in chosen_columns(form, header).items() if f in allowed}
    else:
        chosen = matched_columns(_runtime(scope), header, _skipped(scope))
    columns = [
        ColumnChoice(
            index=index,
            header=column,
            field=chosen.get(index, ""),
            samples=tuple(
                _shown(row[index]) for row in table[:SAMPLES] if index < len(row) and row[index]
            ),
        )
        for index, column in enumerate(header)
    ]
    labels = {f.name: f for f in fields}
    order = sorted(chosen)
    preview = [
        [_shown(row[index]) if index < len(row) else "" for index in order]
        for row in table[:PREVIEW_ROWS]
    ]
    return ColumnStep(columns, fields, [labels[chosen[i]] for i in order], preview)
