"""Who may open the app designer and save app documents: decided by the server.

Administrators design every app; a holder of the ``app`` design right (``app_admin`` in a role)
designs that app's document only; anyone else gets a 403, on the page and on every save."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from designer_harness import import_marketing
from designers_testing import PASSWORD, give_design_right
from fastapi import FastAPI
from fastapi.testclient import TestClient
from platform_testing import ADMIN_PASSWORD, add_user, sign_in

from jimu.platform.state import Platform

HTML = {"Accept": "text/html"}
APP_DOC = "/api/apps/marketing/documents/app/marketing"


@pytest.fixture
def marketing(platform: Platform) -> Platform:
    import_marketing(platform)
    return platform


def client_of(app: FastAPI, username: str, password: str = PASSWORD) -> TestClient:
    client = TestClient(app)
    sign_in(client, username, password)
    return client


@pytest.fixture
def keeper(app: FastAPI, marketing: Platform) -> Iterator[TestClient]:
    """A user holding the ``app`` design right in marketing."""
    give_design_right(marketing, "marketing", "kim", ["app"])
    with client_of(app, "kim") as client:
        yield client


@pytest.fixture
def former(app: FastAPI, marketing: Platform) -> Iterator[TestClient]:
    """A user holding only the ``forms`` design right in marketing."""
    give_design_right(marketing, "marketing", "fay", ["forms"])
    with client_of(app, "fay") as client:
        yield client


def app_body(client: TestClient) -> dict[str, object]:
    body = client.get(APP_DOC).json()["body"]
    assert isinstance(body, dict)
    return body


def test_an_admin_opens_the_list_and_any_app(app: FastAPI, marketing: Platform) -> None:
    add_user(marketing, "admin", ADMIN_PASSWORD, is_admin=True)
    with client_of(app, "admin", ADMIN_PASSWORD) as client:
        listing = client.get("/design/apps", headers=HTML)
        assert listing.status_code == 200
        assert '"can_create": true' in listing.text and "/design/apps/marketing" in listing.text
        assert client.get("/design/apps/marketing", headers=HTML).status_code == 200
        assert 'id="nav-designer"' in client.get("/apps", headers=HTML).text


def test_a_user_without_design_rights_gets_a_403_page_and_a_403_on_save(
    app: FastAPI, marketing: Platform
) -> None:
    add_user(marketing, "nob", PASSWORD)
    with client_of(app, "nob") as client:
        for url in ("/design/apps", "/design/apps/marketing"):
            page = client.get(url, headers=HTML)
            assert page.status_code == 403, url
            assert "<html" in page.text and 'id="designer-boot"' not in page.text
        problem = client.put(
            APP_DOC, json={"kind": "app", "name": "marketing", "label": {"en": "X"}}
        )
        assert problem.status_code == 403
        assert problem.headers["content-type"].startswith("application/problem+json")
        assert 'id="nav-designer"' not in client.get("/apps", headers=HTML).text


def test_the_app_right_opens_that_apps_designer_and_saves_its_document(
    keeper: TestClient,
) -> None:
    listing = keeper.get("/design/apps", headers=HTML)
    assert listing.status_code == 200
    assert '"can_create": false' in listing.text
    assert keeper.get("/design/apps/marketing", headers=HTML).status_code == 200
    body = {**app_body(keeper), "color": "#336699"}
    saved = keeper.put(APP_DOC, json=body)
    assert saved.status_code == 200, saved.text
    published = keeper.post(
        "/api/apps/marketing/publish", json={"kind": "app", "name": "marketing"}
    )
    assert published.status_code == 200, published.text
    assert app_body(keeper)["color"] == "#336699"


def test_the_app_right_designs_nothing_else_and_never_imports_exports_or_creates(
    keeper: TestClient,
) -> None:
    lead = keeper.get("/api/apps/marketing/documents/entity/lead").json()["body"]
    assert keeper.put("/api/apps/marketing/documents/entity/lead", json=lead).status_code == 403
    assert keeper.get("/api/apps/marketing/export.zip").status_code == 403
    assert keeper.post("/api/apps/import/preview", content=b"PK").status_code == 403
    made = keeper.post("/api/apps/from-template", json={"name": "copy", "label": {"en": "C"}})
    assert made.status_code == 403
    new_app = {"kind": "app", "name": "other", "label": {"en": "Other"}}
    assert keeper.put("/api/apps/other/documents/app/other", json=new_app).status_code == 403


def test_another_design_right_does_not_open_the_app_designer(former: TestClient) -> None:
    assert former.get("/design/apps/marketing", headers=HTML).status_code == 403
    assert former.get("/design/apps", headers=HTML).status_code == 403
    body = {**app_body(former), "color": "#336699"}
    assert former.put(APP_DOC, json=body).status_code == 403
