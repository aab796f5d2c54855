"""``jimu app import/export/publish`` and ``jimu demo``."""

from __future__ import annotations

import copy
import json
from pathlib import Path

import pytest
import sqlalchemy as sa
from crm_app import LEAD, write_app

from jimu.platform.cli import main
from jimu.platform.db import create_engine
from jimu.platform.demo import PASSWORD_FILE, examples_dir
from jimu.platform.models import Document, User


def jimu(db_url: str, data_dir: Path, *args: str) -> int:
    return main(["--data-dir", str(data_dir), "--database-url", db_url, *args])


def files_of(folder: Path) -> dict[str, bytes]:
    return {
        p.relative_to(folder).as_posix(): p.read_bytes()
        for p in sorted(folder.rglob("*"))
        if p.is_file()
    }


def test_import_export_round_trip_is_byte_stable(
    db_url: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    source = write_app(tmp_path / "src")
    assert jimu(db_url, tmp_path, "app", "import", str(source)) == 0
    assert "published" in capsys.readouterr().out
    first, second = tmp_path / "out1", tmp_path / "out2"
    assert jimu(db_url, tmp_path, "app", "export", "crm", str(first)) == 0
    assert jimu(db_url, tmp_path, "app", "import", str(first)) == 0
    assert jimu(db_url, tmp_path, "app", "export", "crm", str(second)) == 0
    exported = files_of(first)
    assert exported == files_of(second)
    assert set(exported) >= {"app.json", "entities/lead.json", "entities/account.json"}
    assert json.loads(exported["entities/lead.json"]) == LEAD
    assert exported["entities/lead.json"].endswith(b"\n")


def test_publish_dry_run_prints_ddl_and_runs_nothing(
    db_url: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert jimu(db_url, tmp_path, "app", "import", str(write_app(tmp_path / "a"))) == 0
    changed = copy.deepcopy(LEAD)
    changed["fields"].append({"name": "note", "type": "textarea", "label": {"en": "N", "zh": "注"}})
    folder = write_app(tmp_path / "b", lead=changed)
    assert jimu(db_url, tmp_path, "app", "import", "--no-publish", str(folder)) == 0
    capsys.readouterr()
    assert jimu(db_url, tmp_path, "app", "publish", "crm", "--dry-run") == 0
    out = capsys.readouterr().out
    assert "would publish" in out and "-- DDL (not run)" in out
    assert "note" in out and ("ALTER TABLE" in out.upper() or "CREATE TABLE" in out.upper())
    engine = create_engine(db_url)
    columns = {c["name"] for c in sa.inspect(engine).get_columns("crm_lead")}
    assert "note" not in columns
    assert jimu(db_url, tmp_path, "app", "publish", "crm") == 0
    assert "published:" in capsys.readouterr().out
    columns = {c["name"] for c in sa.inspect(engine).get_columns("crm_lead")}
    assert "note" in columns
    engine.dispose()


def test_import_errors_point_into_the_files(
    db_url: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    broken = copy.deepcopy(LEAD)
    broken["fields"][0]["type"] = "nonsense"
    assert jimu(db_url, tmp_path, "app", "import", str(write_app(tmp_path, lead=broken))) == 1
    assert "entities/lead.json#/fields/0" in capsys.readouterr().err


def _counts(db_url: str) -> dict[str, int]:
    engine = create_engine(db_url)
    with engine.connect() as conn:
        tables = [t for t in sa.inspect(conn).get_table_names() if t.startswith("marketing_")]
        counts = {
            t: int(conn.execute(sa.select(sa.func.count()).select_from(sa.table(t))).scalar_one())
            for t in tables
        }
        counts["documents"] = int(
            conn.execute(sa.select(sa.func.count()).select_from(Document)).scalar_one()
        )
        counts["users"] = int(
            conn.execute(sa.select(sa.func.count()).select_from(User)).scalar_one()
        )
    engine.dispose()
    return counts


def test_demo_twice_without_duplicates(
    db_url: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert jimu(db_url, tmp_path, "demo", "--no-serve") == 0
    first_out = capsys.readouterr().out
    password = (tmp_path / PASSWORD_FILE).read_text().strip()
    assert f"Sign in as 'admin' with password {password!r}" in first_out
    counts = _counts(db_url)
    samples = examples_dir() / "sample"
    for path in samples.glob("*.jsonl"):
        lines = [line for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]
        assert counts[f"marketing_{path.stem}"] == len(lines), path.stem
    assert counts["marketing_lead"] >= 1000
    assert jimu(db_url, tmp_path, "demo", "--no-serve") == 0
    second_out = capsys.readouterr().out
    assert f"with password {password!r}" in second_out
    assert "present" in second_out
    assert _counts(db_url) == counts
