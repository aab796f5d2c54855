"""``jimu serve``: upgrade the database, then serve the app with uvicorn."""

from __future__ import annotations

import argparse
from collections.abc import Callable
from contextlib import ExitStack

import uvicorn
from fastapi import FastAPI

from jimu.platform.app import create_api_app
from jimu.platform.cli.context import open_platform
from jimu.platform.cli.worker_command import worker_options
from jimu.platform.notify.background import delivery_worker_running
from jimu.platform.rules.worker import RuleWorker
from jimu.platform.settings import Settings
from jimu.platform.state import Platform

#: Builds the served app on an opened platform. The ``jimu`` command (:mod:`jimu.cli`) serves
#: the whole app, pages included; the platform alone serves its API.
AppFactory = Callable[[Platform], FastAPI]


def api_only(platform: Platform) -> FastAPI:
    return create_api_app(platform=platform)


def register(commands: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    serve = commands.add_parser("serve", help="run the web server")
    add_address_options(serve)
    serve.set_defaults(handler=run_serve)


def add_address_options(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--host", help="address to listen on (default: JIMU_HOST or 127.0.0.1)")
    parser.add_argument("--port", type=int, help="port (default: JIMU_PORT or 8000)")


def serve(
    settings: Settings,
    host: str | None = None,
    port: int | None = None,
    app_factory: AppFactory = api_only,
) -> None:
    platform = open_platform(settings)
    app = app_factory(platform)
    rule_worker = RuleWorker(platform, worker_options(settings))
    with ExitStack() as workers:
        if settings.delivery_worker:
            workers.enter_context(delivery_worker_running(platform.engine, settings))
        if settings.worker_in_process:
            rule_worker.start()
            workers.callback(rule_worker.stop)
        uvicorn.run(app, host=host or settings.host, port=port or settings.port, log_level="info")


def run_serve(args: argparse.Namespace, settings: Settings) -> int:
    serve(settings, args.host, args.port, args.app_factory)
    return 0
