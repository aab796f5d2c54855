"""Dashboard documents: their checks (each problem at its pointer) and the spec each chart runs
with the dashboard's filters and a cross-filter applied."""

from __future__ import annotations

from typing import Any

import jsonschema
import pytest

from jimu.engines.report import Access, Target, compile_report
from jimu.engines.report.dashboard import CrossFilter, chart_spec, dashboard_errors
from jimu.metadata.schemas import document_schema
from tests.engines.report import crm

DEALS: dict[str, Any] = {
    "kind": "report",
    "name": "deals_by_stage",
    "dataset": {"entity": "deal"},
    "dimensions": [{"field": "stage"}],
    "measures": [{"name": "amount", "agg": "sum", "field": "amount"}],
    "filter": {">": [{"var": "amount"}, 0]},
    "visual": {"type": "bar"},
}
ACCOUNTS: dict[str, Any] = {
    "kind": "report",
    "name": "accounts_by_tier",
    "dataset": {"entity": "account"},
    "dimensions": [{"field": "tier"}],
    "measures": [{"name": "n", "agg": "count"}],
    "visual": {"type": "pie"},
}
REPORTS = {"deals_by_stage": DEALS, "accounts_by_tier": ACCOUNTS}
BOARD: dict[str, Any] = {
    "kind": "dashboard",
    "name": "sales",
    "filters": [
        {"name": "period", "type": "date_range", "field": "closed_on",
         "default": {"range": "this_year"}},
        {"name": "stage", "type": "select", "field": "stage"},
        {"name": "owner", "type": "user", "field": "owner_id"},
    ],
    "items": [
        {"id": "deals", "report": "deals_by_stage", "x": 0, "y": 0, "w": 6, "h": 4},
        {"id": "tiers", "report": "accounts_by_tier", "x": 6, "y": 0, "w": 6, "h": 4,
         "filters": {"period": "founded_on"}},
    ],
}  # fmt: skip


def test_a_good_dashboard_is_valid_against_schema_and_app() -> None:
    jsonschema.validate(BOARD, document_schema("dashboard"))
    assert dashboard_errors(BOARD, crm.MODEL, REPORTS) == []


def test_every_problem_is_reported_at_its_pointer() -> None:
    board = {
        **BOARD,
        "filters": [
            *BOARD["filters"],
            {"name": "stage", "type": "select", "field": "stage"},
            {"name": "dept", "type": "department", "field": "department"},
            {"name": "when", "type": "date_range", "field": "closed_on", "default": ["x"]},
        ],
        "items": [
            *BOARD["items"],
            {"id": "deals", "report": "nope", "x": 0, "y": 4, "w": 4, "h": 2},
            {"id": "wide", "report": "deals_by_stage", "x": 8, "y": 6, "w": 6, "h": 2},
            {"id": "over", "report": "deals_by_stage", "x": 2, "y": 1, "w": 2, "h": 2},
            {"id": "bad", "report": "deals_by_stage", "x": 0, "y": 9, "w": 2, "h": 2,
             "filters": {"period": "name", "nope": "stage"}},
        ],
    }  # fmt: skip
    found = {e.pointer: e.code for e in dashboard_errors(board, crm.MODEL, REPORTS)}
    assert found == {
        "/items/2/id": "duplicate",
        "/items/2/report": "unknown",
        "/items/3/w": "grid",
        "/items/4": "grid",
        "/items/5/filters/period": "field",
        "/items/5/filters/nope": "unknown",
        "/filters/3/name": "duplicate",
        "/filters/4/field": "unused",
        "/filters/5/default": "type",
    }


def compiles(spec: dict[str, Any]) -> str:
    target = Target(crm.MODEL, crm.tables(), "postgresql", "Asia/Shanghai", crm.NOW, Access())
    return str(compile_report(spec, target).statement)


def test_filters_apply_to_the_charts_that_have_their_field() -> None:
    deals, tiers = BOARD["items"]
    values = {"stage": ["won", "lost"], "owner": [3]}
    spec = chart_spec(crm.MODEL, BOARD, deals, DEALS, values)
    assert spec["date_ranges"] == [{"field": "closed_on", "range": "this_year"}]
    assert spec["filter"] == {
        "and": [
            DEALS["filter"],
            {"in_list": [{"var": "stage"}, ["won", "lost"]]},
            {"in_list": [{"var": "owner_id"}, [3]]},
        ]
    }
    assert "closed_on" in compiles(spec)
    # The account chart maps the period to founded_on and has no stage field.
    period = {"period": {"range": "last_n_days", "n": 30}}
    spec = chart_spec(crm.MODEL, BOARD, tiers, ACCOUNTS, {**values, **period})
    assert spec["date_ranges"] == [{"field": "founded_on", "range": "last_n_days", "n": 30}]
    assert spec["filter"] == {"and": [{"in_list": [{"var": "owner_id"}, [3]]}]}
    compiles(spec)
    assert DEALS["filter"] == {">": [{"var": "amount"}, 0]}  # the report is left as it was


def test_a_cross_filter_narrows_the_other_charts_with_that_field() -> None:
    deals, tiers = BOARD["items"]
    click = CrossFilter(field="tier", value="gold", source="tiers")
    assert "filter" not in chart_spec(crm.MODEL, BOARD, tiers, ACCOUNTS, {}, click)
    assert chart_spec(crm.MODEL, BOARD, deals, DEALS, {}, click)["filter"] == DEALS["filter"]
    stage = CrossFilter(field="stage", value="won", source="tiers")
    spec = chart_spec(crm.MODEL, BOARD, deals, DEALS, {}, stage)
    assert spec["filter"]["and"][-1] == {"==": [{"var": "stage"}, "won"]}
    compiles(spec)


@pytest.mark.parametrize("empty", [None, []])
def test_a_filter_without_value_or_default_does_nothing(empty: Any) -> None:
    board = {**BOARD, "filters": [{"name": "stage", "type": "select", "field": "stage"}]}
    spec = chart_spec(crm.MODEL, board, BOARD["items"][0], DEALS, {"stage": empty})
    assert spec == DEALS
