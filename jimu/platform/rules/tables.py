"""The published decision tables of an app, which rules run (``decision_table`` actions)."""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa

from jimu.metadata.jsonio import canonical
from jimu.platform.metadata_store import PUBLISHED
from jimu.platform.models import Document

DOCS: sa.Table = Document.__table__  # type: ignore[assignment]


def published_tables(conn: sa.Connection, app: str) -> dict[str, dict[str, Any]]:
    """Every published decision table of ``app`` by name."""
    rows = conn.execute(
        sa.select(DOCS.c.name, DOCS.c.body).where(
            DOCS.c.app == app, DOCS.c.kind == "decision_table", DOCS.c.status == PUBLISHED
        )
    )
    return {name: canonical(body) for name, body in rows}
