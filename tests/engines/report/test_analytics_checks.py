"""Checks of the analytics options (compare, running, rolling): each problem with its pointer,
and the JSON Schema of the keys."""

from __future__ import annotations

from typing import Any

import jsonschema
import pytest

from jimu.engines.report import Target, compile_report, report_properties
from jimu.errors import JimuError
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


def target() -> Target:
    return Target(crm.MODEL, crm.tables(), "sqlite", "Asia/Shanghai", crm.NOW, history=crm.HISTORY)


def problems(spec: dict[str, Any]) -> dict[str, str]:
    with pytest.raises(JimuError) as caught:
        compile_report({**BASE, **spec}, target())
    return {e.pointer: e.code for e in caught.value.errors}


def schema_errors(spec: dict[str, Any]) -> list[str]:
    schema = {
        "type": "object",
        "properties": report_properties(),
        "$defs": {"label": {"type": "object"}},
    }
    validator = jsonschema.Draft202012Validator(schema)
    return ["/" + "/".join(str(p) for p in e.absolute_path) for e in validator.iter_errors(spec)]


THIS_MONTH = [{"field": "created_at", "range": "this_month"}]


def test_compare_needs_the_date_range_it_names() -> None:
    assert problems({"compare": {"with": "previous_period"}}) == {"/compare/range": "reference"}
    found = problems({"compare": {"with": "previous_year", "range": 1}, "date_ranges": THIS_MONTH})
    assert found == {"/compare/range": "reference"}


def test_compare_refuses_child_measures_others_the_compared_date_and_name_clashes() -> None:
    found = problems(
        {
            "dimensions": [{"field": "created_at", "grain": "month"}, {"field": "stage"}],
            "measures": [
                {"name": "n", "agg": "count"},
                {"name": "n_change", "agg": "count"},
                {"name": "calls", "agg": "count", "child": "acts"},
            ],
            "date_ranges": THIS_MONTH,
            "compare": {"with": "previous_period"},
            "limit": 3,
            "others": True,
        }
    )
    assert found == {
        "/dimensions/0/field": "unsupported",
        "/measures/0/name": "duplicate",
        "/measures/2/child": "unsupported",
        "/others": "unsupported",
    }


def test_compared_columns_carry_the_period_bounds() -> None:
    spec = {**BASE, "date_ranges": THIS_MONTH, "compare": {"with": "previous_year"}}
    compiled = compile_report(spec, target())
    names = [c["name"] for c in compiled.columns]
    assert names == ["n", "n_previous", "n_change", "n_change_pct"]
    bounds = compiled.columns[1]["compare"]
    assert bounds["current"] == {"from": "2025-06-01", "to": "2025-06-30"}
    assert bounds["previous"] == {"from": "2024-06-01", "to": "2024-06-30"}
    assert compiled.columns[3]["format"] == "percent"


def test_windows_need_a_period_dimension_an_earlier_measure_and_every_period() -> None:
    found = problems(
        {
            "dimensions": [{"field": "stage"}],
            "measures": [
                {"name": "n", "agg": "count"},
                {"name": "run", "running": {"of": "later"}},
                {"name": "later", "agg": "count"},
                {"name": "roll", "rolling": {"of": "n", "periods": 3}},
            ],
            "limit": 5,
        }
    )
    assert found == {
        "/measures/1/running/of": "reference",
        "/measures/1/running": "unsupported",
        "/measures/3/rolling": "unsupported",
        "/limit": "unsupported",
    }
    no_dimension = problems(
        {"measures": [{"name": "n", "agg": "count"}, {"name": "r", "running": {"of": "n"}}]}
    )
    assert no_dimension == {"/measures/1/running": "unsupported"}


def test_the_schema_takes_the_new_keys_and_refuses_mixtures() -> None:
    good = {
        "measures": [
            {"name": "n", "agg": "count"},
            {"name": "r", "rolling": {"of": "n", "periods": 3, "agg": "avg"}},
            {"name": "c", "running": {"of": "n"}},
        ],
        "compare": {"with": "previous_year", "range": 0},
    }
    assert schema_errors(good) == []
    bad = {
        "measures": [
            {"name": "r", "rolling": {"of": "n", "periods": 1}},
            {"name": "c", "running": {"of": "n"}, "agg": "count"},
        ],
        "compare": {"with": "last_week"},
    }
    assert sorted(schema_errors(bad)) == [
        "/compare/with",
        "/measures/0/rolling/periods",
        "/measures/1",
    ]


def test_a_funnel_names_a_select_field_its_options_and_one_plain_count() -> None:
    found = problems(
        {
            "dimensions": [{"field": "stage"}],
            "measures": [{"name": "n", "agg": "sum", "field": "amount"}],
            "funnel": {"field": "name", "steps": ["a", "b"], "reached": {"range": "last_n_days"}},
            "sort": [{"by": "n"}],
        }
    )
    assert found == {
        "/dimensions": "unsupported",
        "/measures": "unsupported",
        "/sort": "unsupported",
        "/funnel/field": "type",
        "/funnel/reached/n": "required",
    }
    steps = problems({"funnel": {"field": "stage", "steps": ["lead", "signed", "won"]}})
    assert steps == {"/funnel/steps/1": "reference"}


def test_a_funnel_needs_the_field_history() -> None:
    spec = {**BASE, "funnel": {"field": "stage", "steps": ["lead", "won"]}}
    with pytest.raises(JimuError) as caught:
        compile_report(spec, Target(crm.MODEL, crm.tables(), "sqlite", "UTC", crm.NOW))
    assert [e.pointer for e in caught.value.errors] == ["/funnel"]


def test_a_funnel_describes_its_steps_in_order() -> None:
    spec = {**BASE, "funnel": {"field": "stage", "steps": ["qualified", "lead", "won"]}}
    compiled = compile_report(spec, target())
    step = compiled.columns[0]
    assert [o["value"] for o in step["options"]] == ["qualified", "lead", "won"]
    assert [c["name"] for c in compiled.columns] == ["stage", "n", "n_conversion", "n_overall"]


def test_a_cohort_names_a_date_a_child_and_its_date() -> None:
    found = problems(
        {
            "measures": [{"name": "n", "agg": "count"}, {"name": "m", "agg": "count"}],
            "cohort": {
                "start": "stage",
                "grain": "month",
                "activity": {"child": "nobody", "at": "at"},
                "periods": 3,
            },
            "limit": 4,
        }
    )
    assert found == {
        "/measures": "unsupported",
        "/limit": "unsupported",
        "/cohort/start": "type",
        "/cohort/activity/child": "reference",
    }
    at = problems(
        {
            "cohort": {
                "start": "created_at",
                "grain": "month",
                "activity": {"child": "acts", "at": "kind"},
                "periods": 3,
            }
        }
    )
    assert at == {"/cohort/activity/at": "type"}


def test_a_cohort_stops_at_the_current_period() -> None:
    spec = {
        **BASE,
        "cohort": {
            "start": "created_at",
            "grain": "year",
            "activity": {"child": "acts", "at": "at"},
            "periods": 5,
        },
    }
    compiled = compile_report(spec, target())
    assert [c["name"] for c in compiled.columns] == [
        "cohort",
        "period",
        "n",
        "n_cohort_size",
        "n_retention",
    ]
    import sqlalchemy as sa

    engine = sa.create_engine("sqlite://")
    tables = crm.seed(engine)
    spec_target = Target(crm.MODEL, tables, "sqlite", "Asia/Shanghai", crm.NOW)
    with engine.connect() as conn:
        rows = list(conn.execute(compile_report(spec, spec_target).statement))
    # 2024 and 2025 cohorts: 2024 has offsets 0 and 1 (2025 is now), 2025 only offset 0
    assert [(r[0], r[1]) for r in rows] == [("2024-01-01", 0), ("2024-01-01", 1), ("2025-01-01", 0)]
    assert all(0 <= r[2] <= r[3] for r in rows)


def test_funnels_cohorts_and_attribution_have_no_drill_down() -> None:
    from jimu.engines.report import drill_filter
    from jimu.errors import ValidationFailed

    spec = {**BASE, "funnel": {"field": "stage", "steps": ["lead", "won"]}}
    compiled = compile_report(spec, target())
    with pytest.raises(ValidationFailed) as caught:
        drill_filter(spec, compiled, {"stage": "won"}, target())
    assert [e.pointer for e in caught.value.errors] == ["/funnel"]


def test_a_funnel_carried_on_names_a_link_its_select_field_and_new_options() -> None:
    acts: dict[str, Any] = {"dataset": {"entity": "activity"}}
    funnel = {"field": "kind", "steps": ["call", "email"]}
    not_a_link = problems(
        {**acts, "funnel": {**funnel, "then": {"link": "kind", "field": "stage", "steps": ["won"]}}}
    )
    assert not_a_link == {"/funnel/then/link": "type"}
    not_a_select = problems(
        {**acts, "funnel": {**funnel, "then": {"link": "deal", "field": "name", "steps": ["x"]}}}
    )
    assert not_a_select == {"/funnel/then/field": "type"}
    then = {"link": "deal", "field": "stage", "steps": ["signed", "won"]}
    assert problems({**acts, "funnel": {**funnel, "then": then}}) == {
        "/funnel/then/steps/0": "reference"
    }


def test_a_funnel_carried_on_describes_the_later_steps_and_does_not_cross_filter() -> None:
    spec = {
        **BASE,
        "dataset": {"entity": "activity"},
        "funnel": {
            "field": "kind",
            "steps": ["call", "email"],
            "then": {"link": "deal", "field": "stage", "steps": ["proposal", "won"]},
        },
    }
    compiled = compile_report(spec, target())
    step = compiled.columns[0]
    assert [o["value"] for o in step["options"]] == ["call", "email", "proposal", "won"]
    assert step["options"][3]["label"] == {"en": "Won", "zh": "赢单"}
    assert step["crossable"] is False
    duplicate = {
        **spec,
        "funnel": {**spec["funnel"], "then": {"link": "deal", "field": "kind", "steps": ["x"]}},
    }
    assert problems(duplicate) == {"/funnel/then/field": "unknown_field"}


def test_a_funnel_carried_on_reads_the_linked_entity_with_its_scope() -> None:
    from jimu.engines.report import Access, entities_of

    spec = {
        **BASE,
        "dataset": {"entity": "activity"},
        "funnel": {
            "field": "kind",
            "steps": ["call", "email"],
            "then": {"link": "deal", "field": "stage", "steps": ["won"]},
        },
    }
    assert entities_of(spec, crm.MODEL) == ["activity", "deal"]  # its read right and scope
    hidden = Target(
        crm.MODEL,
        crm.tables(),
        "sqlite",
        "UTC",
        crm.NOW,
        Access(hidden={"deal": frozenset({"stage"})}),
        history=crm.HISTORY,
    )
    with pytest.raises(JimuError) as caught:
        compile_report(spec, hidden)
    assert [(e.pointer, e.code) for e in caught.value.errors] == [
        ("/funnel/then/field", "hidden_field")
    ]
