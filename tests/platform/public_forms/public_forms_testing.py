"""Helpers for the public-form tests (this folder is on sys.path)."""

from __future__ import annotations

import html
import re
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import sqlalchemy as sa

from jimu.platform import metadata_store as store
from jimu.platform.db import begin_write
from jimu.platform.models import Outbox, RecordHistory
from jimu.platform.records import ListQuery
from jimu.platform.state import Platform

REPO = Path(__file__).resolve().parents[3]
MARKETING = REPO / "examples" / "marketing"
HTML = {"Accept": "text/html"}
CONTACT = "/f/marketing/contact-us"
#: A fixed instant at the start of a minute (and of an hour), so windows are easy to reason about.
START = datetime(2026, 11, 23, 9, 0, 0, tzinfo=UTC)
_HIDDEN = re.compile(r'<input type="hidden" name="([^"]+)" value="([^"]*)">')


@dataclass
class FakeClock:
    """The time the public-form routes see; tests move it instead of sleeping."""

    now: datetime = START

    def __call__(self) -> datetime:
        return self.now

    def advance(self, **delta: float) -> None:
        self.now += timedelta(**delta)


def import_marketing(platform: Platform) -> None:
    with begin_write(platform.engine) as conn:
        store.import_folder(conn, MARKETING, publish=True)


def hidden_inputs(page: str) -> dict[str, str]:
    return {name: html.unescape(value) for name, value in _HIDDEN.findall(page)}


def text_of(page: str) -> str:
    """What a person reads on the page (tags stripped, whitespace collapsed)."""
    without_code = re.sub(r"<(script|style)[^>]*>.*?</\1>", " ", page, flags=re.S)
    without_tags = re.sub(r"<[^>]+>", " ", without_code)
    return re.sub(r"\s+", " ", html.unescape(without_tags)).strip()


def leads(platform: Platform, **where: Any) -> list[dict[str, Any]]:
    """Every lead whose fields equal ``where`` (all fields)."""
    with platform.engine.connect() as conn:
        records = platform.apps.records(conn, "marketing")
        page = records.list(conn, "lead", ListQuery(limit=1000))
    return [r for r in page.items if all(r.get(k) == v for k, v in where.items())]


def lead_count(platform: Platform) -> int:
    with platform.engine.connect() as conn:
        records = platform.apps.records(conn, "marketing")
        total = records.list(conn, "lead", ListQuery(limit=1, count=True)).total
    assert total is not None
    return total


def history_sources(platform: Platform, record_id: int) -> list[str]:
    table: sa.Table = RecordHistory.__table__  # type: ignore[assignment]
    with platform.engine.connect() as conn:
        rows = conn.execute(
            sa.select(table.c.source).where(
                table.c.app == "marketing", table.c.entity == "lead", table.c.record_id == record_id
            )
        )
        return [str(s) for s in rows.scalars()]


def outbox_rows(platform: Platform, record_id: int) -> list[dict[str, Any]]:
    table: sa.Table = Outbox.__table__  # type: ignore[assignment]
    with platform.engine.connect() as conn:
        rows = conn.execute(
            sa.select(table).where(table.c.entity == "lead", table.c.record_id == record_id)
        )
        return [dict(r) for r in rows.mappings()]
