"""Rewrites tests/engines/report/golden/*.json from golden_cases.py and the compiler.

Run ``.venv/bin/python -m tests.engines.report.regen`` after changing the compiler, then review
the SQL diff by eye before committing.
"""

from __future__ import annotations

import json

from jimu.errors import JimuError
from tests.engines.report.golden_cases import CASES
from tests.engines.report.golden_support import GOLDEN, compile_for, full_spec, sql_text


def main() -> None:
    GOLDEN.mkdir(exist_ok=True)
    for old in GOLDEN.glob("*.json"):
        old.unlink()
    for case in CASES:
        spec = full_spec(case["name"], case["spec"])
        compiled: dict[str, str] = {}
        for dialect in ("sqlite", "postgresql"):
            try:
                compiled[dialect] = sql_text(compile_for(spec, dialect), dialect)
            except JimuError as error:
                compiled[dialect] = "ERROR: " + "; ".join(
                    f"{e.pointer} {e.message}" for e in error.errors
                )
        body = {"spec": spec, "handwritten": case["handwritten"], "compiled": compiled}
        path = GOLDEN / f"{case['name']}.json"
        path.write_text(json.dumps(body, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")
    print(f"wrote {len(CASES)} golden files to {GOLDEN}")


if __name__ == "__main__":
    main()
