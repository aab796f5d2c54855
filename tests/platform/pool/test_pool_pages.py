"""The pool on the pages (without a browser): the pool view with the claims left, Claim from
it, Return to pool with a reason and Transfer from the record page and the list's ticked rows,
the history's reasons, and each refusal's notice in the viewer's language."""

from __future__ import annotations

import html
import re
from collections.abc import Iterator
from typing import Any

import httpx
import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from platform_testing import send_origin
from pool_testing import APP, PASSWORD, create, get, pool_lead, setup

from jimu.platform import pool
from jimu.platform.db import begin_write
from jimu.platform.models import User
from jimu.platform.records import WriteContext
from jimu.platform.state import Platform

HTML = {"Accept": "text/html"}
POOL = f"/apps/{APP}/lead/pool"
CSRF = re.compile(r'name="csrf_token" value="([^"]+)"')


def text_of(page: str) -> str:
    without_tags = re.sub(r"<[^>]+>", " ", page)
    return re.sub(r"\s+", " ", html.unescape(without_tags)).strip()


def signed_in(app: FastAPI, name: str, lang: str = "en") -> Iterator[TestClient]:
    with TestClient(app) as client:
        send_origin(client)
        client.cookies.set("jimu_lang", lang)
        page = client.get("/login", headers=HTML)
        token = CSRF.search(page.text)
        assert token is not None
        data = {"username": name, "password": PASSWORD, "csrf_token": token.group(1)}
        assert client.post("/login", data=data, follow_redirects=False).status_code == 303
        yield client


def post(client: TestClient, page: str, action: str, data: dict[str, Any]) -> httpx.Response:
    """Post ``data`` to ``action`` from ``page`` (its CSRF token), then follow to the page."""
    token = CSRF.search(client.get(page, headers=HTML).text)
    assert token is not None
    body = {"csrf_token": token.group(1), "next": page, **data}
    answer = client.post(action, data=body, headers=HTML, follow_redirects=False)
    assert answer.status_code == 303, answer.text
    return client.get(answer.headers["location"], headers=HTML)


@pytest.fixture
def users(platform: Platform) -> dict[str, User]:
    return setup(platform)


@pytest.fixture
def ann(app: FastAPI, users: dict[str, User]) -> Iterator[TestClient]:
    yield from signed_in(app, "ann")


def test_the_pool_view_lists_pool_leads_and_claims_them(
    ann: TestClient, platform: Platform, users: dict[str, User]
) -> None:
    free = pool_lead(platform, "Free lead")
    create(platform, name="Owned lead", owner_id=users["mia"].id)
    page = ann.get(POOL, headers=HTML)
    assert page.status_code == 200
    text = text_of(page.text)
    assert "Free lead" in text and "Owned lead" not in text
    assert "You may claim 2 more today (of 2)." in text
    after = post(ann, POOL, f"{POOL}/claim", {"ids": str(free["id"])})
    assert "Claimed 1 record(s)" in text_of(after.text)
    assert "You may claim 1 more today (of 2)." in text_of(after.text)
    assert get(platform, free["id"])["owner_id"] == users["ann"].id


def test_a_limit_reached_says_how_many_and_when_in_chinese(
    app: FastAPI, platform: Platform, users: dict[str, User]
) -> None:
    leads = [pool_lead(platform, f"L{i}") for i in range(3)]
    for client in signed_in(app, "bob", "zh"):
        post(client, POOL, f"{POOL}/claim", {"ids": [str(leads[0]["id"]), str(leads[1]["id"])]})
        refused = post(client, POOL, f"{POOL}/claim", {"ids": str(leads[2]["id"])})
        text = text_of(refused.text)
        assert "已达每日领取上限：今天已领取 2 条，上限 2 条。" in text
        assert "起可再领取" in text


def test_return_from_the_record_page_with_a_reason_shows_in_the_history(
    app: FastAPI, platform: Platform, users: dict[str, User]
) -> None:
    lead = create(platform, name="Mine", owner_id=users["mia"].id)
    record = f"/apps/{APP}/lead/{lead['id']}"
    for mia in signed_in(app, "mia"):
        page = text_of(mia.get(record, headers=HTML).text)
        assert "Return to pool" in page and "Transfer" in page
        nothing = post(mia, record, f"{POOL}/return", {"reason": "no_answer"})
        assert "Tick the records first." in text_of(nothing.text)
        missing = post(mia, record, f"{POOL}/return", {"ids": str(lead["id"]), "reason": ""})
        assert "Choose why the record goes back to the pool." in text_of(missing.text)
        done = post(mia, record, f"{POOL}/return", {"ids": str(lead["id"]), "reason": "no_answer"})
        text = text_of(done.text)
        assert "Returned 1 record(s) to the public pool." in text
        assert "Returned to the public pool · Reason: No answer" in text
        assert "In the public pool" in text
    assert get(platform, lead["id"])["owner_id"] is None


def test_transfer_from_the_list_of_ticked_rows(
    app: FastAPI, platform: Platform, users: dict[str, User]
) -> None:
    leads = [create(platform, name=f"T{i}", owner_id=users["ann"].id) for i in range(2)]
    listing = f"/apps/{APP}/lead"
    for mia in signed_in(app, "mia", "zh"):
        page = mia.get(listing, headers=HTML).text
        assert 'form="list-selection"' in page and "退回公海" in page
        ids = [str(lead["id"]) for lead in leads]
        done = post(mia, listing, f"{POOL}/transfer", {"ids": ids, "to_user": users["bob"].id})
        assert "已转移 2 条记录。" in text_of(done.text)
    assert {get(platform, lead["id"])["owner_id"] for lead in leads} == {users["bob"].id}


def test_who_may_not_claim_gets_no_pool(
    app: FastAPI, platform: Platform, users: dict[str, User]
) -> None:
    for vic in signed_in(app, "vic"):
        assert vic.get(POOL, headers=HTML).status_code == 403
        assert 'id="open-pool"' not in vic.get(f"/apps/{APP}/lead", headers=HTML).text


def test_transfer_without_a_user_and_a_claim_taken_first_are_explained(
    app: FastAPI, platform: Platform, users: dict[str, User]
) -> None:
    lead = create(platform, name="Kept", owner_id=users["ann"].id)
    free = pool_lead(platform, "Raced")
    for mia in signed_in(app, "mia"):
        listing = f"/apps/{APP}/lead"
        refused = post(mia, listing, f"{POOL}/transfer", {"ids": str(lead["id"]), "to_user": ""})
        assert "Choose a user you may hand the record to." in text_of(refused.text)
        assert mia.get(f"/apps/{APP}/nothing/pool", headers=HTML).status_code == 404
    for ann in signed_in(app, "ann"):
        page = ann.get(POOL, headers=HTML).text  # ann opens the pool, then bob is quicker
        assert "Raced" in text_of(page)
        with begin_write(platform.engine) as conn:
            mine = platform.apps.for_user(conn, APP, users["bob"])
            pool.claim(conn, mine, "lead", [free["id"]], WriteContext(users["bob"].id, "ui"))
        taken = post(ann, POOL, f"{POOL}/claim", {"ids": str(free["id"])})
        assert "Someone claimed that record first" in text_of(taken.text)
