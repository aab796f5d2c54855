"""Generate the marketing app's sample data: one ``<entity>.jsonl`` per entity.

    python examples/marketing/sample/generate.py [--out DIR]

Deterministic: a fixed random seed and a fixed anchor date (2026-11-01), so the same code always
writes the same bytes. Standard library only. Every record carries an explicit integer ``id``
(ids follow creation time), links are plain ids of records that exist, and computed fields
(autonumber, formula, lookup, rollup) are left for the engine to fill in.

The story the data tells: a Chinese B2B software vendor selling a marketing cloud, CRM, CDP and
services. A year of leads arrives from a dozen campaigns and organic channels (with UTM tags that
match the campaign), is scored, worked by eight sales reps by territory, partly returned to the
public pool, partly converted into accounts, contacts and opportunities; some opportunities are
won and become contracts with product lines; customers open service tickets.
"""

from __future__ import annotations

import argparse
import json
import sys
from datetime import date, datetime
from decimal import Decimal
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))

from state import Record  # the modules beside this script
from timeline import iso
from world import World


# ------------------------------------------------------------------------------------ output
def finalize(records: dict[str, list[Record]]) -> dict[str, list[Record]]:
    """Give ids in creation order, turn references into ids, drop empty and private keys."""
    ids: dict[int, int] = {}
    for rows in records.values():
        rows.sort(key=lambda r: r["created_at"])
        for number, row in enumerate(rows, start=1):
            ids[id(row)] = number
    out: dict[str, list[Record]] = {}
    for entity, rows in records.items():
        out[entity] = [serialise(row, ids) for row in rows]
    return out


def serialise(row: Record, ids: dict[int, int]) -> Record:
    result: Record = {"id": ids[id(row)]}
    for key, value in row.items():
        if key.startswith("_") or key in ("created_at", "updated_at", "owner_id"):
            continue
        if value is None or value == []:
            continue
        result[key] = plain(value, ids)
    result["created_at"] = iso(row["created_at"])
    result["updated_at"] = iso(max(row.get("updated_at") or row["created_at"], row["created_at"]))
    if "owner_id" in row:  # null on purpose for unassigned leads and the public pool
        result["owner_id"] = row["owner_id"]
    return result


def plain(value: Any, ids: dict[int, int]) -> Any:
    if isinstance(value, dict) and "_entity" in value:
        return ids[id(value)]
    if isinstance(value, datetime):
        return iso(value)
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, Decimal):
        return str(value)
    return value


def write(records: dict[str, list[Record]], out: Path) -> dict[str, int]:
    out.mkdir(parents=True, exist_ok=True)
    counts = {}
    for entity, rows in records.items():
        lines = [json.dumps(r, ensure_ascii=False, separators=(",", ":")) for r in rows]
        (out / f"{entity}.jsonl").write_text("\n".join(lines) + "\n", encoding="utf-8")
        counts[entity] = len(rows)
    return counts


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument(
        "--out",
        type=Path,
        default=Path(__file__).resolve().parent,
        help="folder to write <entity>.jsonl into (default: beside this script)",
    )
    args = parser.parse_args(argv)
    counts = write(finalize(World().build()), args.out)
    for entity, count in counts.items():
        print(f"{entity:>16}: {count}")


if __name__ == "__main__":
    main()
