"""``jimu worker``: run the rule worker (and the delivery worker, unless
``JIMU_DELIVERY_WORKER=false``) without a web server, in the foreground (more processes: start
more)."""

from __future__ import annotations

import argparse
import signal
import threading
from contextlib import ExitStack
from types import FrameType

from jimu.platform.cli.context import open_platform
from jimu.platform.notify.background import delivery_worker_running
from jimu.platform.rules.worker import RuleWorker, WorkerOptions
from jimu.platform.settings import Settings


def register(commands: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    worker = commands.add_parser("worker", help="run the rule and delivery workers (no web server)")
    worker.add_argument("--drain", action="store_true", help="process what is waiting, then exit")
    worker.set_defaults(handler=run_worker)


def worker_options(settings: Settings) -> WorkerOptions:
    return WorkerOptions(
        poll_seconds=settings.worker_poll_seconds,
        max_depth=settings.rule_max_depth,
        max_attempts=settings.rule_max_attempts,
        retry_seconds=settings.rule_retry_seconds,
    )


def run_worker(args: argparse.Namespace, settings: Settings) -> int:
    platform = open_platform(settings)
    worker = RuleWorker(platform, worker_options(settings))
    try:
        if args.drain:
            print(f"processed {worker.drain()}", flush=True)
            return 0
        stop = threading.Event()

        def on_signal(signum: int, frame: FrameType | None) -> None:
            stop.set()
            worker.wakeup.set()

        signal.signal(signal.SIGTERM, on_signal)
        signal.signal(signal.SIGINT, on_signal)
        with ExitStack() as background:
            if settings.delivery_worker:
                background.enter_context(delivery_worker_running(platform.engine, settings))
            print("rule worker running", flush=True)
            worker.run_forever(stop)
        return 0
    finally:
        platform.engine.dispose()
