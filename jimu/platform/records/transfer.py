"""Import (CSV/XLSX with column mapping, dry run, all-or-nothing commit) and export."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import replace
from datetime import date, datetime
from decimal import Decimal
from typing import TYPE_CHECKING, Any

import sqlalchemy as sa

from jimu.errors import FieldError, ValidationFailed
from jimu.platform.records.checks import chunks
from jimu.platform.records.context import ImportReport, ListQuery, RowProblem, WriteContext
from jimu.platform.records.create import create_records, validate_new_rows
from jimu.platform.records.query import list_records
from jimu.platform.records.rows import utcnow
from jimu.platform.records.runtime import AppRuntime, EntityRuntime
from jimu.platform.records.stamps import IMPORTED_TIMES
from jimu.platform.records.tabular import read_table, write_table

if TYPE_CHECKING:
    from jimu.platform.records.service import Records

EXPORT_PAGE = 1000
#: Column names that fill the record's own times (an import keeps a migrated record's history).
TIME_LABELS = {
    "created_at": ("created_at", "created at", "创建时间"),
    "updated_at": ("updated_at", "updated at", "更新时间", "修改时间"),
}


def header_key(text: object) -> str:
    """A column name or label as headers are matched: case and runs of spaces do not count."""
    return " ".join(str(text).split()).casefold()


def importable_fields(rt: EntityRuntime, skip: frozenset[str] = frozenset()) -> list[str]:
    """The fields a column may fill: the entity's input fields but ``skip``, then the times."""
    return [name for name in rt.codec.inputs if name not in skip] + list(IMPORTED_TIMES)


def matched_columns(
    rt: EntityRuntime, header: list[str], skip: frozenset[str] = frozenset()
) -> dict[int, str]:
    """Column index → field name, by field name or label in either language (case and spacing
    ignored); a field fills only the first column that names it, ``skip`` fields none."""
    names: dict[str, str] = {}
    for name, labels in TIME_LABELS.items():
        for label in labels:
            names[header_key(label)] = name
    for name, compiled in rt.codec.inputs.items():
        if name in skip:
            continue
        names[header_key(name)] = name
        for label in compiled.field.label.values():
            names.setdefault(header_key(label), name)
    found: dict[int, str] = {}
    for index, column in enumerate(header):
        field = names.get(header_key(column))
        if field is not None and field not in found.values():
            found[index] = field
    return found


def column_mapping(
    rt: EntityRuntime,
    header: list[str],
    mapping: Mapping[str, str] | None,
    skip: frozenset[str] = frozenset(),
) -> dict[int, str]:
    """Column index → field name: the given mapping (column name → field; a column it does not
    name is not imported), else :func:`matched_columns`.

    Columns that would fill a ``skip`` field (one the importing user may not write) are left
    out of the automatic mapping."""
    if mapping is None:
        return matched_columns(rt, header, skip)
    unknown = [
        FieldError(f"/mapping/{column}", f"{field!r} is not a field of {rt.name}", "unknown_field")
        for column, field in mapping.items()
        if field not in rt.codec.inputs and field not in IMPORTED_TIMES
    ]
    missing = [
        FieldError(f"/mapping/{column}", "there is no such column in the file", "unknown_column")
        for column in mapping
        if column not in header
    ]
    first_column: dict[str, str] = {}
    twice = []
    for column, field in mapping.items():
        if field in first_column:
            twice.append(
                FieldError(
                    f"/mapping/{column}",
                    f"{field!r} is already filled from the column {first_column[field]!r}",
                    "duplicate_field",
                )
            )
        first_column.setdefault(field, column)
    if unknown or missing or twice:
        raise ValidationFailed("The column mapping is not valid.", unknown + missing + twice)
    return {header.index(column): field for column, field in mapping.items()}


def unmapped_columns(header: list[str], columns: Mapping[int, str]) -> list[str]:
    """The names of the columns that fill no field (so are not imported)."""
    return [column for index, column in enumerate(header) if index not in columns]


def _cell(value: Any) -> Any:
    if isinstance(value, str):
        value = value.strip()
        return value or None
    if isinstance(value, float) and value.is_integer():
        return int(value)
    return value


def _resolve_titles(
    conn: sa.Connection, app: AppRuntime, rt: EntityRuntime, rows: list[dict[str, Any]]
) -> list[FieldError]:
    """Link cells may name the target record by its title field instead of its id."""
    errors: list[FieldError] = []
    for name, target_name in rt.links.items():
        target = app.entities[target_name]
        title = target.entity.title_field or next(
            (f.name for f in target.entity.fields if f.type == "text"), None
        )
        wanted = {
            row[name] for row in rows if isinstance(row.get(name), str) and not row[name].isdigit()
        }
        if not wanted or title is None or title not in target.stored:
            continue
        column = target.column(title)
        ids: dict[str, list[int]] = {}
        for part in chunks(sorted(wanted)):
            stmt = sa.select(column, target.table.c.id).where(
                column.in_(part), target.table.c.deleted_at.is_(None)
            )
            for text, record_id in conn.execute(stmt):
                ids.setdefault(str(text), []).append(record_id)
        for i, row in enumerate(rows, start=1):
            value = row.get(name)
            if not isinstance(value, str) or value not in wanted:
                continue
            found = ids.get(value, [])
            if len(found) == 1:
                row[name] = found[0]
            else:
                problem = "no" if not found else f"{len(found)}"
                errors.append(
                    FieldError(
                        f"/{i}/{name}", f"{problem} {target_name} records are called {value!r}"
                    )
                )
                row.pop(name)
    return errors


def import_rows(
    conn: sa.Connection,
    records: Records,
    rt: EntityRuntime,
    data: bytes,
    format: str,
    ctx: WriteContext,
    mapping: Mapping[str, str] | None,
    dry_run: bool,
    skip: frozenset[str] = frozenset(),
) -> ImportReport:
    header, table = read_table(data, format)
    columns = column_mapping(rt, header, mapping, skip)
    unmapped = unmapped_columns(header, columns)
    rows = [{field: _cell(row[i]) for i, field in columns.items() if i < len(row)} for row in table]
    for row in rows:
        for key in IMPORTED_TIMES:
            if isinstance(row.get(key), datetime):  # an XLSX date-time cell (naive = UTC)
                row[key] = row[key].isoformat()
    rows = [{k: v for k, v in row.items() if v is not None} for row in rows]
    ctx = replace(ctx, source="import")
    app = records.runtime
    errors = _resolve_titles(conn, app, rt, rows)
    prefixes = [f"/{i}" for i in range(1, len(rows) + 1)]
    report = ImportReport(total=len(rows), dry_run=dry_run, unmapped=unmapped)
    _, problems = validate_new_rows(conn, app, rt, rows, prefixes, ctx)
    errors = sorted([*errors, *problems], key=_row_of)
    if dry_run:
        report.errors = [_problem(e) for e in errors]
        return report
    if errors:
        raise ValidationFailed("Some rows of the file are not valid; nothing was imported.", errors)
    created = create_records(conn, app, rt, rows, ctx, utcnow(), prefixes)
    report.created = [r["id"] for r in created]
    return report


def _row_of(error: FieldError) -> tuple[int, str]:
    head = error.pointer.split("/")[1]
    return (int(head) if head.isdigit() else 0, error.pointer)


def _problem(error: FieldError) -> RowProblem:
    row, _ = _row_of(error)
    pointer = error.pointer.split("/", 2)[2] if error.pointer.count("/") >= 2 else ""
    return RowProblem(row, f"/{pointer}", error.message)


def export_rows(
    conn: sa.Connection, records: Records, rt: EntityRuntime, query: ListQuery, format: str
) -> bytes:
    """Every record matching ``query`` (all pages), selected fields in order, as a file."""
    fields = (
        list(query.fields)
        if query.fields is not None
        else [f for f in rt.codec.fields if f not in query.hidden]
    )
    header = ["id", *fields]
    rows: list[list[Any]] = []
    page_query = replace(query, limit=EXPORT_PAGE, cursor=None, count=False, fields=fields)
    while True:
        page = list_records(conn, records.runtime, rt, page_query)
        for item in page.items:
            rows.append([item["id"], *(_export_value(rt, f, item.get(f)) for f in fields)])
        if page.next_cursor is None:
            break
        page_query = replace(page_query, cursor=page.next_cursor)
    return write_table(header, rows, format)


def _export_value(rt: EntityRuntime, name: str, value: Any) -> Any:
    """Numbers as numbers (exact decimals), dates as dates, for spreadsheets."""
    if value is None or name not in rt.codec.fields:
        return value
    ftype = rt.codec.fields[name].field.type
    if ftype in ("decimal", "money", "percent") and isinstance(value, str):
        return Decimal(value)
    if ftype == "date" and isinstance(value, str):
        return date.fromisoformat(value)
    if ftype == "datetime" and isinstance(value, str):
        return datetime.fromisoformat(value.replace("Z", "+00:00")).replace(tzinfo=None)
    if ftype == "attachment" and isinstance(value, list):
        return [v.get("name", v.get("key")) for v in value]
    return value
