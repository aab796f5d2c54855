"""Charts as one reader sees them.

Every entity a chart reads (its entity, the entities its link paths reach, its children) is
read through the access model's one enforcement point, ``GuardedRecords``: the read scope
of each goes into the SQL (the chart's WHERE for its entity, the JOIN's ON for a linked one,
the child's subquery), and a hidden field named anywhere in the spec is refused (403, with
the pointer). A spec is checked against the report JSON Schema first (422, with pointers).

:func:`run_cached` is how charts are run for readers (``/reports/run``, ``/reports/{name}/data``,
dashboards): the rows come from the process's :class:`ResultCache` while the data versions
of every table the chart's statement reads have not moved (docs/reports.md "Caching").
"""

from __future__ import annotations

import contextlib
from collections.abc import Hashable, Mapping
from datetime import UTC, datetime
from typing import Any

import orjson
import sqlalchemy as sa
from sqlalchemy.sql import visitors

from jimu.engines.report import (
    Access,
    CompiledReport,
    Target,
    compile_report,
    drill_filter,
    drill_ids,
    entities_of,
    reads_links,
    shape_rows,
    time_zone_of,
)
from jimu.errors import FieldError, JimuError, NotFound, PermissionDenied, ValidationFailed
from jimu.metadata.validate import schema_errors
from jimu.platform import data_versions
from jimu.platform import metadata_store as store
from jimu.platform.access.binding import bind_user
from jimu.platform.access.guarded import GuardedRecords
from jimu.platform.models import RecordHistory, User
from jimu.platform.reports.cache import ResultCache

#: The most records a drill-down on linked fields lists by id.
DRILL_ID_LIMIT = 5000


def require_reader(guarded: GuardedRecords) -> None:
    """A caller who may read no entity of the app has no chart to see (403 before the body
    is looked at)."""
    if guarded.policy.unrestricted:
        return
    if not any(guarded.access(name).allows("read") for name in guarded.model.entities):
        raise PermissionDenied(f"You may not read any records of the app {guarded.app!r}.")


def check_spec(spec: Any) -> dict[str, Any]:
    """``spec`` as a report document, or ValidationFailed with every schema problem."""
    if not isinstance(spec, Mapping):
        raise ValidationFailed(
            "The chart is not valid.", [FieldError("", "must be an object", "type")]
        )
    body = {"kind": "report", "name": "adhoc", **spec}
    errors = schema_errors(body)
    if errors:
        raise ValidationFailed("The chart is not valid.", errors)
    return body


def target_for(
    conn: sa.Connection, guarded: GuardedRecords, spec: Mapping[str, Any], now: datetime
) -> Target:
    """Where the chart runs for this reader: every entity's read scope and hidden fields."""
    entities = entities_of(spec, guarded.model)
    scopes = {name: guarded.scope(conn, name, "read") for name in entities}
    hidden = {name: guarded.access(name).hidden for name in entities}
    tables = {name: rt.tables for name, rt in guarded.runtime.entities.items()}
    return Target(
        guarded.model,
        tables,
        conn.dialect.name,
        time_zone_of(guarded.model.spec),
        now,
        Access(scopes, hidden),
        history=RecordHistory.__table__,  # type: ignore[arg-type]
        users=User.__table__,  # type: ignore[arg-type]
    )


def _prepared(
    conn: sa.Connection, guarded: GuardedRecords, spec: Any, now: datetime
) -> tuple[dict[str, Any], Target, CompiledReport]:
    require_reader(guarded)
    body = check_spec(spec)
    if body.get("filter"):
        body["filter"] = bind_user(body["filter"], guarded.policy.context)
    target = target_for(conn, guarded, body, now)
    return body, target, compile_report(body, target)


def run_report(
    conn: sa.Connection,
    guarded: GuardedRecords,
    spec: Any,
    now: datetime,
    reader: sa.Connection | None = None,
) -> dict[str, Any]:
    """The chart's rows (one SQL statement) and column metadata, for the caller. ``reader``:
    where the statement runs (a read replica's connection), else ``conn``."""
    body, target, compiled = _prepared(conn, guarded, spec, now)
    rows = shape_rows(compiled.columns, (reader or conn).execute(compiled.statement))
    return _answer(body, target, compiled, rows)


def run_cached(
    conn: sa.Connection,
    guarded: GuardedRecords,
    spec: Any,
    now: datetime,
    cache: ResultCache,
    reader: sa.Connection | None = None,
) -> dict[str, Any]:
    """:func:`run_report`, with the rows from ``cache`` when the tables the chart reads have
    not been written since they were computed (checks, scopes and hidden fields apply first,
    every time; only the rows are kept). ``reader``: where the rows and their data versions
    are read (a read replica's connection), else ``conn``."""
    require_reader(guarded)
    body = _checked(spec, cache)
    if body.get("filter"):
        body["filter"] = bind_user(body["filter"], guarded.policy.context)
    target = target_for(conn, guarded, body, now)
    published = (guarded.app, guarded.published or store.app_revision(conn, guarded.app))
    memo_key = _compile_key(body, target, published)
    kept = cache.compiled(memo_key)
    if kept is None:
        compiled = compile_report(body, target)
        key = result_key(conn.dialect.name, compiled, published)
        if key is not None and key == result_key(
            conn.dialect.name, compile_report(body, target), published
        ):
            # Compiled twice alike: the compile reads no clock beyond the dates in memo_key.
            cache.keep_compiled(memo_key, (compiled, key))
    else:
        compiled, key = kept
    rows = cached_rows(conn, compiled, cache, published, key=key, reader=reader)
    return _answer(body, target, compiled, rows)


def _checked(spec: Any, cache: ResultCache) -> dict[str, Any]:
    """:func:`check_spec`, remembered for specs that passed (the schema does not change while
    the process runs). Kept and given out as JSON text: nobody's later change to the spec or
    the answer reaches what is kept."""
    if not isinstance(spec, Mapping):
        return check_spec(spec)
    key = ("checked spec", _frozen(spec))
    text = cache.compiled(key)
    if text is None:
        body = check_spec(spec)
        with contextlib.suppress(TypeError):  # an integer beyond 64 bits: checked each time
            cache.keep_compiled(key, orjson.dumps(body))
        return body
    kept: dict[str, Any] = orjson.loads(text)
    return kept


def _compile_key(body: dict[str, Any], target: Target, published: Hashable) -> Hashable:
    """What a compile reads: the checked spec (``$user`` bound), each entity's scope and
    hidden fields, the published version, the dialect, the time zone, and the dates of "now"
    it may read (the app's local date; the expression language's UTC date)."""
    return (
        published,
        target.dialect,
        target.time_zone,
        target.today(),
        datetime.now(UTC).date(),
        _frozen(body),
        _frozen(dict(target.access.scopes)),
        _frozen({name: frozenset(fields) for name, fields in target.access.hidden.items()}),
    )


def cached_rows(
    conn: sa.Connection,
    compiled: CompiledReport,
    cache: ResultCache,
    context: Hashable = (),
    key: Hashable | None = None,
    reader: sa.Connection | None = None,
) -> list[dict[str, Any]]:
    """The rows of ``compiled`` from ``cache`` if the data versions of every table it reads
    are those they were computed at, else run (and kept). ``context``: what else decides
    the rows beyond the statement (the app and its published version); ``key``: the
    statement's :func:`result_key` when known; ``reader``: a read replica's connection.

    A replica replicates the data versions (``jimu_revision``) with the rows, so both are read
    there: rows from a replica that lags are kept under the versions it had, and a view after
    it caught up runs again."""
    key = key if key is not None else result_key(conn.dialect.name, compiled, context)
    source = reader or conn
    if key is None:
        return _rows(source, compiled)
    tables = cache.tables_of(key) or tables_read(compiled.statement)
    if data_versions.pending(conn) & set(tables):
        # This transaction wrote to them: its rows are not committed (nor seen by others).
        return _rows(conn, compiled)
    # The versions first: rows read after them are at least as new as they say.
    versions = data_versions.versions(source, tables)
    rows = cache.get(key, versions)
    if rows is None:
        rows = _rows(source, compiled)
        cache.put(key, tables, versions, rows)
    return rows


def result_key(dialect: str, compiled: CompiledReport, context: Hashable = ()) -> Hashable | None:
    """What decides a chart's rows: ``context``, the dialect and the compiled statement (its
    structure and bound values: the spec with the reader's scope in it). None when SQLAlchemy
    cannot key the statement."""
    statement_key = compiled.statement._generate_cache_key()
    if statement_key is None:
        return None
    values = tuple(_frozen(bind.effective_value) for bind in statement_key.bindparams)
    return (context, dialect, statement_key.key, values)


def tables_read(statement: Any) -> tuple[str, ...]:
    """The names of every table ``statement`` reads (joins, subqueries, CTEs), sorted."""
    names = {e.name for e in visitors.iterate(statement) if isinstance(e, sa.Table)}
    return tuple(sorted(names))


def _frozen(value: Any) -> Hashable:
    """``value`` as a hashable key that tells apart what JSON tells apart (``true``, ``1`` and
    ``1.0`` are equal in Python, not in a spec)."""
    if isinstance(value, list | tuple):
        return ("[", *(_frozen(v) for v in value))
    if isinstance(value, Mapping):
        return ("{", *sorted((str(k), _frozen(v)) for k, v in value.items()))
    if isinstance(value, set | frozenset):
        return frozenset(_frozen(v) for v in value)
    if isinstance(value, Hashable):
        return (type(value).__name__, value)
    return repr(value)


def _rows(conn: sa.Connection, compiled: CompiledReport) -> list[dict[str, Any]]:
    rows: list[dict[str, Any]] = shape_rows(compiled.columns, conn.execute(compiled.statement))
    return rows


def _answer(
    body: dict[str, Any], target: Target, compiled: CompiledReport, rows: list[dict[str, Any]]
) -> dict[str, Any]:
    return {
        "entity": compiled.entity,
        "visual": body.get("visual"),
        "time_zone": target.time_zone,
        "columns": [dict(column) for column in compiled.columns],
        "rows": rows,
    }


def drill_down(
    conn: sa.Connection,
    guarded: GuardedRecords,
    spec: Any,
    cell: Any,
    now: datetime,
    prefix: str = "",
) -> dict[str, Any]:
    """The filter that selects a cell's records on the entity's record list: the cell's
    condition itself when it names only the entity's own fields, else the ids of the cell's
    records (found through the chart's joins and scopes, at most ``DRILL_ID_LIMIT``).
    ``prefix``: where the spec is in the request's body (its errors' pointers start there)."""
    if not isinstance(cell, Mapping):
        raise ValidationFailed(
            "The cell is not valid.", [FieldError("/cell", "must be an object", "type")]
        )
    try:
        body, target, compiled = _prepared(conn, guarded, spec, now)
    except JimuError as error:  # the spec's pointers, inside the drill-down's body
        error.errors = [FieldError(prefix + e.pointer, e.message, e.code) for e in error.errors]
        raise
    drill = drill_filter(body, compiled, cell, target)
    if not reads_links(drill.filter):
        return {"entity": drill.entity, "filter": drill.filter}
    ids = list(conn.scalars(drill_ids(drill, target, DRILL_ID_LIMIT + 1)))
    if len(ids) > DRILL_ID_LIMIT:
        raise ValidationFailed(
            "The cell has too many records to list by id.",
            [
                FieldError(
                    "/cell",
                    f"more than {DRILL_ID_LIMIT} records; filter the chart further",
                    "too_many",
                )
            ],
        )
    return {"entity": drill.entity, "filter": {"in": [{"var": "id"}, ids]}}


def published_report(conn: sa.Connection, app: str, name: str) -> dict[str, Any]:
    found = store.published(conn, app, "report", name)
    if found is None:
        raise NotFound(f"There is no published report {name!r} in the app {app!r}.")
    return dict(found.body)
