"""Who may open the chart designer's pages (the ``reports`` design right), and what they
carry: the app's reports, a report's document or a new one (a count of the entity asked for),
the spec's vocabularies (visuals, aggregates, grains, ranges, formats); the app designer links
to them only for those who may open them."""

from __future__ import annotations

import pytest
from designer_harness import import_marketing
from designers_testing import PASSWORD, give_design_right
from fastapi import FastAPI
from fastapi.testclient import TestClient
from platform_testing import sign_in
from test_decision_table_pages import HTML, boot_data

from jimu.engines.report.schema import VISUALS
from jimu.platform import metadata_store as store
from jimu.platform.db import begin_write
from jimu.platform.state import Platform

LIST = "/design/apps/marketing/reports"
REPORT = {
    "kind": "report",
    "name": "deals",
    "label": {"en": "Deals", "zh": "商机"},
    "dataset": {"entity": "opportunity"},
    "dimensions": [{"field": "stage"}],
    "measures": [{"name": "n", "agg": "count"}],
    "visual": {"type": "bar", "colors": {"n": "#ff0000"}},
}


@pytest.fixture
def marketing(platform: Platform) -> Platform:
    import_marketing(platform)
    with begin_write(platform.engine) as conn:
        store.save_draft(conn, "marketing", "report", "deals", REPORT)
    return platform


def signed_in(app: FastAPI, platform: Platform, name: str, rights: list[str]) -> TestClient:
    give_design_right(platform, "marketing", name, rights)
    client = TestClient(app)
    sign_in(client, name, PASSWORD)
    return client


def test_a_reports_designer_opens_the_list_a_report_and_a_new_one(
    app: FastAPI, marketing: Platform
) -> None:
    with signed_in(app, marketing, "rita", ["reports"]) as rita:
        listed = boot_data(rita.get(LIST, headers=HTML).text)
        assert listed["designer"] == "report" and listed["mode"] == "list"
        reports = {r["name"]: r for r in listed["reports"]}  # type: ignore[attr-defined]
        assert {"pipeline_by_stage", "deals"} <= set(reports)
        assert (reports["deals"]["visual"], reports["deals"]["status"]) == ("bar", "draft")
        assert reports["deals"]["entity"] == "opportunity"
        page = rita.get(f"{LIST}/deals", headers=HTML)
        assert page.status_code == 200, page.text
        data = boot_data(page.text)
        assert (data["mode"], data["status"], data["document"]) == ("edit", "draft", REPORT)
        assert data["visuals"] == list(VISUALS)
        assert data["formats"] == ["number", "integer", "money", "percent"]
        assert "month" in data["grains"] and "last_n_days" in data["ranges"]  # type: ignore[operator]
        assert data["api"] == "/api/apps/marketing"
        new = boot_data(rita.get(f"{LIST}/won_deals?entity=opportunity", headers=HTML).text)
        assert new["status"] == "new"
        assert new["document"] == {
            "kind": "report",
            "name": "won_deals",
            "label": {},
            "dataset": {"entity": "opportunity"},
            "dimensions": [],
            "measures": [{"name": "records", "agg": "count"}],
            "visual": {"type": "number"},
        }
        assert rita.get(f"{LIST}/won_deals?entity=nope", headers=HTML).status_code == 404
        assert rita.get(f"{LIST}/Bad-Name", headers=HTML).status_code == 404
        # The live chart runs under the designer's own data scope: designing reports is not
        # reading records, so without a role that reads, the preview says so (403).
        body = {k: v for k, v in new["document"].items() if k not in ("kind", "name", "label")}  # type: ignore[attr-defined]
        ran = rita.post("/api/apps/marketing/reports/run", json=body)
        assert ran.status_code == 403 and "may not read" in ran.json()["detail"]
        # The visual's own settings (colours) are kept with the spec.
        saved = rita.put("/api/apps/marketing/documents/report/deals", json=REPORT)
        assert saved.status_code in (200, 201), saved.text


def test_the_app_designer_links_to_the_reports_for_their_designers(
    app: FastAPI, marketing: Platform
) -> None:
    with signed_in(app, marketing, "ann", ["app", "reports"]) as ann:
        data = boot_data(ann.get("/design/apps/marketing", headers=HTML).text)
        assert data["reports_url"] == LIST
    with signed_in(app, marketing, "abe", ["app"]) as abe:
        data = boot_data(abe.get("/design/apps/marketing", headers=HTML).text)
        assert data["reports_url"] is None


def test_others_are_refused(app: FastAPI, marketing: Platform) -> None:
    with signed_in(app, marketing, "fay", ["forms"]) as fay:
        assert fay.get(LIST, headers=HTML).status_code == 403
        assert fay.get(f"{LIST}/deals", headers=HTML).status_code == 403
        saved = fay.put("/api/apps/marketing/documents/report/deals", json=REPORT)
        assert saved.status_code == 403
