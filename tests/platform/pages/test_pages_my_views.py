"""My views: a user saves the record list as they see it (search, conditions, sort, columns)
under a name of theirs, opens it again from the list, replaces and deletes it; nobody else sees
or deletes it; bad names and too many views are refused in the user's language."""

from __future__ import annotations

import html
import re

from fastapi.testclient import TestClient
from pages_testing import HTML, page_login, post_form, text_of
from platform_testing import USER_PASSWORD, add_user

from jimu.platform import saved_views
from jimu.platform.state import Platform

LEADS = "/apps/marketing/lead"
STATE = "f=status%3Aeq%3Anew&sort=-score&cols=name%2Cscore"


def saved_links(page: str) -> dict[str, str]:
    block = re.search(r'id="my-views".*?</details>', page, re.S)
    assert block
    found = re.findall(r'<li data-view-id="\d+"><a href="([^"]+)">([^<]+)</a>', block.group(0))
    return {name: html.unescape(url) for url, name in found}


def save(client: TestClient, name: str, params: str = STATE) -> str:
    answer = post_form(client, LEADS, f"{LEADS}/my-views", {"name": name, "params": params})
    assert answer.status_code == 303, answer.text
    return answer.headers["location"]


def test_a_user_saves_opens_replaces_and_deletes_a_view(pages: TestClient) -> None:
    # the list offers to save the state it shows
    page = pages.get(f"{LEADS}?{STATE}", headers=HTML).text
    assert f'name="params" value="{html.escape(STATE)}"' in page
    landing = save(pages, "  New leads,   best first ")
    assert landing.startswith(f"{LEADS}?f=status%3Aeq%3Anew") and "notice=view_saved" in landing
    listed = pages.get(landing, headers=HTML).text
    assert "Your view is saved." in text_of(listed)
    links = saved_links(listed)
    assert links == {"New leads, best first": f"{LEADS}?{STATE}"}
    # saving the same name again replaces it; the cursor is never kept
    save(pages, "New leads, best first", "q=wang&cursor=abc&evil=1")
    assert saved_links(pages.get(LEADS, headers=HTML).text) == {
        "New leads, best first": f"{LEADS}?q=wang"
    }
    view_id = re.search(r'data-view-id="(\d+)"', pages.get(LEADS, headers=HTML).text)
    assert view_id
    gone = post_form(pages, LEADS, f"{LEADS}/my-views/{view_id.group(1)}/delete", {})
    assert gone.status_code == 303 and gone.headers["location"].endswith("notice=view_deleted")
    assert saved_links(pages.get(LEADS, headers=HTML).text) == {}


def test_views_are_private(pages: TestClient, app: object, marketing: Platform) -> None:
    save(pages, "Mine")
    add_user(marketing, "alice", USER_PASSWORD, is_admin=True)
    with TestClient(app) as other:  # type: ignore[arg-type]
        assert page_login(other, "alice", USER_PASSWORD).status_code == 303
        assert saved_links(other.get(LEADS, headers=HTML).text) == {}
        with marketing.engine.connect() as conn:
            (mine,) = saved_views.list_saved(conn, 1, "marketing", "lead")
        refused = post_form(other, LEADS, f"{LEADS}/my-views/{mine.id}/delete", {})
        assert refused.status_code == 404
    assert "Mine" in saved_links(pages.get(LEADS, headers=HTML).text)


def test_bad_names_and_too_many_views_are_refused(pages: TestClient) -> None:
    landing = save(pages, "   ")
    assert "my_view_problem=bad_name" in landing
    assert "Give the view a name of 1–100 characters." in text_of(
        pages.get(landing, headers=HTML).text
    )
    zh = save(pages, "x" * 101)
    assert "视图名称须为" in text_of(pages.get(zh + "&lang=zh", headers=HTML).text)
    for n in range(saved_views.MAX_PER_LIST):
        save(pages, f"View {n}")
    landing = save(pages, "One too many")
    assert "my_view_problem=too_many" in landing
    assert "delete one first" in text_of(pages.get(landing + "&lang=en", headers=HTML).text)
    assert len(saved_links(pages.get(LEADS, headers=HTML).text)) == saved_views.MAX_PER_LIST
