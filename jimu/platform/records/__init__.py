"""The records service: the ONE write path of entity rows, and the read path.

Everything takes a SQLAlchemy ``Connection`` with a transaction the caller has begun and never
commits itself. Quick reference (full description in docs/records.md)::

    records = Records(metadata_store.load_app(conn, "marketing"))
    ctx = WriteContext(actor_id=user_id, source="api")   # ui/api/import/rule/process/system
    records.create(conn, entity, data, ctx) -> dict
    records.bulk_create(conn, entity, rows, ctx) -> list[dict]              # all or nothing
    records.update(conn, entity, id, changes, ctx, expected_version=None)   # partial; Conflict
    records.bulk_update(conn, entity, [{"id", "version"?, ...}], ctx)
    records.delete / restore(conn, entity, id, ctx) -> dict                 # recycle bin
    records.purge(conn, entity, id, ctx)                                    # hard delete
    records.get(conn, entity, id, fields=None, include_deleted=False) -> dict
    records.list(conn, entity, ListQuery(filter, sort, limit, cursor, fields, count)) -> Page
    records.recycle_bin(conn, entity, ListQuery(...)) -> Page
    records.history(conn, entity, id) -> list[dict]
    records.import_file(conn, entity, data, "csv"|"xlsx", ctx, mapping, dry_run) -> ImportReport
    records.export(conn, entity, ListQuery(...), "csv"|"xlsx") -> bytes

Every write appends field history (``jimu_record_history``) and one outbox event per record
(``jimu_outbox``) in the same transaction, and keeps formulas, lookups and rollups current.
"""

from jimu.platform.records.context import ImportReport, ListQuery, Page, WriteContext
from jimu.platform.records.service import Records

__all__ = ["ImportReport", "ListQuery", "Page", "Records", "WriteContext"]
