"""What the rule designer asks the server: the vocabulary (triggers, every registered action
with its editors, the app's entities, users, departments and roles), a condition in words with
``$old`` values known, and a message template previewed on a record. Only those who may design
rules get them."""

from __future__ import annotations

from fastapi.testclient import TestClient
from rules_testing import APP, create, publish

from jimu.engines.rule import ACTIONS
from jimu.platform.state import Platform

API = f"/api/apps/{APP}/rules"


def test_the_vocabulary_lists_triggers_actions_and_pickers(
    platform: Platform, admin_client: TestClient
) -> None:
    publish(platform)
    answer = admin_client.get(f"{API}/vocabulary")
    assert answer.status_code == 200, answer.text
    vocabulary = answer.json()
    triggers = {t["on"]: t for t in vocabulary["triggers"]}
    assert triggers["updated"]["editors"] == {"fields": "fields"}
    actions = {a["type"]: a for a in vocabulary["actions"]}
    assert set(actions) == set(ACTIONS)
    assert actions["set_fields"]["label"] == {"en": "Set fields", "zh": "设置字段"}
    assert actions["create_record"]["required"] == ["entity"]
    assert actions["create_record"]["properties"]["link"] == {"type": "string", "minLength": 1}
    assert {e["name"] for e in vocabulary["entities"]} == {"account", "lead", "task"}
    assert [u["username"] for u in vocabulary["users"]] == ["admin"]
    assert vocabulary["departments"] == [] and vocabulary["roles"] == []


def test_a_condition_in_words_knows_previous_values_and_finds_problems(
    platform: Platform, admin_client: TestClient
) -> None:
    publish(platform)
    condition = {
        "and": [
            {">=": [{"var": "score"}, 60]},
            {"!=": [{"var": "$old.status"}, "mql"]},
        ]
    }
    en = admin_client.post(f"{API}/explain/lead", json={"condition": condition})
    assert en.status_code == 200, en.text
    assert en.json()["errors"] == []
    assert "previous Status" in en.json()["text"] and "Score" in en.json()["text"]
    zh = admin_client.post(f"{API}/explain/lead", json={"condition": condition, "lang": "zh"})
    assert "Status原值" in zh.json()["text"]
    bad = {"and": [{">": [{"var": "nope"}, 1]}, {"==": [{"var": "$old.gone"}, 1]}]}
    errors = admin_client.post(f"{API}/explain/lead", json={"condition": bad}).json()["errors"]
    assert {e["pointer"] for e in errors} == {"/and/0/>/0", "/and/1/==/0"}
    missing = admin_client.post(f"{API}/explain/nothing", json={"condition": condition})
    assert missing.status_code == 404


def test_a_template_is_previewed_on_a_record(platform: Platform, admin_client: TestClient) -> None:
    publish(platform)
    lead = create(platform, "lead", name="Ann", score=70)
    body = {"entity": "lead", "record_id": lead["id"], "template": "Call {{ name }} ({{ score }})"}
    answer = admin_client.post(f"{API}/preview-template", json=body)
    assert answer.status_code == 200, answer.text
    assert answer.json() == {"text": "Call Ann (70)"}
    broken = admin_client.post(f"{API}/preview-template", json={**body, "template": "{{ nope }}"})
    assert broken.status_code == 422
    assert broken.json()["errors"][0]["pointer"] == "/template"
    gone = admin_client.post(f"{API}/preview-template", json={**body, "record_id": 999})
    assert gone.status_code == 404


def test_those_who_may_not_design_rules_get_a_403(
    platform: Platform, user_client: TestClient
) -> None:
    publish(platform)
    lead = create(platform, "lead", name="Ann")
    assert user_client.get(f"{API}/vocabulary").status_code == 403
    explained = user_client.post(f"{API}/explain/lead", json={"condition": True})
    assert explained.status_code == 403
    body = {"entity": "lead", "record_id": lead["id"], "template": "{{ name }}"}
    assert user_client.post(f"{API}/preview-template", json=body).status_code == 403


def test_a_cron_line_is_previewed_in_the_app_time_zone(
    platform: Platform, admin_client: TestClient
) -> None:
    from datetime import datetime

    publish(platform)
    answer = admin_client.post(f"{API}/cron-preview", json={"cron": "0 9 * * 1-5"})
    assert answer.status_code == 200, answer.text
    preview = answer.json()
    assert preview["time_zone"] == "UTC"
    times = [datetime.fromisoformat(x) for x in preview["times"]]
    assert len(times) == 3 and times == sorted(times) and len(set(times)) == 3
    assert all((t.hour, t.minute) == (9, 0) and t.weekday() < 5 for t in times)
    bad = admin_client.post(f"{API}/cron-preview", json={"cron": "0 25 * * *"})
    assert bad.status_code == 422
    [error] = bad.json()["errors"]
    assert error["pointer"] == "/cron" and "hour" in error["message"]
