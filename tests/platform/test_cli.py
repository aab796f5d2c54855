"""The ``jimu`` command: db upgrade, user create (app and demo commands: test_cli_apps.py)."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest
import sqlalchemy as sa

from jimu.cli import main
from jimu.platform.auth.users import authenticate
from jimu.platform.db import create_engine
from jimu.platform.migrate import current_revision, head_revision
from jimu.platform.models import User
from jimu.platform.settings import Settings
from jimu.platform.state import Platform


def jimu(db_url: str, data_dir: Path, *args: str) -> int:
    return main(["--data-dir", str(data_dir), "--database-url", db_url, *args])


def test_db_upgrade_creates_the_tables(
    db_url: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert jimu(db_url, tmp_path, "db", "upgrade") == 0
    assert f"revision {head_revision()}" in capsys.readouterr().out
    engine = create_engine(db_url)
    assert current_revision(engine) == head_revision()
    assert "jimu_user" in sa.inspect(engine).get_table_names()
    engine.dispose()
    assert jimu(db_url, tmp_path, "db", "current") == 0
    assert "up to date" in capsys.readouterr().out


def test_user_create_admin_with_password(
    db_url: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code = jimu(
        db_url, tmp_path, "user", "create", "root", "--admin", "--password", "s3cret-pw-2026"
    )
    assert code == 0
    assert "created administrator 'root'" in capsys.readouterr().out
    platform = Platform.from_settings(
        Settings(data_dir=tmp_path, database_url=db_url, _env_file=None)
    )
    with platform.sessions() as db:
        user = authenticate(db, "root", "s3cret-pw-2026")
        assert user is not None and user.is_admin
    platform.engine.dispose()


def test_user_create_prompts_for_the_password(
    db_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    answers = iter(["typed-passw0rd", "typed-passw0rd"])
    monkeypatch.setattr("getpass.getpass", lambda prompt="": next(answers))
    assert jimu(db_url, tmp_path, "user", "create", "bob") == 0
    engine = create_engine(db_url)
    with engine.connect() as conn:
        assert (
            conn.execute(sa.select(User.is_admin).where(User.username == "bob")).scalar() is False
        )
    engine.dispose()


def test_user_create_errors_are_reported_with_their_fields(
    db_url: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert jimu(db_url, tmp_path, "user", "create", "bad name", "--password", "x") == 1
    err = capsys.readouterr().err
    assert "/username" in err and "/password" in err
    assert jimu(db_url, tmp_path, "user", "create", "ann", "--password", "long-enough-1") == 0
    assert jimu(db_url, tmp_path, "user", "create", "ann", "--password", "long-enough-1") == 1
    assert "taken" in capsys.readouterr().err


def test_the_installed_command_runs(tmp_path: Path) -> None:
    jimu_script = Path(sys.executable).parent / "jimu"
    result = subprocess.run(
        [str(jimu_script), "--help"], capture_output=True, text=True, check=True, cwd=tmp_path
    )
    for command in ("serve", "db", "app", "user", "demo"):
        assert command in result.stdout


def test_serve_migrates_and_runs_uvicorn_with_the_app(
    db_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    calls: list[dict[str, object]] = []

    def fake_run(app: object, **kwargs: object) -> None:
        calls.append({"app": app, **kwargs})

    monkeypatch.setattr("jimu.platform.cli.serve_command.uvicorn.run", fake_run)
    assert jimu(db_url, tmp_path, "serve", "--port", "8123") == 0
    (call,) = calls
    assert call["host"] == "127.0.0.1" and call["port"] == 8123
    from fastapi import FastAPI
    from fastapi.testclient import TestClient

    app = call["app"]
    assert isinstance(app, FastAPI)
    with TestClient(app) as client:
        assert client.get("/api/health").json()["migrated"] is True
        # The command serves the whole app: the pages too, not only the API.
        assert client.get("/login").status_code == 200
