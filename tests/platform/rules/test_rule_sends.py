"""The notify, webhook and create_task actions end to end: the rule worker carries them out in
the run's transaction, the delivery worker sends to real receivers (aiosmtpd, a local HTTP
server that verifies Jimu's and the robots' signatures), on SQLite and PostgreSQL."""

from __future__ import annotations

import email
from datetime import UTC, datetime, timedelta
from email import policy as email_policy
from typing import Any

import pytest
import sqlalchemy as sa
from effects_testing import APP, create, list_records, make_org, publish, rule
from notify.receivers import Receiver, http_receiver, smtp_receiver
from rules_testing import worker

from jimu.errors import ValidationFailed
from jimu.platform.models import Delivery, Notification
from jimu.platform.notify.channels import SmtpConfig
from jimu.platform.notify.worker import RetryPolicy, run_once
from jimu.platform.rules import runs
from jimu.platform.settings import RobotChannel
from jimu.platform.state import Platform

DELIVERIES: sa.Table = Delivery.__table__  # type: ignore[assignment]
INBOX: sa.Table = Notification.__table__  # type: ignore[assignment]
SLOW = RetryPolicy(backoff_seconds=60, backoff_max_seconds=600)


def inbox(platform: Platform) -> list[Any]:
    with platform.engine.connect() as conn:
        return list(conn.execute(sa.select(INBOX).order_by(INBOX.c.id)).mappings())


def deliveries(platform: Platform) -> list[Any]:
    with platform.engine.connect() as conn:
        return list(conn.execute(sa.select(DELIVERIES).order_by(DELIVERIES.c.id)).mappings())


def only_run(platform: Platform, name: str) -> dict[str, Any]:
    with platform.engine.connect() as conn:
        (run,) = runs.list_runs(conn, APP, rule=name)
    return run


NOTIFY = {
    "type": "notify",
    "recipients": [
        {"kind": "owner"},
        {"kind": "manager"},
        {"kind": "department_head"},
        {"kind": "field", "field": "rep"},
        {"kind": "role", "role": "closer"},
        {"kind": "field", "field": "team"},
    ],
    "inbox": True,
    "email": True,
    "title": "{{ name }}: {{ status }}",
    "body": "{{ name }} scored {{ score }}.",
}


def test_notify_writes_the_inbox_and_mails_each_recipient_in_their_language(
    platform: Platform,
) -> None:
    org = make_org(platform)
    publish(platform, [rule("tell", [NOTIFY])])
    lead = create(
        platform, "lead", org.owner.id, name="Wang", status="mql", score=70,
        rep=org.rep.id, team=org.support_dept,
    )  # fmt: skip
    worker(platform).drain()
    everyone = [org.owner, org.manager, org.head, org.rep, org.closer, org.team_member]
    run = only_run(platform, "tell")
    assert run["status"] == "done"
    result = run["actions"][0]["result"]
    assert result["recipients"] == [u.id for u in everyone]
    assert result["inbox"] == 6
    assert result["email"]["no_address"] == [org.head.id]
    entries = {row["user_id"]: row for row in inbox(platform)}
    assert entries[org.owner.id]["title"] == "Wang: 市场认可"  # her language, the option's label
    assert entries[org.manager.id]["title"] == "Wang: Marketing qualified"
    assert entries[org.rep.id]["body"] == "Wang scored 70."
    assert {(r["app"], r["entity"], r["record_id"]) for r in entries.values()} == {
        (APP, "lead", lead["id"])
    }
    with smtp_receiver() as (mailbox, port):
        smtp = SmtpConfig(host="127.0.0.1", port=port)
        assert run_once(platform.engine, smtp=smtp, policy=SLOW) == 5
        got = {
            message["To"]: message
            for message in (
                email.message_from_bytes(m.content, policy=email_policy.default)
                for m in mailbox.messages
            )
        }
    assert sorted(got) == sorted(u.email for u in everyone if u.email)
    assert got["olivia@example.com"]["Subject"] == "Wang: 市场认可"
    assert got["rita@example.com"].get_content().strip() == "Wang scored 70."
    assert got["rita@example.com"]["X-Jimu-Delivery-Key"] == (
        f"rule:{APP}:tell:{run['event_id']}:0:email:{org.rep.id}"
    )


def test_notify_mails_an_address_on_the_record_someone_outside_the_organisation(
    platform: Platform,
) -> None:
    org = make_org(platform)
    survey = {
        "type": "notify",
        "recipients": [{"kind": "address", "field": "contact_email"}, {"kind": "owner"}],
        "email": True,
        "lang": "en",
        "title": "How did we do, {{ name }}?",
        "body": "Your request is {{ status }}.",
    }
    publish(platform, [rule("survey", [survey])])
    create(platform, "lead", org.owner.id, name="Wang", status="mql",
           contact_email="wang@customer.example")  # fmt: skip
    create(platform, "lead", org.owner.id, name="Li", status="new", contact_email=None)
    worker(platform).drain()
    with platform.engine.connect() as conn:
        done = runs.list_runs(conn, APP, rule="survey")
    assert {r["status"] for r in done} == {"done"}
    with smtp_receiver() as (mailbox, port):
        assert run_once(platform.engine, smtp=SmtpConfig(host="127.0.0.1", port=port)) == 3
        got = [
            email.message_from_bytes(m.content, policy=email_policy.default)
            for m in mailbox.messages
        ]
    to_customer = [m for m in got if m["To"] == "wang@customer.example"]
    assert len(to_customer) == 1  # Li has no address: only her owner is mailed
    assert to_customer[0]["Subject"] == "How did we do, Wang?"
    assert to_customer[0].get_content().strip() == "Your request is Marketing qualified."
    assert sorted(m["To"] for m in got if m["To"] != "wang@customer.example") == [
        org.owner.email,
        org.owner.email,
    ]


@pytest.mark.parametrize("kind", ["dingtalk", "feishu", "wecom"])
def test_notify_posts_to_a_named_group_robot_signed_as_its_platform_checks(
    platform: Platform, kind: str
) -> None:
    action = {
        "type": "notify",
        "robot": "sales-group",
        "title": "MQL",
        "body": "{{ name }} ({{ status }})",
    }
    publish(platform, [rule("robot", [action])])
    with http_receiver(Receiver(secret="robot-secret")) as receiver:
        url = f"{receiver.url}/{kind}" + ("?key=robot-key" if kind == "wecom" else "")
        secret = "" if kind == "wecom" else "robot-secret"
        platform.settings.robots = {"sales-group": RobotChannel(kind=kind, url=url, secret=secret)}
        create(platform, "lead", name="Li", status="new")
        worker(platform).drain()
        assert run_once(platform.engine, policy=SLOW) == 1
        (got,) = receiver.received
    assert got.verdict == "ok"
    text = {
        "dingtalk": lambda m: m["markdown"]["text"],
        "feishu": lambda m: m["content"]["text"],
        "wecom": lambda m: m["markdown"]["content"],
    }[kind](got.json())
    assert "Li (新线索)" in text  # robots speak Chinese unless the action says "lang": "en"
    assert deliveries(platform)[0]["status"] == "sent"


def test_a_robot_nobody_configured_fails_the_run_with_a_clear_error(platform: Platform) -> None:
    org = make_org(platform)
    action = {**NOTIFY, "robot": "nowhere"}
    publish(platform, [rule("lost", [action])])
    create(platform, "lead", org.owner.id, name="Zhao")
    worker(platform).drain()
    run = only_run(platform, "lost")
    assert run["status"] == "retry"
    assert "No group robot is named 'nowhere'" in run["error"]
    # The run rolled back whole: no inbox entry, no email waits to be sent.
    assert inbox(platform) == [] and deliveries(platform) == []


def test_webhook_sends_the_body_with_types_kept_signed_over_the_bytes_sent(
    platform: Platform,
) -> None:
    platform.settings.webhook_secrets = {"erp": "erp-secret"}
    with http_receiver(Receiver(secret="erp-secret")) as receiver:
        action = {
            "type": "webhook",
            "url": f"{receiver.url}/webhook/leads",
            "body": {"id": "{{ id }}", "lead": {"name": "{{ name }}", "score": "{{ score }}"},
                     "status": "{{ status }}", "text": "#{{ id }} {{ name }}",
                     "met": "{{ met_on }}", "fixed": [1, None]},
            "secret": "erp",
            "timeout": 5,
        }  # fmt: skip
        publish(platform, [rule("hook", [action])])
        lead = create(platform, "lead", name="Qian", status="new", score=12.5, met_on="2026-11-02")
        worker(platform).drain()
        assert run_once(platform.engine, policy=SLOW) == 1
        (got,) = receiver.received
    assert got.verdict == "ok"  # the receiver checked the HMAC over the raw body and the time
    assert got.json() == {
        "id": lead["id"], "lead": {"name": "Qian", "score": 12.5}, "status": "new",
        "text": f"#{lead['id']} Qian", "met": "2026-11-02", "fixed": [1, None],
    }  # fmt: skip
    (row,) = deliveries(platform)
    assert got.body == row["payload"] and row["status"] == "sent"
    run = only_run(platform, "hook")
    assert got.headers["x-jimu-delivery-key"] == f"rule:{APP}:hook:{run['event_id']}:0"


def test_a_webhook_secret_nobody_configured_fails_the_run(platform: Platform) -> None:
    action = {"type": "webhook", "url": "http://127.0.0.1:9/x", "body": {}, "secret": "gone"}
    publish(platform, [rule("hook", [action])])
    create(platform, "lead", name="Sun")
    worker(platform).drain()
    run = only_run(platform, "hook")
    assert run["status"] == "retry" and "No webhook secret is named 'gone'" in run["error"]
    assert deliveries(platform) == []


def test_create_task_assigns_links_and_sets_the_due_time(platform: Platform) -> None:
    org = make_org(platform)
    actions = [
        {"type": "create_task", "entity": "task", "title": "Call {{ name }} ({{ status }})",
         "assignee": {"kind": "field", "field": "rep"}, "assignee_field": "assignee",
         "due": {"amount": 2, "unit": "day"}, "due_field": "due", "link": "lead"},
        {"type": "create_task", "entity": "task", "title": "Visit {{ name }}",
         "assignee": {"kind": "manager"}, "due_from": "met_on",
         "due": {"amount": 3, "unit": "day"}, "due_field": "due_day", "link": "lead"},
    ]  # fmt: skip
    publish(platform, [rule("follow", actions)])
    before = datetime.now(UTC)
    lead = create(
        platform, "lead", org.owner.id, name="Zhou", status="mql", rep=org.rep.id,
        met_on="2026-11-02",
    )  # fmt: skip
    worker(platform).drain()
    call, visit = sorted(list_records(platform, "task"), key=lambda t: t["id"])
    assert call["title"] == "Call Zhou (Marketing qualified)"
    assert (call["assignee"], call["lead"]) == (org.rep.id, lead["id"])
    due = datetime.fromisoformat(str(call["due"]))
    due = due if due.tzinfo else due.replace(tzinfo=UTC)
    assert before + timedelta(days=2) <= due <= datetime.now(UTC) + timedelta(days=2)
    assert visit["owner_id"] == org.manager.id and str(visit["due_day"]) == "2026-11-05"
    run = only_run(platform, "follow")
    assert [a["result"]["record_id"] for a in run["actions"]] == [call["id"], visit["id"]]


@pytest.mark.parametrize(
    ("action", "pointer", "words"),
    [
        ({**NOTIFY, "title": "{{ nom }}"}, "/actions/0/title", "'nom'"),
        ({**NOTIFY, "body": "{% if %}"}, "/actions/0/body", "template error"),
        ({**NOTIFY, "recipients": [{"kind": "field", "field": "score"}]},
         "/actions/0/recipients/0/field", "no user or department field"),
        ({**NOTIFY, "recipients": [{"kind": "user"}]}, "/actions/0/recipients/0/id", "needs it"),
        ({**NOTIFY, "recipients": [{"kind": "boss"}]},
         "/actions/0/recipients/0/kind", "is not one of"),
        ({**NOTIFY, "inbox": False, "email": False}, "/actions/0/inbox", "sends nowhere"),
        ({**NOTIFY, "recipients": []}, "/actions/0/recipients", "need recipients"),
        ({**NOTIFY, "recipients": [{"kind": "address", "field": "name"}]},
         "/actions/0/recipients/0/field", "no email field"),
        ({**NOTIFY, "email": False, "recipients": [{"kind": "address", "field": "contact_email"}]},
         "/actions/0/inbox", "no inbox"),
        ({"type": "webhook", "url": "ftp://x", "body": {}}, "/actions/0/url", "does not match"),
        ({"type": "webhook", "url": "http://x", "body": {"a": ["{{ nope }}"]}},
         "/actions/0/body/a/0", "'nope'"),
        ({"type": "webhook", "url": "http://x", "body": {}, "timeout": 500},
         "/actions/0/timeout", "maximum"),
        ({"type": "create_task", "entity": "nope", "title": "x"}, "/actions/0/entity", "no entity"),
        ({"type": "create_task", "entity": "task", "title": "x",
          "due": {"amount": 1, "unit": "day"}}, "/actions/0/due_field", "due time"),
        ({"type": "create_task", "entity": "task", "title": "x", "due_field": "title",
          "due": {"amount": 1, "unit": "week"}}, "/actions/0/due/unit", "is not one of"),
        ({"type": "create_task", "entity": "task", "title": "x", "link": "assignee"},
         "/actions/0/link", "no link"),
        ({"type": "create_task", "entity": "task", "title": "x",
          "assignee": {"kind": "role", "role": "r"}}, "/actions/0/assignee/kind", "one assignee"),
    ],
)  # fmt: skip
def test_publishing_refuses_bad_settings_naming_the_setting(
    platform: Platform, action: dict[str, Any], pointer: str, words: str
) -> None:
    with pytest.raises(ValidationFailed) as refused:
        publish(platform, [rule("bad", [action])])
    problems = {e.pointer.removeprefix("rules/bad.json#"): e.message for e in refused.value.errors}
    assert pointer in problems, problems
    assert words in problems[pointer]
