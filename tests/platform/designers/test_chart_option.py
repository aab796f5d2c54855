"""The chart renderer's pure part (designers/shared/charts/option.ts and format.ts, run by
Node): numbers per language (万/亿 in zh, K/M in en, percent, money), dimension values (option
labels in their order, periods, empty, "Others"), and for each visual what it draws from a
report result — the ECharts series, axes and colours, or the card / table / pivot cells."""

from __future__ import annotations

import json
import shutil
import subprocess
from pathlib import Path
from typing import Any

import pytest

REPO = Path(__file__).resolve().parents[3]
UI = REPO / "jimu" / "builder_ui"
RUNNER = Path(__file__).with_name("chart_option_runner.mjs")

pytestmark = pytest.mark.skipif(
    shutil.which("node") is None or not (UI / "node_modules" / "esbuild").is_dir(),
    reason="needs Node and `npm ci` in jimu/builder_ui",
)

STAGE = {
    "name": "stage",
    "role": "dimension",
    "type": "text",
    "label": {"en": "Stage", "zh": "阶段"},
    "options": [
        {"value": "new", "label": {"en": "New", "zh": "新建"}, "color": "#111111"},
        {"value": "won", "label": {"en": "Won", "zh": "赢单"}, "color": "#222222"},
    ],
}
MONTH = {"name": "month", "role": "dimension", "type": "period", "grain": "month"}
DEALS = {"name": "deals", "role": "measure", "type": "number", "label": {"en": "Deals"}}
AMOUNT = {
    "name": "amount",
    "role": "measure",
    "type": "number",
    "format": "money",
    "label": {"en": "Amount", "zh": "金额"},
}
AVG = {"name": "avg", "role": "measure", "type": "number", "label": {"en": "Average"}}


def run(cases: list[dict[str, Any]]) -> list[Any]:
    done = subprocess.run(
        ["node", str(RUNNER), str(UI)],
        input=json.dumps({"cases": cases}),
        capture_output=True,
        text=True,
        check=True,
        timeout=120,
    )
    result: list[Any] = json.loads(done.stdout)
    return result


def draw(
    columns: list[dict[str, Any]],
    rows: list[dict[str, Any]],
    visual: dict[str, Any],
    lang: str = "en",
    additive: list[str] | None = None,
    probe: list[float] | None = None,
) -> dict[str, Any]:
    case: dict[str, Any] = {"draw": [columns, rows, visual, lang, additive or []]}
    if probe:
        case["probe"] = probe
    found: dict[str, Any] = run([case])[0]
    return found


def test_numbers_read_as_their_language_writes_them() -> None:
    cases = [
        ([123456789, "number", "zh", True], "1.23亿"),
        ([45000, "number", "zh", True], "4.5万"),
        ([9999, "number", "zh", True], "9999"),
        ([3.2e12, "number", "zh", True], "3.2万亿"),
        ([45000, "number", "en", True], "45K"),
        ([2_500_000, "integer", "en", True], "2.5M"),
        ([1234.5, "number", "en", False], "1,234.5"),
        ([12345, "money", "en", True], "¥12.35K"),
        ([12345.678, "money", "zh", False], "¥12,345.68"),
        ([-500, "money", "en", False, "USD"], "-$500"),
        ([0.256, "percent", "zh", False], "25.6%"),
        ([7.6, "integer", "en", False], "8"),
        ([None, "number", "en", False], "–"),
    ]
    assert run([{"format": given} for given, _ in cases]) == [want for _, want in cases]


def test_a_bar_chart_has_a_series_per_measure_in_the_options_order_with_its_colour() -> None:
    rows = [
        {"stage": "new", "deals": 3, "amount": 45000},
        {"stage": "won", "deals": 1, "amount": 120000000},
        {"stage": None, "deals": 2, "amount": None},
    ]
    visual = {"type": "bar", "colors": {"amount": "#ff0000"}}
    drawing = draw([STAGE, DEALS, AMOUNT], rows, visual, "zh", probe=[50000, 2e8])
    assert drawing["kind"] == "echarts"
    assert drawing["series"] == 2
    option = drawing["option"]
    assert option["xAxis"]["data"] == ["新建", "赢单", "(empty)"]
    deals, amount = option["series"]
    assert (deals["type"], deals["data"], deals["name"]) == ("bar", [3, 1, 2], "Deals")
    assert (amount["data"], amount["name"], amount["itemStyle"]) == (
        [45000, 120000000, None],
        "金额",
        {"color": "#ff0000"},
    )
    assert "stack" not in deals or deals["stack"] is None
    # The value axis reads the first measure's format, compact, in zh.
    assert drawing["axis"] == [["5万", "2亿"]]


def test_a_second_dimension_makes_a_series_per_value_stacked_for_stacked_bars() -> None:
    rows = [
        {"month": "2026-01-01", "stage": "new", "deals": 2},
        {"month": "2026-01-01", "stage": "won", "deals": 1},
        {"month": "2026-02-01", "stage": "won", "deals": 4},
    ]
    drawing = draw([MONTH, STAGE, DEALS], rows, {"type": "stacked_bar"}, "zh")
    option = drawing["option"]
    assert option["xAxis"]["data"] == ["2026年1月", "2026年2月"]
    new, won = option["series"]
    assert (new["name"], new["data"], new["stack"]) == ("新建", [2, None], "total")
    assert (won["name"], won["data"], won["itemStyle"]) == ("赢单", [1, 4], {"color": "#222222"})


def test_lines_areas_and_the_combo() -> None:
    rows = [
        {"month": "2026-01-01", "deals": 2, "amount": 10},
        {"month": "2026-04-01", "deals": 5, "amount": 20},
    ]
    line = draw([{**MONTH, "grain": "quarter"}, DEALS], rows, {"type": "line"})["option"]
    assert line["xAxis"]["data"] == ["2026 Q1", "2026 Q2"]
    assert line["series"][0]["type"] == "line" and "areaStyle" not in line["series"][0]
    area = draw([MONTH, DEALS], rows, {"type": "area"})["option"]
    assert area["series"][0]["areaStyle"] == {"opacity": 0.35}
    combo = draw([MONTH, DEALS, AMOUNT], rows, {"type": "combo"})
    bars, lines = combo["option"]["series"]
    assert (bars["type"], bars["yAxisIndex"]) == ("bar", 0)
    assert (lines["type"], lines["yAxisIndex"], lines["data"]) == ("line", 1, [10, 20])
    assert len(combo["option"]["yAxis"]) == 2
    chosen = draw([MONTH, DEALS, AMOUNT], rows, {"type": "combo", "lines": ["deals"]})
    assert [s["type"] for s in chosen["option"]["series"]] == ["line", "bar"]


def test_pie_donut_and_funnel_slices_take_the_option_colours() -> None:
    rows = [{"stage": "new", "deals": 3}, {"stage": "won", "deals": 1}]
    pie = draw([STAGE, DEALS], rows, {"type": "pie"})["option"]["series"][0]
    assert pie["type"] == "pie" and pie["radius"] == [0, "72%"]
    assert pie["data"] == [
        {"name": "New", "value": 3, "itemStyle": {"color": "#111111"}},
        {"name": "Won", "value": 1, "itemStyle": {"color": "#222222"}},
    ]
    donut = draw([STAGE, DEALS], rows, {"type": "donut"})["option"]["series"][0]
    assert donut["radius"] == ["45%", "72%"]
    funnel = draw([STAGE, DEALS], rows, {"type": "funnel"})["option"]["series"][0]
    assert (funnel["type"], funnel["sort"]) == ("funnel", "none")
    assert [d["name"] for d in funnel["data"]] == ["New", "Won"]


def test_scatter_points_and_the_heat_map_grid() -> None:
    size = {"name": "n", "role": "measure", "type": "number"}
    rows = [
        {"stage": "new", "deals": 3, "amount": 10, "n": 4},
        {"stage": "won", "deals": 1, "amount": 7, "n": 1},
    ]
    scatter = draw([STAGE, DEALS, AMOUNT, size], rows, {"type": "scatter"})
    assert scatter["series"] == 1
    assert scatter["option"]["series"][0]["data"] == [
        {"name": "New", "value": [3, 10, 4]},
        {"name": "Won", "value": [1, 7, 1]},
    ]
    heat_rows = [
        {"month": "2026-01-01", "stage": "new", "deals": 2},
        {"month": "2026-02-01", "stage": "won", "deals": 6},
    ]
    heat = draw([MONTH, STAGE, DEALS], heat_rows, {"type": "heatmap"})["option"]
    assert heat["xAxis"]["data"] == ["2026-01", "2026-02"]
    assert heat["yAxis"]["data"] == ["New", "Won"]
    assert heat["series"][0]["data"] == [[0, 0, 2], [1, 1, 6]]
    assert (heat["visualMap"]["min"], heat["visualMap"]["max"]) == (2, 6)


def test_number_and_kpi_cards() -> None:
    number = draw([AMOUNT], [{"amount": 123456789}], {"type": "number"}, "zh")
    assert number == {"kind": "card", "card": {"label": "金额", "value": "¥123,456,789"}}
    target = {"name": "target", "role": "measure", "type": "number", "format": "money"}
    kpi = draw([AMOUNT, target], [{"amount": 80, "target": 100}], {"type": "kpi"})["card"]
    assert kpi["detail"] == {"label": "Target", "value": "¥100", "change": "80%", "up": False}
    rows = [{"month": "2026-01-01", "deals": 10}, {"month": "2026-02-01", "deals": 15}]
    trend = draw([MONTH, DEALS], rows, {"type": "kpi"})["card"]
    assert trend["value"] == "15"
    assert trend["detail"] == {
        "label": "Previous (2026-01)",
        "value": "10",
        "change": "+50%",
        "up": True,
    }
    assert trend["trend"] == [10, 15]


def test_a_table_names_the_others_row() -> None:
    rows = [
        {"stage": "won", "deals": 5, "others": False},
        {"stage": None, "deals": 9, "others": True},
    ]
    drawing = draw([STAGE, DEALS], rows, {"type": "table"})
    assert drawing["table"]["headers"] == [
        {"label": "Stage", "numeric": False},
        {"label": "Deals", "numeric": True},
    ]
    assert drawing["table"]["rows"] == [
        {"others": False, "cells": ["Won", "5"]},
        {"others": True, "cells": ["Others", "9"]},
    ]


def test_a_pivot_has_columns_per_value_and_totals_only_for_additive_measures() -> None:
    region = {"name": "region", "role": "dimension", "type": "text"}
    rows = [
        {"region": "east", "stage": "new", "month": "2026-01-01", "deals": 1, "avg": 5},
        {"region": "east", "stage": "won", "month": "2026-01-01", "deals": 2, "avg": 7},
        {"region": "east", "stage": "won", "month": "2026-02-01", "deals": 3, "avg": 9},
        {"region": "west", "stage": "new", "month": "2026-02-01", "deals": 4, "avg": 1},
    ]
    two = draw(
        [STAGE, MONTH, DEALS],
        [r for r in rows if r["region"] == "east"],
        {"type": "pivot"},
        additive=["deals"],
    )
    assert [h["label"] for h in two["table"]["headers"]] == [
        "Stage",
        "2026-01",
        "2026-02",
        "Total · Deals",
    ]
    assert [r["cells"] for r in two["table"]["rows"]] == [
        ["New", "1", "", "1"],
        ["Won", "2", "3", "5"],
        ["Total", "3", "3", "6"],
    ]
    three = draw([region, STAGE, MONTH, DEALS, AVG], rows, {"type": "pivot"}, additive=["deals"])
    table = three["table"]
    assert [h["label"] for h in table["headers"]][:4] == [
        "region",
        "Stage",
        "2026-01 · Deals",
        "2026-01 · Average",
    ]
    cells = [r["cells"] for r in table["rows"]]
    # east: two stages, its subtotal (the average is not added up), then west, then the total.
    assert cells[0] == ["east", "New", "1", "5", "", "", "1", "5"]
    assert cells[2] == ["east · Subtotal", "", "3", "–", "3", "9", "6", "–"]
    assert cells[-1][:1] == ["Total"] and cells[-1][-2:] == ["10", "–"]
    assert [r.get("total", False) for r in table["rows"]] == [False, False, True, False, True, True]
    plain = draw(
        [STAGE, MONTH, DEALS], rows[:2], {"type": "pivot", "subtotals": False}, additive=["deals"]
    )
    assert [h["label"] for h in plain["table"]["headers"]] == ["Stage", "2026-01"]


def test_the_china_map_colours_provinces_and_lists_values_off_the_map() -> None:
    province = {"name": "province", "role": "dimension", "type": "text"}
    rows = [
        {"province": "广东", "deals": 3},
        {"province": "广东省", "deals": 2},  # the long form is the same province
        {"province": "浙江", "deals": 9},
        {"province": "新疆维吾尔自治区", "deals": 1},
        {"province": "北京市", "deals": None},
        {"province": "Singapore", "deals": 4},
    ]
    drawing = draw([province, DEALS], rows, {"type": "china_map"}, "zh")
    assert drawing["kind"] == "echarts"
    [series] = drawing["option"]["series"]
    assert series["type"] == "map" and series["map"] == "china"
    assert series["data"] == [
        {"name": "广东", "value": 5},
        {"name": "浙江", "value": 9},
        {"name": "新疆", "value": 1},
    ]
    assert drawing["option"]["visualMap"]["max"] == 9
    assert drawing["note"] == "NO MAP Singapore 4"


def test_no_rows_is_said_and_a_visual_without_its_dimension_is_a_card() -> None:
    assert draw([STAGE, DEALS], [], {"type": "bar"}) == {"kind": "empty", "message": "No data"}
    assert draw([DEALS], [{"deals": 4}], {"type": "bar"})["kind"] == "card"


def test_a_card_shows_its_chosen_measure_against_the_previous_period() -> None:
    rate = {"name": "rate", "role": "measure", "type": "number", "format": "percent"}
    before = {**rate, "name": "rate_previous", "label": {"en": "Rate (previous)"}}
    row = {"deals": 40, "rate": 0.25, "rate_previous": 0.2}
    card = draw([DEALS, rate, before], [row], {"type": "kpi", "value": "rate"})["card"]
    assert card["value"] == "25%"
    assert card["detail"] == {"label": "Previous", "value": "20%", "change": "+25%", "up": True}


def test_link_and_user_dimensions_show_titles_and_keep_alike_titles_apart() -> None:
    account = {
        "name": "account",
        "role": "dimension",
        "type": "number",
        "label": {"en": "Account"},
        "target": "account",
        "title": "account:title",
    }
    title = {"name": "account:title", "role": "title", "of": "account", "type": "text"}
    rows = [
        {"account": 7, "deals": 3, "account:title": "Acme"},
        {"account": 8, "deals": 2, "account:title": "Acme"},
        {"account": 9, "deals": 1, "account:title": "Globex"},
        {"account": 10, "deals": 1, "account:title": None},  # outside the reader's scope
    ]
    bar = draw([account, DEALS, title], rows, {"type": "bar"})
    assert bar["option"]["xAxis"]["data"] == ["Acme #7", "Acme #8", "Globex", "10"]
    table = draw([account, DEALS, title], rows[2:3], {"type": "table"}, "zh")
    assert table["table"]["rows"] == [{"others": False, "cells": ["Globex", "1"]}]
    assert [h["label"] for h in table["table"]["headers"]] == ["Account", "Deals"]
