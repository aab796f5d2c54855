"""Golden specs: the compiler's SQL per dialect, and its rows equal to a hand-written query's
on the same seeded data, on SQLite and PostgreSQL (see golden_cases.py)."""

from __future__ import annotations

from pathlib import Path

import pytest
import sqlalchemy as sa

from jimu.engines.form.tables import EntityTables
from tests.conftest import POSTGRES_URL, create_postgres_database, drop_postgres_database
from tests.engines.report import crm
from tests.engines.report.golden_support import (
    GOLDEN,
    compile_for,
    load,
    run,
    same_rows,
    sql_text,
)

FILES = sorted(GOLDEN.glob("*.json"))


def test_there_are_at_least_fifty_golden_specs() -> None:
    assert len(FILES) >= 50


@pytest.mark.parametrize("path", FILES, ids=[p.stem for p in FILES])
@pytest.mark.parametrize("dialect", ["sqlite", "postgresql"])
def test_compiled_sql_is_the_golden_sql(path: Path, dialect: str) -> None:
    golden = load(path)
    expected = golden["compiled"][dialect]
    if expected.startswith("ERROR: "):
        with pytest.raises(Exception) as caught:
            compile_for(golden["spec"], dialect)
        assert (
            "ERROR: "
            + "; ".join(
                f"{e.pointer} {e.message}"
                for e in caught.value.errors  # type: ignore[attr-defined]
            )
            == expected
        )
        return
    assert sql_text(compile_for(golden["spec"], dialect), dialect) == expected


@pytest.fixture
def crm_db(engine: sa.Engine) -> tuple[sa.Engine, dict[str, EntityTables]]:
    return engine, crm.seed(engine)


def test_every_spec_gives_the_rows_of_its_handwritten_query(
    crm_db: tuple[sa.Engine, dict[str, EntityTables]],
) -> None:
    engine, tables = crm_db
    dialect = engine.dialect.name
    checked = 0
    failures = []
    with engine.connect() as conn:
        for path in FILES:
            golden = load(path)
            handwritten = golden["handwritten"].get(dialect)
            if handwritten is None:
                continue
            compiled = compile_for(golden["spec"], dialect, tables)
            ours = run(conn, compiled.statement)
            theirs = run(conn, handwritten)
            assert ours, f"{path.stem}: the seeded data gives no rows"
            if not same_rows(ours, theirs):
                failures.append(f"{path.stem}:\n  ours   {ours[:6]}\n  theirs {theirs[:6]}")
            checked += 1
    assert not failures, "\n".join(failures)
    assert checked >= 50


@pytest.mark.skipif(not POSTGRES_URL, reason="needs JIMU_TEST_POSTGRES_URL")
def test_every_spec_gives_the_same_rows_on_sqlite_and_postgresql(tmp_path: Path) -> None:
    url = create_postgres_database()
    engines = [sa.create_engine(f"sqlite:///{tmp_path / 'crm.db'}"), sa.create_engine(url)]
    try:
        seeded = [(engine, crm.seed(engine)) for engine in engines]
        compared = 0
        for path in FILES:
            spec = load(path)["spec"]
            if any(m.get("agg") == "median" for m in spec["measures"]):
                continue  # PostgreSQL only
            results = []
            for engine, tables in seeded:
                with engine.connect() as conn:
                    compiled = compile_for(spec, engine.dialect.name, tables)
                    results.append(run(conn, compiled.statement))
            assert same_rows(results[0], results[1]), path.stem
            compared += 1
        assert compared >= 50
    finally:
        for engine in engines:
            engine.dispose()
        drop_postgres_database(url)
