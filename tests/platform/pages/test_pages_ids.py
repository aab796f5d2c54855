"""Ids in page paths are bounded like the API's: one past 2^63 - 1 or 0 is a 404 page (no record
or row can have it), never a 500 from the database driver; a negative one matches no route."""

from __future__ import annotations

from fastapi.testclient import TestClient
from pages_testing import HTML, csrf_of

from jimu.engines.form.sqltypes import MAX_ID

LEADS = "/apps/marketing/lead"
#: Each page route taking an id, with ``{id}`` where the id goes (both ids of a share's delete).
GET_ROUTES = (
    LEADS + "/{id}",
    LEADS + "/{id}/edit",
    LEADS + "/{id}/files/attachments/some-key",
)
POST_ROUTES = (
    LEADS + "/{id}/edit",
    LEADS + "/{id}/delete",
    LEADS + "/{id}/restore",
    LEADS + "/{id}/purge",
    LEADS + "/{id}/shares",
    LEADS + "/{id}/shares/{id}/delete",
    LEADS + "/1/shares/{id}/delete",
    "/account/tokens/{id}/revoke",
    "/admin/apps/marketing/roles/members/{id}/delete",
)
OUT_OF_RANGE = (MAX_ID + 1, 10**30, 0)


def assert_page(status: int, content_type: str, expected: int, url: str) -> None:
    assert status == expected, url
    assert content_type.startswith("text/html"), url


def test_out_of_range_ids_in_page_paths_are_404_pages(pages: TestClient) -> None:
    csrf = csrf_of(pages.get(f"{LEADS}/new", headers=HTML).text)
    for bad in OUT_OF_RANGE:
        for route in GET_ROUTES:
            url = route.replace("{id}", str(bad))
            page = pages.get(url, headers=HTML)
            assert_page(page.status_code, page.headers["content-type"], 404, url)
            assert "This page does not exist." in page.text
        for route in POST_ROUTES:
            url = route.replace("{id}", str(bad))
            page = pages.post(url, data={"csrf_token": csrf}, headers=HTML, follow_redirects=False)
            assert_page(page.status_code, page.headers["content-type"], 404, url)


def test_the_largest_id_is_looked_up_and_not_found(pages: TestClient) -> None:
    for route in GET_ROUTES:
        url = route.replace("{id}", str(MAX_ID))
        page = pages.get(url, headers=HTML)
        assert_page(page.status_code, page.headers["content-type"], 404, url)


def test_negative_ids_match_no_page(pages: TestClient) -> None:
    for route in GET_ROUTES + POST_ROUTES:
        url = route.replace("{id}", "-1")
        page = pages.request("POST" if route in POST_ROUTES else "GET", url, headers=HTML)
        assert page.status_code in (404, 405), url
        assert page.headers["content-type"].startswith("text/html"), url
