"""The formula parser's benchmark: formulas parsed per second.

    .venv/bin/python bench/formulas.py [--repeat 3]

Parses the formulas of the marketing app and the issue's examples (LALR, grammar loaded once)
and prints formulas/s next to two baselines measured in the same run on the same inputs:
``json.loads`` of each formula's IR as JSON text (the cost of reading a stored rule), and
lark's Earley parser on the same grammar (what the LALR choice saves).
"""

from __future__ import annotations

import argparse
import json
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from lark import Lark

from jimu.engines.expr.formula import parse_formula

FORMULAS = [
    'IF(amount > 100000, "A", IF(amount > 10000, "B", "C"))',
    'DATEDIF(created_at, TODAY(), "d")',
    'CONCAT(first_name, " ", last_name)',
    "ROUND(amount * discount / 100, 2)",
    "ROUND(quantity * unit_price * (1 - COALESCE(discount, 0) / 100), 2)",
    'IF(ISBLANK(resolved_at), NULL, DATEDIF(reported_at, resolved_at, "h"))',
    'IF({客户 等级} = "VIP", 金额 * 0.9, 金额)',
    'AND(amount >= 1000, IN(country, ["US", "CA"]), NOT(ISBLANK(email)))',
]


def rate(label: str, work: Callable[[str], Any], rounds: int, repeat: int) -> float:
    best = float("inf")
    for _ in range(repeat):
        start = time.perf_counter()
        for _ in range(rounds):
            for text in FORMULAS:
                work(text)
        best = min(best, time.perf_counter() - start)
    per_second = rounds * len(FORMULAS) / best
    print(f"{label:<34} {per_second:>12,.0f} formulas/s")
    return per_second


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--rounds", type=int, default=500)
    args = parser.parse_args()
    as_json = {text: json.dumps(parse_formula(text)) for text in FORMULAS}
    grammar = (Path(__file__).parents[1] / "jimu" / "engines" / "expr" / "formula.lark").read_text(
        "utf-8"
    )
    earley = Lark(grammar, parser="earley")
    ours = rate("parse_formula (LALR + IR)", parse_formula, args.rounds, args.repeat)
    stored = rate(
        "json.loads of the IR", lambda t: json.loads(as_json[t]), args.rounds, args.repeat
    )
    slow = rate("lark Earley, tree only", earley.parse, max(args.rounds // 10, 1), args.repeat)
    print(f"parse_formula is {ours / slow:.1f}× Earley, {stored / ours:.1f}× slower than json")


if __name__ == "__main__":
    main()
