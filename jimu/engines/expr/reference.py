"""The operator reference of docs/expr.md, generated from the operator table.

    .venv/bin/python -m jimu.engines.expr.reference docs/expr.md   # rewrite the block in place

A test checks that the block in docs/expr.md is what this module generates.
"""

from __future__ import annotations

import re
import sys
from pathlib import Path

from jimu.engines.expr.operators import OPERATORS, NoSql, Operator, Signature

START = "<!-- operator-reference:start -->"
END = "<!-- operator-reference:end -->"
FAMILY_ORDER = ("data", "logic", "null", "comparison", "arithmetic", "list", "membership",
                "text", "date")  # fmt: skip


def signature_text(sig: Signature) -> str:
    """``(a, b?, c…) → type``: the arguments (optional ones marked ``?``) and the result."""
    args = list(sig.args)
    for i in range(len(args) - sig.optional, len(args)):
        args[i] = f"{args[i]}?"
    if sig.rest is not None:
        args.append(f"{sig.rest}…")
    return f"({', '.join(args)}) → {sig.result}"


def _sql(entry: Operator) -> str:
    return f"no: {entry.sql.reason}" if isinstance(entry.sql, NoSql) else "yes"


def _cell(text: str) -> str:
    return text.replace("|", "\\|")


def reference() -> str:
    """The markdown tables, one per family."""
    lines: list[str] = []
    for family in FAMILY_ORDER:
        entries = [e for e in OPERATORS.values() if e.family == family]
        if not entries:
            continue
        lines += [
            f"### {family.capitalize()}",
            "",
            "| operator | signature | SQL | English | 中文 |",
            "|---|---|---|---|---|",
        ]
        for e in entries:
            cells = [f"`{e.name}`", signature_text(e.signature), _sql(e), e.en, e.zh]
            lines.append("| " + " | ".join(_cell(c) for c in cells) + " |")
        lines.append("")
    return "\n".join(lines).rstrip() + "\n"


def rewrite(path: Path) -> None:
    text = path.read_text(encoding="utf-8")
    block = f"{START}\n{reference()}{END}"
    path.write_text(re.sub(f"{START}.*?{END}", lambda _: block, text, flags=re.S), "utf-8")


if __name__ == "__main__":
    rewrite(Path(sys.argv[1] if len(sys.argv) > 1 else "docs/expr.md"))
