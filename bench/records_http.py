"""The HTTP part of the records benchmark: rows/s through ``POST .../records/bulk``.

    .venv/bin/python bench/records_http.py [--rows 100000] [--batch 1000] [--url ...]

:func:`http_path` publishes an entity document through the metadata store (as app ``web``)
and creates rows through the HTTP API: a real uvicorn on a free local port, httpx with a
personal API token, bulk requests of ``batch`` rows. The figure includes HTTP, JSON parsing,
authentication, validation, the write path and serialising the answer.

It measures, in one run and on one database, the same leads (the engine benchmark's ``LEAD``
and rows from ``bench/records.py``) three ways, taking turns batch by batch: a bare
SQLAlchemy Core insert, the form engine's ``Records.bulk_create``, and the HTTP API; and
prints rows/s and the ratios (targets: engine within 2x of bare, HTTP within 4x).
"""

from __future__ import annotations

import argparse
import socket
import sys
import tempfile
import threading
import time
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import httpx
import sqlalchemy as sa
import uvicorn

from jimu.app import create_app
from jimu.platform import metadata_store as store
from jimu.platform.auth.api_tokens import issue_token
from jimu.platform.auth.users import create_user, find_user
from jimu.platform.db import begin_write, create_engine
from jimu.platform.migrate import upgrade
from jimu.platform.settings import Settings
from jimu.platform.state import Platform

BATCH = 1000
BENCH_USER = "bench"
#: Creates a batch of rows through the HTTP API.
Poster = Callable[[Sequence[dict[str, Any]]], None]


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@contextmanager
def running_server(platform: Platform) -> Iterator[str]:
    """A uvicorn server for ``platform`` on a free port, in a background thread."""
    port = _free_port()
    config = uvicorn.Config(
        create_app(platform=platform), host="127.0.0.1", port=port, log_level="warning"
    )
    server = uvicorn.Server(config)
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 30
    while not server.started:
        if time.monotonic() > deadline or not thread.is_alive():
            raise RuntimeError("the benchmark server did not start")
        time.sleep(0.05)
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        server.should_exit = True
        thread.join(timeout=30)


def bench_token(platform: Platform) -> str:
    """A fresh API token of the benchmark's admin user (created on first use)."""
    with platform.sessions() as db:
        user = find_user(db, BENCH_USER)
        if user is None:
            user = create_user(db, BENCH_USER, "bench-password", is_admin=True)
        token = issue_token(db, user, f"bench {time.time()}").token
        db.commit()
    return token


def publish_entity(platform: Platform, app: str, entity_doc: dict[str, Any]) -> None:
    """Publish ``entity_doc`` as the only entity of ``app`` through the metadata store."""
    entity = str(entity_doc["name"])
    app_doc = {"kind": "app", "name": app, "label": {"en": app, "zh": app}, "menu": [entity]}
    with begin_write(platform.engine) as conn:
        store.save_draft(conn, app, "app", app, app_doc)
        store.save_draft(conn, app, "entity", entity, entity_doc)
        store.publish(conn, app)


def ensure_platform_tables(platform: Platform) -> None:
    """Migrate, unless the caller already made the tables (e.g. with ``create_all``)."""
    if not sa.inspect(platform.engine).has_table("jimu_document"):
        upgrade(platform.engine)


@contextmanager
def http_path(url: str, entity_doc: dict[str, Any], app: str = "web") -> Iterator[Poster]:
    """A function that creates rows of ``entity_doc`` through the HTTP API of a server on the
    database ``url`` (``entity_doc`` published there as the only entity of ``app``)."""
    settings = Settings(data_dir=Path(tempfile.gettempdir()), database_url=url, secret_key="b")
    platform = Platform.from_settings(settings)
    try:
        ensure_platform_tables(platform)
        publish_entity(platform, app, entity_doc)
        token = bench_token(platform)
        path = f"/api/apps/{app}/entities/{entity_doc['name']}/records/bulk"
        with (
            running_server(platform) as base_url,
            httpx.Client(
                base_url=base_url, headers={"Authorization": f"Bearer {token}"}, timeout=600
            ) as client,
        ):

            def post(rows: Sequence[dict[str, Any]]) -> None:
                response = client.post(path, json={"records": list(rows)})
                if response.status_code != 201:
                    raise RuntimeError(
                        f"bulk create failed: {response.status_code} {response.text}"
                    )

            yield post
    finally:
        platform.engine.dispose()


def main() -> None:
    sys.path.insert(0, str(Path(__file__).resolve().parent))
    from records import LEAD, bare_and_engine_paths, make_rows, take_turns

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--rows", type=int, default=100_000)
    parser.add_argument("--batch", type=int, default=BATCH, help="rows per request (max 1000)")
    parser.add_argument("--url", default="", help="database URL (default: a new SQLite file)")
    args = parser.parse_args()
    url = args.url or f"sqlite:///{Path(tempfile.mkdtemp()) / 'bench.db'}"
    rows = make_rows(args.rows)

    engine = create_engine(url)
    upgrade(engine)
    _, paths = bare_and_engine_paths(engine, rows)
    with http_path(url, LEAD) as post:
        paths["http"] = lambda first, last: post(rows[first:last])
        seconds, counted = take_turns(paths, args.rows, args.batch)
    engine.dispose()
    bare_seconds, engine_seconds = seconds["bare"], seconds["engine"]

    print(f"database      {sa.make_url(url).get_backend_name()}")
    print(f"rows          {args.rows} (batches of {args.batch}; the first is a warm-up)")
    for name, key in (("bare insert", "bare"), ("engine path", "engine"), ("HTTP API", "http")):
        print(f"{name:13} {counted / seconds[key]:12,.0f} rows/s  ({seconds[key]:.2f} s)")
    print(f"engine/bare   {engine_seconds / bare_seconds:12.2f} x  (target <= 2.00)")
    print(f"HTTP/bare     {seconds['http'] / bare_seconds:12.2f} x  (target <= 4.00)")


if __name__ == "__main__":
    main()
