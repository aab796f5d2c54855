"""Deleting attachment files that no record refers to any more (``jimu files gc``).

A file is kept while any record refers to it — live, in the recycle bin, or in an archived
column that could be restored — and for a grace period after it was written (an upload waits
for its form to be saved). Field history keeps only the names of removed files: a file is
gone once no record holds it, which is what "delete" means to the user who removed it.
"""

from __future__ import annotations

import json
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import sqlalchemy as sa

from jimu.platform.metadata_store.documents import apps, load_app
from jimu.platform.models import ArchivedColumn
from jimu.platform.records.attachments import _KEY, FOLDER
from jimu.platform.records.runtime import AppRuntime

ARCHIVED: sa.Table = ArchivedColumn.__table__  # type: ignore[assignment]
DEFAULT_GRACE_HOURS = 24.0


@dataclass
class GcReport:
    kept: int = 0
    deleted: list[str] = field(default_factory=list)
    freed_bytes: int = 0
    dry_run: bool = True


def _keys_in(value: Any) -> set[str]:
    if isinstance(value, str):
        try:
            value = json.loads(value)
        except ValueError:
            return set()
    if not isinstance(value, list):
        return set()
    return {str(v["key"]) for v in value if isinstance(v, dict) and v.get("key")}


def referenced_keys(conn: sa.Connection) -> set[str]:
    """Every attachment key held by a record of a published app (deleted ones included) or by
    an archived attachment column."""
    keys: set[str] = set()
    for app in apps(conn):
        runtime = AppRuntime(load_app(conn, app))
        for rt in runtime.entities.values():
            for name, compiled in rt.codec.fields.items():
                if compiled.field.type != "attachment" or name not in rt.stored:
                    continue
                column = rt.table.c[rt.stored[name]]
                for value in conn.scalars(sa.select(column).where(column.is_not(None))):
                    keys |= _keys_in(value)
    archived = conn.execute(
        sa.select(ARCHIVED.c.app, ARCHIVED.c.entity, ARCHIVED.c.column_name, ARCHIVED.c.definition)
    ).all()
    for row in archived:
        if dict(row.definition or {}).get("type") != "attachment":
            continue
        table = sa.table(f"{row.app}_{row.entity}", sa.column(row.column_name))
        for value in conn.scalars(sa.select(table.c[row.column_name])):
            keys |= _keys_in(value)
    return keys


def collect_garbage(
    conn: sa.Connection,
    data_dir: Path,
    *,
    grace_hours: float = DEFAULT_GRACE_HOURS,
    dry_run: bool = True,
    now: float | None = None,
) -> GcReport:
    """Delete (or, in a dry run, list) attachment files no record refers to."""
    report = GcReport(dry_run=dry_run)
    folder = Path(data_dir) / FOLDER
    if not folder.is_dir():
        return report
    keep = referenced_keys(conn)
    cutoff = (now if now is not None else time.time()) - grace_hours * 3600
    for path in sorted(folder.iterdir()):
        if not path.is_file() or not _KEY.match(path.name):
            continue
        stat = path.stat()
        if path.name in keep or stat.st_mtime > cutoff:
            report.kept += 1
            continue
        report.deleted.append(path.name)
        report.freed_bytes += stat.st_size
        if not dry_run:
            path.unlink(missing_ok=True)
    return report
