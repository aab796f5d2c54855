"""The kanban page's server side: which cards a reader gets (the view's filter under their
scope), which they may move, and 404s for what is not a published kanban view they can use."""

from __future__ import annotations

import html
import json
import re
from typing import Any

from fastapi import FastAPI
from fastapi.testclient import TestClient
from pages_testing import HTML
from test_pages_list_views import CONTACTED, holder_of, publish_view
from test_pages_records import LEADS, create_lead

from jimu.platform.state import Platform

PIPELINE = {
    **CONTACTED,
    "name": "pipeline",
    "type": "kanban",
    "group_by": "status",
    "columns": [{"field": "company"}, {"field": "score"}],
    "filter": {"in_list": [{"var": "status"}, ["new", "contacted"]]},
}
BOARD = f"{LEADS}/kanban/pipeline"


def boot_of(page: str) -> dict[str, Any]:
    found = re.search(
        r'<script type="application/json" id="designer-boot"[^>]*>(.*?)</script>', page, re.S
    )
    assert found, "the page has no boot data"
    return dict(json.loads(html.unescape(found.group(1))))


def test_the_board_has_a_column_per_option_and_the_filtered_cards(pages: TestClient) -> None:
    li = create_lead(pages, name="Li Lei", status="new", company="Li Ltd", score="20")
    create_lead(pages, name="Zhao Min", status="qualified", phone="13700002222")
    publish_view(pages, PIPELINE)
    page = pages.get(BOARD, headers=HTML)
    assert page.status_code == 200, page.text
    boot = boot_of(page.text)
    assert [c["value"] for c in boot["columns"]][:2] == ["new", "contacted"]
    assert boot["columns"][-1]["value"] is None and boot["field"] == "status"
    assert [c["id"] for c in boot["cards"]] == [li]
    card = boot["cards"][0]
    assert card["group"] == "new" and card["movable"] and card["version"] == 1
    assert {"label": "Company", "text": "Li Ltd"} in card["fields"]
    assert boot["records_url"] == "/api/apps/marketing/entities/lead/records"
    # The list links to the board; the switcher offers table views only.
    listing = pages.get(LEADS, headers=HTML).text
    assert f'href="{BOARD}"' in listing and 'id="view-switcher"' not in listing


def test_only_published_kanban_views_open(pages: TestClient) -> None:
    publish_view(pages, CONTACTED)  # a table view
    assert pages.get(f"{LEADS}/kanban/contacted", headers=HTML).status_code == 404
    assert pages.get(f"{LEADS}/kanban/ghost", headers=HTML).status_code == 404


def test_a_reader_sees_and_moves_only_what_their_role_allows(
    app: FastAPI, pages: TestClient, marketing: Platform
) -> None:
    theirs = create_lead(pages, name="Admin Lead", status="new", phone="13900001111")
    publish_view(pages, PIPELINE)
    with holder_of(app, marketing, "sales_rep") as rep:
        mine = create_lead(rep, name="Rep Lead", status="new", phone="13600003333")
        page = rep.get(BOARD, headers=HTML)
        assert page.status_code == 200, page.text
        cards = boot_of(page.text)["cards"]
        assert [c["id"] for c in cards] == [mine] and theirs not in [c["id"] for c in cards]
    with holder_of(app, marketing, "finance") as finance:
        # finance may not read leads at all
        assert finance.get(BOARD, headers=HTML).status_code == 403
