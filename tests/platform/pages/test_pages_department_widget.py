"""The department field: a picker of departments by path on forms (sub-table cells too), and
the department's path, not its id, on lists and record pages."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa
from fastapi import FastAPI
from fastapi.testclient import TestClient
from pages_testing import HTML, page_login, post_form, text_of
from platform_testing import ADMIN_PASSWORD

from jimu.builder_ui.pages.shell.departments import department_choices, department_paths
from jimu.metadata.folder import write_folder
from jimu.platform import metadata_store as store
from jimu.platform.db import begin_write
from jimu.platform.models import Department, User
from jimu.platform.state import Platform

TICKETS = "/apps/desk/ticket"
DOCUMENTS: list[dict[str, Any]] = [
    {"kind": "app", "name": "desk", "label": {"en": "Desk"}, "menu": ["ticket"]},
    {
        "kind": "entity",
        "name": "ticket",
        "label": {"en": "Ticket"},
        "title_field": "title",
        "fields": [
            {"name": "title", "type": "text", "required": True},
            {"name": "team", "type": "department", "label": {"en": "Team", "zh": "团队"}},
            {"name": "hops", "type": "subtable", "target": "hop", "link": "ticket"},
        ],
    },
    {
        "kind": "entity",
        "name": "hop",
        "label": {"en": "Hop"},
        "fields": [
            {"name": "ticket", "type": "link", "target": "ticket"},
            {"name": "via", "type": "department"},
        ],
    },
]


def add_departments(platform: Platform) -> dict[str, int]:
    """Sales (East, West) and Support (East), with sort orders that are not the id order."""
    with begin_write(platform.engine) as conn:
        table = Department.__table__

        def add(name: str, parent: int | None, order: int) -> int:
            values = {"name": name, "parent_id": parent, "sort_order": order}
            return int(conn.execute(sa.insert(table).values(**values)).inserted_primary_key[0])

        support = add("Support", None, 2)
        sales = add("Sales", None, 1)
        support_east = add("East", support, 1)
        sales_west = add("West", sales, 2)
        sales_east = add("East", sales, 1)
    return {
        "sales": sales,
        "sales_east": sales_east,
        "sales_west": sales_west,
        "support": support,
        "support_east": support_east,
    }


@pytest.fixture
def desk(
    app: FastAPI, admin: User, platform: Platform, tmp_path: Path
) -> tuple[TestClient, dict[str, int]]:
    folder = tmp_path / "desk"
    write_folder(folder, DOCUMENTS)
    with begin_write(platform.engine) as conn:
        store.import_folder(conn, folder, publish=True)
    departments = add_departments(platform)
    client = TestClient(app)
    assert page_login(client, "admin", ADMIN_PASSWORD).status_code == 303
    return client, departments


def test_paths_and_tree_order(platform: Platform) -> None:
    ids = add_departments(platform)
    with platform.engine.connect() as conn:
        choices = department_choices(conn)
        assert [c.path for c in choices] == [
            "Sales",
            "Sales / East",
            "Sales / West",
            "Support",
            "Support / East",
        ]
        assert department_paths(conn, [ids["support_east"], 999]) == {
            ids["support_east"]: "Support / East"
        }
        assert department_paths(conn, []) == {}


def test_the_form_offers_departments_by_path(desk: tuple[TestClient, dict[str, int]]) -> None:
    client, ids = desk
    page = client.get(f"{TICKETS}/new", headers=HTML).text
    select = re.search(
        r'<select id="f-team" name="team" data-department-picker.*?</select>', page, re.S
    )
    assert select is not None, "the team field is not a department picker"
    options = re.findall(r'<option value="(\d+)">([^<]+)</option>', select.group(0))
    assert options == [
        (str(ids["sales"]), "Sales"),
        (str(ids["sales_east"]), "Sales / East"),
        (str(ids["sales_west"]), "Sales / West"),
        (str(ids["support"]), "Support"),
        (str(ids["support_east"]), "Support / East"),
    ]
    assert 'type="number" id="f-team"' not in page
    # The sub-table's department column gets the same picker (in the row template too).
    assert 'name="hops.__index__.via" data-department-picker' in page


def test_a_chosen_department_is_stored_and_shown_by_path(
    desk: tuple[TestClient, dict[str, int]], platform: Platform
) -> None:
    client, ids = desk
    form = {
        "title": "Printer jam",
        "team": str(ids["support_east"]),
        "hops.present": "1",
        "hops.rows": ["0"],
        "hops.0.via": str(ids["sales_west"]),
    }
    created = post_form(client, f"{TICKETS}/new", f"{TICKETS}/new", form)
    assert created.status_code == 303, text_of(created.text)
    record_id = int(re.findall(r"/(\d+)\?", created.headers["location"])[0])
    with platform.engine.connect() as conn:
        stored = platform.apps.records(conn, "desk").get(conn, "ticket", record_id)
    assert stored["team"] == ids["support_east"]
    assert stored["hops"][0]["via"] == ids["sales_west"]

    page = text_of(client.get(f"{TICKETS}/{record_id}", headers=HTML).text)
    assert "Support / East" in page and "Sales / West" in page
    listed = client.get(TICKETS, headers=HTML).text
    row = re.search(rf'<tr[^>]*data-id="{record_id}".*?</tr>', listed, re.S)
    assert row is not None
    assert "Support / East" in text_of(row.group(0))
    assert f"#{ids['support_east']}" not in text_of(row.group(0))

    edit = client.get(f"{TICKETS}/{record_id}/edit", headers=HTML).text
    assert f'<option value="{ids["support_east"]}" selected>Support / East</option>' in edit


def test_a_department_that_no_longer_exists_shows_its_id(
    desk: tuple[TestClient, dict[str, int]],
) -> None:
    client, _ = desk
    form = {"title": "Old", "team": "424242"}
    created = post_form(client, f"{TICKETS}/new", f"{TICKETS}/new", form)
    assert created.status_code == 303, text_of(created.text)
    record_id = int(re.findall(r"/(\d+)\?", created.headers["location"])[0])
    assert "#424242" in text_of(client.get(f"{TICKETS}/{record_id}", headers=HTML).text)
    edit = client.get(f"{TICKETS}/{record_id}/edit", headers=HTML).text
    assert '<option value="424242" selected>#424242</option>' in edit
