"""Deleting attachment files that no record refers to any more (``jimu files gc``).

A file is kept while the record it belongs to (see ``jimu.platform.records.file_owners``)
holds it — live, in the recycle bin, or in an archived column that could be restored — and for
a grace period after it was uploaded (an upload waits for its form to be saved). A copy of the
key in another record does not keep it: that record cannot serve it. Field history keeps only
the names of removed files: a file is gone once its record no longer holds it, which is what
"delete" means to the user who removed it. Deleting a file deletes its ownership row too.
A file attached to a process comment or decision is kept while its instance's timeline holds
it (``jimu.platform.process.comment_files``).
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

import sqlalchemy as sa

from jimu.platform.process.comment_files import held_comment_files
from jimu.platform.records.attachments import _KEY, FOLDER
from jimu.platform.records.file_holders import held_files
from jimu.platform.records.file_owners import FILES

DEFAULT_GRACE_HOURS = 24.0


@dataclass
class GcReport:
    kept: int = 0
    deleted: list[str] = field(default_factory=list)
    freed_bytes: int = 0
    dry_run: bool = True


def referenced_keys(conn: sa.Connection) -> set[str]:
    """Every attachment key held by the record (deleted ones included) or archived column it
    belongs to, and every file a process comment or decision attached."""
    held = {(h.owner, str(h.file["key"])) for h in held_files(conn)}
    rows = conn.execute(
        sa.select(FILES.c.key, FILES.c.app, FILES.c.entity, FILES.c.field, FILES.c.record_id)
    )
    return {
        row.key
        for row in rows
        if row.record_id is not None
        and ((row.app, row.entity, row.field, row.record_id), row.key) in held
    } | held_comment_files(conn)


def _uploaded_at(conn: sa.Connection) -> dict[str, float]:
    rows = conn.execute(sa.select(FILES.c.key, FILES.c.uploaded_at))
    return {row.key: _epoch(row.uploaded_at) for row in rows}


def _epoch(moment: datetime) -> float:
    return (moment if moment.tzinfo else moment.replace(tzinfo=UTC)).timestamp()


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
    uploaded = _uploaded_at(conn)
    cutoff = (now if now is not None else time.time()) - grace_hours * 3600
    for path in sorted(folder.iterdir()):
        if not path.is_file() or not _KEY.match(path.name):
            continue
        stat = path.stat()
        written = max(stat.st_mtime, uploaded.get(path.name, stat.st_mtime))
        if path.name in keep or written > cutoff:
            report.kept += 1
            continue
        report.deleted.append(path.name)
        report.freed_bytes += stat.st_size
    if not dry_run:
        for start in range(0, len(report.deleted), 500):
            chunk = report.deleted[start : start + 500]
            conn.execute(sa.delete(FILES).where(FILES.c.key.in_(chunk)))
        for key in report.deleted:
            (folder / key).unlink(missing_ok=True)
    return report
