"""Benchmark: one filtered, sorted list page over 1M leads, record service vs hand-written SQL.

    .venv/bin/python bench/list_page.py [--rows 1000000] [--url sqlite:///...|postgresql://...]

Fills a lead table through a bare Core insert (loading speed is bench/records.py's subject), then
times the list page a user asks for — status is "new", score at least 50, newest first, 50 rows,
then the next page by keyset cursor — through ``Records.list`` (JsonLogic filter compiled by the
expression engine, rows converted to JSON values) and through the equivalent hand-written SQL
fetched as plain tuples, in the same run. Also runs the exact statement the record service
sends, bare, to separate the quality of its SQL from the Python work around it. Each pair is
timed alternately (ours, theirs, ours, ...), so both see the same load; prints the medians and
the ratios (target: within 1.2x of the hand-written SQL).
"""

from __future__ import annotations

import argparse
import shutil
import tempfile
import time
from datetime import datetime
from pathlib import Path

import sqlalchemy as sa
from benchkit import LEAD, captured_sql, fill_leads, paired_median_ms

from jimu.engines.form.model import AppModel
from jimu.platform.db import create_engine
from jimu.platform.models import Base
from jimu.platform.records import ListQuery, Records

FILTER = {"and": [{"==": [{"var": "status"}, "new"]}, {">=": [{"var": "score"}, 50]}]}
HAND_WRITTEN = (
    "SELECT id, created_at, created_by, updated_at, updated_by, owner_id, version, deleted_at, "
    "name, company, status, amount, score "
    "FROM {table} WHERE deleted_at IS NULL AND status = 'new' AND score >= 50 "
    "{after}ORDER BY created_at DESC, id DESC LIMIT 50"
)
KEYSET = "AND (created_at < :at OR (created_at = :at AND id < :id)) "


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--repeat", type=int, default=200)
    parser.add_argument("--url", default="")
    args = parser.parse_args()
    scratch = Path(tempfile.mkdtemp(prefix="jimu-bench-list-"))
    try:
        run(args, f"sqlite:///{scratch / 'bench.db'}")
    finally:
        shutil.rmtree(scratch, ignore_errors=True)


def run(args: argparse.Namespace, scratch_url: str) -> None:
    """The benchmark, on ``--url`` or else on the SQLite database ``scratch_url``."""
    url = args.url or scratch_url
    engine = create_engine(url)
    Base.metadata.create_all(engine)
    records = Records(AppModel.from_documents("benchlist", [LEAD]))
    table = records.table("lead")
    table.metadata.drop_all(engine)  # a server database may hold an earlier run
    table.metadata.create_all(engine)
    started = time.perf_counter()
    fill_leads(engine, table, args.rows)
    print(f"database       {engine.dialect.name}")
    print(f"rows           {args.rows:,} (filled in {time.perf_counter() - started:.1f} s)")

    query = ListQuery(filter=FILTER, sort=["-created_at"], limit=50)
    with engine.connect() as conn:
        first = records.list(conn, "lead", query)
        assert first.next_cursor is not None
        second_query = ListQuery(FILTER, ["-created_at"], 50, first.next_cursor)
        last = first.items[-1]
        hand_first = sa.text(HAND_WRITTEN.format(table=table.name, after=""))
        hand_next = sa.text(HAND_WRITTEN.format(table=table.name, after=KEYSET))
        at = table.c.created_at.type.process_bind_param  # type: ignore[attr-defined]
        at_value = at(datetime.fromisoformat(last["created_at"]), engine.dialect)
        next_params = {"at": at_value, "id": last["id"]}
        ours = [r["id"] for r in records.list(conn, "lead", second_query).items]
        theirs = [r[0] for r in conn.execute(hand_next, next_params).fetchall()]
        assert ours == theirs, "the record service and the hand-written SQL disagree"
        assert [r["id"] for r in first.items] == [r[0] for r in conn.execute(hand_first).fetchall()]
        ours_sql = captured_sql(engine, conn, lambda: records.list(conn, "lead", query))
        ours_next_sql = captured_sql(engine, conn, lambda: records.list(conn, "lead", second_query))
        hand_sql = captured_sql(engine, conn, lambda: conn.execute(hand_first))
        hand_next_sql = captured_sql(engine, conn, lambda: conn.execute(hand_next, next_params))
        results = {
            "first page": paired_median_ms(
                lambda: records.list(conn, "lead", query),
                lambda: conn.execute(hand_first).fetchall(),
                args.repeat,
            ),
            "next page": paired_median_ms(
                lambda: records.list(conn, "lead", second_query),
                lambda: conn.execute(hand_next, next_params).fetchall(),
                args.repeat,
            ),
            "first, SQL only": paired_median_ms(
                lambda: conn.exec_driver_sql(*ours_sql).fetchall(),
                lambda: conn.exec_driver_sql(*hand_sql).fetchall(),
                args.repeat,
            ),
            "next, SQL only": paired_median_ms(
                lambda: conn.exec_driver_sql(*ours_next_sql).fetchall(),
                lambda: conn.exec_driver_sql(*hand_next_sql).fetchall(),
                args.repeat,
            ),
        }
    print(f"{'page':<16} {'Records.list':>14} {'hand SQL':>10} {'ratio':>7}")
    for name, (ours_ms, hand_ms) in results.items():
        print(f"{name:<16} {ours_ms:11.2f} ms {hand_ms:7.2f} ms {ours_ms / hand_ms:6.2f}x")
    print("target           ratio <= 1.20")
    print("(SQL only: the statements both send, run bare through the driver, side by side;")
    print(" the full rows also include building the query and converting rows to JSON values)")
    engine.dispose()


if __name__ == "__main__":
    main()
