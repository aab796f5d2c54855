"""Load: many concurrent clients against Jimu and against a bare FastAPI + SQLAlchemy endpoint.

    .venv/bin/python bench/load.py [--clients 200] [--seconds 60] [--warmup 5] [--rows 2000]
                                   [--url ...] [--rounds 1] [--profile DIR]

Publishes the list benchmarks' lead (``bench/benchkit.py``) as app ``load`` and creates
``rows`` leads, then runs the same mix on two servers, one after the other, each in a process
of its own (uvicorn, one worker, on 127.0.0.1): Jimu's record API with a personal API token,
and a bare FastAPI app whose plain routes read and write the same table with SQLAlchemy Core
(no authentication, no validation beyond a pydantic body, no history). ``clients`` asyncio
clients, each on one keep-alive connection, send requests back to back for ``seconds`` per
server (after ``--warmup`` seconds not counted): 40 % get one record, 40 % a list page of 20,
10 % create and 10 % update a lead.

Prints, side by side: requests/s, p50 and p99 latency, the answers that were not 2xx and how
many of those were 500 (targets: no 500, Jimu at least 0.5x the bare requests/s), the CPU the
load generator itself used (when it nears a whole core, it is what limits both figures) and the
CPU each server used (a share of one core; one process with one GIL tops out near 100 %).
``--rounds N`` splits the seconds into N rounds that alternate the two servers (which server
goes first alternates too), so that on a shared machine a change of load weighs on both alike.
``--profile DIR`` writes a py-spy profile of each server over the run (``DIR/jimu.txt``).
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import random
import resource
import shutil
import socket
import subprocess
import sys
import tempfile
import time
from collections import Counter
from collections.abc import Iterator
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime
from decimal import Decimal
from pathlib import Path
from typing import Any

import httpx
import sqlalchemy as sa
from pydantic import BaseModel

BENCH = Path(__file__).resolve().parent
APP = "load"
ENTITY = "lead"
HOST = "127.0.0.1"  # the load never leaves this machine
#: Share of each operation in the mix (80 % reads, 20 % writes).
MIX = {"get": 40, "list": 40, "create": 10, "update": 10}
PAGE = 20
STARTUP_SECONDS = 60
#: How much longer than its run a client may take to stop (requests in flight).
GRACE_SECONDS = 30


@dataclass
class Tally:
    """What the clients of one run saw."""

    latencies: list[float] = field(default_factory=list)
    statuses: Counter[int] = field(default_factory=Counter)
    errors: Counter[str] = field(default_factory=Counter)
    seconds: float = 0.0
    #: CPU seconds the load generator and the server used over ``wall`` seconds of load.
    client_cpu_seconds: float = 0.0
    server_cpu_seconds: float = float("nan")
    wall: float = 0.0

    @property
    def client_cpu(self) -> float:
        return self.client_cpu_seconds / self.wall if self.wall else float("nan")

    @property
    def server_cpu(self) -> float:
        return self.server_cpu_seconds / self.wall if self.wall else float("nan")

    @property
    def count(self) -> int:
        return len(self.latencies)

    def per_second(self) -> float:
        return self.count / self.seconds if self.seconds else 0.0

    def percentile_ms(self, share: float) -> float:
        if not self.latencies:
            return float("nan")
        ordered = sorted(self.latencies)
        return ordered[min(len(ordered) - 1, int(share * len(ordered)))] * 1000

    def not_2xx(self) -> int:
        failed = sum(n for status, n in self.statuses.items() if not 200 <= status < 300)
        return failed + sum(self.errors.values())


# --- the servers (each runs as ``load.py --serve jimu|bare``) ---------------------------------


class LeadIn(BaseModel):
    name: str
    company: str | None = None
    status: str | None = None
    amount: Decimal | None = None
    score: int | None = None


class LeadChange(BaseModel):
    amount: Decimal | None = None
    score: int | None = None


def serve_jimu(url: str, port: int, data_dir: Path) -> None:
    import uvicorn

    from jimu.app import create_app
    from jimu.platform.settings import Settings

    settings = Settings(data_dir=data_dir, database_url=url, secret_key="load-bench")
    uvicorn.run(create_app(settings), host=HOST, port=port, log_level="warning", access_log=False)


def bare_app(url: str) -> Any:
    """FastAPI + SQLAlchemy Core on the lead table; engine set up as Jimu's (pool, SQLite WAL,
    busy timeout, writes ``BEGIN IMMEDIATE``) so both wait for SQLite's lock the same way."""
    from fastapi import FastAPI, HTTPException

    from jimu.engines.form.naming import table_name
    from jimu.platform.db import PoolOptions, begin_write, create_engine

    engine = create_engine(url, pool=PoolOptions())
    table = sa.Table(table_name(APP, ENTITY), sa.MetaData(), autoload_with=engine)
    columns = [table.c[name] for name in ("id", "name", "company", "status", "amount", "score")]
    columns += [table.c.version, table.c.created_at, table.c.updated_at, table.c.owner_id]
    app = FastAPI()

    def one(conn: sa.Connection, lead_id: int) -> dict[str, Any]:
        query = sa.select(*columns).where(table.c.id == lead_id, table.c.deleted_at.is_(None))
        row = conn.execute(query).mappings().one_or_none()
        if row is None:
            raise HTTPException(404)
        return dict(row)

    @app.get("/health")
    def health() -> dict[str, str]:
        return {"status": "ok"}

    @app.get("/leads/{lead_id}")
    def get_lead(lead_id: int) -> dict[str, Any]:
        with engine.connect() as conn:
            return one(conn, lead_id)

    @app.get("/leads")
    def list_leads(limit: int = PAGE) -> dict[str, Any]:
        query = sa.select(*columns).where(table.c.deleted_at.is_(None))
        with engine.connect() as conn:
            rows = conn.execute(query.order_by(table.c.id.desc()).limit(limit)).mappings()
            return {"items": [dict(row) for row in rows]}

    @app.post("/leads", status_code=201)
    def create_lead(body: LeadIn) -> dict[str, Any]:
        now = datetime.now(UTC)
        system = {"created_at": now, "updated_at": now, "version": 1}
        values = {**body.model_dump(), **system, "created_by": 1, "updated_by": 1, "owner_id": 1}
        with begin_write(engine) as conn:
            new_id = conn.execute(sa.insert(table).values(values).returning(table.c.id)).scalar()
            return one(conn, int(new_id or 0))

    @app.patch("/leads/{lead_id}")
    def update_lead(lead_id: int, body: LeadChange) -> dict[str, Any]:
        changes = body.model_dump(exclude_unset=True)
        with begin_write(engine) as conn:
            bumped = {"version": table.c.version + 1, "updated_at": datetime.now(UTC)}
            changed = sa.update(table).where(table.c.id == lead_id)
            conn.execute(changed.values({**changes, **bumped}))
            return one(conn, lead_id)

    return app


def serve_bare(url: str, port: int) -> None:
    import uvicorn

    uvicorn.run(bare_app(url), host=HOST, port=port, log_level="warning", access_log=False)


# --- setting up the data -----------------------------------------------------------------------


def prepare(url: str, rows: int, data_dir: Path) -> tuple[str, int]:
    """Publish the lead as app ``load``, create ``rows`` leads; an API token and the last id."""
    sys.path.insert(0, str(BENCH))
    from benchkit import LEAD, STATUSES
    from records_http import BENCH_USER, bench_token, ensure_platform_tables, publish_entity

    from jimu.engines.form.naming import table_name
    from jimu.platform.auth.users import find_user
    from jimu.platform.db import begin_write
    from jimu.platform.records import WriteContext
    from jimu.platform.settings import Settings
    from jimu.platform.state import Platform

    settings = Settings(data_dir=data_dir, database_url=url, secret_key="load-bench")
    platform = Platform.from_settings(settings)
    try:
        ensure_platform_tables(platform)
        publish_entity(platform, APP, LEAD)
        token = bench_token(platform)
        with platform.sessions() as db:
            user = find_user(db, BENCH_USER)
            assert user is not None
            ctx = WriteContext(actor_id=user.id, source="api")
        rng = random.Random(5)
        leads = [
            {
                "name": f"Lead {i}",
                "company": f"Company {rng.randint(1, 500)}",
                "status": rng.choice(STATUSES),
                "amount": str(Decimal(rng.randint(0, 1_000_000)) / 100),
                "score": rng.randint(0, 100),
            }
            for i in range(rows)
        ]
        for first in range(0, rows, 1000):
            with begin_write(platform.engine) as conn:
                records = platform.apps.records(conn, APP)
                records.bulk_create(conn, ENTITY, leads[first : first + 1000], ctx)
        with platform.engine.connect() as conn:
            last = conn.exec_driver_sql(f'SELECT max(id) FROM "{table_name(APP, ENTITY)}"')
            last_id = int(last.scalar() or 0)
    finally:
        platform.engine.dispose()
    return token, last_id


# --- the load --------------------------------------------------------------------------------


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind((HOST, 0))
        return int(sock.getsockname()[1])


@contextmanager
def server_process(kind: str, url: str, data_dir: Path) -> Iterator[tuple[str, int]]:
    """``load.py --serve kind`` in a process of its own; yields its base URL and process id."""
    port = free_port()
    command = [sys.executable, __file__, "--serve", kind, "--url", url, "--port", str(port)]
    command += ["--data-dir", str(data_dir)]
    log_path = data_dir / f"{kind}-server.log"
    log = log_path.open("w", encoding="utf-8")
    process = subprocess.Popen(command, stdout=log, stderr=subprocess.STDOUT)
    base = f"http://{HOST}:{port}"
    try:
        health = "/api/health" if kind == "jimu" else "/health"
        deadline = time.monotonic() + STARTUP_SECONDS
        while True:
            if process.poll() is not None:
                raise RuntimeError(f"the {kind} server stopped (exit {process.returncode})")
            try:
                if httpx.get(base + health, timeout=2).status_code == 200:
                    break
            except httpx.TransportError:
                pass
            if time.monotonic() > deadline:
                raise RuntimeError(f"the {kind} server did not start")
            time.sleep(0.1)
        yield base, process.pid
    finally:
        process.terminate()
        try:
            process.wait(timeout=GRACE_SECONDS)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
        log.close()
        errors = log_path.read_text(encoding="utf-8").count("Traceback")
        if errors:
            print(f"{kind} server: {errors} tracebacks, see {log_path}", file=sys.stderr)


def cpu_seconds(pid: int) -> float | None:
    """CPU time (user + system) the process ``pid`` has used so far; None off Linux."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return None
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


@contextmanager
def profiled(kind: str, pid: int, args: argparse.Namespace) -> Iterator[None]:
    """With ``--profile DIR``: py-spy samples the server (the thread holding the GIL) over the
    load into ``DIR/<kind>.txt`` (raw: one stack and its count a line)."""
    if not args.profile:
        yield
        return
    spy = shutil.which("py-spy") or str(Path(sys.executable).with_name("py-spy"))
    if not Path(spy).exists():
        raise SystemExit("--profile needs py-spy (pip install py-spy)")
    out = Path(args.profile) / f"{kind}.txt"
    out.parent.mkdir(parents=True, exist_ok=True)
    command = [spy, "record", "--pid", str(pid), "--gil", "--nonblocking", "--format", "raw"]
    # Both servers run for the whole load (each idle while the other is loaded).
    whole = 2 * (args.rounds * args.warmup + args.seconds)
    command += ["--rate", "200", "--duration", str(int(whole) + 5)]
    sampler = subprocess.Popen(
        [*command, "--output", str(out)], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
    )
    try:
        yield
    finally:
        try:
            sampler.wait(timeout=GRACE_SECONDS)
        except subprocess.TimeoutExpired:
            sampler.kill()
            sampler.wait()


@dataclass(frozen=True)
class Target:
    """Where the four operations of the mix go on one server."""

    get: str
    list: str
    create: str
    headers: dict[str, str]

    def request(self, op: str, rng: random.Random, last_id: int) -> tuple[str, str, Any]:
        lead_id = rng.randint(1, last_id)
        if op == "get":
            return "GET", self.get.format(id=lead_id), None
        if op == "list":
            return "GET", self.list, None
        if op == "create":
            body = {"name": f"New {rng.random():.6f}", "status": "new", "score": rng.randint(0, 99)}
            return "POST", self.create, body
        return "PATCH", self.get.format(id=lead_id), {"amount": str(rng.randint(0, 10_000))}


def jimu_target(token: str) -> Target:
    records = f"/api/apps/{APP}/entities/{ENTITY}/records"
    return Target(
        get=records + "/{id}",
        list=f"{records}?limit={PAGE}",
        create=records,
        headers={"Authorization": f"Bearer {token}"},
    )


BARE = Target(get="/leads/{id}", list=f"/leads?limit={PAGE}", create="/leads", headers={})


class Connection:
    """One keep-alive HTTP/1.1 connection, written by hand: httpx costs the generator several
    times the CPU per request, and on a small machine the generator then measures itself."""

    def __init__(self, host: str, port: int, headers: dict[str, str]) -> None:
        self.host, self.port = host, port
        extra = "".join(f"{name}: {value}\r\n" for name, value in headers.items())
        self.fixed = f"Host: {host}:{port}\r\n{extra}".encode()
        self.streams: tuple[asyncio.StreamReader, asyncio.StreamWriter] | None = None

    async def request(self, method: str, path: str, body: Any) -> int:
        """Send one request and read its whole answer; its status."""
        if self.streams is None:
            self.streams = await asyncio.open_connection(self.host, self.port)
        reader, writer = self.streams
        content = json.dumps(body).encode() if body is not None else b""
        head = f"{method} {path} HTTP/1.1\r\n".encode() + self.fixed
        if body is not None:
            head += b"Content-Type: application/json\r\n"
        writer.write(head + f"Content-Length: {len(content)}\r\n\r\n".encode() + content)
        try:
            status_line = await reader.readline()
            length, closing = 0, False
            while (line := await reader.readline()) not in (b"\r\n", b""):
                name, _, value = line.partition(b":")
                name = name.strip().lower()
                if name == b"content-length":
                    length = int(value)
                elif name == b"connection" and value.strip().lower() == b"close":
                    closing = True
            await reader.readexactly(length)
        except (ConnectionError, asyncio.IncompleteReadError):
            await self.close()
            raise
        if closing:
            await self.close()
        return int(status_line.split()[1])

    async def close(self) -> None:
        if self.streams is not None:
            self.streams[1].close()
            self.streams = None


async def client_loop(
    connection: Connection,
    target: Target,
    seed: int,
    last_id: int,
    count_from: float,
    stop_at: float,
    tally: Tally,
) -> None:
    rng = random.Random(seed)
    ops = rng.choices(list(MIX), weights=list(MIX.values()), k=100_000)
    i = 0
    while time.monotonic() < stop_at:
        method, path, body = target.request(ops[i % len(ops)], rng, last_id)
        i += 1
        started = time.monotonic()
        try:
            status: int | None = await connection.request(method, path, body)
            failure = ""
        except (OSError, asyncio.IncompleteReadError, ValueError, IndexError) as error:
            status, failure = None, type(error).__name__
        if started < count_from:
            continue
        tally.latencies.append(time.monotonic() - started)
        if status is None:
            tally.errors[failure] += 1
        else:
            tally.statuses[status] += 1
    await connection.close()


async def run_load(
    base: str,
    target: Target,
    clients: int,
    seconds: float,
    warmup: float,
    last_id: int,
    tally: Tally,
) -> None:
    """One phase of load on one server, added to ``tally``."""
    url = httpx.URL(base)
    assert url.host == HOST, "the load generator only targets 127.0.0.1"
    cpu_before = resource.getrusage(resource.RUSAGE_SELF)
    start = time.monotonic()
    count_from, stop_at = start + warmup, start + warmup + seconds
    loops = [
        client_loop(
            Connection(HOST, int(url.port or 80), target.headers),
            target,
            seed,
            last_id,
            count_from,
            stop_at,
            tally,
        )
        for seed in range(clients)
    ]
    await asyncio.wait_for(asyncio.gather(*loops), warmup + seconds + GRACE_SECONDS)
    tally.seconds += time.monotonic() - count_from
    cpu_after = resource.getrusage(resource.RUSAGE_SELF)
    used = (cpu_after.ru_utime - cpu_before.ru_utime) + (cpu_after.ru_stime - cpu_before.ru_stime)
    tally.client_cpu_seconds += used


def report(url: str, args: argparse.Namespace, jimu: Tally, bare: Tally) -> None:
    print(f"database          {sa.make_url(url).get_backend_name()}")
    print(
        f"load              {args.clients} clients for {args.seconds:g} s each "
        f"(after {args.warmup:g} s warm-up), {args.rows} leads"
    )
    if args.rounds > 1:
        print(f"rounds            {args.rounds}, alternating which server goes first")
    print("mix               40 % get record, 40 % list page, 10 % create, 10 % update")
    print(f"{'':18}{'Jimu':>12}{'bare':>12}")
    rows = [
        ("requests/s", lambda t: f"{t.per_second():,.1f}"),
        ("p50 ms", lambda t: f"{t.percentile_ms(0.50):,.1f}"),
        ("p99 ms", lambda t: f"{t.percentile_ms(0.99):,.1f}"),
        ("answers", lambda t: f"{t.count:,}"),
        ("non-2xx", lambda t: f"{t.not_2xx():,}"),
        ("of which 500", lambda t: f"{t.statuses[500]:,}"),
        ("client CPU", lambda t: f"{t.client_cpu:.0%}"),
        ("server CPU", lambda t: f"{t.server_cpu:.0%}"),
    ]
    for name, cell in rows:
        print(f"{name:18}{cell(jimu):>12}{cell(bare):>12}")
    for name, tally in (("Jimu", jimu), ("bare", bare)):
        odd = {s: n for s, n in tally.statuses.items() if not 200 <= s < 300}
        if odd or tally.errors:
            print(f"{name} not 2xx: {dict(sorted(odd.items()))} {dict(tally.errors)}")
    ratio = jimu.per_second() / bare.per_second() if bare.per_second() else float("nan")
    print(f"Jimu/bare         {ratio:12.2f} x requests/s  (target >= 0.50)")
    print(f"500 answers       {jimu.statuses[500] + bare.statuses[500]:12,}    (target 0)")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--clients", type=int, default=200)
    parser.add_argument("--seconds", type=float, default=60)
    parser.add_argument("--warmup", type=float, default=5)
    parser.add_argument("--rows", type=int, default=2000, help="leads created before the load")
    parser.add_argument("--url", default="", help="database URL (default: a new SQLite file)")
    parser.add_argument("--profile", default="", help="folder for py-spy profiles of the servers")
    parser.add_argument(
        "--rounds",
        type=int,
        default=1,
        help="split the seconds into rounds that alternate the servers (a shared machine's "
        "load then weighs on both alike)",
    )
    parser.add_argument("--serve", choices=["jimu", "bare"], help=argparse.SUPPRESS)
    parser.add_argument("--port", type=int, default=0, help=argparse.SUPPRESS)
    parser.add_argument("--data-dir", default="", help=argparse.SUPPRESS)
    args = parser.parse_args()
    data_dir = Path(args.data_dir or tempfile.mkdtemp())
    url = args.url or f"sqlite:///{data_dir / 'load.db'}"
    if args.serve == "jimu":
        return serve_jimu(url, args.port, data_dir)
    if args.serve == "bare":
        return serve_bare(url, args.port)

    token, last_id = prepare(url, max(1, args.rows), data_dir)
    targets = {"bare": BARE, "jimu": jimu_target(token)}
    tallies = {kind: Tally() for kind in targets}
    with ExitStack() as stack:
        servers = {k: stack.enter_context(server_process(k, url, data_dir)) for k in targets}
        for kind, (_, pid) in servers.items():
            stack.enter_context(profiled(kind, pid, args))
        for round_number in range(args.rounds):
            order = list(targets) if round_number % 2 == 0 else list(reversed(targets))
            for kind in order:
                load_phase(servers[kind], targets[kind], args, last_id, tallies[kind])
    report(url, args, tallies["jimu"], tallies["bare"])


def load_phase(
    server: tuple[str, int], target: Target, args: argparse.Namespace, last_id: int, tally: Tally
) -> None:
    """``args.seconds / args.rounds`` seconds of load (after the warm-up) on one server."""
    base, pid = server
    before, started = cpu_seconds(pid), time.monotonic()
    seconds = args.seconds / args.rounds
    asyncio.run(run_load(base, target, args.clients, seconds, args.warmup, last_id, tally))
    after = cpu_seconds(pid)
    if before is not None and after is not None:
        spent = tally.server_cpu_seconds if tally.wall else 0.0
        tally.server_cpu_seconds = spent + after - before
    tally.wall += time.monotonic() - started


if __name__ == "__main__":
    main()
