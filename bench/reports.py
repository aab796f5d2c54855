"""The report engine's benchmark: compile time of chart specs, and running them against a
hand-written SQL query on the same generated data.

    .venv/bin/python bench/reports.py [--deals 100000] [--repeat 5] [--url postgresql://...]

Data: the CRM of the golden tests (tests/engines/report/crm.py: accounts ← deals ←
activities), scaled to ``--deals`` deals (accounts ÷ 10, activities × 2.5), in a new SQLite
file unless ``--url`` names a database. For each golden spec below it prints

- the compile time (spec → SQLAlchemy SELECT, median of many; target < 1 ms for a typical
  spec) and the time to render that SELECT as SQL text for the dialect,
- the median run time of the compiled statement and of the golden's hand-written query,
  after checking both give the same rows,
- a view's server time (spec compiled, rows shaped) uncached and cached: the cached one
  compiles, keys the statement, reads the data versions of its tables (one query) and copies
  the kept rows (``jimu.platform.reports.cached_rows``; docs/reports.md "Caching");

and last the same two for a dashboard of all those charts (target: cached < 5 ms).
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from functools import partial
from pathlib import Path
from typing import Any

import sqlalchemy as sa

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from jimu.engines.form.tables import EntityTables
from jimu.engines.report import shape_rows
from jimu.platform.models import Base, Revision
from jimu.platform.reports import ResultCache, cached_rows
from tests.engines.report import crm
from tests.engines.report.golden_support import (
    GOLDEN,
    compile_for,
    load,
    run,
    same_rows,
)

SPECS = [
    "002_count_by_stage",
    "012_stage_by_industry",
    "018_created_by_month",
    "041_closed_this_year_by_month",
    "048_top_2_stages_with_others",
    "050_win_rate_by_industry",
    "056_deal_total_and_minutes_no_double",
    "065_accounts_with_deal_totals",
]


REVISIONS: sa.Table = Revision.__table__  # type: ignore[assignment]


def median_ms(
    action: Callable[[], Any], repeat: int, timer: Callable[[], float] = time.perf_counter
) -> float:
    """The median of ``repeat`` runs of ``action`` by ``timer`` (wall clock, or
    ``time.process_time`` for CPU: a loaded shared machine inflates wall times)."""
    times = []
    for _ in range(repeat):
        start = timer()
        action()
        times.append((timer() - start) * 1000)
    return statistics.median(times)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--deals", type=int, default=100_000)
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--compiles", type=int, default=500, help="compiles per spec timed")
    parser.add_argument("--url", default="", help="database URL (default: a new SQLite file)")
    args = parser.parse_args()
    folder = tempfile.mkdtemp(prefix="jimu-bench-reports-")
    engine = sa.create_engine(args.url or f"sqlite:///{folder}/reports.db")
    dialect = engine.dialect.name
    started = time.perf_counter()
    tables = crm.seed(
        engine,
        deals=args.deals,
        accounts=max(args.deals // 10, 5),
        activities=args.deals * 5 // 2,
    )
    print(f"{dialect}: {args.deals} deals seeded in {time.perf_counter() - started:.1f} s")
    Base.metadata.create_all(engine, tables=[REVISIONS])  # the data versions
    header = (
        f"{'spec':40} {'compile ms':>10} {'to SQL ms':>10} {'ours ms':>9} {'by hand ms':>10}"
        f" {'view ms':>9} {'cached ms':>9}"
    )
    print(header)
    with engine.connect() as conn:
        for name in SPECS:
            golden = load(GOLDEN / f"{name}.json")
            spec, handwritten = golden["spec"], golden["handwritten"][dialect]
            compiled = compile_for(spec, dialect, tables)
            ours, theirs = run(conn, compiled.statement), run(conn, handwritten)
            if not same_rows(ours, theirs):
                raise SystemExit(f"{name}: the compiled and hand-written rows differ")
            compile_ms = median_ms(partial(compile_for, spec, dialect, tables), args.compiles)
            to_sql = partial(render, compiled.statement, engine.dialect)
            sql_ms = median_ms(to_sql, args.compiles // 5)
            ours_ms = median_ms(partial(fetch, conn, compiled.statement), args.repeat)
            hand_ms = median_ms(partial(fetch, conn, handwritten), args.repeat)
            view_ms = median_ms(partial(view, conn, spec, tables), args.repeat)
            cache = ResultCache()
            view(conn, spec, tables, cache)
            cached_ms = median_ms(partial(view, conn, spec, tables, cache), args.compiles // 5)
            print(
                f"{name:40} {compile_ms:10.3f} {sql_ms:10.3f} {ours_ms:9.1f} {hand_ms:10.1f}"
                f" {view_ms:9.1f} {cached_ms:9.3f}"
            )
        specs = [load(GOLDEN / f"{name}.json")["spec"] for name in SPECS]
        cache = ResultCache()
        kept = [compile_for(spec, dialect, tables) for spec in specs]

        def dashboard(cache: ResultCache | None) -> None:
            for spec in specs:
                view(conn, spec, tables, cache)

        def dashboard_compiled_kept() -> None:  # run_cached keeps compiled charts too
            for compiled in kept:
                cached_rows(conn, compiled, cache, ("bench",))

        dashboard(cache)
        uncached_ms = median_ms(lambda: dashboard(None), args.repeat)
        cached_ms = median_ms(lambda: dashboard(cache), args.compiles // 5)
        kept_ms = median_ms(dashboard_compiled_kept, args.compiles // 5)
        kept_cpu_ms = median_ms(dashboard_compiled_kept, args.compiles // 5, time.process_time)
        print(
            f"a dashboard of these {len(specs)} charts: {uncached_ms:.1f} ms uncached;"
            f" cached {cached_ms:.2f} ms compiling each chart, {kept_ms:.2f} ms with the"
            f" compiled charts kept ({kept_cpu_ms:.2f} ms of CPU; target < 5 ms)"
        )


def render(statement: Any, dialect: sa.Dialect) -> str:
    return str(statement.compile(dialect=dialect))


def fetch(conn: sa.Connection, statement: Any) -> list[Any]:
    if isinstance(statement, str):
        return list(conn.exec_driver_sql(statement).all())
    return list(conn.execute(statement).all())


def view(
    conn: sa.Connection,
    spec: dict[str, Any],
    tables: dict[str, EntityTables],
    cache: ResultCache | None = None,
) -> Any:
    """A chart view's server work: compile, then the rows (from ``cache`` when given)."""
    compiled = compile_for(spec, conn.dialect.name, tables)
    if cache is None:
        return shape_rows(compiled.columns, conn.execute(compiled.statement))
    return cached_rows(conn, compiled, cache, ("bench",))


if __name__ == "__main__":
    main()
