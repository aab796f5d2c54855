"""The dashboard page's pure part (designers/dashboard_view/state.ts, run by Node): filter
values and the cross-filter in the URL and back, and which result row a click on a chart
denotes (the cross-filter it sets and the drill-down cell it asks for)."""

from __future__ import annotations

import json
import shutil
import subprocess
from pathlib import Path
from typing import Any

import pytest

REPO = Path(__file__).resolve().parents[3]
UI = REPO / "jimu" / "builder_ui"
RUNNER = Path(__file__).with_name("dashboard_state_runner.mjs")

pytestmark = pytest.mark.skipif(
    shutil.which("node") is None or not (UI / "node_modules" / "esbuild").is_dir(),
    reason="needs Node and `npm ci` in jimu/builder_ui",
)
RANGES = ["this_month", "last_n_days", "between"]
FILTERS = [
    {"name": "period", "type": "date_range", "field": "created_at", "label": "", "choices": []},
    {"name": "region", "type": "select", "field": "region", "label": "", "choices": []},
    {"name": "owner", "type": "user", "field": "owner_id", "label": "", "choices": []},
]
SOURCE = {"name": "source", "role": "dimension", "field": "source", "type": "text"}
MONTH = {"name": "month", "role": "dimension", "field": "created_at", "type": "period"}
LEADS = {"name": "leads", "role": "measure", "type": "number"}


def call(*calls: tuple[str, list[Any]]) -> list[Any]:
    done = subprocess.run(
        ["node", str(RUNNER), str(UI)],
        input=json.dumps({"calls": [{"fn": fn, "args": args} for fn, args in calls]}),
        capture_output=True,
        text=True,
        check=True,
        timeout=120,
    )
    answer: list[Any] = json.loads(done.stdout)
    return answer


def test_filters_and_the_cross_filter_travel_in_the_url() -> None:
    values = {
        "period": {"range": "last_n_days", "n": 30},
        "region": ["east", "north"],
        "owner": None,
    }
    cross = {"item": "sources", "field": "source", "value": "wechat"}
    [query] = call(("writeState", ["?lang=zh", FILTERS, values, cross]))
    assert query.startswith("?lang=zh&period=last_n_days%3A30&region=east%2Cnorth&owner=all")
    read, crossed, bad = call(
        ("readFilters", [query, FILTERS, RANGES]),
        ("readCross", [query]),
        ("readFilters", ["?period=fortnight&owner=4,x", FILTERS, RANGES]),
    )
    assert read == values and crossed == cross
    assert bad == {"owner": [4]}  # an unknown range is left to the default
    between = call(("decodeRange", ["between:2026-01-01:2026-03-31", RANGES]))
    assert between == [{"range": "between", "from": "2026-01-01", "to": "2026-03-31"}]


def test_a_click_denotes_a_row_its_cross_filter_and_its_cell() -> None:
    result = {
        "columns": [SOURCE, LEADS],
        "rows": [{"source": "web", "leads": 5}, {"source": None, "leads": 2}],
    }
    pie, bar, axis = call(
        ("rowOfPick", [result, "pie", {"dataIndex": 1, "seriesIndex": 0, "name": "(empty)"}]),
        ("rowOfPick", [result, "bar", {"dataIndex": 0, "seriesIndex": 0, "name": "web"}]),
        ("rowOfPick", [result, "heatmap", {"dataIndex": 0, "seriesIndex": 0, "name": ""}]),
    )
    assert pie == {"source": None, "leads": 2} and bar == {"source": "web", "leads": 5}
    assert axis is None
    cross, empty, cell = call(
        ("crossOf", ["sources", result, bar]),
        ("crossOf", ["sources", result, pie]),
        ("cellOf", [result, pie]),
    )
    assert cross == {"item": "sources", "field": "source", "value": "web"}
    assert empty is None and cell == {"source": None}
    stacked = {
        "columns": [MONTH, SOURCE, LEADS],
        "rows": [
            {"month": "2026-01-01", "source": "web", "leads": 1},
            {"month": "2026-01-01", "source": "mail", "leads": 2},
            {"month": "2026-02-01", "source": "mail", "leads": 3},
        ],
    }
    pick = {"dataIndex": 1, "seriesIndex": 1, "name": "2026-02"}
    row, period = call(
        ("rowOfPick", [stacked, "stacked_bar", pick]),
        ("crossOf", ["trend", stacked, stacked["rows"][2]]),
    )
    assert row == stacked["rows"][2]
    # the month is a period (not a field's value): the clicked source alone filters
    assert period == {"item": "trend", "field": "source", "value": "mail"}


def test_a_click_on_a_series_cross_filters_by_the_category_and_the_series() -> None:
    stage = {"name": "stage", "role": "dimension", "field": "stage", "type": "text"}
    owner = {
        "name": "owner_id",
        "role": "dimension",
        "field": "owner_id",
        "type": "number",
        "title": "owner_id:title",
    }
    result = {
        "columns": [stage, owner, LEADS, {"name": "owner_id:title", "role": "title"}],
        "rows": [
            {"stage": "new", "owner_id": 3, "leads": 4, "owner_id:title": "Chen"},
            {"stage": "new", "owner_id": 4, "leads": 1, "owner_id:title": "Zhao"},
            {"stage": "won", "owner_id": 4, "leads": 2, "owner_id:title": "Zhao"},
        ],
    }
    pick = {"dataIndex": 0, "seriesIndex": 1, "name": "new"}
    row, cross, again, other = call(
        ("rowOfPick", [result, "stacked_bar", pick]),
        ("crossOf", ["by_owner", result, result["rows"][1]]),
        (
            "sameCross",
            [
                {"item": "by_owner", "field": "stage", "value": "new"},
                {
                    "item": "by_owner",
                    "field": "stage",
                    "value": "new",
                    "series": {"field": "owner_id", "value": 4},
                },
            ],
        ),
        (
            "crossPartText",
            [result, "owner_id", 4],
        ),
    )
    assert row == result["rows"][1]
    assert cross == {
        "item": "by_owner",
        "field": "stage",
        "value": "new",
        "series": {"field": "owner_id", "value": 4},
    }
    assert again is False  # another series of the same category is another filter
    assert other["text"] == "Zhao"  # the chip names the owner, not the id
    # month × source: the month is a period, so the series alone filters
    stacked = {
        "columns": [MONTH, SOURCE, LEADS],
        "rows": [{"month": "2026-01-01", "source": "web", "leads": 1}],
    }
    [by_source] = call(("crossOf", ["trend", stacked, stacked["rows"][0]]))
    assert by_source == {"item": "trend", "field": "source", "value": "web"}
