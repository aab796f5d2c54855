"""The record page's related lists: every entity linking to the record lists its newest linked
records, with "view all" (the list filtered by the link) and "new" (the form, link prefilled),
under the reader's scope."""

from __future__ import annotations

import re

from fastapi.testclient import TestClient
from pages_testing import HTML, post_form, text_of

from jimu.platform.db import begin_write
from jimu.platform.records import WriteContext
from jimu.platform.state import Platform

ACCOUNTS = "/apps/marketing/account"


def add(platform: Platform, entity: str, **values: object) -> int:
    with begin_write(platform.engine) as conn:
        records = platform.apps.records(conn, "marketing")
        return int(records.create(conn, entity, values, WriteContext(actor_id=None))["id"])


def test_an_account_page_lists_its_contacts_and_opportunities(
    pages: TestClient, marketing: Platform
) -> None:
    acme = add(marketing, "account", name="Acme", region="east")
    other = add(marketing, "account", name="Other", region="east")
    for n in range(12):
        add(marketing, "contact", name=f"Person {n:02}", account=acme)
    add(marketing, "contact", name="Stranger", account=other)
    page = pages.get(f"{ACCOUNTS}/{acme}", headers=HTML)
    assert page.status_code == 200
    contacts = re.search(r'data-related="contact\.account".*?</section>', page.text, re.S)
    assert contacts, "no related list of contacts"
    block = contacts.group(0)
    # the newest ten, the total, "view all" filtered by the link, "new" with the link prefilled
    assert "Person 11" in block and "Person 02" in block and "Person 01" not in block
    assert "Stranger" not in block and "(12)" in text_of(block)
    assert f'href="/apps/marketing/contact?f=account%3Aeq%3A{acme}"' in block
    assert f'href="/apps/marketing/contact/new?account={acme}"' in block
    assert 'data-related="opportunity.account"' in page.text  # empty, but offered
    # "view all" lists exactly the account's contacts
    listed = text_of(pages.get(f"/apps/marketing/contact?f=account:eq:{acme}", headers=HTML).text)
    assert "Person 01" in listed and "Stranger" not in listed
    # the new form comes with the account chosen; saving links the contact
    form = pages.get(f"/apps/marketing/contact/new?account={acme}", headers=HTML)
    assert f'name="account" value="{acme}" data-value' in form.text, "account not prefilled"
    assert 'value="Acme"' in form.text  # the picker shows the account's name
    saved = post_form(
        pages,
        f"/apps/marketing/contact/new?account={acme}",
        "/apps/marketing/contact/new",
        {"name": "Newcomer", "account": str(acme)},
    )
    assert saved.status_code == 303, text_of(saved.text)
    again = pages.get(f"{ACCOUNTS}/{acme}", headers=HTML)
    assert "Newcomer" in again.text and "(13)" in text_of(again.text)


def test_the_related_list_is_in_chinese_too(pages: TestClient, marketing: Platform) -> None:
    acme = add(marketing, "account", name="Acme", region="east")
    page = pages.get(f"{ACCOUNTS}/{acme}?lang=zh", headers=HTML)
    assert "还没有关联的记录。" in page.text and "新建联系人" in page.text
