"""Any JSON value as a rule: compiling either works or raises ExprError, and so does running
the compiled rule on any data (never a SyntaxError, TypeError … from generated code)."""

from __future__ import annotations

import contextlib
from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from jimu.engines.expr import OPERATORS, ExprError, compile

scalars = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(-5, 5),
    st.floats(allow_nan=False, allow_infinity=False, width=16),
    st.sampled_from(["", "a", "1", "2024-01-01", "day", "x.y", "$user.id", "$now", "[[1]]"]),
)
rules = st.recursive(
    scalars,
    lambda inner: st.one_of(
        st.lists(inner, max_size=4),
        st.tuples(
            st.sampled_from(sorted(OPERATORS)), st.one_of(inner, st.lists(inner, max_size=4))
        ).map(lambda pair: {pair[0]: pair[1]}),
    ),
    max_leaves=12,
)
records = st.one_of(
    st.none(),
    st.dictionaries(
        st.sampled_from(["a", "x", "y", "1"]),
        st.one_of(
            scalars,
            st.lists(scalars, max_size=3),
            st.dictionaries(st.sampled_from(["y", "b"]), scalars, max_size=2),
        ),
        max_size=3,
    ),
)


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(rules, records)
def test_any_rule_compiles_or_fails_cleanly(rule: Any, data: Any) -> None:
    try:
        evaluator = compile(rule)
    except ExprError:
        return
    with contextlib.suppress(ExprError):
        evaluator(data, {"user": {"id": 1}, "now": "2025-01-01T00:00:00Z"})
