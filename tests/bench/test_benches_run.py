"""Every benchmark still runs end to end (on tiny sizes; the figures are not looked at)."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

BENCH = Path(__file__).resolve().parents[2] / "bench"

RUNS = {
    "records.py": ["--rows", "300", "--batch", "100"],
    "records_http.py": ["--rows", "300", "--batch", "100"],
    "list_page.py": ["--rows", "2000", "--repeat", "2"],
    "scopes.py": ["--rows", "2000", "--repeat", "2"],
    "expr.py": ["--records", "500", "--repeat", "1"],
    "formulas.py": ["--repeat", "1", "--rounds", "5"],
    "rules.py": ["--events", "40", "--latency", "5"],
    "ui.py": ["--loads", "1"],
    "reports.py": ["--deals", "300", "--repeat", "1", "--compiles", "5"],
    "reports_marketing.py": [
        "--leads",
        "500",
        "--opportunities",
        "100",
        "--repeat",
        "1",
        "--compiles",
        "2",
    ],
    "process.py": ["--instances", "200", "--batch", "50"],
    "load.py": ["--clients", "4", "--seconds", "1", "--warmup", "0.5", "--rows", "50"],
}


@pytest.mark.parametrize("script", sorted(RUNS))
def test_the_benchmark_runs_and_prints_figures(script: str, tmp_path: Path) -> None:
    done = subprocess.run(
        [sys.executable, str(BENCH / script), *RUNS[script]],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert done.returncode == 0, done.stderr[-3000:]
    assert done.stdout.strip(), "the benchmark printed nothing"


def test_every_benchmark_is_run_here() -> None:
    helpers = {"benchkit.py", "marketing_data.py"}
    scripts = {p.name for p in BENCH.glob("*.py") if p.name not in helpers}
    assert scripts == set(RUNS)
