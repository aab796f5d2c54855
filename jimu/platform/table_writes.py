"""What a SQLAlchemy write statement touches, as an ``after_execute`` listener sees it: the
table, and for an ``UPDATE`` the columns it sets. Used by the listeners that must notice writes
to some tables whatever code makes them, Core or ORM (the access revision, the token cache)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy.sql.dml import Update, UpdateBase


@dataclass(frozen=True, slots=True)
class TableWrite:
    table: str
    #: The columns an ``UPDATE`` sets; None for an ``INSERT``/``DELETE``, or an ``UPDATE``
    #: whose columns cannot be told (then every column may have changed).
    columns: frozenset[str] | None

    def only(self, columns: frozenset[str]) -> bool:
        """Whether this is an UPDATE known to set nothing but ``columns``."""
        return self.columns is not None and self.columns <= columns

    def touches(self, columns: frozenset[str] | None) -> bool:
        """Whether it may change one of ``columns`` (None: any column)."""
        return columns is None or self.columns is None or bool(self.columns & columns)


def table_write(
    statement: Any,
    multiparams: Sequence[Mapping[str, Any]] | None,
    params: Mapping[str, Any] | None,
) -> TableWrite | None:
    """The write ``statement`` makes (None when it is no ``INSERT``/``UPDATE``/``DELETE``)."""
    if not isinstance(statement, UpdateBase):
        return None
    table = str(getattr(statement.table, "name", ""))
    if not isinstance(statement, Update):
        return TableWrite(table, None)
    names = {str(getattr(k, "key", k)) for k in (statement._values or {})}
    for given in [*(multiparams or []), params or {}]:
        if isinstance(given, Mapping):
            names.update(str(k) for k in given)
    return TableWrite(table, frozenset(names) if names else None)
