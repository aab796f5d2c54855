"""The flow designer's field permissions grid in Chromium, in English and in Chinese: an
approver node on the contract gets "payment terms" editable, "notes" hidden and "contract name"
required (a computed field cannot be made editable); the flow moved to another form, the
publish is refused and each field the new form lacks has its error pinned on its row of the
grid; moved back, it publishes with the permissions in the node. No CSP violation, console or
HTTP error on the way."""

from __future__ import annotations

import json
import re
from typing import Any

import pytest
from designer_harness import open_browser, open_options
from platform_testing import ADMIN_PASSWORD
from playwright.sync_api import Locator, Page, expect

from jimu.platform import metadata_store as store
from jimu.platform.state import Platform

pytestmark = pytest.mark.browser
APP = "marketing"
TEXTS = {
    "en": {
        "contract": "Contract",
        "opportunity": "Opportunity",
        "initiator": "Initiator",
        "grid": "Fields of the record at this step",
        "published": "is live",
    },
    "zh": {
        "contract": "合同",
        "opportunity": "商机",
        "initiator": "发起人",
        "grid": "本步骤的字段权限",
        "published": "已上线",
    },
}


def _pick(page: Page, select: Locator, option: str) -> None:
    exact = re.compile(rf"^\s*{re.escape(option)}\s*$")
    open_options(page, select).filter(has_text=exact).first.click()


def _document(page: Page) -> dict[str, Any]:
    found: dict[str, Any] = json.loads(
        page.locator(".flow-designer").get_attribute("data-json") or "{}"
    )
    return found


def _radio(grid: Locator, field: str, permission: str) -> Locator:
    return grid.locator(f'tr[data-field="{field}"] input[data-permission="{permission}"]')


def test_field_permissions_are_set_in_the_node_panel(platform: Platform, live: str) -> None:
    for lang in ("en", "zh"):
        _set_publish_and_read(platform, live, lang)


def _set_publish_and_read(platform: Platform, live: str, lang: str) -> None:
    texts = TEXTS[lang]
    flow = f"contract_fields_{lang}"
    with open_browser(live, "admin", ADMIN_PASSWORD) as designer:
        page = designer.open(f"/design/apps/{APP}/flows", lang)
        page.locator("#new-flow-name").fill(flow)
        page.locator("#new-flow").click()
        expect(page.locator("html[data-designer-ready]")).to_have_count(1)
        page.locator("#flow-label-en").fill("Contract fields")
        _pick(page, page.locator("#flow-entity"), texts["contract"])
        main = page.locator(".flow-column > .flow-run")
        main.locator(":scope > .flow-add > .flow-add-button").nth(0).click()
        page.locator('.flow-add-menu .flow-add-kind[data-kind="approval"]').click()
        panel = page.get_by_test_id("node-panel")
        panel.locator(".add-assignee").click()
        _pick(page, panel.locator(".assignee-row").last.locator(".assignee-kind"),
              texts["initiator"])  # fmt: skip
        grid = panel.get_by_test_id("field-permissions")
        expect(grid).to_contain_text(texts["grid"])
        # Read-only is the default; a computed total cannot be editable or required.
        expect(_radio(grid, "payment_terms", "read_only")).to_be_checked()
        expect(_radio(grid, "total_amount", "editable")).to_be_disabled()
        expect(_radio(grid, "total_amount", "required")).to_be_disabled()
        expect(_radio(grid, "total_amount", "hidden")).to_be_enabled()
        _radio(grid, "payment_terms", "editable").check()
        _radio(grid, "notes", "hidden").check()
        _radio(grid, "name", "required").check()
        _radio(grid, "name", "read_only").check()  # back to the default: not written
        _radio(grid, "name", "required").check()
        node = next(n for n in _document(page)["nodes"] if n["type"] == "approval")
        assert node["field_permissions"] == {
            "payment_terms": "editable",
            "notes": "hidden",
            "name": "required",
        }
        # On the opportunity form two of those fields do not exist: the publish is refused
        # and each error is pinned on its field's row.
        _pick(page, page.locator("#flow-entity"), texts["opportunity"])
        expect(grid.locator("tr.perm-unknown")).to_have_count(2)
        designer.expect_failure(422, f"/api/apps/{APP}/publish")
        page.locator("#publish").click()
        for field in ("payment_terms", "notes"):
            expect(grid.locator(f'tr[data-field="{field}"] .pinned-error')).to_contain_text(field)
        expect(grid.locator('tr[data-field="name"] .pinned-error')).to_have_count(0)
        # The × removes a name the form lacks; back on the contract, "notes" is a field again.
        grid.locator('tr[data-field="notes"] .perm-remove').click()
        expect(grid.locator("tr.perm-unknown")).to_have_count(1)
        _pick(page, page.locator("#flow-entity"), texts["contract"])
        expect(grid.locator("tr.perm-unknown")).to_have_count(0)
        expect(_radio(grid, "notes", "read_only")).to_be_checked()
        _radio(grid, "notes", "hidden").check()
        page.locator("#publish").click()
        expect(page.get_by_test_id("bar-message")).to_contain_text(texts["published"])

        with platform.engine.connect() as conn:
            published = store.published(conn, APP, "flow", flow)
        assert published is not None
        approval = next(n for n in published.body["nodes"] if n["type"] == "approval")
        assert approval["field_permissions"] == {
            "payment_terms": "editable",
            "notes": "hidden",
            "name": "required",
        }
        # Opened again, the grid shows what was published.
        page = designer.open(f"/design/apps/{APP}/flows/{flow}", lang)
        page.locator(".flow-card[data-type='approval'] .flow-card-open").click()
        grid = page.get_by_test_id("field-permissions")
        expect(_radio(grid, "payment_terms", "editable")).to_be_checked()
        expect(_radio(grid, "notes", "hidden")).to_be_checked()
        expect(_radio(grid, "name", "required")).to_be_checked()
        expect(_radio(grid, "signed_on", "read_only")).to_be_checked()
