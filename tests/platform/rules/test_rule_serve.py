"""``jimu serve`` runs a rule worker in its own process while it serves, and stops it after;
``JIMU_WORKER_IN_PROCESS=false`` leaves the rules to ``jimu worker``."""

from __future__ import annotations

import time
from pathlib import Path
from typing import Any

import pytest
from rules_testing import create, get, publish, rule

from jimu.cli import main
from jimu.platform.db import create_engine
from jimu.platform.settings import Settings
from jimu.platform.state import Platform

SCORE = rule("score", trigger={"on": "created"},
             actions=[{"type": "add_score", "field": "score", "amount": 1}])  # fmt: skip


def served_score(db_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Any:
    seen: list[Any] = []

    def fake_run(app: object, **kwargs: object) -> None:
        settings = Settings(data_dir=tmp_path / "data", database_url=db_url, secret_key="x")
        platform = Platform(settings, create_engine(db_url))
        try:
            publish(platform, [SCORE])
            lead = create(platform, "lead", name="Ann", score=0)
            deadline = time.monotonic() + 5
            while get(platform, "lead", lead["id"])["score"] != 1:
                if time.monotonic() > deadline:
                    break
                time.sleep(0.05)
            seen.append(get(platform, "lead", lead["id"])["score"])
        finally:
            platform.engine.dispose()

    monkeypatch.setattr("jimu.platform.cli.serve_command.uvicorn.run", fake_run)
    monkeypatch.setenv("JIMU_WORKER_POLL_SECONDS", "0.1")
    args = ["--database-url", db_url, "--data-dir", str(tmp_path / "data"), "serve"]
    assert main(args) == 0
    return seen[0]


def test_serve_runs_the_rules(db_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    assert served_score(db_url, tmp_path, monkeypatch) == 1


def test_serve_without_the_in_process_worker(
    db_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("JIMU_WORKER_IN_PROCESS", "false")
    assert served_score(db_url, tmp_path, monkeypatch) == 0
