"""bench/reports_marketing.py's hand-written queries give, on a small generated marketing
data set, exactly the rows of every marketing report compiled as the platform does (SQLite,
and PostgreSQL when ``JIMU_TEST_POSTGRES_URL`` is set). No timing is looked at."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

from tests.conftest import DIALECTS, POSTGRES_URL

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))

from bench import reports_marketing as bench  # noqa: E402
from bench.marketing_data import seed  # noqa: E402


@pytest.mark.parametrize("dialect", DIALECTS)
def test_every_marketing_report_agrees_with_its_hand_written_query(
    dialect: str, tmp_path: Path
) -> None:
    reports = bench.documents("report")
    assert set(bench.HANDWRITTEN) == set(reports), "every report needs its hand-written query"
    with bench.database(POSTGRES_URL if dialect == "postgresql" else "") as url:
        platform = bench.published_platform(url, tmp_path)
        try:
            counts = seed(platform.engine, 500, 100, bench.NOW)
            assert counts["lead"] == 500
            assert counts["opportunity"] == 100
            assert counts["history"] > 500  # the funnels read the status and stage changes
            with platform.engine.connect() as conn:
                guarded = bench.admin_records(platform, conn)
                assert bench.compare(conn, guarded) == []
                # Not vacuous: every chart has rows, and the data reaches each funnel step.
                for name, spec in reports.items():
                    compiled = bench.compile_chart(conn, guarded, spec)
                    rows = bench.run_rows(conn, compiled.statement)
                    assert rows, name
                funnel = bench.compile_chart(conn, guarded, reports["marketing_funnel"])
                steps = bench.run_rows(conn, funnel.statement)
                assert [row[0] for row in steps] == [
                    "qualified",
                    "sales_accepted",
                    "converted",
                    "won",
                ]
                assert all(row[1] > 0 for row in steps)
        finally:
            platform.engine.dispose()


def test_a_different_hand_written_query_is_caught(tmp_path: Path) -> None:
    """The comparison fails when a hand-written query is off (here: one lead too many)."""
    with bench.database("") as url:
        platform = bench.published_platform(url, tmp_path)
        try:
            seed(platform.engine, 200, 40, bench.NOW)
            original = bench.HANDWRITTEN["leads_by_source"]
            bench.HANDWRITTEN["leads_by_source"] = lambda d: original(d).replace(
                "count(*) AS leads", "count(*) + 1 AS leads"
            )
            try:
                with platform.engine.connect() as conn:
                    problems = bench.compare(conn, bench.admin_records(platform, conn))
            finally:
                bench.HANDWRITTEN["leads_by_source"] = original
            assert [p.split(":")[0] for p in problems] == ["leads_by_source"]
        finally:
            platform.engine.dispose()
