"""Auto-numbers: no gaps, no duplicates, under concurrent inserts and rollbacks."""

from __future__ import annotations

import threading

import pytest
import sqlalchemy as sa
from records_testing import CTX

from jimu.errors import Conflict, ValidationFailed
from jimu.platform.db import begin_write
from jimu.platform.records import ListQuery, Records, WriteContext


def test_concurrent_inserts_get_distinct_gap_free_numbers(
    records: Records, jimu_engine: sa.Engine
) -> None:
    failures: list[BaseException] = []

    def worker(n: int) -> None:
        try:
            for i in range(5):
                with begin_write(jimu_engine) as conn:
                    records.create(conn, "lead", {"name": f"w{n}-{i}"}, CTX)
        except BaseException as exc:  # pragma: no cover - reported below
            failures.append(exc)

    threads = [threading.Thread(target=worker, args=(n,)) for n in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert failures == []
    with jimu_engine.connect() as conn:
        codes = [r["code"] for r in records.list(conn, "lead", ListQuery(limit=100)).items]
    numbers = sorted(int(code.rsplit("-", 1)[1]) for code in codes)
    assert numbers == list(range(1, 21))


def test_a_rolled_back_insert_gives_its_number_back(
    records: Records, jimu_engine: sa.Engine
) -> None:
    with begin_write(jimu_engine) as conn:
        records.create(conn, "lead", {"name": "a"}, CTX)
    with pytest.raises(ValidationFailed), begin_write(jimu_engine) as conn:
        records.create(conn, "lead", {"name": "b"}, CTX)
        records.create(conn, "lead", {}, CTX)  # fails: the whole transaction rolls back
    with begin_write(jimu_engine) as conn:
        c = records.create(conn, "lead", {"name": "c"}, CTX)
    assert c["code"].endswith("-0002")


def test_concurrent_updates_of_one_version_let_exactly_one_win(
    records: Records, jimu_engine: sa.Engine
) -> None:
    with begin_write(jimu_engine) as conn:
        lead = records.create(conn, "lead", {"name": "a"}, CTX)
    outcomes: list[str] = []
    barrier = threading.Barrier(4)

    def worker(n: int) -> None:
        barrier.wait()
        try:
            with begin_write(jimu_engine) as conn:
                records.update(conn, "lead", lead["id"], {"score": n}, CTX, expected_version=1)
            outcomes.append("won")
        except Conflict:
            outcomes.append("conflict")

    threads = [threading.Thread(target=worker, args=(n,)) for n in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert sorted(outcomes) == ["conflict", "conflict", "conflict", "won"]
    with jimu_engine.connect() as conn:
        assert records.get(conn, "lead", lead["id"])["version"] == 2


def test_concurrent_imports_over_several_periods_stay_gap_free(
    records: Records, jimu_engine: sa.Engine
) -> None:
    importing = WriteContext(actor_id=7, source="import")
    months = ["2026-01-15T00:00:00Z", "2026-02-15T00:00:00Z", "2026-03-15T00:00:00Z"]
    failures: list[BaseException] = []

    def worker(n: int) -> None:
        # each batch mixes the months in a different order: counters locked in one order
        order = months[n % 3 :] + months[: n % 3]
        rows = [{"name": f"w{n}-{i}", "created_at": at} for i, at in enumerate(order * 2)]
        try:
            for _ in range(3):
                with begin_write(jimu_engine) as conn:
                    records.bulk_create(conn, "lead", rows, importing)
        except BaseException as exc:  # pragma: no cover - reported below
            failures.append(exc)

    threads = [threading.Thread(target=worker, args=(n,)) for n in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert failures == []
    with jimu_engine.connect() as conn:
        codes = [r["code"] for r in records.list(conn, "lead", ListQuery(limit=200)).items]
    by_month: dict[str, list[int]] = {}
    for code in codes:
        _, period, number = code.split("-")
        by_month.setdefault(period, []).append(int(number))
    assert sorted(by_month) == ["202601", "202602", "202603"]
    for numbers in by_month.values():
        assert sorted(numbers) == list(range(1, 4 * 3 * 2 + 1))
