"""``POST /api/public/{app}/{slug}``: the JSON variant for sites embedding a form, and CORS."""

from __future__ import annotations

from typing import Any

from fastapi.testclient import TestClient
from platform_testing import assert_problem
from public_forms_testing import FakeClock, history_sources, lead_count, leads

from jimu.platform.settings import Settings
from jimu.platform.state import Platform

API = "/api/public/marketing/whitepaper"


def person(**extra: Any) -> dict[str, Any]:
    return {"name": "Li Lei", "email": "li.lei@example.com", "company": "Acme", **extra}


def test_a_json_submission_creates_one_lead_and_answers_201(
    visitor: TestClient, marketing: Platform
) -> None:
    body = person(capture={"utm_source": "linkedin", "asset": "2026-cdp-whitepaper"})
    response = visitor.post(f"{API}?utm_medium=social&utm_campaign=abm", json=body)
    assert response.status_code == 201, response.text
    assert response.json() == {"ok": True}
    (lead,) = leads(marketing, email="li.lei@example.com")
    assert lead["source"] == "content_download"
    assert lead["content_requested"] == "2026-cdp-whitepaper"
    assert (lead["utm_source"], lead["utm_medium"], lead["utm_campaign"]) == (
        "linkedin",
        "social",
        "abm",
    )
    assert history_sources(marketing, lead["id"]) == ["public"]


def test_json_errors_are_problems_pointing_at_fields(
    visitor: TestClient, marketing: Platform
) -> None:
    before = lead_count(marketing)
    response = visitor.post(API, json=person(name="", email="nope", industry="mining"))
    body = assert_problem(response, 422, "validation_failed")
    assert {e["pointer"] for e in body["errors"]} == {"/name", "/email", "/industry"}
    assert lead_count(marketing) == before


def test_json_values_of_a_wrong_json_type_are_422_with_the_other_errors(
    visitor: TestClient, marketing: Platform
) -> None:
    """As in the records API: 42 is no text, a list no single select; nothing is stored, and
    the other fields' errors come in the same answer."""
    before = lead_count(marketing)
    body = person(company=42, industry=["it"], email="nope", phone=13812345678)
    errors = assert_problem(visitor.post(API, json=body), 422, "validation_failed")["errors"]
    assert [(e["pointer"], e["code"]) for e in errors] == [
        ("/company", "wrong_type"),
        ("/phone", "wrong_type"),
        ("/industry", "wrong_type"),
        ("/email", "format"),
    ]
    assert errors[0]["message"] == "expected text, got a number"
    assert lead_count(marketing) == before
    wrong_only = visitor.post(API, json=person(company=42))
    body = assert_problem(wrong_only, 422, "validation_failed")
    assert [e["pointer"] for e in body["errors"]] == ["/company"]
    assert lead_count(marketing) == before
    assert visitor.post(API, json=person(company="42")).status_code == 201


def test_json_ignores_ids_owners_and_fields_not_on_the_form(
    visitor: TestClient, marketing: Platform
) -> None:
    body = person(id=1, version=7, owner_id=1, status="converted", description="x", score=99)
    assert visitor.post(API, json=body).status_code == 201
    (lead,) = leads(marketing, email="li.lei@example.com")
    assert (lead["version"], lead["owner_id"], lead["status"]) == (1, None, "new")
    assert (lead["description"], lead["score"]) == (None, 0)


def test_json_bodies_that_are_not_objects_are_refused(visitor: TestClient) -> None:
    assert_problem(visitor.post(API, content=b"[1, 2]"), 422, "validation_failed")
    refused = visitor.post(API, content=b"{nope", headers={"Content-Type": "application/json"})
    assert "not valid JSON" in assert_problem(refused, 422, "validation_failed")["detail"]


def test_json_honeypot_answers_201_and_stores_nothing(
    visitor: TestClient, marketing: Platform
) -> None:
    before = lead_count(marketing)
    response = visitor.post(API, json=person(**{"your-website": "http://spam.example"}))
    assert response.status_code == 201 and response.json() == {"ok": True}
    assert lead_count(marketing) == before


def test_json_rate_limit_429_with_retry_after(
    visitor: TestClient, marketing: Platform, clock: FakeClock
) -> None:
    for n in range(10):
        assert visitor.post(API, json=person(email=f"p{n}@example.com")).status_code == 201
    refused = visitor.post(API, json=person(email="p10@example.com"))
    body = assert_problem(refused, 429, "rate_limited")
    assert refused.headers["Retry-After"] == "60" and body["retry_after"] == 60
    assert "Try again in 60 seconds" in body["detail"]
    clock.advance(minutes=1)
    assert visitor.post(API, json=person(email="p11@example.com")).status_code == 201


def test_json_413_and_404(visitor: TestClient) -> None:
    big = person(company="x" * (65 * 1024))
    assert_problem(visitor.post(API, json=big), 413, "too_large")
    assert_problem(visitor.post("/api/public/marketing/nope", json=person()), 404, "not_found")
    assert_problem(visitor.post("/api/public/nope/whitepaper", json=person()), 404, "not_found")


def test_no_cors_headers_unless_the_origin_is_listed(
    visitor: TestClient, settings: Settings
) -> None:
    origin = {"Origin": "https://www.example.com"}
    response = visitor.post(API, json=person(), headers=origin)
    assert response.status_code == 201
    assert "access-control-allow-origin" not in response.headers
    preflight = visitor.options(API, headers={**origin, "Access-Control-Request-Method": "POST"})
    assert "access-control-allow-origin" not in preflight.headers

    settings.public_form_origins = "https://www.example.com, https://cn.example.com"
    preflight = visitor.options(API, headers={**origin, "Access-Control-Request-Method": "POST"})
    assert preflight.status_code == 204
    assert preflight.headers["access-control-allow-origin"] == "https://www.example.com"
    assert preflight.headers["access-control-allow-methods"] == "POST, OPTIONS"
    assert "access-control-allow-credentials" not in preflight.headers
    allowed = visitor.post(API, json=person(email="b@example.com"), headers=origin)
    assert allowed.headers["access-control-allow-origin"] == "https://www.example.com"
    other = visitor.post(API, json=person(), headers={"Origin": "https://evil.example"})
    assert "access-control-allow-origin" not in other.headers
