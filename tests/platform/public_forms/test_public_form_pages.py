"""``/f/{app}/{slug}``: the marketing "Contact us" form through HTTP, as an anonymous visitor."""

from __future__ import annotations

from typing import Any

from fastapi.testclient import TestClient
from public_forms_testing import (
    CONTACT,
    HTML,
    hidden_inputs,
    history_sources,
    lead_count,
    leads,
    outbox_rows,
    text_of,
)

from jimu.platform import metadata_store as store
from jimu.platform.db import begin_write
from jimu.platform.models import User
from jimu.platform.records import WriteContext
from jimu.platform.state import Platform

UTM = "utm_source=baidu&utm_medium=cpc&utm_campaign=q4-sem&utm_term=%E8%90%A5%E9%94%80%E4%BA%91"


def contact(**extra: Any) -> dict[str, Any]:
    return {
        "name": "王小明",
        "company": "上海华拓新材料有限公司",
        "phone": "13812345678",
        "email": "wang@huatuo.example",
        "description": "We want a demo of the CDP.",
        **extra,
    }


def test_the_page_shows_the_chosen_fields_and_carries_the_utm_values(
    visitor: TestClient,
) -> None:
    page = visitor.get(f"{CONTACT}?{UTM}", headers=HTML)
    assert page.status_code == 200, page.text
    text = text_of(page.text)
    assert "Contact us" in text and "Message" in text  # the form's title and its own label
    for name in ("name", "company", "phone", "email", "description"):
        assert f'name="{name}"' in page.text
    for hidden in ("status", "score", "source", "owner_id", "code", "grade"):
        assert f'name="{hidden}"' not in page.text
    assert hidden_inputs(page.text) == {
        "capture.utm_source": "baidu",
        "capture.utm_medium": "cpc",
        "capture.utm_campaign": "q4-sem",
        "capture.utm_term": "营销云",
    }
    assert 'name="your-website"' in page.text  # the honeypot
    assert "csrf_token" not in page.text


def test_the_page_speaks_chinese_by_accept_language_or_lang(visitor: TestClient) -> None:
    by_header = visitor.get(CONTACT, headers={**HTML, "Accept-Language": "zh-CN,zh;q=0.9"})
    assert "联系我们" in text_of(by_header.text) and "留言" in text_of(by_header.text)
    visitor.cookies.clear()
    by_param = visitor.get(f"{CONTACT}?lang=zh", headers=HTML)
    assert "联系我们" in text_of(by_param.text)


def test_a_submission_creates_one_lead_with_defaults_and_utm_values(
    visitor: TestClient, marketing: Platform
) -> None:
    before = lead_count(marketing)
    page = visitor.get(f"{CONTACT}?{UTM}", headers=HTML)
    data = {**hidden_inputs(page.text), **contact()}
    response = visitor.post(CONTACT, data=data, headers=HTML, follow_redirects=False)
    assert response.status_code == 303, response.text
    assert response.headers["location"] == f"{CONTACT}/thanks"
    thanks = visitor.get(response.headers["location"], headers=HTML)
    assert "We have received your message" in text_of(thanks.text)
    assert lead_count(marketing) == before + 1
    (lead,) = leads(marketing, email="wang@huatuo.example")
    assert lead["source"] == "website_form"
    assert lead["status"] == "new"
    assert lead["description"] == "We want a demo of the CDP."
    assert (lead["utm_source"], lead["utm_medium"]) == ("baidu", "cpc")
    assert (lead["utm_campaign"], lead["utm_term"]) == ("q4-sem", "营销云")
    assert lead["owner_id"] is None and lead["created_by"] is None
    assert set(history_sources(marketing, lead["id"])) == {"public"}
    (event,) = outbox_rows(marketing, lead["id"])
    assert (event["kind"], event["source"], event["actor_id"]) == ("created", "public", None)


def test_the_answer_never_shows_the_stored_record(visitor: TestClient, marketing: Platform) -> None:
    response = visitor.post(CONTACT, data=contact(), headers=HTML)  # follows to the thank-you
    assert response.status_code == 200
    (lead,) = leads(marketing, email="wang@huatuo.example")
    assert lead["code"] not in response.text  # LD-... is the record's number
    assert f"/lead/{lead['id']}" not in response.text
    assert "王小明" not in response.text


def test_utm_values_posted_without_the_page_are_captured_too(
    visitor: TestClient, marketing: Platform
) -> None:
    data = {**contact(), "capture.utm_source": "wechat", "capture.utm_content": "banner-a"}
    response = visitor.post(f"{CONTACT}?utm_medium=social", data=data, follow_redirects=False)
    assert response.status_code == 303
    (lead,) = leads(marketing, email="wang@huatuo.example")
    assert (lead["utm_source"], lead["utm_medium"], lead["utm_content"]) == (
        "wechat",
        "social",
        "banner-a",
    )


def test_a_captured_value_the_field_refuses_is_dropped_not_shown(
    visitor: TestClient, marketing: Platform
) -> None:
    long_source = "x" * 500  # utm_source holds 100 characters: cut, not refused
    data = {**contact(), "capture.utm_source": long_source, "capture.landing_page": "not a url"}
    response = visitor.post(CONTACT, data=data, follow_redirects=False)
    assert response.status_code == 303, response.text
    (lead,) = leads(marketing, email="wang@huatuo.example")
    assert lead["utm_source"] == "x" * 100
    assert lead["landing_page"] is None


def test_captured_text_without_a_max_length_is_cut_to_the_columns_255() -> None:
    from jimu.engines.form.model import AppModel
    from jimu.platform.public_forms.definition import PublicForm
    from jimu.platform.public_forms.submission import clean_captures

    fields = [{"name": "title", "type": "text"}, {"name": "ref", "type": "text"}]
    fields.append({"name": "kind", "type": "select", "options": [{"value": "a"}]})
    entity = {"kind": "entity", "name": "ticket", "label": {"en": "Ticket"}, "fields": fields}
    model = AppModel.from_documents("t", [entity])
    form = PublicForm.from_document(
        "t",
        {
            "kind": "form",
            "entity": "ticket",
            "name": "f",
            "sections": [{"fields": ["title"]}],
            "public": {"slug": "f", "title": {"en": "F"}, "capture": {"r": "ref", "k": "kind"}},
        },
    )
    found = clean_captures(form, {"r": " " + "r" * 300, "k": "b"}, model, model.entity("ticket"))
    assert found == {"ref": "r" * 255}  # cut to the column; "b" is no option: dropped


def test_validation_errors_come_back_inline_with_what_was_typed(
    visitor: TestClient, marketing: Platform
) -> None:
    before = lead_count(marketing)
    page = visitor.get(f"{CONTACT}?utm_source=baidu", headers=HTML)
    data = {**hidden_inputs(page.text), **contact(name="", email="not-an-email")}
    response = visitor.post(CONTACT, data=data, headers=HTML)
    assert response.status_code == 422
    assert 'id="f-name-error"' in response.text and 'id="f-email-error"' in response.text
    assert 'value="not-an-email"' in response.text
    assert hidden_inputs(response.text)["capture.utm_source"] == "baidu"  # kept for the retry
    assert "Please check the fields marked below." in text_of(response.text)
    assert lead_count(marketing) == before


def test_validation_errors_in_chinese(visitor: TestClient) -> None:
    data = contact(name="", email="not-an-email", phone="12")
    response = visitor.post(f"{CONTACT}?lang=zh", data=data, headers=HTML)
    assert response.status_code == 422
    text = text_of(response.text)
    assert "请检查下面标出的字段" in text
    assert "姓名 * 必填" in text  # the name's label, then its message in Chinese
    assert "请填写有效的邮箱地址,例如 name@example.com" in text
    assert "请填写有效的电话号码" in text
    assert "must be" not in text and "is not" not in text


def test_ids_versions_owners_and_other_fields_are_ignored(
    visitor: TestClient, marketing: Platform, admin: User
) -> None:
    with begin_write(marketing.engine) as conn:
        records = marketing.apps.records(conn, "marketing")
        ctx = WriteContext(actor_id=admin.id, source="ui")
        existing = records.create(conn, "lead", {"name": "Existing", "source": "referral"}, ctx)
    data = contact(
        id=str(existing["id"]),
        version=str(existing["version"]),
        owner_id=str(admin.id),
        created_by=str(admin.id),
        status="converted",
        score="100",
        source="referral",
        code="LD-HACKED",
        deleted_at="2026-01-01T00:00:00Z",
    )
    response = visitor.post(CONTACT, data=data, follow_redirects=False)
    assert response.status_code == 303, response.text
    with marketing.engine.connect() as conn:
        records = marketing.apps.records(conn, "marketing")
        assert records.get(conn, "lead", existing["id"]) == existing
    (lead,) = leads(marketing, email="wang@huatuo.example")
    assert lead["id"] != existing["id"] and lead["version"] == 1
    assert lead["owner_id"] is None and lead["created_by"] is None
    assert (lead["status"], lead["score"], lead["source"]) == ("new", 0, "website_form")
    assert lead["code"].startswith("LD-") and lead["code"] != "LD-HACKED"
    assert lead["deleted_at"] is None


def test_a_signed_in_visitor_submits_anonymously_without_a_csrf_token(
    admin_client: TestClient, marketing: Platform
) -> None:
    response = admin_client.post(CONTACT, data=contact(), follow_redirects=False)
    assert response.status_code == 303, response.text
    (lead,) = leads(marketing, email="wang@huatuo.example")
    assert lead["created_by"] is None and lead["owner_id"] is None
    assert set(history_sources(marketing, lead["id"])) == {"public"}


def test_the_honeypot_answers_like_a_success_and_stores_nothing(
    visitor: TestClient, marketing: Platform, caplog: Any
) -> None:
    before = lead_count(marketing)
    data = {**contact(), "your-website": "http://spam.example"}
    response = visitor.post(CONTACT, data=data, follow_redirects=False)
    assert response.status_code == 303
    assert response.headers["location"] == f"{CONTACT}/thanks"
    assert lead_count(marketing) == before
    assert "honeypot" in caplog.text


def test_unknown_and_disabled_forms_are_not_found(visitor: TestClient, marketing: Platform) -> None:
    assert visitor.get("/f/marketing/no-such-form", headers=HTML).status_code == 404
    assert visitor.get("/f/no-such-app/contact-us", headers=HTML).status_code == 404
    with begin_write(marketing.engine) as conn:
        body = store.published(conn, "marketing", "form", "lead.contact_us")
        assert body is not None
        changed = {**body.body, "public": {**body.body["public"], "enabled": False}}
        store.save_draft(conn, "marketing", "form", "lead.contact_us", changed)
        store.publish(conn, "marketing", "form", "lead.contact_us")
    before = lead_count(marketing)
    assert visitor.get(CONTACT, headers=HTML).status_code == 404
    assert visitor.post(CONTACT, data=contact(), headers=HTML).status_code == 404
    assert visitor.get(f"{CONTACT}/thanks", headers=HTML).status_code == 404
    assert lead_count(marketing) == before


def test_a_draft_public_section_publishes_nothing(visitor: TestClient, marketing: Platform) -> None:
    with begin_write(marketing.engine) as conn:
        body = dict(store.published(conn, "marketing", "form", "lead.default").body)  # type: ignore[union-attr]
        body["public"] = {"slug": "draft-only", "title": {"en": "Draft"}}
        body["sections"] = [{"fields": ["name"]}]
        store.save_draft(conn, "marketing", "form", "lead.default", body)
    assert visitor.get("/f/marketing/draft-only", headers=HTML).status_code == 404


def test_the_anonymous_visitor_reaches_nothing_else(visitor: TestClient) -> None:
    for path in ("/apps/marketing/lead", "/apps/marketing/lead/1", "/apps/marketing/lead/new"):
        response = visitor.get(path, headers=HTML, follow_redirects=False)
        assert response.status_code == 303 and response.headers["location"].startswith("/login")
    posted = visitor.post("/apps/marketing/lead/new", data=contact(), follow_redirects=False)
    assert posted.status_code in (303, 401, 403)
    api = visitor.get("/api/apps/marketing/lead/records")
    assert api.status_code in (401, 404)
    admin_page = visitor.get(
        "/admin/apps/marketing/public-forms", headers=HTML, follow_redirects=False
    )
    assert admin_page.status_code == 303
    assert visitor.get(f"{CONTACT}/1", headers=HTML).status_code in (404, 405)
    assert visitor.put(CONTACT, data=contact()).status_code == 405
    assert visitor.delete(CONTACT).status_code == 405


def test_only_jimu_and_the_listed_origins_may_frame_the_form(
    visitor: TestClient, settings: Any
) -> None:
    page = visitor.get(CONTACT, headers=HTML)
    assert page.headers["content-security-policy"].startswith("frame-ancestors 'self'; ")
    assert "script-src 'self' 'nonce-" in page.headers["content-security-policy"]
    assert "x-frame-options" not in page.headers
    settings.public_form_origins = "https://www.example.com"
    for url in (CONTACT, f"{CONTACT}/thanks"):
        policy = visitor.get(url, headers=HTML).headers["content-security-policy"]
        assert policy.startswith("frame-ancestors 'self' https://www.example.com; ")
    settings.public_form_origins = "*"
    policy = visitor.get(CONTACT, headers=HTML).headers["content-security-policy"]
    assert policy.startswith("frame-ancestors *; ")
    other = visitor.get("/login", headers=HTML)
    assert "frame-ancestors 'none'" in other.headers["content-security-policy"]
    assert other.headers["x-frame-options"] == "DENY"
