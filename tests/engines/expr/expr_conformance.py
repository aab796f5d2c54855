"""Loading the shared JsonLogic suite and comparing results the way the suite means them."""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

DOC = Path(__file__).resolve().parents[3] / "docs" / "expr.md"


@dataclass(frozen=True)
class Case:
    id: str  # "<file>#<index among the file's cases>"
    description: str
    rule: Any
    data: Any
    result: Any
    error: str | None


def load_cases(shared: Path) -> list[Case]:
    suites = shared / "conformance" / "jsonlogic" / "suites"
    cases: list[Case] = []
    for name in json.loads((suites / "index.json").read_text()):
        entries = [e for e in json.loads((suites / name).read_text()) if isinstance(e, dict)]
        for i, entry in enumerate(entries):
            error = entry["error"]["type"] if "error" in entry else None
            cases.append(
                Case(
                    f"{name}#{i}",
                    entry.get("description", ""),
                    entry["rule"],
                    entry.get("data"),
                    entry.get("result"),
                    error,
                )
            )
    return cases


def same(got: Any, expected: Any) -> bool:
    """Equal as JSON values: ``true`` is not ``1``, ``2`` equals ``2.0``."""
    if isinstance(got, bool) or isinstance(expected, bool):
        return type(got) is type(expected) and got == expected
    if isinstance(got, int | float) and isinstance(expected, int | float):
        return bool(got == expected or abs(got - expected) < 1e-9)
    if isinstance(got, list) and isinstance(expected, list):
        return len(got) == len(expected) and all(map(same, got, expected))
    if isinstance(got, dict) and isinstance(expected, dict):
        return got.keys() == expected.keys() and all(same(got[k], expected[k]) for k in got)
    return type(got) is type(expected) and bool(got == expected)


def documented_failures() -> dict[str, str]:
    """The failing cases listed in docs/expr.md between the conformance-failures markers."""
    text = DOC.read_text(encoding="utf-8")
    block = re.search(
        r"<!-- conformance-failures:start -->(.*?)<!-- conformance-failures:end -->",
        text,
        re.S,
    )
    assert block, "docs/expr.md lacks the conformance-failures block"
    listed = {}
    for line in block.group(1).splitlines():
        match = re.match(r"- `([^`]+)`: (.+)", line.strip())
        if match:
            listed[match.group(1)] = match.group(2)
    return listed


def scalar_rows(data: Any) -> Iterator[tuple[str, Any]]:
    """The fields of ``data`` when it is a flat record of scalars (else nothing)."""
    if isinstance(data, dict):
        for key, value in data.items():
            if isinstance(value, dict | list):
                return
            yield key, value
