"""Benchmark: the same flow in Jimu's process engine and in SpiffWorkflow, persisted.

    .venv/bin/python bench/process.py [--instances 2000] [--batch 100] [--url postgresql://...]
                                      [--scale 1000,10000]

The flow of issue 14: start → XOR on the amount → approval (amounts above 1 000) → parallel
split → two service steps → join → end. Half the instances need the approval. Both engines
persist each instance in the same database, ``--batch`` instances per transaction:

- Jimu: ``start_instance`` on a lead (instance, tokens, task and step rows), then
  ``complete_task`` for the open approvals; the service steps are ``set_fields`` on the lead
  (a real record write: history and outbox included).
- SpiffWorkflow 3.2.0 (the ``bench`` extra): the BPMN equivalent (the service steps are script
  tasks setting a variable); each instance serialised to JSON with its serializer into a
  table of its own, read back and deserialised to complete its user task.

It prints instances per second started and finished (start to end, the approvals included;
also per CPU second of this process, steadier on a shared machine: SQLite runs inside it),
the bytes each engine writes per step (Jimu: the engine's delta of each step; Spiff: the whole
serialised instance at each save), and, with ``--scale``, Jimu's time per instance at each
scale (flat is the target). A PostgreSQL database given by --url is emptied first.
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import sqlalchemy as sa

from jimu.engines.process import load_flow, step
from jimu.platform import metadata_store as store
from jimu.platform.db import begin_write
from jimu.platform.migrate import upgrade
from jimu.platform.models import utcnow
from jimu.platform.process.instances import TASKS, complete_task, start_instance
from jimu.platform.records import WriteContext
from jimu.platform.settings import Settings
from jimu.platform.state import Platform

APP = "bench"
THRESHOLD = 1000
FLOW: dict[str, Any] = {
    "kind": "flow", "name": "approve", "entity": "lead",
    "nodes": [
        {"id": "s", "type": "start"},
        {"id": "x", "type": "exclusive"},
        {"id": "a", "type": "approval"},
        {"id": "split", "type": "parallel"},
        {"id": "s1", "type": "service",
         "actions": [{"type": "set_fields", "values": {"step_one": True}}]},
        {"id": "s2", "type": "service",
         "actions": [{"type": "set_fields", "values": {"step_two": True}}]},
        {"id": "join", "type": "join"},
        {"id": "ok", "type": "end"},
    ],
    "edges": [
        {"from": "s", "to": "x"},
        {"from": "x", "to": "a", "condition": {">": [{"var": "record.amount"}, THRESHOLD]}},
        {"from": "x", "to": "split", "default": True},
        {"from": "a", "to": "split"},
        {"from": "split", "to": "s1"},
        {"from": "split", "to": "s2"},
        {"from": "s1", "to": "join"},
        {"from": "s2", "to": "join"},
        {"from": "join", "to": "ok"},
    ],
}  # fmt: skip
DOCS: list[dict[str, Any]] = [
    {"kind": "app", "name": APP, "label": {"en": "Bench"}, "menu": ["lead"]},
    {"kind": "entity", "name": "lead", "label": {"en": "Lead"},
     "fields": [{"name": "name", "type": "text"}, {"name": "amount", "type": "number"},
                {"name": "step_one", "type": "boolean"}, {"name": "step_two", "type": "boolean"}]},
    FLOW,
]  # fmt: skip
BPMN = """<?xml version="1.0" encoding="UTF-8"?>
<bpmn:definitions xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL" id="d"
  targetNamespace="http://bpmn.io/schema/bpmn"><bpmn:process id="proc" isExecutable="true">
<bpmn:startEvent id="s"><bpmn:outgoing>f1</bpmn:outgoing></bpmn:startEvent>
<bpmn:exclusiveGateway id="x" default="f3"><bpmn:incoming>f1</bpmn:incoming>
  <bpmn:outgoing>f2</bpmn:outgoing><bpmn:outgoing>f3</bpmn:outgoing></bpmn:exclusiveGateway>
<bpmn:userTask id="a"><bpmn:incoming>f2</bpmn:incoming><bpmn:outgoing>f4</bpmn:outgoing>
  </bpmn:userTask>
<bpmn:exclusiveGateway id="m"><bpmn:incoming>f3</bpmn:incoming><bpmn:incoming>f4</bpmn:incoming>
  <bpmn:outgoing>f5</bpmn:outgoing></bpmn:exclusiveGateway>
<bpmn:parallelGateway id="split"><bpmn:incoming>f5</bpmn:incoming>
  <bpmn:outgoing>f6</bpmn:outgoing><bpmn:outgoing>f7</bpmn:outgoing></bpmn:parallelGateway>
<bpmn:scriptTask id="s1"><bpmn:incoming>f6</bpmn:incoming><bpmn:outgoing>f8</bpmn:outgoing>
  <bpmn:script>step_one = True</bpmn:script></bpmn:scriptTask>
<bpmn:scriptTask id="s2"><bpmn:incoming>f7</bpmn:incoming><bpmn:outgoing>f9</bpmn:outgoing>
  <bpmn:script>step_two = True</bpmn:script></bpmn:scriptTask>
<bpmn:parallelGateway id="join"><bpmn:incoming>f8</bpmn:incoming><bpmn:incoming>f9</bpmn:incoming>
  <bpmn:outgoing>f10</bpmn:outgoing></bpmn:parallelGateway>
<bpmn:endEvent id="ok"><bpmn:incoming>f10</bpmn:incoming></bpmn:endEvent>
<bpmn:sequenceFlow id="f1" sourceRef="s" targetRef="x"/>
<bpmn:sequenceFlow id="f2" sourceRef="x" targetRef="a">
  <bpmn:conditionExpression>amount &gt; 1000</bpmn:conditionExpression></bpmn:sequenceFlow>
<bpmn:sequenceFlow id="f3" sourceRef="x" targetRef="m"/>
<bpmn:sequenceFlow id="f4" sourceRef="a" targetRef="m"/>
<bpmn:sequenceFlow id="f5" sourceRef="m" targetRef="split"/>
<bpmn:sequenceFlow id="f6" sourceRef="split" targetRef="s1"/>
<bpmn:sequenceFlow id="f7" sourceRef="split" targetRef="s2"/>
<bpmn:sequenceFlow id="f8" sourceRef="s1" targetRef="join"/>
<bpmn:sequenceFlow id="f9" sourceRef="s2" targetRef="join"/>
<bpmn:sequenceFlow id="f10" sourceRef="join" targetRef="ok"/>
</bpmn:process></bpmn:definitions>"""


def amount(i: int) -> int:
    """Every other instance needs the approval."""
    return 5000 if i % 2 else 500


def empty_postgres(url: str) -> None:
    engine = sa.create_engine(url)
    with engine.begin() as conn:
        conn.execute(sa.text("DROP SCHEMA public CASCADE"))
        conn.execute(sa.text("CREATE SCHEMA public"))
    engine.dispose()


def batches(n: int, size: int) -> list[range]:
    return [range(first, min(first + size, n)) for first in range(0, n, size)]


# -- Jimu ---------------------------------------------------------------------------------


def make_leads(platform: Platform, n: int) -> list[int]:
    with platform.engine.connect() as conn:
        records = platform.apps.records(conn, APP)
    ids: list[int] = []
    for part in batches(n, 1000):
        rows = [{"name": f"L{i}", "amount": amount(i)} for i in part]
        with begin_write(platform.engine) as conn:
            created = records.bulk_create(conn, "lead", rows, WriteContext(1, "import"))
        ids.extend(int(r["id"]) for r in created)
    return ids


def run_jimu(platform: Platform, n: int, batch: int) -> tuple[float, float]:
    """Seconds to start ``n`` instances, and to complete their open approvals."""
    leads = make_leads(platform, n)
    with platform.engine.connect() as conn:
        records = platform.apps.records(conn, APP)
        first_task = conn.execute(sa.select(sa.func.max(TASKS.c.id))).scalar() or 0
    started = time.perf_counter()
    for part in batches(n, batch):
        with begin_write(platform.engine) as conn:
            for i in part:
                start_instance(conn, records, APP, "approve", utcnow(), entity="lead",
                               record_id=leads[i], platform=platform)  # fmt: skip
    start_s = time.perf_counter() - started
    with platform.engine.connect() as conn:
        stmt = sa.select(TASKS.c.id).where(TASKS.c.id > first_task, TASKS.c.status == "open")
        tasks = [int(t) for t in conn.execute(stmt.order_by(TASKS.c.id)).scalars()]
    started = time.perf_counter()
    for part in batches(len(tasks), batch):
        with begin_write(platform.engine) as conn:
            for k in part:
                complete_task(conn, records, tasks[k], utcnow(), outcome="approve",
                              platform=platform)  # fmt: skip
    return start_s, time.perf_counter() - started


def jimu_delta_sizes() -> list[int]:
    flow = load_flow(FLOW)
    sizes = []
    begun = step(flow, None, {"type": "start"}, record={"amount": 5000})
    sizes.append(len(json.dumps(begun.delta)))
    token = next(iter(begun.state["tokens"]))
    done = step(flow, begun.state, {"type": "task_done", "token": token, "outcome": "approve"},
                record={"amount": 5000})  # fmt: skip
    sizes.append(len(json.dumps(done.delta)))
    return sizes


# -- SpiffWorkflow ------------------------------------------------------------------------


def run_spiff(engine: sa.Engine, n: int, batch: int) -> tuple[float, float, list[int]] | None:
    try:
        from SpiffWorkflow.bpmn import BpmnWorkflow  # type: ignore[import-untyped]
        from SpiffWorkflow.bpmn.parser import BpmnParser  # type: ignore[import-untyped]
        from SpiffWorkflow.bpmn.serializer import (  # type: ignore[import-untyped]
            BpmnWorkflowSerializer,
        )
        from SpiffWorkflow.util.task import TaskState  # type: ignore[import-untyped]
    except ImportError:
        return None
    parser = BpmnParser()
    parser.add_bpmn_str(BPMN.encode())
    spec = parser.get_spec("proc")
    serializer = BpmnWorkflowSerializer()
    table = sa.Table("spiff_instance", sa.MetaData(), sa.Column("id", sa.Integer, primary_key=True),
                     sa.Column("state", sa.Text), sa.Column("waiting", sa.Boolean))  # fmt: skip
    table.metadata.drop_all(engine)
    table.metadata.create_all(engine)
    sizes: list[int] = []
    started = time.perf_counter()
    for part in batches(n, batch):
        with engine.begin() as conn:
            for i in part:
                workflow = BpmnWorkflow(spec)
                workflow.get_tasks(state=TaskState.READY)[0].data["amount"] = amount(i)
                workflow.do_engine_steps()
                state = serializer.serialize_json(workflow)
                sizes.append(len(state))
                waiting = not workflow.is_completed()
                conn.execute(sa.insert(table).values(id=i + 1, state=state, waiting=waiting))
    start_s = time.perf_counter() - started
    with engine.connect() as conn:
        ids = [int(i) for i in conn.execute(sa.select(table.c.id).where(table.c.waiting)).scalars()]
    started = time.perf_counter()
    for part in batches(len(ids), batch):
        with engine.begin() as conn:
            for k in part:
                row = conn.execute(sa.select(table.c.state).where(table.c.id == ids[k])).one()
                workflow = serializer.deserialize_json(row.state)
                workflow.get_tasks(state=TaskState.READY, manual=True)[0].run()
                workflow.do_engine_steps()
                assert workflow.is_completed()
                state = serializer.serialize_json(workflow)
                sizes.append(len(state))
                conn.execute(sa.update(table).where(table.c.id == ids[k])
                             .values(state=state, waiting=False))  # fmt: skip
    return start_s, time.perf_counter() - started, sizes


# -- the run ------------------------------------------------------------------------------


def rate(n: int, seconds: float) -> str:
    return f"{n / seconds:9,.0f} instances/s"


def report(name: str, n: int, timing: tuple[float, float], sizes: list[int]) -> None:
    start_s, finish_s = timing
    median = statistics.median(sizes)
    print(f"{name:15}: start {rate(n, start_s)}; start to end {rate(n, start_s + finish_s)}"
          f"; bytes per save median {median:,.0f}, max {max(sizes):,}")  # fmt: skip


def platform_at(url: str | None, folder: Path) -> Platform:
    url = url or f"sqlite:///{folder / 'bench.db'}"
    if url.startswith("postgres"):
        empty_postgres(url)
    platform = Platform.from_settings(Settings(data_dir=folder, database_url=url, secret_key="b"))
    upgrade(platform.engine)
    with begin_write(platform.engine) as conn:
        for doc in DOCS:
            store.save_draft(conn, APP, doc["kind"], doc["name"], doc)
        store.publish(conn, APP)
    return platform


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--instances", type=int, default=2000)
    parser.add_argument("--batch", type=int, default=100)
    parser.add_argument("--url", default=None)
    parser.add_argument("--scale", default="", help="e.g. 1000,10000: Jimu's time per instance")
    args = parser.parse_args()
    folder = Path(tempfile.mkdtemp(prefix="jimu-bench-process-"))
    platform = platform_at(args.url, folder)
    n = args.instances
    print(f"process bench on {platform.engine.dialect.name}: {n} instances, batches of "
          f"{args.batch}, half with an approval")  # fmt: skip
    cpu = time.process_time()
    report("jimu", n, run_jimu(platform, n, args.batch), jimu_delta_sizes())
    print(f"{'':15}  CPU {rate(n, time.process_time() - cpu)} start to end")
    cpu = time.process_time()
    spiff = run_spiff(platform.engine, n, args.batch)
    if spiff is None:
        print("spiffworkflow  : not installed (pip install -e '.[bench]')")
    else:
        report("spiffworkflow", n, spiff[:2], spiff[2])
        print(f"{'':15}  CPU {rate(n, time.process_time() - cpu)} start to end")
    for size in [int(x) for x in args.scale.split(",") if x]:
        start_s, finish_s = run_jimu(platform, size, args.batch)
        per = (start_s + finish_s) / size * 1e6
        print(f"jimu at {size:>7,} more instances: {per:,.0f} µs per instance, start to end")
    platform.engine.dispose()


if __name__ == "__main__":
    sys.exit(main())
