"""Every editor kind of the action-editor convention, in Chromium: an action type registered
for the test (as another module or a plugin would) declares one property of each kind; the
designer renders its form from the vocabulary with no code of its own, each editor writes its
value into the rule, a template is previewed on a record by the server, and a saved draft is
read back into the same editors."""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from typing import Any, ClassVar

import pytest
from designer_harness import open_browser, open_options
from platform_testing import ADMIN_PASSWORD
from playwright.sync_api import Locator, Page, expect

from jimu.engines.rule import ACTIONS, ActionType, register_action
from jimu.metadata.validate import _validator
from jimu.platform import metadata_store as store
from jimu.platform.db import begin_write
from jimu.platform.records import WriteContext
from jimu.platform.state import Platform

pytestmark = pytest.mark.browser


class Probe(ActionType):
    """One property per editor kind (it plans nothing: only its form matters here)."""

    name: ClassVar[str] = "probe"
    label: ClassVar[dict[str, str]] = {"en": "Probe", "zh": "探针"}
    properties: ClassVar[dict[str, Any]] = {
        "to": {"type": "array"},
        "title": {"type": "string"},
        "after": {"type": "object"},
        "table": {"type": "object"},
        "when": {"type": "object"},
        "who": {"type": "integer"},
        "mode": {"enum": ["first", "all"]},
        "times": {"type": "integer", "minimum": 1},
        "flag": {"type": "boolean"},
        "watch": {"type": "array"},
        "target": {"type": "string"},
        "extra": {"type": "object"},
    }
    editors: ClassVar[dict[str, str]] = {
        "to": "recipients",
        "title": "template",
        "after": "duration",
        "table": "decision_table",
        "when": "condition",
        "who": "user",
        "mode": "choice",
        "times": "number",
        "flag": "boolean",
        "watch": "fields",
        "target": "entity",
    }


@pytest.fixture
def probe() -> Iterator[None]:
    """``probe`` registered (the document schema's validators, cached per kind, forget the
    list of action types before and after: a plugin registers before any validation)."""
    register_action(Probe())
    _validator.cache_clear()
    yield
    ACTIONS.pop("probe")
    _validator.cache_clear()


def pick(page: Page, select: Locator, option: str) -> None:
    exact = re.compile(rf"^\s*{re.escape(option)}\s*$")
    open_options(page, select).filter(has_text=exact).first.click()


def pick_item(page: Page, select: Locator, attribute: str) -> None:
    open_options(page, select).and_(page.locator(f"[{attribute}]")).first.click()


def setting(card: Locator, key: str) -> Locator:
    return card.locator(f"[data-setting={key}]")


def test_every_editor_kind_edits_its_setting(live: str, platform: Platform, probe: None) -> None:
    with begin_write(platform.engine) as conn:
        records = platform.apps.records(conn, "marketing")
        lead = records.create(
            conn, "lead", {"name": "Li", "score": 3, "source": "wechat"}, WriteContext(None)
        )["id"]
    with open_browser(live, "admin", ADMIN_PASSWORD) as designer:
        page = designer.open("/design/apps/marketing/rules/probing?entity=lead", "en")
        page.locator(".palette-action[data-type=probe]").click()
        card = page.locator(".rule-actions > .rule-action").first
        expect(card.locator(".action-title")).to_have_text("1. Probe")
        # recipients: the record's owner, then a user
        to = setting(card, "to")
        to.locator(".add-recipient").click()
        to.locator(".add-recipient").click()
        pick(page, to.locator(".recipient-row").nth(1).locator(".recipient-kind"), "User")
        pick(page, to.locator(".recipient-user"), "admin")
        # template: text, a field inserted at the end, the server's preview on Li
        title = setting(card, "title")
        title.locator("textarea").fill("Call ")
        pick_item(page, title.locator(".template-variable"), "data-field=name")
        expect(title.locator("textarea")).to_have_value("Call {{ name }}")
        title.locator(".template-record input").fill(str(lead))
        title.locator(".template-preview-button").click()
        expect(title.locator(".template-preview")).to_have_text("Call Li")
        # duration
        after = setting(card, "after")
        after.locator(".el-input-number input").fill("2")
        after.locator(".el-input-number input").blur()
        pick(page, after.locator(".duration-unit"), "hours")
        # decision table: score in, status out, one row
        table = setting(card, "table")
        pick_item(page, table.locator(".dt-inputs"), "data-field=score")
        page.keyboard.press("Escape")
        expect(page.locator(".el-select-dropdown__item[data-field=score]:visible")).to_have_count(0)
        pick_item(page, table.locator(".dt-outputs"), "data-field=status")
        page.keyboard.press("Escape")
        table.locator(".dt-add-row").click()
        cells = table.locator(".dt-row").first.locator("input")
        cells.nth(0).fill(">= 80")
        cells.nth(1).fill("qualified")
        # condition: the shared builder, Name is not empty
        when = setting(card, "when")
        root = when.locator(".condition-group.is-root")
        root.locator(":scope > .group-head .add-rule").click()
        row = root.locator(":scope > .group-children > li.condition-node").first
        pick_item(page, row.locator(".field-picker"), "data-field=name")
        pick_item(page, row.locator(".operator-picker"), 'data-operator="is_not_empty"')
        # user, choice, number, boolean, fields, entity, json
        pick(page, setting(card, "who").locator(".setting-user"), "admin")
        pick(page, setting(card, "mode").locator(".setting-choice"), "all")
        setting(card, "times").locator("input").fill("3")
        setting(card, "times").locator("input").blur()
        setting(card, "flag").locator(".el-checkbox").click()
        pick_item(page, setting(card, "watch").locator(".setting-fields"), "data-field=score")
        page.keyboard.press("Escape")
        pick_item(page, setting(card, "target").locator(".setting-entity"), "data-entity=follow_up")
        extra = setting(card, "extra").locator("textarea")
        extra.fill('{"a": ')
        expect(setting(card, "extra").locator(".pinned-error")).to_have_count(1)
        extra.fill('{"a": 1}')

        expected = {
            "type": "probe",
            "to": [{"kind": "owner"}, {"kind": "user", "id": 1}],
            "title": "Call {{ name }}",
            "after": {"amount": 2, "unit": "hour"},
            "table": {
                "inputs": ["score"],
                "outputs": ["status"],
                "rows": [{"when": [">= 80"], "then": ["qualified"]}],
            },
            "when": {"is_not_blank": [{"var": "name"}]},
            "who": 1,
            "mode": "all",
            "times": 3,
            "flag": True,
            "watch": ["score"],
            "target": "follow_up",
            "extra": {"a": 1},
        }

        def action() -> dict[str, Any]:
            doc = json.loads(page.locator(".rule-designer").get_attribute("data-json") or "{}")
            found: dict[str, Any] = doc["actions"][0]
            return found

        expect(page.locator(".rule-designer")).to_have_attribute("data-json", re.compile('"extra"'))
        assert action() == expected
        page.click("#save-draft")
        expect(page.get_by_test_id("bar-message")).to_contain_text("Draft saved")
        with platform.engine.connect() as conn:
            saved = store.get(conn, "marketing", "rule", "probing").body
        assert saved["actions"] == [expected]

        # Reopened, every editor reads its value back.
        page = designer.open("/design/apps/marketing/rules/probing", "en")
        card = page.locator(".rule-actions > .rule-action").first
        expect(setting(card, "to").locator(".recipient-row")).to_have_count(2)
        expect(setting(card, "title").locator("textarea")).to_have_value("Call {{ name }}")
        expect(setting(card, "table").locator(".dt-row input").nth(0)).to_have_value(">= 80")
        expect(setting(card, "when").locator(".words-text")).to_contain_text("Name")
        assert action() == expected
