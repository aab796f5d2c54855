"""Chart results kept in the process, under the data versions of the tables they were read from.

An entry is keyed by what decides a chart's rows: the app's published version, the dialect and
the compiled statement itself (SQLAlchemy's cache key of the SELECT plus its bound values). The
statement is compiled from the normalised spec with the reader's scope written into it, so two
readers whose scopes compile alike (say two directors who see everything) share an entry, and
readers with different scopes never do; a relative date range compiles to its bounds, so the
key moves when "this month" does. Each entry remembers the tables its statement reads and
their data versions (:mod:`jimu.platform.data_versions`) read *before* its query ran; a use
reads the versions again (one query) and runs the chart anew when any moved.

Bounded by entries and by an estimate of the rows' size (their JSON length): least recently
used first out.

It also keeps compiled charts (:meth:`ResultCache.compiled`), keyed by the checked spec, the
reader's scopes and hidden fields, the published version and the dates a compile may read,
for charts whose compile does not read the clock (see ``service.run_cached``): a repeated
view then skips the compiler too.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Hashable, Sequence
from dataclasses import dataclass
from typing import Any

import orjson

#: Entries kept at most.
MAX_ENTRIES = 2048
#: Bytes of rows (as JSON) kept at most; a result larger than a quarter of it is not kept.
MAX_BYTES = 64 * 1024 * 1024


@dataclass(frozen=True, slots=True)
class _Entry:
    tables: tuple[str, ...]
    versions: tuple[int, ...]
    rows: tuple[dict[str, Any], ...]
    size: int


def rows_size(rows: Sequence[dict[str, Any]]) -> int:
    """The rows' size as JSON, in bytes (what the cache counts against ``max_bytes``)."""
    try:
        return len(orjson.dumps(list(rows), default=str))
    except TypeError:  # an integer beyond 64 bits
        return len(repr(rows))


class ResultCache:
    """Chart rows by statement key, valid while the data versions they were read at hold."""

    def __init__(self, max_entries: int = MAX_ENTRIES, max_bytes: int = MAX_BYTES) -> None:
        self.max_entries = max_entries
        self.max_bytes = max_bytes
        self.hits = 0
        self.misses = 0
        self._bytes = 0
        self._lock = threading.Lock()
        self._entries: OrderedDict[Hashable, _Entry] = OrderedDict()
        self._compiled: OrderedDict[Hashable, Any] = OrderedDict()

    def compiled(self, key: Hashable) -> Any:
        """What :meth:`keep_compiled` kept under ``key`` (None if nothing)."""
        with self._lock:
            found = self._compiled.get(key)
            if found is not None:
                self._compiled.move_to_end(key)
        return found

    def keep_compiled(self, key: Hashable, value: Any) -> None:
        with self._lock:
            self._compiled[key] = value
            self._compiled.move_to_end(key)
            while len(self._compiled) > self.max_entries:
                self._compiled.popitem(last=False)

    def tables_of(self, key: Hashable) -> tuple[str, ...] | None:
        """The tables the statement of ``key`` reads, if an entry knows them."""
        with self._lock:
            entry = self._entries.get(key)
        return None if entry is None else entry.tables

    def get(self, key: Hashable, versions: tuple[int, ...]) -> list[dict[str, Any]] | None:
        """The rows of ``key`` if they were read at ``versions`` (copies: callers may change
        them)."""
        with self._lock:
            entry = self._entries.get(key)
            if entry is None or entry.versions != versions:
                self.misses += 1
                return None
            self._entries.move_to_end(key)
            self.hits += 1
        return [dict(row) for row in entry.rows]

    def put(
        self,
        key: Hashable,
        tables: tuple[str, ...],
        versions: tuple[int, ...],
        rows: Sequence[dict[str, Any]],
    ) -> None:
        """Keep ``rows``, read at ``versions`` of ``tables``; an entry read at newer versions
        stays (a slower reader must not put older numbers back)."""
        size = rows_size(rows)
        if size * 4 > self.max_bytes:
            return
        entry = _Entry(tables, versions, tuple(dict(row) for row in rows), size)
        with self._lock:
            old = self._entries.get(key)
            if old is not None:
                if old.versions != versions and all(
                    o >= n for o, n in zip(old.versions, versions, strict=True)
                ):
                    return
                self._bytes -= old.size
            self._entries[key] = entry
            self._entries.move_to_end(key)
            self._bytes += size
            while len(self._entries) > self.max_entries or self._bytes > self.max_bytes:
                _, dropped = self._entries.popitem(last=False)
                self._bytes -= dropped.size

    def __len__(self) -> int:
        return len(self._entries)

    @property
    def size(self) -> int:
        """Bytes of rows kept (their JSON length)."""
        return self._bytes

    def clear(self) -> None:
        with self._lock:
            self._entries.clear()
            self._compiled.clear()
            self._bytes = 0
