"""Access on the pages: the roles admin page, what a rep's list and record pages show, and
the record page's Sharing panel (on SQLite and PostgreSQL, through the real app)."""

from __future__ import annotations

import html
import re

import httpx
import pytest
from access_testing import Secured
from fastapi import FastAPI
from fastapi.testclient import TestClient

HTML = {"Accept": "text/html"}
ROLES = "/admin/apps/crm/roles"
_CSRF = re.compile(r'name="csrf_token" value="([^"]+)"')


def text_of(page: str) -> str:
    """What a user reads on the page: no tags, whitespace collapsed."""
    without_code = re.sub(r"<(script|style)[^>]*>.*?</\1>", " ", page, flags=re.S)
    return re.sub(r"\s+", " ", html.unescape(re.sub(r"<[^>]+>", " ", without_code))).strip()


def get_page(client: TestClient, url: str, status: int = 200) -> str:
    response = client.get(url, headers=HTML)
    assert response.status_code == status, response.text
    return response.text


def post_form(
    client: TestClient, page_url: str, action: str, data: dict[str, object]
) -> httpx.Response:
    """Open ``page_url`` for its CSRF token, then post ``data`` to ``action`` like a browser."""
    token = _CSRF.search(get_page(client, page_url))
    assert token, "the page has no csrf_token field"
    body = {"csrf_token": token.group(1), **data}
    return client.post(action, data=body, headers=HTML, follow_redirects=False)


def section(page: str, element_id: str) -> str:
    """The HTML of the ``<section id=...>`` on the page."""
    found = re.search(rf'<section[^>]*id="{element_id}"[^>]*>(.*?)</section>', page, re.S)
    assert found, f"no section {element_id}"
    return found.group(1)


def holder_ids(page: str, role: str) -> dict[str, int]:
    """Holder name → assignment id in the role's section."""
    found = re.findall(
        r'data-holder="(\d+)"[^>]*>\s*<span class="tag">[^<]*</span>\s*([^<]+?)\s*<form',
        section(page, f"role-{role}"),
    )
    return {html.unescape(name): int(i) for i, name in found}


def row_ids(page: str) -> set[int]:
    return {int(i) for i in re.findall(r'<tr data-id="(\d+)"', page)}


def held_roles(client: TestClient) -> list[str]:
    response = client.get("/api/apps/crm/access")
    assert response.status_code == 200, response.text
    return list(response.json()["roles"])


# -- the roles page ----------------------------------------------------------------------------


def test_the_roles_page_says_each_role_in_words_with_its_holders(
    admin_client: TestClient, secured: Secured
) -> None:
    page = get_page(admin_client, ROLES)
    rep = text_of(section(page, "role-rep"))
    assert "Sales rep" in rep
    assert "create, view, edit" in rep
    assert "Their own records; or Records where Owner is empty" in rep
    assert "Changes only: Their own records" in rep
    assert "Hidden: Amount" in rep
    assert "Assigns records to: themselves only" in rep
    assert "Department Sales / Field" in rep
    manager = text_of(section(page, "role-manager"))
    assert "Records of their department and its sub-departments" in manager
    assert "Read-only: Email" in manager
    assert "Assigns records to: people of their department and its sub-departments" in manager
    assert "Changes only" not in manager  # the write scope is the read scope
    assert "User mia" in manager
    winner = text_of(section(page, "role-winner"))
    assert "Records where Status is Won" in winner  # the option label, not its value
    assert "Assigns records to" not in winner  # it only reads
    assert "Hidden: Email" in winner and "Read-only: Amount" in winner
    designer = text_of(section(page, "role-designer"))
    assert "May design and publish: tables and forms" in designer
    assert "User dee" in designer
    # The pickers list users by name and departments by path.
    assert (
        '<option value="{}">Sales / Field / West</option>'.format(secured.departments["West"])
        in page
    )
    assert '<option value="{}">rex</option>'.format(secured.users["rex"]) in page

    zh = text_of(get_page(admin_client, ROLES + "?lang=zh"))
    for words in (
        "销售代表",
        "本人的记录",
        "仅修改：本人的记录",
        "隐藏：金额",
        "只读：邮箱",
        "可将记录分配给：仅本人",
    ):
        assert words in zh, words
    assert "本部门及下级部门的记录" in zh


def test_the_app_home_links_to_the_roles_page_for_admins_only(
    app: FastAPI, admin_client: TestClient, secured: Secured
) -> None:
    assert 'href="/admin/apps/crm/roles"' in get_page(admin_client, "/apps/crm")
    with secured.client(app, "mia") as mia:
        assert "/admin/apps/crm/roles" not in get_page(mia, "/apps/crm")


def test_an_admin_gives_a_role_and_takes_it_away(
    app: FastAPI, admin_client: TestClient, secured: Secured
) -> None:
    with secured.client(app, "rex") as rex:
        assert held_roles(rex) == ["rep"]
        given = post_form(
            admin_client,
            ROLES,
            ROLES + "/finance/members",
            {"user_id": secured.users["rex"], "department_id": ""},
        )
        assert given.status_code == 303, given.text
        assert given.headers["location"] == ROLES + "?done=added"
        page = get_page(admin_client, given.headers["location"])
        assert "The role was given." in text_of(page)
        assert sorted(held_roles(rex)) == ["finance", "rep"]
        # A department: its members and those below it hold the role.
        given = post_form(
            admin_client,
            ROLES,
            ROLES + "/winner/members",
            {"user_id": "", "department_id": secured.departments["Field"]},
        )
        assert given.status_code == 303, given.text
        assert sorted(held_roles(rex)) == ["finance", "rep", "winner"]

        page = get_page(admin_client, ROLES)
        finance = holder_ids(page, "finance")
        assert set(finance) == {"Finance", "rex"}
        assert "Sales / Field" in holder_ids(page, "winner")
        removed = post_form(admin_client, ROLES, f"{ROLES}/members/{finance['rex']}/delete", {})
        assert removed.status_code == 303, removed.text
        assert "The role was taken away." in text_of(
            get_page(admin_client, ROLES + "?done=removed")
        )
        assert sorted(held_roles(rex)) == ["rep", "winner"]
        assert set(holder_ids(get_page(admin_client, ROLES), "finance")) == {"Finance"}
        # An assignment that is no more is not found.
        again = post_form(admin_client, ROLES, f"{ROLES}/members/{finance['rex']}/delete", {})
        assert again.status_code == 404
    # Both changes are in the audit log, by the admin who made them.
    events = admin_client.get(
        "/api/admin/audit-events",
        params={"kind": ["role_assigned", "role_unassigned"], "actor": "admin"},
    )
    assert events.status_code == 200, events.text
    seen = [
        (e["kind"], e["detail"]["role"], e["detail"]["user_id"]) for e in events.json()["events"]
    ]
    assert ("role_assigned", "finance", secured.users["rex"]) in seen
    assert ("role_unassigned", "finance", secured.users["rex"]) in seen


@pytest.mark.parametrize(
    ("role", "data", "message"),
    [
        ("finance", {"user_id": "", "department_id": ""}, "Choose a user or a department"),
        ("finance", {"user_id": "USER", "department_id": "WEST"}, "Choose a user or a department"),
        ("finance", {"user_id": "abc", "department_id": ""}, "“abc” is not an id."),
        ("finance", {"user_id": "987654", "department_id": ""}, "there is no user 987654"),
        ("nope", {"user_id": "USER", "department_id": ""}, "crm has no published role 'nope'"),
    ],
)
def test_a_bad_holder_is_refused_inline(
    admin_client: TestClient,
    secured: Secured,
    role: str,
    data: dict[str, str],
    message: str,
) -> None:
    values = {
        k: {"USER": str(secured.users["wes"]), "WEST": str(secured.departments["West"])}.get(v, v)
        for k, v in data.items()
    }
    refused = post_form(admin_client, ROLES, f"{ROLES}/{role}/members", values)
    assert refused.status_code == 422, refused.text
    assert "The role was not given" in text_of(refused.text)
    where = section(refused.text, f"role-{role}") if role != "nope" else refused.text
    assert message in html.unescape(where)
    if role == "finance" and values["user_id"].isdigit():
        # The choice is kept in the form that failed.
        assert f'<option value="{values["user_id"]}" selected>' in where or "987654" in message
    assert set(holder_ids(get_page(admin_client, ROLES), "finance")) == {"Finance"}


def test_non_admins_are_refused_the_roles_page(
    app: FastAPI, admin_client: TestClient, secured: Secured
) -> None:
    page = get_page(admin_client, ROLES)
    rep_holder = holder_ids(page, "rep")["Sales / Field"]
    with secured.client(app, "mia") as mia:
        refused = mia.get(ROLES, headers=HTML)
        assert refused.status_code == 403
        assert refused.headers["content-type"].startswith("text/html")
        add = mia.post(
            ROLES + "/manager/members",
            data={"user_id": str(secured.users["mia"]), "csrf_token": mia.headers["X-CSRF-Token"]},
            headers=HTML,
            follow_redirects=False,
        )
        assert add.status_code == 403
        remove = mia.post(
            f"{ROLES}/members/{rep_holder}/delete",
            data={"csrf_token": mia.headers["X-CSRF-Token"]},
            headers=HTML,
            follow_redirects=False,
        )
        assert remove.status_code == 403
    assert holder_ids(get_page(admin_client, ROLES), "rep") == {"Sales / Field": rep_holder}


def test_a_roles_page_post_without_the_csrf_token_is_refused(
    admin_client: TestClient, secured: Secured
) -> None:
    admin_client.headers.pop("X-CSRF-Token", None)
    refused = admin_client.post(
        ROLES + "/finance/members",
        data={"user_id": str(secured.users["rex"])},
        headers=HTML,
        follow_redirects=False,
    )
    assert refused.status_code == 403
    assert set(holder_ids(get_page(admin_client, ROLES), "finance")) == {"Finance"}


# -- what a rep sees -----------------------------------------------------------------------------


def test_a_reps_list_shows_only_their_leads_and_never_the_hidden_column(
    app: FastAPI, secured: Secured
) -> None:
    leads = secured.leads
    with secured.client(app, "rex") as rex:
        page = get_page(rex, "/apps/crm/lead")
        assert row_ids(page) == {leads["rex1"], leads["rex2"], leads["pool"]}
        assert "amount" not in page.lower() and "金额" not in page
        assert "1,000" not in page and "1000" not in page
        # Not even when asked for by the URL: a column is left out, and sorting by it is
        # refused as for a field that does not exist.
        asked = get_page(rex, "/apps/crm/lead?columns=name,amount")
        # (The language switch links repeat the URL as it was asked for.)
        without_links = re.sub(r'href="[^"]*"', "", asked)
        assert "amount" not in without_links.lower() and "1000" not in asked
        assert row_ids(asked) == row_ids(page)
        hidden = rex.get("/apps/crm/lead?sort=amount", headers=HTML)
        unknown = rex.get("/apps/crm/lead?sort=nothing", headers=HTML)
        assert hidden.status_code == unknown.status_code == 400
        assert text_of(hidden.text).replace("amount", "nothing") == text_of(unknown.text)
    with secured.client(app, "mia") as mia:
        page = get_page(mia, "/apps/crm/lead")
        assert row_ids(page) == {leads["rex1"], leads["rex2"], leads["wes1"]}
        assert "Amount" in page


def test_a_rep_opening_another_reps_lead_gets_not_found(app: FastAPI, secured: Secured) -> None:
    other = secured.leads["wes1"]
    with secured.client(app, "rex") as rex:
        for url in (f"/apps/crm/lead/{other}", f"/apps/crm/lead/{other}/edit"):
            response = rex.get(url, headers=HTML)
            assert response.status_code == 404, url
            assert "wes1" not in response.text


def test_the_record_page_shows_only_the_buttons_the_user_may_use(
    app: FastAPI, secured: Secured
) -> None:
    leads = secured.leads

    def buttons(client: TestClient, key: str) -> tuple[bool, bool, bool]:
        page = get_page(client, f"/apps/crm/lead/{leads[key]}")
        edit = f'href="/apps/crm/lead/{leads[key]}/edit"' in page
        delete = f'action="/apps/crm/lead/{leads[key]}/delete"' in page
        return edit, delete, 'id="sharing"' in page

    with secured.client(app, "rex") as rex:
        assert buttons(rex, "rex1") == (True, False, True)  # no delete action
        assert buttons(rex, "pool") == (False, False, False)  # readable, not writable
        own = get_page(rex, f"/apps/crm/lead/{leads['rex1']}")
        assert "amount" not in own.lower() and "1,000" not in own
        zh = text_of(section(get_page(rex, f"/apps/crm/lead/{leads['rex1']}?lang=zh"), "sharing"))
        for words in ("共享", "此记录尚未共享给任何人。", "可查看", "可查看和编辑", "用户", "部门"):
            assert words in zh, words
    with secured.client(app, "mia") as mia:
        assert buttons(mia, "wes1") == (True, True, True)
    with secured.client(app, "fin") as fin:
        assert buttons(fin, "rex1") == (False, False, False)  # read and export only


# -- sharing -------------------------------------------------------------------------------------


def shares_of(page: str) -> dict[str, tuple[int, str]]:
    """Holder name → (share id, access) in the Sharing panel."""
    found = re.findall(
        r'<tr data-share="(\d+)" data-kind="\w+" data-access="(\w+)">\s*<td><span class="tag">'
        r"[^<]*</span>\s*([^<]+?)</td>",
        section(page, "sharing"),
    )
    return {html.unescape(name): (int(i), access) for i, access, name in found}


def test_sharing_a_lead_lets_the_other_rep_open_it(app: FastAPI, secured: Secured) -> None:
    lead = secured.leads["rex1"]
    page_url = f"/apps/crm/lead/{lead}"
    with secured.client(app, "rex") as rex, secured.client(app, "wes") as wes:
        assert wes.get(page_url, headers=HTML).status_code == 404
        assert "This record is not shared with anyone." in text_of(get_page(rex, page_url))

        shared = post_form(
            rex, page_url, page_url + "/shares", {"user_id": secured.users["wes"], "access": "read"}
        )
        assert shared.status_code == 303, shared.text
        assert shared.headers["location"] == page_url + "?shared=added"
        page = get_page(rex, shared.headers["location"])
        assert "The record was shared." in text_of(page)
        assert shares_of(page) == {"wes": (shares_of(page)["wes"][0], "read")}
        assert "Can view" in text_of(section(page, "sharing"))

        seen = get_page(wes, page_url)
        assert "rex1" in seen and f'href="{page_url}/edit"' not in seen
        assert "amount" not in seen.lower()
        assert lead in row_ids(get_page(wes, "/apps/crm/lead"))

        # Sharing again with the same holder replaces the share: now for writing too.
        again = post_form(
            rex,
            page_url,
            page_url + "/shares",
            {"user_id": secured.users["wes"], "access": "write"},
        )
        assert again.status_code == 303, again.text
        share_id, access = shares_of(get_page(rex, page_url))["wes"]
        assert access == "write"
        assert f'href="{page_url}/edit"' in get_page(wes, page_url)

        removed = post_form(rex, page_url, f"{page_url}/shares/{share_id}/delete", {})
        assert removed.status_code == 303, removed.text
        assert "no longer shared" in text_of(get_page(rex, removed.headers["location"]))
        assert wes.get(page_url, headers=HTML).status_code == 404
        assert lead not in row_ids(get_page(wes, "/apps/crm/lead"))


def test_sharing_with_a_department_reaches_its_members(app: FastAPI, secured: Secured) -> None:
    lead = secured.leads["rex2"]
    page_url = f"/apps/crm/lead/{lead}"
    with secured.client(app, "rex") as rex, secured.client(app, "wes") as wes:
        shared = post_form(
            rex,
            page_url,
            page_url + "/shares",
            {"department_id": secured.departments["West"], "access": "read"},
        )
        assert shared.status_code == 303, shared.text
        assert shares_of(get_page(rex, page_url))["Sales / Field / West"][1] == "read"
        assert "rex2" in get_page(wes, page_url)


def test_sharing_is_refused_to_those_who_may_not_change_the_record(
    app: FastAPI, secured: Secured
) -> None:
    leads = secured.leads
    with secured.client(app, "wes") as wes:
        # Out of wes's read scope: not found, and nothing about the record is told.
        refused = post_form(
            wes,
            "/apps/crm/lead",
            f"/apps/crm/lead/{leads['rex1']}/shares",
            {"user_id": secured.users["wes"], "access": "write"},
        )
        assert refused.status_code == 404
        # The pool is readable but not writable for a rep: forbidden, and no panel to use.
        pool_url = f"/apps/crm/lead/{leads['pool']}"
        refused = post_form(
            wes, pool_url, pool_url + "/shares", {"user_id": secured.users["wes"], "access": "read"}
        )
        assert refused.status_code == 403
    with secured.client(app, "rex") as rex:
        # Nothing was shared: rex's page says so.
        page_url = f"/apps/crm/lead/{leads['rex1']}"
        assert shares_of(get_page(rex, page_url)) == {}


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"user_id": "", "department_id": "", "access": "read"}, "Choose a user or a department"),
        ({"user_id": "WES", "access": "admin"}, "Choose whether they may view, or view and edit."),
        ({"user_id": "987654", "access": "read"}, "there is no user 987654"),
        # past the largest 64-bit id, or digits int() would not take: refused, never a 500
        ({"user_id": str(2**63), "access": "read"}, f"“{2**63}” is not an id."),
        ({"department_id": "²", "access": "read"}, "“²” is not an id."),
        ({"user_id": "9" * 5000, "access": "read"}, "is not an id."),
    ],
)
def test_a_bad_share_is_refused_inline(
    app: FastAPI, secured: Secured, data: dict[str, str], message: str
) -> None:
    page_url = f"/apps/crm/lead/{secured.leads['rex1']}"
    values = {k: str(secured.users["wes"]) if v == "WES" else v for k, v in data.items()}
    with secured.client(app, "rex") as rex:
        refused = post_form(rex, page_url, page_url + "/shares", values)
        assert refused.status_code == 422, refused.text
        assert "The record was not shared" in text_of(refused.text)
        assert message in html.unescape(section(refused.text, "sharing"))
        if data.get("user_id") == "WES":
            assert f'<option value="{values["user_id"]}" selected>' in refused.text
        assert shares_of(get_page(rex, page_url)) == {}


def test_removing_a_share_of_another_record_is_not_found(app: FastAPI, secured: Secured) -> None:
    leads = secured.leads
    first = f"/apps/crm/lead/{leads['rex1']}"
    second = f"/apps/crm/lead/{leads['rex2']}"
    with secured.client(app, "rex") as rex:
        shared = post_form(rex, first, first + "/shares", {"user_id": secured.users["wes"]})
        assert shared.status_code == 422  # no access chosen
        shared = post_form(
            rex, first, first + "/shares", {"user_id": secured.users["wes"], "access": "read"}
        )
        assert shared.status_code == 303
        share_id = shares_of(get_page(rex, first))["wes"][0]
        wrong = post_form(rex, second, f"{second}/shares/{share_id}/delete", {})
        assert wrong.status_code == 404
        assert "wes" in shares_of(get_page(rex, first))


def test_every_action_scope_and_design_right_has_words_in_both_languages() -> None:
    from jimu.builder_ui.i18n import catalogue
    from jimu.metadata.roles import ACTIONS, ASSIGN_KINDS, DESIGN_RIGHTS, SCOPE_KINDS

    keys = [
        *(f"access.action.{a}" for a in ACTIONS),
        *(f"access.assign.{a}" for a in ASSIGN_KINDS),
        *(f"access.scope.{s}" for s in (*SCOPE_KINDS, "condition")),
        *(f"access.design.{r}" for r in DESIGN_RIGHTS),
    ]
    for language in ("en", "zh"):
        missing = [key for key in keys if key not in catalogue(language)]
        assert missing == [], language
