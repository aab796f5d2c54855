"""The browser's condition model (designers/shared/condition/model.ts, run by Node) reads
every condition the builder writes back into the same rows and writes it out unchanged: each
operator of each field kind (templates from the expression engine), nested groups, and parts
it cannot show as rows, which stay raw JSON and are never lost."""

from __future__ import annotations

import json
import shutil
import subprocess
from pathlib import Path
from typing import Any

import pytest

from jimu.engines.expr.builder import KIND_OPERATORS, PERIOD_UNITS, RELATIVE_UNITS, fill
from jimu.engines.expr.operators import UNIT_WORDS
from jimu.platform.conditions.user_values import USER_VALUES

REPO = Path(__file__).resolve().parents[3]
UI = REPO / "jimu" / "builder_ui"
RUNNER = Path(__file__).with_name("condition_model_runner.mjs")

pytestmark = pytest.mark.skipif(
    shutil.which("node") is None or not (UI / "node_modules" / "esbuild").is_dir(),
    reason="needs Node and `npm ci` in jimu/builder_ui",
)


def _label(text: str) -> dict[str, str]:
    return {"en": text, "zh": text}


VOCABULARY: dict[str, Any] = {
    "entity": "thing",
    "label": _label("Thing"),
    "fields": [
        {
            "name": kind,
            "label": _label(kind.title()),
            "type": kind,
            "kind": kind,
            "value_type": "any",
            "system": False,
            **({"options": [{"value": "won", "label": _label("Won")}]} if kind == "choice" else {}),
        }
        for kind in KIND_OPERATORS
    ],
    "operators": {kind: [op.as_json() for op in ops] for kind, ops in KIND_OPERATORS.items()},
    "user_values": [value.as_json() for value in USER_VALUES],
    "relative_units": [{"value": u, "label": _label(UNIT_WORDS[u].many)} for u in RELATIVE_UNITS],
    "period_units": [{"value": u, "label": _label(UNIT_WORDS[u].one)} for u in PERIOD_UNITS],
}


def _slots(kind: str, operand: str) -> list[dict[str, Any]]:
    value: Any = {"number": 10, "link": 7, "user": 3, "department": 4, "date": "2026-01-01"}
    base = {
        "field": kind,
        "value": value.get(kind, "won"),
        "values": [1, 2] if kind in ("user", "department") else ["won", "lost"],
        "low": 1 if kind == "number" else "2026-01-01",
        "high": 9 if kind == "number" else "2026-02-01",
    }
    if operand == "relative":
        return [{**base, "amount": 7, "unit": unit} for unit in RELATIVE_UNITS]
    if operand == "period":
        return [{**base, "unit": unit} for unit in PERIOD_UNITS]
    if kind in ("user", "department") and operand in ("value", "values"):
        many = operand == "values"
        own = [uv.as_json()["value"] for uv in USER_VALUES if uv.kind == kind and uv.many == many]
        return [base] + [{**base, operand: var} for var in own]
    return [base]


ROWS = [
    (kind, op.id, fill(op.template, slots))
    for kind, ops in KIND_OPERATORS.items()
    for op in ops
    for slots in _slots(kind, op.operand)
]


def run_model(cases: list[Any]) -> list[dict[str, Any]]:
    payload = json.dumps({"vocabulary": VOCABULARY, "cases": cases})
    done = subprocess.run(
        ["node", str(RUNNER), str(UI)],
        input=payload,
        capture_output=True,
        text=True,
        check=True,
        timeout=120,
    )
    result: list[dict[str, Any]] = json.loads(done.stdout)
    return result


def test_every_operator_of_every_kind_reads_back_as_its_row() -> None:
    results = run_model([rule for _, _, rule in ROWS])
    for (kind, operator, rule), result in zip(ROWS, results, strict=True):
        assert result["nodes"] == f"and(rule:{operator})", (kind, rule)
        assert result["written"] == rule, (kind, operator)


def test_nested_groups_read_back_and_write_out_unchanged() -> None:
    status = {"in_list": [{"var": "choice"}, ["won"]]}
    mine = {"==": [{"var": "user"}, {"var": "$user.id"}]}
    recent = {"within_last": [{"var": "date"}, 7, "day"]}
    nested = {"or": [status, {"and": [mine, {"or": [recent, {"!": [{"var": "boolean"}]}]}]}]}
    empty = {"and": []}
    [deep, blank] = run_model([nested, empty])
    assert deep["nodes"] == "or(rule:in,and(rule:equals,or(rule:within_last,rule:is_false)))"
    assert deep["written"] == nested
    assert blank == {"nodes": "and()", "written": empty}


def test_what_the_builder_cannot_show_stays_raw_json() -> None:
    two_fields = {"==": [{"var": "number"}, {"var": "link"}]}  # a field compared with a field
    unknown = {"matches": [{"var": "text"}, "^A"]}
    not_group = {"!": {"or": [{"var": "boolean"}]}}
    other_user = {"==": [{"var": "user"}, {"var": "$user.username"}]}  # no such $user value
    mixed = {"and": [{"==": [{"var": "number"}, 1]}, two_fields, unknown]}
    results = run_model([two_fields, unknown, not_group, other_user, mixed])
    assert [r["nodes"] for r in results] == [
        "and(raw)",
        "and(raw)",
        "and(raw)",
        "and(raw)",
        "and(rule:equals,raw,raw)",
    ]
    assert [r["written"] for r in results] == [two_fields, unknown, not_group, other_user, mixed]
