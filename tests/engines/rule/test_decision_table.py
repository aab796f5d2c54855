"""Decision tables, pure: every cell kind, every hit policy, overlap and unreachable rows decided
exactly, the checks' pointers, and the decision_table action's planning."""

from __future__ import annotations

import json
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from jimu.engines.expr import ExprError
from jimu.engines.rule import RecordView, compile_rule
from jimu.engines.rule.actions import RuleScope
from jimu.engines.rule.decision_compiled import TableConflict, compile_table
from jimu.engines.rule.decision_domain import compile_cell as compile_table_cell
from jimu.engines.rule.decision_table import TableScope, table_report
from jimu.engines.rule.document import rule_errors

TYPES = {
    "id": "number",
    "kind": "text",
    "minutes": "number",
    "amount": "number",
    "city": "text",
    "day": "date",
    "at": "datetime",
    "vip": "boolean",
    "score": "number",
    "grade": "text",
    "tags": "list",
}
OPTIONS = ("page_view", "form_submit", "download", "email_click", "event_checkin")
SCOPE = TableScope(
    {"activity": TYPES},
    {"activity": {"kind": OPTIONS}},
    {"activity": frozenset({"id", "minutes"})},
)


def v(name: str) -> dict[str, str]:
    return {"var": name}


def table(
    inputs: list[dict[str, Any]], rows: list[tuple[list[Any], list[Any]]], **kw: Any
) -> dict[str, Any]:
    body: dict[str, Any] = {
        "kind": "decision_table",
        "name": "t",
        "entity": "activity",
        "hit_policy": "first",
        "inputs": inputs,
        "outputs": [{"name": "points", "type": "number"}],
        "rows": [{"cells": cells, "outputs": outs} for cells, outs in rows],
    }
    body.update(kw)
    return body


def one(field: str, cells: list[Any], **kw: Any) -> dict[str, Any]:
    """A one-input table, a row per cell, row i giving i."""
    return table([{"field": field}], [([c], [i]) for i, c in enumerate(cells)], **kw)


def run(body: dict[str, Any], **values: Any) -> Any:
    return compile_table(body).evaluate(RecordView("activity", {"id": 1, **values}))


def errors(body: dict[str, Any]) -> dict[str, str]:
    return {e.pointer: e.message for e in table_report(body, SCOPE).errors}


def warnings(body: dict[str, Any]) -> dict[str, str]:
    return {e.pointer: e.message for e in table_report(body, SCOPE).warnings}


CELLS = {
    "equals": ({"==": [v("amount"), 10]}, [(10, True), (11, False), (None, False)]),
    "not_equals": ({"!=": [v("amount"), 10]}, [(10, False), (11, True), (None, True)]),
    "in": ({"in_list": [v("amount"), [1, 2]]}, [(2, True), (3, False)]),
    "not_in": ({"not_in_list": [v("amount"), [1, 2]]}, [(2, False), (3, True)]),
    "lt": ({"<": [v("amount"), 5]}, [(4.5, True), (5, False)]),
    "lte": ({"<=": [v("amount"), 5]}, [(5, True), (5.5, False)]),
    "gt": ({">": [v("amount"), 5]}, [(5, False), (6, True)]),
    "gte": ({">=": [v("amount"), 5]}, [(5, True), (4, False)]),
    "between": ({"<=": [1, v("amount"), 3]}, [(1, True), (3, True), (3.5, False), (0, False)]),
    "is_empty": ({"is_blank": [v("amount")]}, [(None, True), (0, False)]),
    "is_not_empty": ({"is_not_blank": [v("amount")]}, [(None, False), (0, True)]),
    "any": (None, [(None, True), (7, True)]),
}


@pytest.mark.parametrize("kind", sorted(CELLS))
def test_every_cell_kind_checks_and_matches(kind: str) -> None:
    cell, cases = CELLS[kind]
    body = one("amount", [cell])
    assert errors(body) == {}
    for value, expected in cases:
        assert (run(body, amount=value).matched == [0]) is expected, (kind, value)


def test_cells_of_text_date_datetime_and_boolean_inputs() -> None:
    assert run(one("city", [{"<=": ["a", v("city"), "m"]}]), city="hangzhou").matched == [0]
    assert run(one("day", [{">": [v("day"), "2025-01-31"]}]), day="2025-02-01").matched == [0]
    at = one("at", [{"<": [v("at"), "2025-01-01T00:00:00Z"]}])
    assert errors(at) == {}
    assert run(at, at="2024-12-31T23:00:00Z").matched == [0]
    assert run(one("vip", [{"==": [v("vip"), True]}]), vip=True).matched == [0]


def test_cell_errors_name_the_cell() -> None:
    body = table(
        [{"field": "kind"}, {"field": "amount"}, {"field": "vip"}],
        [
            ([{"contains": [v("kind"), "x"]}, None, None], [1]),
            ([{"==": [v("kind"), "nope"]}, {"==": [v("amount"), "ten"]}, None], [2]),
            ([None, {"==": [v("minutes"), 1]}, {"<": [v("vip"), True]}], [3]),
            ([None, {"==": [v("amount"), None]}, None], ["x"]),
            ([None], [1, 2]),
        ],
    )
    found = errors(body)
    assert "must be any, or one of" in found["/rows/0/cells/0"]
    assert "is not an option" in found["/rows/1/cells/0"]
    assert "is not a number" in found["/rows/1/cells/1"]
    assert "'amount'" in found["/rows/2/cells/1"]
    assert "must be any" in found["/rows/2/cells/2"]
    assert "is empty" in found["/rows/3/cells/1"]
    assert "is not a number" in found["/rows/3/outputs/0"]
    assert found["/rows/4/cells"] == "has 1 cells for 3 inputs"
    assert found["/rows/4/outputs"] == "has 2 values for 1 outputs"


def test_input_and_output_errors() -> None:
    body = table(
        [{"field": "nope"}, {"formula": "minutes * 2"}, {"name": "n", "formula": "tags"}],
        [],
        outputs=[{"name": "a", "type": "number"}, {"name": "a", "type": "text"}],
        aggregate="sum",
    )
    found = errors(body)
    assert found["/inputs/0/field"] == "'activity' has no field 'nope'"
    assert found["/inputs/1/name"] == "a formula input needs a name"
    assert "not 'list'" in found["/inputs/2/type"]
    assert found["/outputs/1/name"] == "repeats output 0"
    assert found["/aggregate"] == "only a collect table aggregates its rows"
    collect = table([{"field": "amount"}], [], hit_policy="collect", aggregate="sum")
    collect["outputs"] = [{"name": "g", "type": "text"}]
    assert errors(collect) == {"/outputs/0/type": "sum needs number outputs"}
    assert errors(dict(collect, entity="nope")) == {"/entity": "there is no entity 'nope'"}


def test_formula_inputs_and_outputs() -> None:
    body = table(
        [{"name": "double", "formula": "minutes * 2"}],
        [([{">=": [v("double"), 10]}], [{"formula": "minutes + 100"}]), ([None], [0])],
    )
    assert errors(body) == {}
    result = run(body, minutes=6)
    assert (result.inputs, result.matched, result.used) == ({"double": 12}, [0, 1], [0])
    assert result.outputs == {"points": 106}
    bad = table([{"field": "amount"}], [([None], [{"formula": "city"}])])
    assert errors(bad) == {"/rows/0/outputs/0/formula": "gives a text, not a number"}


SCORING = [
    ({"==": [v("kind"), "form_submit"]}, 20),
    ({"==": [v("kind"), "download"]}, 15),
    ({"==": [v("kind"), "page_view"]}, 10),
    ({"==": [v("kind"), "email_click"]}, 5),
    ({"==": [v("kind"), "event_checkin"]}, 25),
]


def scoring(policy: str, **kw: Any) -> dict[str, Any]:
    rows = [([cell, None], [points]) for cell, points in SCORING]
    rows.append(([None, {">=": [v("minutes"), 30]}], [-10]))
    return table([{"field": "kind"}, {"field": "minutes"}], rows, hit_policy=policy, **kw)


def test_hit_policies() -> None:
    first = run(scoring("first"), kind="download", minutes=45)
    assert (first.matched, first.used, first.outputs) == ([1, 5], [1], {"points": 15})
    total = run(scoring("collect", aggregate="sum"), kind="download", minutes=45)
    assert (total.used, total.outputs) == ([1, 5], {"points": 5})
    assert run(scoring("collect", aggregate="min"), kind="download", minutes=45).outputs == {
        "points": -10
    }
    assert run(scoring("collect", aggregate="max"), kind="download", minutes=45).outputs == {
        "points": 15
    }
    assert run(scoring("collect", aggregate="count"), kind="download", minutes=45).outputs == {
        "points": 2
    }
    assert run(scoring("collect"), kind="download", minutes=45).outputs == {"points": [15, -10]}
    none = run(scoring("collect", aggregate="sum"), kind="chat", minutes=1)
    assert (none.matched, none.outputs) == ([], {"points": None})
    assert run(scoring("collect", aggregate="count"), kind="chat").outputs == {"points": 0}
    assert run(scoring("first"), kind="chat").outputs == {"points": None}


def test_unique_overlap_is_an_error_naming_both_rows_with_an_example() -> None:
    found = errors(scoring("unique"))
    assert set(found) == {"/rows/5"}
    assert found["/rows/5"].startswith("overlaps /rows/0: both match kind = ")
    assert "minutes = 30" in found["/rows/5"]
    with pytest.raises(TableConflict) as caught:
        run(scoring("unique"), kind="download", minutes=45)
    assert [e.pointer for e in caught.value.errors] == ["/rows/1", "/rows/5"]


@pytest.mark.parametrize(
    ("a", "b", "overlap"),
    [
        ({"<": [v("amount"), 5]}, {">=": [v("amount"), 5]}, False),
        ({"<=": [v("amount"), 5]}, {">=": [v("amount"), 5]}, True),
        ({"<=": [1, v("amount"), 3]}, {"<=": [3, v("amount"), 9]}, True),
        ({"<=": [1, v("amount"), 3]}, {">": [v("amount"), 3]}, False),
        ({"<": [v("amount"), 2]}, {">": [v("amount"), 1]}, True),  # 1.5
        ({"<": [v("minutes"), 2]}, {">": [v("minutes"), 1]}, False),  # whole minutes
        ({"<": [v("minutes"), 2]}, {">=": [v("minutes"), 1.5]}, False),
        ({"in_list": [v("amount"), [1, 2]]}, {"not_in_list": [v("amount"), [1, 2]]}, False),
        ({"in_list": [v("amount"), [1, 2]]}, {"!=": [v("amount"), 1]}, True),
        ({"==": [v("amount"), 0]}, {"is_blank": [v("amount")]}, True),  # null == 0
        ({"is_blank": [v("city")]}, {"==": [v("city"), ""]}, True),
        ({"is_not_blank": [v("city")]}, {"==": [v("city"), ""]}, False),
        ({"<": [v("city"), "b"]}, {">": [v("city"), "a"]}, True),  # "a\x00"
        ({"<=": [v("city"), "a"]}, {">": [v("city"), "a"]}, False),
        ({"<": [v("day"), "2025-01-02"]}, {">": [v("day"), "2025-01-01"]}, False),
        ({"<": [v("day"), "2025-01-03"]}, {">": [v("day"), "2025-01-01"]}, True),
        ({"<": [v("at"), "2025-01-02"]}, {">": [v("at"), "2025-01-01T23:00:00"]}, True),
        ({"==": [v("vip"), True]}, {"!=": [v("vip"), False]}, True),
        ({"==": [v("kind"), "download"]}, {"!=": [v("kind"), "download"]}, False),
        ({"not_in_list": [v("kind"), list(OPTIONS[:4])]}, {"==": [v("kind"), OPTIONS[4]]}, True),
    ],
)
def test_overlap_is_decided_exactly(a: Any, b: Any, overlap: bool) -> None:
    field = a[next(iter(a))][0]
    field = field["var"] if isinstance(field, dict) else a[next(iter(a))][1]["var"]
    found = errors(one(field, [a, b], hit_policy="unique"))
    assert ("/rows/1" in found) is overlap, found


def test_overlap_needs_every_input_to_intersect() -> None:
    body = table(
        [{"field": "kind"}, {"field": "amount"}],
        [
            ([{"==": [v("kind"), "download"]}, {"<": [v("amount"), 10]}], [1]),
            ([{"==": [v("kind"), "download"]}, {">=": [v("amount"), 10]}], [2]),
            ([{"==": [v("kind"), "page_view"]}, {"<": [v("amount"), 10]}], [3]),
            ([None, {"<=": [5, v("amount"), 6]}], [4]),
        ],
        hit_policy="unique",
    )
    assert set(errors(body)) == {"/rows/3"}
    assert errors(body)["/rows/3"].startswith("overlaps /rows/0")


def test_first_warns_of_unreachable_rows_only() -> None:
    body = table(
        [{"field": "kind"}, {"field": "amount"}],
        [
            ([{"in_list": [v("kind"), ["download", "page_view"]]}, {"<": [v("amount"), 10]}], [1]),
            ([None, {">=": [v("amount"), 10]}], [2]),
            ([{"==": [v("kind"), "download"]}, {"<=": [3, v("amount"), 30]}], [3]),
            ([{"==": [v("kind"), "email_click"]}, {"<=": [3, v("amount"), 30]}], [4]),
            ([{"==": [v("kind"), "download"]}, {"<=": [9, v("amount"), 3]}], [5]),
        ],
    )
    assert errors(body) == {}
    found = warnings(body)
    assert set(found) == {"/rows/2", "/rows/4"}
    assert "rows above it" in found["/rows/2"]
    assert found["/rows/4"] == "can never match"
    assert warnings(dict(body, hit_policy="collect")) == {}


def test_rows_under_a_catch_all_are_unreachable() -> None:
    body = one("amount", [None, {"==": [v("amount"), 1]}])
    assert set(warnings(body)) == {"/rows/1"}


ACTION_SCOPE = RuleScope(
    types={"activity": TYPES},
    lists={"activity": frozenset({"tags"})},
    tables={"scoring": scoring("collect", aggregate="sum"), "listing": scoring("collect")},
)


def rule(action: dict[str, Any]) -> dict[str, Any]:
    return {
        "kind": "rule",
        "name": "r",
        "entity": "activity",
        "trigger": {"on": "created"},
        "actions": [{"type": "decision_table", **action}],
    }


def test_the_action_sets_and_adds_outputs() -> None:
    body = rule({"table": "scoring", "set": {"points": "amount"}, "add": {"points": "score"}})
    assert rule_errors(body, ACTION_SCOPE) == []
    record = RecordView("activity", {"id": 3, "kind": "form_submit", "minutes": 40, "score": 7})
    (write,) = compile_rule(body, ACTION_SCOPE).plan(record)
    assert (write.op, write.record_id, write.values) == ("update", 3, {"amount": 10, "score": 17})
    nothing = RecordView("activity", {"id": 3, "kind": "chat", "minutes": 1, "score": None})
    assert compile_rule(body, ACTION_SCOPE).plan(nothing) == []
    listing = rule({"table": "listing", "set": {"points": "tags"}})
    assert rule_errors(listing, ACTION_SCOPE) == []


def test_the_action_is_checked_against_the_table() -> None:
    def found(action: dict[str, Any]) -> dict[str, str]:
        return {e.pointer: e.message for e in rule_errors(rule(action), ACTION_SCOPE)}

    assert found({"table": "nope", "set": {"points": "score"}}) == {
        "/actions/0/table": "there is no published decision table 'nope'"
    }
    assert found({"table": "scoring"}) == {
        "/actions/0/set": "writes nothing: map an output to a field"
    }
    problems = found(
        {
            "table": "scoring",
            "set": {"grade": "grade", "points": "city"},
            "add": {"points": "nope"},
        }
    )
    assert problems == {
        "/actions/0/set/grade": "the table has no output 'grade'",
        "/actions/0/set/points": "a number output cannot set 'city' (a text field)",
        "/actions/0/add/points": "'activity' has no field 'nope'",
    }
    assert (
        "multi-select"
        in found({"table": "listing", "add": {"points": "score"}})["/actions/0/add/points"]
    )
    other = RuleScope(
        types={"activity": TYPES, "lead": {"id": "number"}}, tables=ACTION_SCOPE.tables
    )
    lead_rule = dict(rule({"table": "scoring", "add": {"points": "id"}}), entity="lead")
    assert [e.pointer for e in rule_errors(lead_rule, other)] == ["/actions/0/table"]


def test_the_marketing_lead_scoring_table_scores_the_sample_touchpoints() -> None:
    import json
    from pathlib import Path

    from jimu.engines.form.model import AppModel
    from jimu.engines.form.registry import default_registry
    from jimu.metadata.decision_tables import table_scope
    from jimu.metadata.folder import read_folder
    from jimu.metadata.validate import validate_app_documents

    root = Path(__file__).resolve().parents[3] / "examples" / "marketing"
    folder = read_folder(root)
    assert validate_app_documents(folder.documents, files=dict(enumerate(folder.files))) == []
    (scoring,) = [
        d for d in folder.documents if d["kind"] == "decision_table" and d["name"] == "lead_scoring"
    ]
    entities = [d for d in folder.documents if d["kind"] == "entity"]
    app = AppModel.from_documents("marketing", entities, folder.app)
    report = table_report(scoring, table_scope(app, default_registry()))
    assert (report.errors, report.warnings) == ([], [])
    points = {"form_submit": 20, "download": 15, "page_view": 10, "email_click": 5}
    points["event_checkin"] = 25
    compiled = compile_table(scoring)
    lines = (root / "sample" / "activity.jsonl").read_text(encoding="utf-8").splitlines()
    seen = set()
    for line in lines:
        activity = json.loads(line)
        result = compiled.evaluate(RecordView("activity", activity))
        assert result.outputs == {"points": points.get(activity["type"])}, activity
        seen.add(activity["type"])
    assert set(points) <= seen


def test_counted_outputs_are_numbers_and_mixed_values_are_not_summed() -> None:
    counted = scoring("collect", aggregate="count")
    counted["outputs"] = [{"name": "points", "type": "text"}]
    counted["rows"] = [{**row, "outputs": ["x"]} for row in counted["rows"]]
    scope = RuleScope(types={"activity": TYPES}, tables={"counted": counted})
    body = rule({"table": "counted", "add": {"points": "score"}})
    assert rule_errors(body, scope) == []
    record = RecordView("activity", {"id": 3, "kind": "download", "minutes": 40, "score": 1})
    assert compile_rule(body, scope).plan(record)[0].values == {"score": 3}
    mixed = table(
        [{"field": "amount"}],
        [([None], [{"formula": "city"}]), ([None], [1])],
        hit_policy="collect",
        aggregate="max",
    )
    mixed["rows"][0]["outputs"] = [{"formula": "IF(amount > 0, city, 1)"}]
    with pytest.raises(ExprError, match="cannot be combined by max"):
        run(mixed, amount=2, city="Wuhan")


LITERAL = st.sampled_from([-2, -1, 0, 0.5, 1, 1.5, 2, 3, 7])


@st.composite
def number_cells(draw: st.DrawFn) -> Any:
    kind = draw(st.sampled_from(["==", "!=", "<", "<=", ">", ">=", "between", "in", "not_in"]))
    kind = draw(st.sampled_from([kind, "is_blank", "is_not_blank", "any"]))
    if kind == "any":
        return None
    if kind in ("is_blank", "is_not_blank"):
        return {kind: [v("x")]}
    if kind == "between":
        return {"<=": [draw(LITERAL), v("x"), draw(LITERAL)]}
    if kind in ("in", "not_in"):
        values = draw(st.lists(LITERAL, min_size=1, max_size=3))
        return {"in_list" if kind == "in" else "not_in_list": [v("x"), values]}
    return {kind: [v("x"), draw(LITERAL)]}


@settings(max_examples=300, deadline=None)
@given(st.lists(number_cells(), min_size=2, max_size=4), st.booleans())
def test_overlap_and_coverage_agree_with_brute_force(cells: list[Any], integer: bool) -> None:
    """Against every value of a dense grid (quarters, or whole numbers, and empty): rows overlap
    iff some value matches both, and a row is covered iff every value it matches is matched
    above it."""
    from jimu.engines.rule.decision_domain import (
        Domain,
        cell_mask,
        compile_cell,
        overlaps,
        representatives,
        uncovered,
    )

    domain = Domain("x", "number", None, integer)
    literals = [
        lit
        for cell in cells
        if cell
        for arg in next(iter(cell.values()))
        for lit in (arg if isinstance(arg, list) else [arg])
        if not isinstance(arg, dict) and not isinstance(lit, dict)
    ]
    values = representatives(domain, literals)
    masks = [(cell_mask(compile_cell(c), "x", values),) for c in cells]
    grid = [None, *(n / (1 if integer else 4) for n in range(-16, 40))]
    tests = [compile_cell(c) for c in cells]

    def holds(i: int, value: Any) -> bool:
        test = tests[i]
        return True if test is None else bool(test({"x": value}))

    for i in range(len(cells)):
        for j in range(i):
            both = any(holds(i, x) and holds(j, x) for x in grid)
            assert overlaps(masks[i], masks[j]) is both, (cells[i], cells[j])
        covered = all(any(holds(j, x) for j in range(i)) for x in grid if holds(i, x))
        assert (uncovered(masks[i], masks[:i]) is False) is covered, cells[: i + 1]


@settings(max_examples=80, deadline=None)
@given(st.lists(st.tuples(number_cells(), number_cells()), min_size=2, max_size=4))
def test_unreachable_rows_of_two_inputs_agree_with_brute_force(rows: list[Any]) -> None:
    """A first table on two number inputs: the warnings are exactly the rows whose every
    matching pair of values (on a dense grid) a row above also matches."""

    def rename(cell: Any, name: str) -> Any:
        return json.loads(json.dumps(cell).replace('"x"', f'"{name}"'))

    body = table(
        [{"field": "amount"}, {"field": "score"}],
        [([rename(a, "amount"), rename(b, "score")], [1]) for a, b in rows],
    )
    found = warnings(body)
    tests = [
        [compile_table_cell(rename(a, "amount")), compile_table_cell(rename(b, "score"))]
        for a, b in rows
    ]
    grid = [None, *(n / 4 for n in range(-10, 32))]

    def holds(i: int, x: Any, y: Any) -> bool:
        a, b = tests[i]
        return (a is None or bool(a({"amount": x}))) and (b is None or bool(b({"score": y})))

    for i in range(len(rows)):
        points = [(x, y) for x in grid for y in grid if holds(i, x, y)]
        dead = all(any(holds(j, x, y) for j in range(i)) for x, y in points)
        assert (f"/rows/{i}" in found) is dead, (i, rows[: i + 1], found)


TEXT = st.sampled_from(["", "a", "b", "ab", "b\x00", "Z", "中"])


@st.composite
def text_cells(draw: st.DrawFn) -> Any:
    kind = draw(st.sampled_from(["==", "!=", "<", "<=", ">", ">=", "between", "in", "not_in"]))
    kind = draw(st.sampled_from([kind, "is_blank", "is_not_blank"]))
    if kind in ("is_blank", "is_not_blank"):
        return {kind: [v("x")]}
    if kind == "between":
        return {"<=": [draw(TEXT), v("x"), draw(TEXT)]}
    if kind in ("in", "not_in"):
        values = draw(st.lists(TEXT, min_size=1, max_size=3))
        return {"in_list" if kind == "in" else "not_in_list": [v("x"), values]}
    return {kind: [v("x"), draw(TEXT)]}


@settings(max_examples=200, deadline=None)
@given(text_cells(), text_cells())
def test_text_overlap_agrees_with_brute_force(a: Any, b: Any) -> None:
    from itertools import product

    from jimu.engines.rule.decision_domain import (
        Domain,
        cell_mask,
        compile_cell,
        overlaps,
        representatives,
    )

    literals = [
        lit
        for cell in (a, b)
        for arg in next(iter(cell.values()))
        if not isinstance(arg, dict)
        for lit in (arg if isinstance(arg, list) else [arg])
    ]
    values = representatives(Domain("x", "text"), literals)
    masks = [(cell_mask(compile_cell(c), "x", values),) for c in (a, b)]
    alphabet = ["", "\x00", "a", "b", "Z", "中", " "]
    grid: list[Any] = [None, *("".join(p) for n in range(4) for p in product(alphabet, repeat=n))]
    test_a, test_b = compile_cell(a), compile_cell(b)
    assert test_a is not None and test_b is not None
    both = any(test_a({"x": x}) and test_b({"x": x}) for x in grid)
    assert overlaps(masks[0], masks[1]) is both
