"""Shared by ``regen.py`` and ``test_golden.py``: full specs, compiling per dialect, rows."""

from __future__ import annotations

import json
import math
from pathlib import Path
from typing import Any

import sqlalchemy as sa
from sqlalchemy.dialects import postgresql, sqlite

from jimu.engines.form.tables import EntityTables
from jimu.engines.report import CompiledReport, Target, compile_report
from jimu.engines.report.result import json_value
from tests.engines.report import crm

GOLDEN = Path(__file__).parent / "golden"
DIALECTS = {"sqlite": sqlite.dialect(), "postgresql": postgresql.psycopg.dialect()}


def full_spec(name: str, spec: dict[str, Any]) -> dict[str, Any]:
    return {"kind": "report", "name": f"g{name}", "visual": {"type": "table"}, **spec}


def compile_for(
    spec: dict[str, Any], dialect: str, tables: dict[str, EntityTables] | None = None
) -> CompiledReport:
    target = Target(
        crm.MODEL,
        tables or crm.tables(),
        dialect,
        "Asia/Shanghai",
        crm.NOW,
        history=crm.HISTORY,
        users=crm.USERS,
    )
    return compile_report(spec, target)


def sql_text(compiled: CompiledReport, dialect: str) -> str:
    return str(compiled.statement.compile(dialect=DIALECTS[dialect]))


def load(path: Path) -> dict[str, Any]:
    data: dict[str, Any] = json.loads(path.read_text(encoding="utf-8"))
    return data


def normal(rows: list[Any]) -> list[tuple[Any, ...]]:
    """Rows as tuples of JSON values (NUMERIC and floats alike)."""
    return [tuple(json_value(v) for v in row) for row in rows]


def same_rows(left: list[tuple[Any, ...]], right: list[tuple[Any, ...]]) -> bool:
    if len(left) != len(right):
        return False
    for a, b in zip(left, right, strict=True):
        if len(a) != len(b):
            return False
        for x, y in zip(a, b, strict=True):
            if isinstance(x, bool) or isinstance(y, bool) or x is None or y is None:
                if bool(x) != bool(y) if isinstance(x, bool) or isinstance(y, bool) else x != y:
                    return False
            elif isinstance(x, int | float) and isinstance(y, int | float):
                if not math.isclose(x, y, rel_tol=1e-9, abs_tol=1e-9):
                    return False
            elif x != y:
                return False
    return True


def run(conn: sa.Connection, statement: Any) -> list[tuple[Any, ...]]:
    if isinstance(statement, str):
        return normal([tuple(r) for r in conn.exec_driver_sql(statement)])
    return normal([tuple(r) for r in conn.execute(statement)])
