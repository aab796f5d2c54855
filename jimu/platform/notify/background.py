"""The delivery worker as a background thread of ``jimu serve`` (its start-up hook).

It sends what is due, then sleeps until a commit that enqueued wakes it (in this process, and on
PostgreSQL from any process through ``LISTEN``: :mod:`jimu.platform.notify.wakeup`) or
``poll_seconds`` pass (retries coming due).
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Iterator
from contextlib import contextmanager

import sqlalchemy as sa

from jimu.platform.notify.channels import SmtpConfig
from jimu.platform.notify.wakeup import DELIVERIES
from jimu.platform.notify.worker import RetryPolicy, run_once
from jimu.platform.settings import Settings

logger = logging.getLogger(__name__)


class DeliveryWorker:
    def __init__(
        self,
        engine: sa.Engine,
        *,
        smtp: SmtpConfig | None,
        policy: RetryPolicy,
        poll_seconds: float = 5.0,
    ) -> None:
        self.engine = engine
        self.smtp = smtp
        self.policy = policy
        self.poll_seconds = poll_seconds
        self._wake = threading.Event()
        self._stop = threading.Event()
        self._threads = [threading.Thread(target=self._run, name="jimu-deliveries", daemon=True)]
        if engine.dialect.name == "postgresql":  # other processes' enqueues wake it too
            listener = threading.Thread(
                target=DELIVERIES.listen,
                args=(engine, self._wake.set, self._stop),
                name="jimu-deliveries-listen",
                daemon=True,
            )
            self._threads.append(listener)

    def start(self) -> None:
        DELIVERIES.subscribe(self.engine, self._wake)
        for thread in self._threads:
            thread.start()

    def stop(self, timeout: float = 10.0) -> None:
        self._stop.set()
        self._wake.set()
        for thread in self._threads:
            thread.join(timeout)
        DELIVERIES.unsubscribe(self.engine, self._wake)

    def _run(self) -> None:
        while not self._stop.is_set():
            self._wake.clear()
            try:
                while not self._stop.is_set() and run_once(
                    self.engine, smtp=self.smtp, policy=self.policy
                ):
                    pass
            except Exception:  # the database may be away for a while: try again later
                logger.exception("the delivery worker failed; retrying at the next poll")
            self._wake.wait(self.poll_seconds)


def worker_for(engine: sa.Engine, settings: Settings) -> DeliveryWorker:
    smtp = SmtpConfig(
        host=settings.smtp_host,
        port=settings.smtp_port,
        user=settings.smtp_user,
        password=settings.smtp_password,
        starttls=settings.smtp_starttls,
    )
    policy = RetryPolicy(
        backoff_seconds=settings.delivery_backoff_seconds,
        backoff_max_seconds=settings.delivery_backoff_max_seconds,
        lease_seconds=settings.delivery_lease_seconds,
    )
    return DeliveryWorker(
        engine,
        smtp=smtp if smtp.host else None,
        policy=policy,
        poll_seconds=settings.delivery_poll_seconds,
    )


@contextmanager
def delivery_worker_running(engine: sa.Engine, settings: Settings) -> Iterator[DeliveryWorker]:
    """The start-up hook: a delivery worker in this process for as long as the block runs."""
    worker = worker_for(engine, settings)
    worker.start()
    try:
        yield worker
    finally:
        worker.stop()
