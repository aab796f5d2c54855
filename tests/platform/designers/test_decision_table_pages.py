"""Who may open the decision tables' pages (the ``rules`` design right), and what they carry:
the app's tables, a table's document or a new one on the entity asked for."""

from __future__ import annotations

import json
import re

import pytest
from designer_harness import import_marketing
from designers_testing import PASSWORD, give_design_right
from fastapi import FastAPI
from fastapi.testclient import TestClient
from platform_testing import sign_in

from jimu.platform import metadata_store as store
from jimu.platform.db import begin_write
from jimu.platform.state import Platform

HTML = {"Accept": "text/html"}
LIST = "/design/apps/marketing/decision-tables"
TABLE = {
    "kind": "decision_table",
    "name": "scoring",
    "label": {"en": "Scoring", "zh": "评分"},
    "entity": "activity",
    "inputs": [{"field": "type"}],
    "outputs": [{"name": "points", "type": "number"}],
    "hit_policy": "first",
    "rows": [{"cells": [{"==": [{"var": "type"}, "download"]}], "outputs": [15]}],
}


def boot_data(html: str) -> dict[str, object]:
    found = re.search(
        r'<script type="application/json" id="designer-boot"[^>]*>(.*?)</script>', html, re.S
    )
    assert found, html[:500]
    data = json.loads(found.group(1))
    assert isinstance(data, dict)
    return data


@pytest.fixture
def marketing(platform: Platform) -> Platform:
    import_marketing(platform)
    with begin_write(platform.engine) as conn:
        store.save_draft(conn, "marketing", "decision_table", "scoring", TABLE)
    return platform


def signed_in(app: FastAPI, platform: Platform, name: str, rights: list[str]) -> TestClient:
    give_design_right(platform, "marketing", name, rights)
    client = TestClient(app)
    sign_in(client, name, PASSWORD)
    return client


def test_a_rules_designer_opens_the_list_a_table_and_a_new_one(
    app: FastAPI, marketing: Platform
) -> None:
    with signed_in(app, marketing, "ray", ["rules"]) as ray:
        listed = boot_data(ray.get(LIST, headers=HTML).text)
        assert listed["designer"] == "decision_table" and listed["mode"] == "list"
        assert [t["name"] for t in listed["tables"]] == [
            "discount_limits",
            "lead_scoring",
            "scoring",
        ]  # type: ignore[attr-defined]
        page = ray.get(f"{LIST}/scoring", headers=HTML)
        assert page.status_code == 200, page.text
        data = boot_data(page.text)
        assert (data["mode"], data["status"], data["document"]) == ("edit", "draft", TABLE)
        assert data["cell_kinds"]["boolean"] == [  # type: ignore[index]
            "equals",
            "not_equals",
            "is_empty",
            "is_not_empty",
        ]
        new = boot_data(ray.get(f"{LIST}/grading?entity=lead", headers=HTML).text)
        assert (new["status"], new["document"]["entity"]) == ("new", "lead")  # type: ignore[index]
        assert ray.get(f"{LIST}/grading?entity=nope", headers=HTML).status_code == 404
        assert ray.get(f"{LIST}/Bad-Name", headers=HTML).status_code == 404
        tried = ray.post("/api/apps/marketing/decision-tables/scoring/check", json={})
        assert tried.status_code == 200 and tried.json() == {"errors": [], "warnings": []}


def test_others_are_refused(app: FastAPI, marketing: Platform) -> None:
    with signed_in(app, marketing, "fay", ["forms"]) as fay:
        assert fay.get(LIST, headers=HTML).status_code == 403
        assert fay.get(f"{LIST}/scoring", headers=HTML).status_code == 403
        check = fay.post("/api/apps/marketing/decision-tables/scoring/check", json={})
        assert check.status_code == 403
        saved = fay.put("/api/apps/marketing/documents/decision_table/scoring", json=TABLE)
        assert saved.status_code == 403
