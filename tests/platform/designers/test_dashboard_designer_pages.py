"""Who may open the dashboard designer's pages (the ``reports`` design right, which covers
dashboards), and what they carry: the app's dashboards, a dashboard's document exactly as
stored or a new empty one, the palette of PUBLISHED charts with their specs, and per entity the
fields a dashboard filter can use (own and system fields, select options in order). The chart
designer's list and the app designer link to them."""

from __future__ import annotations

from typing import Any

import pytest
from designer_harness import import_marketing
from designers_testing import PASSWORD, give_design_right
from fastapi import FastAPI
from fastapi.testclient import TestClient
from platform_testing import sign_in
from test_decision_table_pages import HTML, boot_data

from jimu.platform import metadata_store as store
from jimu.platform.db import begin_write
from jimu.platform.state import Platform

LIST = "/design/apps/marketing/dashboards"
BOARD: dict[str, Any] = {
    "kind": "dashboard",
    "name": "sales_board",
    "label": {"en": "Sales", "zh": "销售"},
    "filters": [
        {
            "name": "period",
            "type": "date_range",
            "field": "created_at",
            "default": {"range": "last_n_days", "n": 30},
        },
    ],
    "items": [
        {"id": "regions", "report": "leads_by_region", "x": 0, "y": 0, "w": 6, "h": 4},
        {
            "id": "stages",
            "report": "pipeline_by_stage",
            "x": 6,
            "y": 0,
            "w": 6,
            "h": 5,
            "filters": {"period": False},
        },
    ],
    "cross_filter": True,
}
DRAFT_ONLY = {
    "kind": "report",
    "name": "draft_chart",
    "dataset": {"entity": "lead"},
    "measures": [{"name": "n", "agg": "count"}],
    "visual": {"type": "number"},
}


@pytest.fixture
def marketing(platform: Platform) -> Platform:
    import_marketing(platform)
    with begin_write(platform.engine) as conn:
        store.save_draft(conn, "marketing", "dashboard", "sales_board", BOARD)
        store.save_draft(conn, "marketing", "report", "draft_chart", DRAFT_ONLY)
    return platform


def signed_in(app: FastAPI, platform: Platform, name: str, rights: list[str]) -> TestClient:
    give_design_right(platform, "marketing", name, rights)
    client = TestClient(app)
    sign_in(client, name, PASSWORD)
    return client


def test_a_reports_designer_opens_the_list_a_dashboard_and_a_new_one(
    app: FastAPI, marketing: Platform
) -> None:
    with signed_in(app, marketing, "rita", ["reports"]) as rita:
        listed = boot_data(rita.get(LIST, headers=HTML).text)
        assert (listed["designer"], listed["mode"]) == ("dashboard", "list")
        # The shipped dashboards are published; the one this test saved is a draft.
        mine = [d for d in listed["dashboards"] if d["status"] == "draft"]
        assert mine == [
            {"name": "sales_board", "label": "Sales", "charts": 2, "status": "draft", "version": 1}
        ]
        data = boot_data(rita.get(f"{LIST}/sales_board", headers=HTML).text)
        # The document exactly as stored: the designer round-trips it.
        assert (data["mode"], data["status"], data["document"]) == ("edit", "draft", BOARD)
        assert (data["api"], data["columns"]) == ("/api/apps/marketing", 12)
        charts = {c["name"]: c for c in data["charts"]}  # type: ignore[attr-defined]
        # Only published charts are offered (a draft cannot be placed: publishing refuses it).
        assert "pipeline_by_stage" in charts and "draft_chart" not in charts
        region = charts["leads_by_region"]
        assert (region["entity"], region["visual"]) == ("lead", "donut")
        assert region["label"] == {"en": "Leads by region, top 5", "zh": "线索地区分布(前五)"}
        assert region["spec"]["dimensions"] == [{"field": "region"}]
        lead = {f["name"]: f for f in data["fields"]["lead"]}  # type: ignore[index]
        assert lead["created_at"]["type"] == "datetime"
        assert lead["owner_id"]["type"] == "user"
        assert lead["region"]["type"] == "select"
        assert lead["region"]["options"][0] == {
            "value": "east",
            "label": {"en": "East China", "zh": "华东"},
        }
        assert all(f["type"] != "text" for f in lead.values())
        assert data["filter_types"]["date_range"] == ["date", "datetime"]  # type: ignore[index]
        new = boot_data(rita.get(f"{LIST}/weekly", headers=HTML).text)
        assert new["status"] == "new"
        assert new["document"] == {"kind": "dashboard", "name": "weekly", "items": []}
        assert rita.get(f"{LIST}/Bad-Name", headers=HTML).status_code == 404
        # The new document saves as it is (the designer's first save).
        saved = rita.put("/api/apps/marketing/documents/dashboard/weekly", json=new["document"])
        assert saved.status_code in (200, 201), saved.text
        zh = boot_data(rita.get(f"{LIST}/sales_board?lang=zh", headers=HTML).text)
        assert zh["lang"] == "zh"
        assert zh["messages"]["designer.dashboard.add_filter"] == "+ 筛选"  # type: ignore[index]


def test_the_chart_list_and_the_app_designer_link_to_the_dashboards(
    app: FastAPI, marketing: Platform
) -> None:
    with signed_in(app, marketing, "ann", ["app", "reports"]) as ann:
        assert (
            boot_data(ann.get("/design/apps/marketing", headers=HTML).text)["dashboards_url"]
            == LIST
        )
        reports = boot_data(ann.get("/design/apps/marketing/reports", headers=HTML).text)
        assert reports["dashboards_url"] == LIST
    with signed_in(app, marketing, "abe", ["app"]) as abe:
        data = boot_data(abe.get("/design/apps/marketing", headers=HTML).text)
        assert data["dashboards_url"] is None


def test_others_are_refused(app: FastAPI, marketing: Platform) -> None:
    with signed_in(app, marketing, "fay", ["forms"]) as fay:
        assert fay.get(LIST, headers=HTML).status_code == 403
        assert fay.get(f"{LIST}/sales_board", headers=HTML).status_code == 403
        assert fay.get(f"{LIST}/weekly", headers=HTML).status_code == 403
        saved = fay.put("/api/apps/marketing/documents/dashboard/sales_board", json=BOARD)
        assert saved.status_code == 403
        published = fay.post(
            "/api/apps/marketing/publish", json={"kind": "dashboard", "name": "sales_board"}
        )
        assert published.status_code == 403
