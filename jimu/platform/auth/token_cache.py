"""A short-lived, per-process cache of API token lookups (the token row and its owner).

Looking a Bearer token up costs two queries and a pooled connection on every request. The
cache keeps what they read, by the token's digest, so a request whose token was looked up a
moment ago needs neither, nor a worker thread (see ``optional_principal``). Only a live
token of an active user is kept; each use checks its expiry again, and hands out fresh
detached copies of the rows, so nothing a request does to them reaches another request.

When a change is seen:

- **in this process, at once.** Every write through any engine of the process to
  ``jimu_api_token`` (but one that only sets ``last_used_at``) or to ``jimu_user`` raises a
  process-wide generation, when it runs and again when its connection goes back to the pool
  (after its commit); an entry is used only under the generation it was read at. So a revoked
  token, a deactivated or demoted user, a narrowed token are refused by the very next request,
  and a lookup that raced the change is not kept.
- **in other processes (other web workers, the CLI), within** :data:`TTL_SECONDS`: an entry
  is not used after that, whatever the generation.

Raw SQL (``exec_driver_sql``) on those tables is not seen by the generation: it is bounded by
the TTL too.
"""

from __future__ import annotations

import threading
import time
from collections import OrderedDict
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, replace
from datetime import UTC, datetime
from functools import cache
from typing import Any, TypeVar

import sqlalchemy as sa
from sqlalchemy import event
from sqlalchemy.orm import class_mapper
from sqlalchemy.orm.base import instance_state
from sqlalchemy.pool import Pool

from jimu.platform.models import ApiToken, User
from jimu.platform.table_writes import table_write

#: Seconds an entry is used at most (bounds how late another process's change is seen).
TTL_SECONDS = 2.0
#: Entries kept at most (least recently stored first out).
MAX_ENTRIES = 4096
#: Tables a lookup reads → the columns whose UPDATE does not matter to it.
WATCHED: Mapping[str, frozenset[str]] = {
    "jimu_api_token": frozenset({"last_used_at"}),
    "jimu_user": frozenset(),
}
#: ``ConnectionRecord.info`` key: the connection wrote a watched table since its checkout.
_WROTE = "jimu_token_cache_wrote"

Row = TypeVar("Row", ApiToken, User)


class _Generation:
    """The process-wide count of writes to the watched tables."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._value = 0

    @property
    def value(self) -> int:
        return self._value

    def bump(self) -> None:
        with self._lock:
            self._value += 1


GENERATION = _Generation()


def generation() -> int:
    """Read it before a lookup; store what the lookup found under it (:meth:`TokenCache.put`)."""
    return GENERATION.value


@cache
def _column_keys(cls: type[ApiToken | User]) -> tuple[str, ...]:
    return tuple(attr.key for attr in class_mapper(cls).column_attrs)


def _columns(row: ApiToken | User) -> dict[str, Any]:
    return {key: getattr(row, key) for key in _column_keys(type(row))}


def _detached(cls: type[Row], values: Mapping[str, Any]) -> Row:
    """A detached ``cls`` holding ``values`` as loaded, as if read by a session that has since
    closed (a session that adds it updates, not inserts). Built the way the ORM's loader builds
    rows, not through the constructor, which costs ten times as much in attribute events."""
    mapper = class_mapper(cls)
    row = mapper.class_manager.new_instance()
    state = instance_state(row)
    state.dict.update({k: list(v) if isinstance(v, list) else v for k, v in values.items()})
    state.key = mapper.identity_key_from_primary_key((values["id"],))
    return row


@dataclass(frozen=True)
class _Entry:
    token: dict[str, Any]
    user: dict[str, Any]
    generation: int
    stored_at: float


class TokenCache:
    """Live tokens and their owners by token digest (see the module docstring)."""

    def __init__(self, ttl: float = TTL_SECONDS, max_entries: int = MAX_ENTRIES) -> None:
        self.ttl = ttl
        self.max_entries = max_entries
        #: Seconds (for the TTL) and the time of day (for expiry); tests may replace them.
        self.clock: Callable[[], float] = time.monotonic
        self.utcnow: Callable[[], datetime] = _utcnow
        self._lock = threading.Lock()
        self._entries: OrderedDict[str, _Entry] = OrderedDict()

    def get(self, token_digest: str) -> tuple[ApiToken, User] | None:
        """Fresh copies of the token and its owner if kept, current and unexpired; else None
        (then look it up in the database)."""
        with self._lock:
            entry = self._entries.get(token_digest)
        if entry is None:
            return None
        if entry.generation != GENERATION.value or self.clock() - entry.stored_at >= self.ttl:
            self.forget(token_digest)
            return None
        expires_at = entry.token["expires_at"]
        if expires_at is not None and _as_utc(expires_at) <= self.utcnow():
            self.forget(token_digest)
            return None
        return _detached(ApiToken, entry.token), _detached(User, entry.user)

    def put(self, token_digest: str, read_at: int, token: ApiToken, user: User) -> None:
        """Keep a live token of an active user, read when the generation was ``read_at``."""
        if token.revoked_at is not None or not user.is_active or read_at != GENERATION.value:
            return
        entry = _Entry(_columns(token), _columns(user), read_at, self.clock())
        with self._lock:
            self._entries[token_digest] = entry
            self._entries.move_to_end(token_digest)
            while len(self._entries) > self.max_entries:
                self._entries.popitem(last=False)

    def note_used(self, token_digest: str, used_at: datetime) -> None:
        """The token's ``last_used_at`` was written (not a change that invalidates it)."""
        with self._lock:
            entry = self._entries.get(token_digest)
            if entry is not None:
                token = {**entry.token, "last_used_at": used_at}
                self._entries[token_digest] = replace(entry, token=token)

    def forget(self, token_digest: str) -> None:
        with self._lock:
            self._entries.pop(token_digest, None)

    def clear(self) -> None:
        with self._lock:
            self._entries.clear()

    def __len__(self) -> int:
        return len(self._entries)


def _utcnow() -> datetime:
    return datetime.now(UTC)


def _as_utc(moment: datetime) -> datetime:
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


# --- seeing writes ------------------------------------------------------------------------------


def watch() -> None:
    """Make every write to the watched tables, through any engine of this process, raise the
    generation (when it runs, and when its connection is checked in after the commit)."""
    if not event.contains(sa.Engine, "after_execute", _after_execute):
        event.listen(sa.Engine, "after_execute", _after_execute)
    if not event.contains(Pool, "checkin", _after_checkin):
        event.listen(Pool, "checkin", _after_checkin)


def _after_execute(
    conn: sa.Connection,
    statement: Any,
    multiparams: Sequence[Mapping[str, Any]] | None,
    params: Mapping[str, Any] | None,
    execution_options: Any,
    result: Any,
) -> None:
    write = table_write(statement, multiparams, params)
    if write is None or write.table not in WATCHED:
        return
    if write.only(WATCHED[write.table]):
        return  # a token's last_used_at
    GENERATION.bump()
    conn.connection.info[_WROTE] = True


def _after_checkin(dbapi_connection: Any, record: Any) -> None:
    info = getattr(record, "info", None)
    if info is not None and info.pop(_WROTE, False):
        GENERATION.bump()
