"""Decision tables in the platform: their check (errors and warnings) and trying one on a
record of its entity, writing nothing (the designer's "try it" panel)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import sqlalchemy as sa

from jimu.engines.expr import ExprError
from jimu.engines.form.registry import default_registry
from jimu.engines.rule.decision_compiled import TableConflict, compile_table
from jimu.engines.rule.decision_table import TableReport
from jimu.errors import FieldError
from jimu.metadata.decision_tables import decision_table_report
from jimu.metadata.validate import raise_if_errors, schema_errors
from jimu.platform import metadata_store as store
from jimu.platform.records import Records
from jimu.platform.rules.views import record_view


def table_document(
    conn: sa.Connection, app: str, name: str, document: Mapping[str, Any] | None
) -> dict[str, Any]:
    """``document`` (the designer's unsaved state), else the newest stored version."""
    if document is not None:
        return dict(document)
    return store.get(conn, app, "decision_table", name).body


def check_table(document: Mapping[str, Any], records: Records) -> TableReport:
    """The table's problems: its schema's, else its errors and warnings in the app."""
    registry = default_registry()
    errors = schema_errors(document, registry)
    if errors:
        return TableReport(errors)
    return decision_table_report(document, records.model, registry)


def try_table(
    conn: sa.Connection, records: Records, document: Mapping[str, Any], record_id: int
) -> dict[str, Any]:
    """Run a valid ``document`` on a record (422 with pointers when it is not valid): its
    inputs, matched and used rows, outputs, and the table's warnings. A formula's error or two
    matching rows of a unique table come back as ``error`` with the rows it concerns."""
    report = check_table(document, records)
    raise_if_errors(report.errors, f"The decision table {document.get('name')!r} is not valid.")
    table = compile_table(document)
    values = records.get(conn, table.entity, record_id, include_deleted=True)
    out: dict[str, Any] = {"record_id": record_id, "warnings": _dicts(report.warnings)}
    try:
        out.update(table.evaluate(record_view(records, table.entity, values)).as_dict())
    except TableConflict as exc:
        out.update(error=exc.message, error_rows=[e.pointer for e in exc.errors])
    except ExprError as exc:
        out.update(error=exc.message, error_rows=[])
    return out


def _dicts(problems: list[FieldError]) -> list[dict[str, str]]:
    return [p.as_dict() for p in problems]


def report_dict(report: TableReport) -> dict[str, Any]:
    return {"errors": _dicts(report.errors), "warnings": _dicts(report.warnings)}
