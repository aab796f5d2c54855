"""Spec checks: every problem at once, each with a JSON pointer into the spec."""

from __future__ import annotations

from typing import Any

import pytest

from jimu.engines.form.registry import default_registry
from jimu.engines.report import Access, Target, compile_report, report_errors
from jimu.errors import JimuError, PermissionDenied, ValidationFailed
from tests.engines.report import crm

BASE: dict[str, Any] = {
    "kind": "report",
    "name": "chart",
    "dataset": {
        "entity": "deal",
        "children": [{"name": "acts", "entity": "activity", "link": "deal"}],
    },
    "measures": [{"name": "n", "agg": "count"}],
    "visual": {"type": "table"},
}


def problems(spec: dict[str, Any], dialect: str = "postgresql", **access: Any) -> dict[str, str]:
    target = Target(crm.MODEL, crm.tables(), dialect, "Asia/Shanghai", crm.NOW, Access(**access))
    with pytest.raises(JimuError) as caught:
        compile_report({**BASE, **spec}, target)
    return {e.pointer: e.code for e in caught.value.errors}


def test_every_problem_is_reported_with_its_pointer() -> None:
    found = problems(
        {
            "dimensions": [
                {"field": "nope"},
                {"field": "account.nah"},
                {"field": "name", "grain": "month"},
                {"field": "stage", "bin": {"width": 5}},
                {"field": "stage.code"},
            ],
            "measures": [
                {"name": "n", "agg": "count"},
                {"name": "s", "agg": "sum", "field": "stage"},
                {"name": "r", "agg": "sum", "field": "account.revenue"},
                {"name": "d", "agg": "count_distinct", "child": "acts", "field": "minutes"},
                {"name": "c", "agg": "count", "child": "nobody"},
                {"name": "q", "ratio": {"numerator": "n", "denominator": "later"}},
                {"name": "f", "formula": "n +"},
                {"name": "g", "formula": "n / zzz"},
                {"name": "m", "agg": "min", "field": "name"},
                {"name": "x", "agg": "avg"},
            ],
            "date_ranges": [
                {"field": "amount", "range": "this_month"},
                {"field": "closed_on", "range": "last_n_days"},
                {
                    "field": "closed_on",
                    "range": "between",
                    "from": "2025-02-01",
                    "to": "2025-01-01",
                },
            ],
            "filter": {"==": [{"var": "ghost"}, 1]},
        }
    )
    assert found == {
        "/dimensions/0/field": "unknown_field",
        "/dimensions/1/field": "unknown_field",
        "/dimensions/2/grain": "type",
        "/dimensions/3/bin": "type",
        "/dimensions/4/field": "unknown_field",
        "/measures/1/field": "type",
        "/measures/2/field": "double_count",
        "/measures/3/agg": "double_count",
        "/measures/4/child": "reference",
        "/measures/5/ratio/denominator": "reference",
        "/measures/6/formula": "formula",
        "/measures/7/formula": "reference",
        "/measures/8/field": "type",
        "/measures/9/field": "required",
        "/date_ranges/0/field": "type",
        "/date_ranges/1/n": "required",
        "/date_ranges/2/to": "range",
        "/filter": "unknown_field",
        "/visual/type": "visual",  # a table has at most 3 dimensions
    }


def test_unknown_entity_and_bad_child_link() -> None:
    assert problems({"dataset": {"entity": "ghost"}}) == {"/dataset/entity": "reference"}
    spec = {
        "dataset": {
            "entity": "deal",
            "children": [{"name": "a", "entity": "activity", "link": "kind"}],
        }
    }
    assert problems(spec) == {"/dataset/children/0/link": "reference"}


def test_median_is_refused_on_sqlite_naming_the_measure() -> None:
    spec = {"measures": [{"name": "mid", "agg": "median", "field": "amount"}]}
    target = Target(crm.MODEL, crm.tables(), "sqlite", "UTC", crm.NOW)
    with pytest.raises(ValidationFailed) as caught:
        compile_report({**BASE, **spec}, target)
    (error,) = caught.value.errors
    assert error.pointer == "/measures/0/agg"
    assert "mid" in error.message and "PostgreSQL" in error.message
    compile_report({**BASE, **spec}, Target(crm.MODEL, crm.tables(), "postgresql"))


def test_hidden_fields_are_forbidden_wherever_they_are_named() -> None:
    hidden = {
        "deal": frozenset({"amount"}),
        "account": frozenset({"revenue"}),
        "activity": frozenset({"minutes"}),
    }
    spec = {
        "dimensions": [{"field": "amount", "bin": {"width": 10}}, {"field": "account.revenue"}],
        "measures": [
            {"name": "n", "agg": "count", "filter": {">": [{"var": "amount"}, 0]}},
            {"name": "m", "agg": "sum", "child": "acts", "field": "minutes"},
        ],
        "filter": {">": [{"var": "account.revenue"}, 0]},
        "date_ranges": [],
    }
    target = Target(crm.MODEL, crm.tables(), "sqlite", "UTC", crm.NOW, Access(hidden=hidden))
    with pytest.raises(PermissionDenied) as caught:
        compile_report({**BASE, **spec}, target)
    assert {e.pointer: e.code for e in caught.value.errors} == {
        "/dimensions/0/field": "hidden_field",
        "/dimensions/1/field": "hidden_field",
        "/measures/0/filter": "hidden_field",
        "/measures/1/field": "hidden_field",
        "/filter": "hidden_field",
    }
    assert caught.value.status == 403


def test_sort_names_a_dimension_or_measure() -> None:
    assert problems({"sort": [{"by": "nothing"}]}) == {"/sort/0/by": "reference"}


def test_publish_checks_report_documents() -> None:
    registry = default_registry()
    good = {**BASE, "dimensions": [{"field": "stage"}]}
    assert report_errors(good, crm.MODEL, registry) == []
    bad = {**BASE, "dimensions": [{"field": "stage.x"}]}
    assert [e.pointer for e in report_errors(bad, crm.MODEL, registry)] == ["/dimensions/0/field"]


def test_an_unknown_time_zone_is_an_error() -> None:
    target = Target(crm.MODEL, crm.tables(), "sqlite", "Mars/Olympus", crm.NOW)
    with pytest.raises(ValidationFailed) as caught:
        compile_report(BASE, target)
    assert caught.value.errors[0].pointer == "/time_zone"


def test_column_names_are_unique_across_dimensions_and_measures() -> None:
    spec = {
        "dimensions": [{"field": "stage"}, {"field": "big", "name": "others"}],
        "measures": [{"name": "stage", "agg": "count"}],
    }
    assert problems(spec) == {"/dimensions/1/name": "duplicate", "/measures/0/name": "duplicate"}


def test_a_link_dimension_names_its_target_entity() -> None:
    spec = {**BASE, "dimensions": [{"field": "account"}]}
    compiled = compile_report(spec, Target(crm.MODEL, crm.tables(), "sqlite"))
    assert compiled.columns[0]["target"] == "account"


@pytest.mark.parametrize(
    ("visual", "dimensions", "measures"),
    [
        ("number", 1, 1),
        ("pie", 2, 1),
        ("pie", 1, 2),
        ("heatmap", 1, 1),
        ("combo", 1, 1),
        ("scatter", 1, 1),
        ("bar", 0, 1),
    ],
)
def test_a_visual_refuses_a_shape_it_cannot_draw(
    visual: str, dimensions: int, measures: int
) -> None:
    spec = {
        "visual": {"type": visual},
        "dimensions": [{"field": "stage"}, {"field": "big"}][:dimensions],
        "measures": [{"name": "n", "agg": "count"}, {"name": "m", "agg": "count"}][:measures],
    }
    assert problems(spec) == {"/visual/type": "visual"}


def test_visuals_accept_their_shapes() -> None:
    target = Target(crm.MODEL, crm.tables(), "sqlite")
    two = [{"name": "n", "agg": "count"}, {"name": "t", "agg": "sum", "field": "amount"}]
    for visual, dims, measures in (
        ("number", [], two[:1]),
        ("kpi", [{"field": "closed_on", "grain": "month"}], two),
        ("pie", [{"field": "stage"}], two[:1]),
        ("heatmap", [{"field": "stage"}, {"field": "big"}], two[:1]),
        ("scatter", [{"field": "account"}], two),
        ("china_map", [{"field": "account.industry"}], two[:1]),
    ):
        spec = {**BASE, "visual": {"type": visual}, "dimensions": dims, "measures": measures}
        compile_report(spec, target)


def test_a_card_may_name_the_measure_it_shows() -> None:
    """``visual.value``: a KPI of a ratio carries the two measures it divides."""
    target = Target(crm.MODEL, crm.tables(), "sqlite")
    three = [
        {"name": "n", "agg": "count"},
        {"name": "won", "agg": "count", "filter": {"==": [{"var": "stage"}, "won"]}},
        {"name": "rate", "ratio": {"numerator": "won", "denominator": "n"}},
    ]
    spec = {**BASE, "visual": {"type": "kpi", "value": "rate"}, "measures": three}
    compile_report(spec, target)
    assert problems({"visual": {"type": "kpi"}, "measures": three}) == {"/visual/type": "visual"}
    unknown = {"visual": {"type": "number", "value": "ghost"}, "measures": three}
    assert problems(unknown) == {"/visual/value": "reference"}
