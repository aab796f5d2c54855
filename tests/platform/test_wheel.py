"""The wheel carries the migrations and the example app, and finds them once installed."""

from __future__ import annotations

import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

from jimu.platform.migrate import head_revision

REPO = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="module")
def wheel(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("wheel")
    subprocess.run(
        [sys.executable, "-m", "pip", "wheel", "--no-deps", "--no-build-isolation", "-q",
         "-w", str(out), str(REPO)],
        check=True,
        capture_output=True,
    )  # fmt: skip
    return next(out.glob("jimu-*.whl"))


def test_wheel_contains_migrations_and_examples(wheel: Path) -> None:
    names = set(zipfile.ZipFile(wheel).namelist())
    assert "migrations/env.py" in names
    assert any(n.startswith("migrations/versions/") and n.endswith(".py") for n in names)
    assert "jimu/_examples/marketing/app.json" in names


def test_wheel_carries_the_built_designers_but_not_their_sources(wheel: Path) -> None:
    names = set(zipfile.ZipFile(wheel).namelist())
    built = REPO / "jimu" / "builder_ui" / "static" / "designers"
    expected = {f"jimu/builder_ui/static/designers/{p.name}" for p in built.iterdir()}
    assert "jimu/builder_ui/static/designers/manifest.json" in expected
    assert expected <= names
    assert "jimu/builder_ui/pages/designers/shell.py" in names
    assert not [
        n for n in names if "node_modules" in n or n.startswith("jimu/builder_ui/designers/")
    ]


def test_installed_wheel_finds_them_and_migrates(wheel: Path, tmp_path: Path, db_url: str) -> None:
    target = tmp_path / "site"
    zipfile.ZipFile(wheel).extractall(target)
    script = (
        "import sys; sys.path.insert(0, sys.argv[1]);"
        "import jimu; assert jimu.__file__.startswith(sys.argv[1]), jimu.__file__;"
        "from jimu.platform.demo import examples_dir; print(examples_dir());"
        "from jimu.cli import main;"
        "args = ['--data-dir', sys.argv[2], '--database-url', sys.argv[3], 'db', 'upgrade'];"
        "sys.exit(main(args))"
    )
    result = subprocess.run(
        [sys.executable, "-c", script, str(target), str(tmp_path / "data"), db_url],
        capture_output=True,
        text=True,
        cwd=tmp_path,
    )
    assert result.returncode == 0, result.stderr
    assert str(target / "jimu" / "_examples" / "marketing") in result.stdout
    # The installed copy migrates to the newest revision the checkout ships.
    assert f"database at revision {head_revision()}" in result.stdout
