"""The designers' page shell: header, mount point, boot data, built files under the CSP."""

from __future__ import annotations

import json
import re

from fastapi.testclient import TestClient
from pages_testing import HTML

from jimu.builder_ui.i18n import catalogue

BOOT = re.compile(r'<script type="application/json" id="designer-boot">(.*?)</script>', re.S)


def boot_of(page: str) -> dict[str, object]:
    found = BOOT.search(page)
    assert found, "the page has no boot data"
    data = json.loads(found.group(1))
    assert isinstance(data, dict)
    return data


def test_the_app_designer_page_loads_its_build_with_the_policys_nonce(pages: TestClient) -> None:
    response = pages.get("/design/apps", headers=HTML)
    assert response.status_code == 200, response.text
    policy = response.headers["content-security-policy"]
    assert "unsafe-eval" not in policy
    nonce = re.search(r"'nonce-([^']+)'", policy)
    assert nonce
    script = re.search(
        r'<script type="module" src="(/static/designers/app-[^"]+\.js)" nonce="([^"]+)"',
        response.text,
    )
    assert script and script.group(2) == nonce.group(1)
    assert '<div id="designer"' in response.text
    assert pages.get(script.group(1)).status_code == 200


def test_the_boot_data_has_the_language_the_csrf_token_and_the_designer_messages(
    pages: TestClient,
) -> None:
    for lang in ("en", "zh"):
        boot = boot_of(pages.get(f"/design/apps?lang={lang}", headers=HTML).text)
        assert boot["designer"] == "app"
        assert boot["lang"] == lang
        assert isinstance(boot["csrf_token"], str) and boot["csrf_token"]
        messages = boot["messages"]
        assert isinstance(messages, dict)
        expected = {k: v for k, v in catalogue(lang).items() if k.startswith("designer.")}
        assert messages == expected and messages["designer.app.title"]


def test_the_boot_data_cannot_close_its_script_element(pages: TestClient) -> None:
    page = pages.get("/design/apps", headers=HTML).text
    found = BOOT.search(page)
    assert found and "<" not in found.group(1)


def test_designer_messages_use_only_what_vue_i18n_reads_as_plain_text() -> None:
    # vue-i18n reads "|" as plural branches, "@" as a linked message and "{x}" as a placeholder;
    # the catalogue's designer messages use placeholders only.
    for lang in ("en", "zh"):
        for key, message in catalogue(lang).items():
            if key.startswith("designer."):
                assert not set(message) & {"|", "@", "$", "%"}, (lang, key, message)
