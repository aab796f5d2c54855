"""The HTTP part of the records benchmark: rows/s through ``POST .../records/bulk``.

    .venv/bin/python bench/records_http.py [--rows 100000] [--batch 1000] [--url ...]

:func:`measure_http` publishes an entity document through the metadata store (as app
``web``) and creates rows through the HTTP API: a real uvicorn on a free local port, httpx
with a personal API token, bulk requests of ``batch`` rows. The figure includes HTTP, JSON
parsing, authentication, validation, the write path and serialising the answer.

Run on its own it measures, in one run and on one database, the same leads (the engine
benchmark's ``LEAD`` and rows from ``bench/records.py``) three ways: a bare SQLAlchemy Core
insert, the form engine's ``Records.bulk_create``, and the HTTP API; and prints rows/s and the
ratios (targets: engine within 2x of bare, HTTP within 4x).
"""

from __future__ import annotations

import argparse
import socket
import sys
import tempfile
import threading
import time
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
import sqlalchemy as sa
import uvicorn

from jimu.engines.form.model import AppModel
from jimu.platform import metadata_store as store
from jimu.platform.app import create_app
from jimu.platform.auth.api_tokens import issue_token
from jimu.platform.auth.users import create_user, find_user
from jimu.platform.db import begin_write, create_engine
from jimu.platform.migrate import upgrade
from jimu.platform.records import Records, WriteContext
from jimu.platform.settings import Settings
from jimu.platform.state import Platform

BATCH = 1000
BENCH_USER = "bench"


@dataclass(frozen=True)
class HttpResult:
    rows: int
    seconds: float
    requests: int

    @property
    def rows_per_second(self) -> float:
        return self.rows / self.seconds if self.seconds else float("inf")


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


def measure_http(
    url: str,
    entity_doc: dict[str, Any],
    rows: Sequence[dict[str, Any]],
    batch: int = BATCH,
    app: str = "web",
) -> HttpResult:
    """Create ``rows`` of ``entity_doc`` through the HTTP API in bulk requests; time it."""
    settings = Settings(data_dir=Path(tempfile.gettempdir()), database_url=url, secret_key="b")
    platform = Platform.from_settings(settings)
    try:
        ensure_platform_tables(platform)
        publish_entity(platform, app, entity_doc)
        return _post_rows(platform, app, str(entity_doc["name"]), rows, batch)
    finally:
        platform.engine.dispose()


def _post_rows(
    platform: Platform, app: str, entity: str, rows: Sequence[dict[str, Any]], batch: int
) -> HttpResult:
    token = bench_token(platform)
    url = f"/api/apps/{app}/entities/{entity}/records/bulk"
    with (
        running_server(platform) as base_url,
        httpx.Client(
            base_url=base_url, headers={"Authorization": f"Bearer {token}"}, timeout=600
        ) as client,
    ):
        requests = 0
        start = time.perf_counter()
        for offset in range(0, len(rows), batch):
            response = client.post(url, json={"records": list(rows[offset : offset + batch])})
            if response.status_code != 201:
                raise RuntimeError(f"bulk create failed: {response.status_code} {response.text}")
            requests += 1
        seconds = time.perf_counter() - start
    return HttpResult(rows=len(rows), seconds=seconds, requests=requests)


def main() -> None:
    sys.path.insert(0, str(Path(__file__).resolve().parent))
    from records import LEAD, bare_rows, make_rows

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--rows", type=int, default=100_000)
    parser.add_argument("--batch", type=int, default=BATCH, help="rows per request (max 1000)")
    parser.add_argument("--url", default="", help="database URL (default: a new SQLite file)")
    args = parser.parse_args()
    url = args.url or f"sqlite:///{Path(tempfile.mkdtemp()) / 'bench.db'}"
    rows = make_rows(args.rows)

    engine = create_engine(url)
    upgrade(engine)
    records = Records(AppModel.from_documents("engine", [LEAD]))
    bare = Records(AppModel.from_documents("bare", [LEAD])).table("lead")
    records.runtime.metadata.create_all(engine)
    bare.metadata.create_all(engine)
    converted = bare_rows(rows)
    ctx = WriteContext(actor_id=1, source="import")
    starts = range(0, args.rows, args.batch)

    start = time.perf_counter()
    for first in starts:
        with begin_write(engine) as conn:
            conn.execute(sa.insert(bare), converted[first : first + args.batch])
    bare_seconds = time.perf_counter() - start
    start = time.perf_counter()
    for first in starts:
        with begin_write(engine) as conn:
            records.bulk_create(conn, "lead", rows[first : first + args.batch], ctx)
    engine_seconds = time.perf_counter() - start
    engine.dispose()
    http = measure_http(url, LEAD, rows, args.batch)

    print(f"database      {sa.make_url(url).get_backend_name()}")
    print(f"rows          {args.rows} (batches of {args.batch})")
    for name, seconds in (("bare insert", bare_seconds), ("engine path", engine_seconds),
                          ("HTTP API", http.seconds)):  # fmt: skip
        print(f"{name:13} {args.rows / seconds:12,.0f} rows/s  ({seconds:.2f} s)")
    print(f"engine/bare   {engine_seconds / bare_seconds:12.2f} x  (target <= 2.00)")
    print(f"HTTP/bare     {http.seconds / bare_seconds:12.2f} x  (target <= 4.00)")


if __name__ == "__main__":
    main()
