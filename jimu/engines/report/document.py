"""The report document's checks beyond its JSON Schema, run when it is saved or published."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import UTC, datetime
from typing import Any

from jimu.engines.form.model import AppModel
from jimu.engines.form.registry import FieldTypeRegistry
from jimu.engines.form.tables import build_tables
from jimu.engines.report.compiler import Target, compile_report, time_zone_of
from jimu.engines.report.funnel import history_shape
from jimu.errors import FieldError, JimuError


def report_errors(
    report: Mapping[str, Any],
    app: AppModel,
    registry: FieldTypeRegistry,
    dialect: str = "postgresql",
    tables: Mapping[str, Any] | None = None,
) -> list[FieldError]:
    """Every problem of a (schema-valid) report document against the app's entities.

    Checked for the dialect given (PostgreSQL by default, where every aggregate exists: a
    median is refused on SQLite when the chart runs, with its pointer). ``tables``: the app's
    tables (``build_tables``) when the caller checks several reports of one app."""
    target = Target(
        app,
        tables if tables is not None else build_tables(app, registry),
        dialect,
        time_zone_of(app.spec),
        datetime(2000, 1, 1, tzinfo=UTC),
        history=history_shape(),
    )
    try:
        compile_report(report, target)
    except JimuError as error:
        return list(error.errors)
    return []
