"""Attribution: under every model the total attributed equals the records' total value
(Hypothesis over seeds of the data, chart filters and half-lives), and the checks' pointers."""

from __future__ import annotations

import math
from typing import Any

import pytest
import sqlalchemy as sa
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from jimu.engines.report import Target, compile_report
from jimu.engines.report.attribution import MODELS
from jimu.errors import JimuError
from tests.engines.report import crm

TOUCHES = {"entity": "activity", "link": "deal", "at": "at", "credit": "kind"}
FILTERS = [
    {"==": [{"var": "stage"}, "won"]},
    {"==": [{"var": "big"}, True]},
    {">": [{"var": "amount"}, 10000]},
    {"in": [{"var": "stage"}, ["won", "lost"]]},
]


def spec(rule: dict[str, Any], half_life: float) -> dict[str, Any]:
    return {
        "kind": "report",
        "name": "attribution",
        "dataset": {"entity": "deal"},
        "measures": [{"name": "won", "agg": "sum", "field": "amount"}],
        "filter": rule,
        "attribution": {"touches": TOUCHES, "half_life_days": half_life},
        "visual": {"type": "table"},
    }


@settings(max_examples=12, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    seed=st.integers(min_value=0, max_value=10_000),
    rule=st.sampled_from(FILTERS),
    half_life=st.floats(min_value=0.5, max_value=365),
)
def test_every_model_attributes_exactly_the_total_value(
    seed: int, rule: dict[str, Any], half_life: float
) -> None:
    engine = sa.create_engine("sqlite://")
    tables = crm.seed(engine, seed=seed, deals=40, accounts=5, activities=90)
    target = Target(crm.MODEL, tables, "sqlite", "Asia/Shanghai", crm.NOW)
    total_spec = {
        "kind": "report",
        "name": "total",
        "dataset": {"entity": "deal"},
        "measures": [{"name": "won", "agg": "sum", "field": "amount"}],
        "filter": rule,
        "visual": {"type": "table"},
    }
    with engine.connect() as conn:
        rows = list(conn.execute(compile_report(spec(rule, half_life), target).statement))
        (total,) = conn.execute(compile_report(total_spec, target).statement).one()
    engine.dispose()
    expected = float(total or 0)
    for i, model in enumerate(MODELS, start=1):
        attributed = sum(float(r[i] or 0) for r in rows)
        assert math.isclose(attributed, expected, rel_tol=1e-9, abs_tol=1e-6), model
        assert all(r[i] is None or float(r[i]) >= -1e-9 for r in rows), model


def problems(extra: dict[str, Any]) -> dict[str, str]:
    target = Target(crm.MODEL, crm.tables(), "sqlite", "UTC", crm.NOW)
    with pytest.raises(JimuError) as caught:
        compile_report({**spec({"==": [1, 1]}, 7), **extra}, target)
    return {e.pointer: e.code for e in caught.value.errors}


def test_attribution_checks_name_the_touch_fields_and_the_measure() -> None:
    found = problems(
        {
            "attribution": {
                "touches": {"entity": "activity", "link": "kind", "at": "minutes", "credit": "x"}
            },
            "limit": 3,
        }
    )
    assert found == {
        "/limit": "unsupported",
        "/attribution/touches/link": "type",
        "/attribution/touches/at": "type",
        "/attribution/touches/credit": "unknown_field",
    }
    measure = problems({"measures": [{"name": "n", "agg": "count"}]})
    assert measure == {"/measures": "unsupported"}
    entity = problems({"attribution": {"touches": {**TOUCHES, "entity": "nobody"}}})
    assert entity == {"/attribution/touches/entity": "reference"}


def test_attribution_columns_name_each_model() -> None:
    target = Target(crm.MODEL, crm.tables(), "sqlite", "UTC", crm.NOW)
    compiled = compile_report(spec({"==": [1, 1]}, 7), target)
    assert [c["name"] for c in compiled.columns] == ["kind"] + [f"won_{m}" for m in MODELS]
    assert [o["value"] for o in compiled.columns[0]["options"]] == ["call", "email", "meeting"]
