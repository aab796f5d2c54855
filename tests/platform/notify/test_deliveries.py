"""The delivery table and worker against real receivers: signatures checked by the receiver,
retries with backoff, dead letters, idempotency, rollback, and the wake-up on commit."""

from __future__ import annotations

import email
import threading
import time
from datetime import timedelta
from email import policy as email_policy
from typing import Any

import pytest
import sqlalchemy as sa
from receivers import Receiver, http_receiver, smtp_receiver

from jimu.errors import ValidationFailed
from jimu.platform import notify
from jimu.platform.db import begin_write
from jimu.platform.models import Delivery, Notification, User, utcnow
from jimu.platform.notify.background import DeliveryWorker
from jimu.platform.notify.channels import AttemptLog, SmtpConfig
from jimu.platform.notify.worker import RetryPolicy, claim, record, run_once
from jimu.platform.state import Platform

TABLE: sa.Table = Delivery.__table__  # type: ignore[assignment]
SLOW = RetryPolicy(backoff_seconds=60, backoff_max_seconds=600)
LEAD = {"name": "张三 Zhang", "score": 65, "region": "East"}


def row(platform: Platform, delivery_id: int) -> Any:
    with platform.engine.connect() as conn:
        return conn.execute(sa.select(TABLE).where(TABLE.c.id == delivery_id)).mappings().one()


def make_due(platform: Platform, delivery_id: int) -> None:
    """As if the backoff had passed."""
    with begin_write(platform.engine) as conn:
        conn.execute(
            TABLE.update().where(TABLE.c.id == delivery_id).values(next_attempt_at=utcnow())
        )


def enqueue_hook(
    platform: Platform, url: str, secret: str, key: str = "lead-7-hook", **kw: Any
) -> int:
    with begin_write(platform.engine) as conn:
        return notify.enqueue_webhook(
            conn,
            url=f"{url}/webhook",
            body={"lead": "{{ name }}", "score": "{{ score }}", "fixed": [1, True, None]},
            key=key,
            secret=secret,
            values=LEAD,
            **kw,
        )


def test_a_webhook_is_sent_once_signed_over_the_exact_bytes(platform: Platform) -> None:
    with http_receiver(Receiver(secret="s3cret")) as receiver:
        delivery_id = enqueue_hook(platform, receiver.url, "s3cret")
        assert run_once(platform.engine, policy=SLOW) == 1
        assert [got.verdict for got in receiver.received] == ["ok"]
        got = receiver.received[0]
        assert got.body == row(platform, delivery_id)["payload"]
        assert got.json() == {"lead": "张三 Zhang", "score": "65", "fixed": [1, True, None]}
        assert got.headers["x-jimu-delivery-key"] == "lead-7-hook"
        sent = row(platform, delivery_id)
        assert (sent["status"], sent["attempts"], sent["last_error"]) == ("sent", 1, None)
        assert sent["log"][0]["status"] == 200
        assert sent["log"][0]["request"]["headers"]["X-Jimu-Signature"].startswith("sha256=")
        # Nothing is due any more, and enqueueing the same key again changes nothing.
        assert run_once(platform.engine, policy=SLOW) == 0
        assert enqueue_hook(platform, receiver.url, "s3cret") == delivery_id
        assert run_once(platform.engine, policy=SLOW) == 0
        assert len(receiver.received) == 1


def test_failures_back_off_then_succeed_and_a_sent_row_is_never_resent(
    platform: Platform,
) -> None:
    with http_receiver(Receiver(secret="k", fail_first=2)) as receiver:
        delivery_id = enqueue_hook(platform, receiver.url, "k")
        before = utcnow()
        run_once(platform.engine, policy=SLOW)
        first = row(platform, delivery_id)
        assert (first["status"], first["attempts"], first["last_error"]) == (
            "pending",
            1,
            "HTTP 500",
        )
        assert before + timedelta(seconds=59) < first["next_attempt_at"]
        assert first["next_attempt_at"] < utcnow() + timedelta(seconds=61)
        assert run_once(platform.engine, policy=SLOW) == 0  # not due yet
        make_due(platform, delivery_id)
        run_once(platform.engine, policy=SLOW)
        second = row(platform, delivery_id)
        assert second["attempts"] == 2
        # The second wait is twice the first.
        assert utcnow() + timedelta(seconds=119) < second["next_attempt_at"]
        make_due(platform, delivery_id)
        run_once(platform.engine, policy=SLOW)
        assert row(platform, delivery_id)["status"] == "sent"
        make_due(platform, delivery_id)  # even when its time is reached again
        assert run_once(platform.engine, policy=SLOW) == 0
        keys = {got.headers["x-jimu-delivery-key"] for got in receiver.received}
        assert (len(receiver.received), keys) == (3, {"lead-7-hook"})
        assert [entry["status"] for entry in row(platform, delivery_id)["log"]] == [500, 500, 200]


def test_a_receiver_slower_than_the_timeout_is_a_failed_attempt(platform: Platform) -> None:
    with http_receiver(Receiver(secret="k", delay=1.0)) as receiver:
        delivery_id = enqueue_hook(platform, receiver.url, "k", timeout=0.2)
        started = time.monotonic()
        run_once(platform.engine, policy=SLOW)
        assert time.monotonic() - started < 0.9
        failed = row(platform, delivery_id)
        assert (failed["status"], failed["attempts"]) == ("pending", 1)
        assert failed["last_error"].startswith("ReadTimeout")
        assert failed["log"][0]["status"] is None


def test_backoff_doubles_up_to_its_ceiling() -> None:
    policy = RetryPolicy(backoff_seconds=30, backoff_max_seconds=100)
    assert [policy.delay(n).total_seconds() for n in (1, 2, 3, 4)] == [30, 60, 100, 100]


def test_after_the_last_attempt_it_is_dead_until_an_admin_retries(platform: Platform) -> None:
    with http_receiver(Receiver(secret="right")) as receiver:
        delivery_id = enqueue_hook(platform, receiver.url, "wrong", max_attempts=2)
        run_once(platform.engine, policy=SLOW)
        make_due(platform, delivery_id)
        run_once(platform.engine, policy=SLOW)
        dead = row(platform, delivery_id)
        assert (dead["status"], dead["attempts"]) == ("dead", 2)
        assert [got.verdict for got in receiver.received] == ["bad signature"] * 2
        make_due(platform, delivery_id)
        assert run_once(platform.engine, policy=SLOW) == 0


def test_a_rolled_back_transaction_sends_nothing(platform: Platform, admin: User) -> None:
    with http_receiver(Receiver(secret="k")) as receiver:
        with pytest.raises(RuntimeError), begin_write(platform.engine) as conn:
            notify.enqueue_webhook(conn, url=f"{receiver.url}/webhook", body={}, key="gone")
            notify.post_inbox(conn, admin.id, title="never")
            raise RuntimeError("the rule run failed")
        assert run_once(platform.engine, policy=SLOW) == 0
        assert receiver.received == []
        with platform.engine.connect() as conn:
            for table in (TABLE, Notification.__table__):
                assert conn.execute(sa.select(sa.func.count()).select_from(table)).scalar() == 0


def test_a_claim_that_never_reported_back_is_retried_and_its_late_report_is_ignored(
    platform: Platform,
) -> None:
    with http_receiver(Receiver(secret="k")) as receiver:
        delivery_id = enqueue_hook(platform, receiver.url, "k")
        lost = claim(platform.engine, 10, RetryPolicy(lease_seconds=0.001))
        assert [item.id for item in lost] == [delivery_id]
        time.sleep(0.01)  # the crashed worker's lease ends
        assert run_once(platform.engine, policy=SLOW) == 1
        assert row(platform, delivery_id)["status"] == "sent"
        late = record(
            platform.engine,
            lost[0],
            AttemptLog(error="x"),
            succeeded=False,
            policy=SLOW,
            started=utcnow(),
        )
        assert late is None
        assert row(platform, delivery_id)["status"] == "sent"
        assert len(receiver.received) == 1


@pytest.mark.parametrize("kind", ["dingtalk", "feishu", "wecom"])
def test_group_robots_get_their_format_and_signature(platform: Platform, kind: str) -> None:
    secret = "" if kind == "wecom" else "SEC-robot-secret"
    with http_receiver(Receiver(secret=secret)) as receiver:
        query = "?key=robot-key" if kind == "wecom" else "?access_token=t0k"
        with begin_write(platform.engine) as conn:
            delivery_id = notify.enqueue_robot(
                conn,
                kind=kind,
                url=f"{receiver.url}/{kind}{query}",
                text="{{ name }} scored {{ score }}",
                key=f"robot-{kind}",
                secret=secret,
                values=LEAD,
            )
        run_once(platform.engine, policy=SLOW)
        assert [got.verdict for got in receiver.received] == ["ok"]
        body = receiver.received[0].json()
        text = "张三 Zhang scored 65"
        if kind == "feishu":
            assert (body["msg_type"], body["content"]) == ("text", {"text": text})
        else:
            assert body == {"msgtype": "text", "text": {"content": text}}
        if kind == "dingtalk":
            assert receiver.received[0].query["access_token"] == ["t0k"]
        sent = row(platform, delivery_id)
        assert sent["status"] == "sent"
        assert "?" not in sent["log"][0]["request"]["url"]  # tokens stay out of the log


def test_a_robot_that_answers_an_error_code_is_retried(platform: Platform) -> None:
    refusal = {"errcode": 310000, "errmsg": "sign not match"}
    with http_receiver(Receiver(secret="s", robot_answer=refusal)) as receiver:
        with begin_write(platform.engine) as conn:
            delivery_id = notify.enqueue_robot(
                conn,
                kind="dingtalk",
                url=f"{receiver.url}/dingtalk",
                text="hi",
                key="r",
                secret="s",
            )
        run_once(platform.engine, policy=SLOW)
        failed = row(platform, delivery_id)
        assert failed["status"] == "pending"
        assert "310000" in failed["last_error"]


def test_an_email_goes_over_smtp_with_the_record_values(platform: Platform) -> None:
    with smtp_receiver() as (mailbox, port):
        with begin_write(platform.engine) as conn:
            delivery_id = notify.enqueue_email(
                conn,
                to=["rep@example.com", "manager@example.com"],
                subject="MQL: {{ name }}",
                body="{{ name }} reached {{ score }} points in {{ region }}.",
                key="lead-7-mail",
                sender="jimu@example.com",
                values=LEAD,
            )
        run_once(platform.engine, smtp=SmtpConfig(host="127.0.0.1", port=port), policy=SLOW)
        assert row(platform, delivery_id)["status"] == "sent"
        [envelope] = mailbox.messages
        assert envelope.rcpt_tos == ["rep@example.com", "manager@example.com"]
        assert envelope.mail_from == "jimu@example.com"
        message = email.message_from_bytes(
            envelope.original_content or b"", policy=email_policy.default
        )
        assert message["Subject"] == "MQL: 张三 Zhang"
        assert message.get_content().strip() == "张三 Zhang reached 65 points in East."


def test_a_value_with_a_line_break_stays_in_the_subject(platform: Platform) -> None:
    with smtp_receiver() as (mailbox, port):
        with begin_write(platform.engine) as conn:
            notify.enqueue_email(
                conn,
                to=["rep@example.com"],
                subject="Lead {{ name }}",
                body="b",
                key="k",
                sender="jimu@example.com",
                values={"name": "Eve\r\nBcc: victim@example.com"},
            )
        run_once(platform.engine, smtp=SmtpConfig(host="127.0.0.1", port=port), policy=SLOW)
        [envelope] = mailbox.messages
        assert envelope.rcpt_tos == ["rep@example.com"]
        message = email.message_from_bytes(envelope.original_content or b"")
        assert message["Subject"] == "Lead Eve Bcc: victim@example.com"
        assert message["Bcc"] is None


@pytest.mark.parametrize("to", [[], ["nobody"], ["a@example.com, b@example.com"], ["x @y.z"]])
def test_bad_recipients_are_refused(platform: Platform, to: list[str]) -> None:
    with begin_write(platform.engine) as conn, pytest.raises(ValidationFailed) as caught:
        notify.enqueue_email(conn, to=to, subject="s", body="b", key="k", sender="j@x.org")
    assert caught.value.errors[0].pointer == "/to"


def test_email_without_smtp_settings_is_retried_with_the_reason(platform: Platform) -> None:
    with begin_write(platform.engine) as conn:
        delivery_id = notify.enqueue_email(
            conn, to=["a@example.com"], subject="s", body="b", key="k", sender="j@example.com"
        )
    run_once(platform.engine, smtp=None, policy=SLOW)
    assert "JIMU_SMTP_HOST" in row(platform, delivery_id)["last_error"]


@pytest.mark.parametrize(
    ("call", "pointer"),
    [
        ({"url": "ftp://x", "body": {}}, "/url"),
        ({"url": "http://x", "body": {"a": "{{ missing }}"}}, "/body/a"),
        ({"url": "http://x", "body": ["{% if %}"]}, "/body/0"),
        ({"url": "http://x", "body": {}, "timeout": 0}, "/timeout"),
        ({"url": "http://x", "body": {}, "key": ""}, "/key"),
    ],
)
def test_bad_sends_are_refused_naming_the_field(
    platform: Platform, call: dict[str, Any], pointer: str
) -> None:
    with begin_write(platform.engine) as conn, pytest.raises(ValidationFailed) as caught:
        notify.enqueue_webhook(conn, **{"key": "k", **call})
    assert caught.value.errors[0].pointer == pointer


def test_the_worker_wakes_at_once_when_an_enqueue_commits(platform: Platform) -> None:
    worker = DeliveryWorker(platform.engine, smtp=None, policy=SLOW, poll_seconds=60)
    worker.start()
    try:
        time.sleep(0.2)  # it has polled once and sleeps for a minute
        with http_receiver(Receiver(secret="k")) as receiver:
            started = time.monotonic()
            enqueue_hook(platform, receiver.url, "k")
            while not receiver.received and time.monotonic() - started < 5:
                time.sleep(0.01)
            assert [got.verdict for got in receiver.received] == ["ok"]
            assert time.monotonic() - started < 5
    finally:
        worker.stop()


def test_a_connection_kept_open_after_its_commit_wakes_the_worker_at_its_next_begin(
    platform: Platform,
) -> None:
    worker = DeliveryWorker(platform.engine, smtp=None, policy=SLOW, poll_seconds=60)
    worker.start()
    try:
        time.sleep(0.2)
        with http_receiver(Receiver(secret="k")) as receiver, platform.engine.connect() as conn:
            with conn.begin():
                notify.enqueue_webhook(
                    conn, url=f"{receiver.url}/webhook", body={}, key="kept", secret="k"
                )
            time.sleep(0.3)
            if platform.engine.dialect.name == "sqlite":  # (PostgreSQL's NOTIFY woke it)
                assert receiver.received == []  # committed, but nothing has said so yet
            with conn.begin():  # the worker loop's next transaction
                conn.execute(sa.select(1))
            started = time.monotonic()
            while not receiver.received and time.monotonic() - started < 5:
                time.sleep(0.01)
            assert [got.verdict for got in receiver.received] == ["ok"]
    finally:
        worker.stop()


def test_concurrent_workers_never_claim_the_same_delivery(platform: Platform) -> None:
    with begin_write(platform.engine) as conn:
        for n in range(40):
            notify.enqueue_webhook(conn, url="http://127.0.0.1:9/none", body={}, key=f"k{n}")
    taken: list[list[int]] = [[], []]

    def take(slot: int) -> None:
        for _ in range(10):
            taken[slot].extend(item.id for item in claim(platform.engine, 3, SLOW))

    threads = [threading.Thread(target=take, args=(slot,)) for slot in (0, 1)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert not set(taken[0]) & set(taken[1])
    assert len(taken[0]) + len(taken[1]) == 40


def test_on_postgresql_a_notify_from_another_process_wakes_the_worker(
    platform: Platform,
) -> None:
    if platform.engine.dialect.name != "postgresql":
        pytest.skip("LISTEN/NOTIFY is PostgreSQL's")
    from jimu.platform.notify.wakeup import DELIVERIES

    worker = DeliveryWorker(platform.engine, smtp=None, policy=SLOW, poll_seconds=60)
    worker.start()
    try:
        time.sleep(0.5)  # it has polled once and listens
        with http_receiver(Receiver()) as receiver:
            # Another process: its own connection, none of this process's commit hooks.
            other = sa.create_engine(platform.engine.url.render_as_string(hide_password=False))
            try:
                with other.begin() as conn:
                    conn.execute(
                        TABLE.insert().values(
                            channel="webhook",
                            target=f"{receiver.url}/webhook",
                            payload=b"{}",
                            options={},
                            idempotency_key="elsewhere",
                            status="pending",
                            attempts=0,
                            max_attempts=3,
                            next_attempt_at=utcnow(),
                            log=[],
                            created_at=utcnow(),
                        )
                    )
                    DELIVERIES.mark(conn)
            finally:
                other.dispose()
            started = time.monotonic()
            while not receiver.received and time.monotonic() - started < 5:
                time.sleep(0.01)
            assert len(receiver.received) == 1
    finally:
        worker.stop()
