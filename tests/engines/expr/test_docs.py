"""docs/expr.md carries the operator reference generated from the table."""

from __future__ import annotations

import re
from pathlib import Path

from jimu.engines.expr.reference import END, START, reference

DOC = Path(__file__).resolve().parents[3] / "docs" / "expr.md"


def test_the_operator_reference_matches_the_table() -> None:
    text = DOC.read_text(encoding="utf-8")
    block = re.search(f"{START}\n(.*?){END}", text, re.S)
    assert block, "docs/expr.md lacks the operator-reference block"
    assert block.group(1) == reference(), (
        "docs/expr.md is stale: run .venv/bin/python -m jimu.engines.expr.reference docs/expr.md"
    )
