"""``/apps/{app}/{entity}/calendar/{view}?month=YYYY-MM``: the records of a published calendar
view on a month grid, by the view's date or date-time field.

The grid is six weeks from the Monday on or before the 1st. The records come from one list
query: the view's filter AND the field within the grid's range (plain range comparisons, so an
index on the field is used), under the reader's scope and hidden fields like every list. A
date-time field is placed on the day it falls on in the reader's time zone. A day shows its
first records and "+N more", a link to the list filtered to that day.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta, tzinfo
from typing import Any
from urllib.parse import urlencode

import sqlalchemy as sa
from fastapi import APIRouter, Request
from starlette.responses import HTMLResponse

from jimu.builder_ui.pages.records.fields import FieldView
from jimu.builder_ui.pages.records.form_choice import view_form_query
from jimu.builder_ui.pages.records.scope import EntityScope
from jimu.builder_ui.pages.records.system_fields import with_system_fields
from jimu.builder_ui.pages.shell.rendering import Crumb, Notice, render
from jimu.builder_ui.pages.shell.viewer import SignedIn
from jimu.engines.expr.dates import parse_temporal
from jimu.errors import FieldError, NotFound, ValidationFailed
from jimu.platform import metadata_store as store
from jimu.platform.dependencies import PlatformDep
from jimu.platform.records import ListQuery

router = APIRouter()
#: At most this many records are placed on one month's grid.
MAX_RECORDS = 1000
#: Records shown in one day's cell before "+N more".
PER_DAY = 4
WEEKS = 6
#: The column heads, Monday first (keys written out so the catalogue check sees them).
WEEKDAY_KEYS = (
    "calendar.weekday_0",
    "calendar.weekday_1",
    "calendar.weekday_2",
    "calendar.weekday_3",
    "calendar.weekday_4",
    "calendar.weekday_5",
    "calendar.weekday_6",
)


@dataclass
class Day:
    day: date
    in_month: bool
    today: bool
    entries: list[dict[str, Any]] = field(default_factory=list)
    more_url: str = ""

    @property
    def shown(self) -> list[dict[str, Any]]:
        return self.entries[:PER_DAY]

    @property
    def more(self) -> int:
        return max(0, len(self.entries) - PER_DAY)


def calendar_view(conn: sa.Connection, app: str, entity: str, view: str) -> Mapping[str, Any]:
    found = store.published(conn, app, "view", f"{entity}.{view}")
    if found is None or found.body.get("type") != "calendar":
        raise NotFound(f"There is no calendar view {view!r} of {entity!r}.")
    return found.body


def month_of(text: str, today: date) -> date:
    """The first day of the month ``YYYY-MM`` (this month when empty)."""
    if not text:
        return today.replace(day=1)
    try:
        year, month = (int(part) for part in text.split("-"))
        return date(year, month, 1)
    except ValueError:
        message = f"{text!r} is not a month like 2026-12."
        raise ValidationFailed(message, [FieldError("/month", message, "format")]) from None


def shift_month(first: date, months: int) -> date:
    index = first.year * 12 + first.month - 1 + months
    return date(index // 12, index % 12 + 1, 1)


def grid_start(first: date) -> date:
    return first - timedelta(days=first.weekday())


def bound(day: date, f: FieldView, zone: tzinfo) -> str:
    """The start of ``day`` as the field compares it: the date, or the instant it begins in the
    reader's time zone (UTC)."""
    if f.widget != "datetime":
        return day.isoformat()
    start = datetime.combine(day, time(), zone).astimezone(UTC)
    return start.isoformat().replace("+00:00", "Z")


def day_of(value: Any, zone: tzinfo) -> date | None:
    """The day a stored value falls on (a date-time in the reader's time zone)."""
    parsed = parse_temporal(str(value)) if value not in (None, "") else None
    if isinstance(parsed, datetime):
        return parsed.astimezone(zone).date()
    return parsed


def range_filter(f: FieldView, start: date, end: date, zone: tzinfo) -> dict[str, Any]:
    var = {"var": f.name}
    return {"and": [{">=": [var, bound(start, f, zone)]}, {"<": [var, bound(end, f, zone)]}]}


@router.get("/apps/{app}/{entity}/calendar/{view}", response_class=HTMLResponse)
def calendar_page(
    request: Request,
    app: str,
    entity: str,
    view: str,
    viewer: SignedIn,
    platform: PlatformDep,
    month: str = "",
) -> HTMLResponse:
    zone = viewer.time_zone
    today = datetime.now(zone).date()
    first = month_of(month, today)
    start = grid_start(first)
    end = start + timedelta(days=7 * WEEKS)
    with platform.engine.connect() as conn:
        scope = EntityScope.open(platform, conn, viewer, app, entity)
        scope.require("read")
        body = calendar_view(conn, app, scope.name, view)
        fields = with_system_fields(scope.fields, viewer)
        date_field = next((f for f in fields if f.name == body.get("date_field")), None)
        if date_field is None:  # hidden from this reader
            raise NotFound(f"There is no calendar view {view!r} of {entity!r}.")
        within = range_filter(date_field, start, end, zone)
        view_filter = body.get("filter")
        query = ListQuery(
            filter={"and": [view_filter, within]} if view_filter else within,
            sort=[date_field.name, "id"],
            limit=MAX_RECORDS,
            fields=[n for n in (scope.entity.title_field, date_field.name) if n],
        )
        items = scope.records.list(conn, scope.name, query).items
        form_query = view_form_query(conn, app, scope.name, viewer, body.get("form"))
    days = [
        Day(start + timedelta(days=n), (start + timedelta(days=n)).month == first.month, False)
        for n in range(7 * WEEKS)
    ]
    for d in days:
        d.today = d.day == today
        following = bound(d.day + timedelta(days=1), date_field, zone)
        conditions = [("f", f"{date_field.name}:gte:{bound(d.day, date_field, zone)}"),
                      ("f", f"{date_field.name}:lt:{following}")]  # fmt: skip
        d.more_url = f"{scope.url}?{urlencode(conditions)}"
    by_day = {d.day: d for d in days}
    for item in items:
        placed = day_of(item.get(date_field.name), zone)
        if placed in by_day:
            value = item.get(date_field.name)
            moment = parse_temporal(str(value))
            clock = (
                moment.astimezone(zone).strftime("%H:%M") if isinstance(moment, datetime) else ""
            )
            by_day[placed].entries.append(
                {"id": item["id"], "title": scope.title(item), "time": clock,
                 "url": scope.record_url(item["id"]) + form_query}
            )  # fmt: skip
    truncated = len(items) >= MAX_RECORDS
    label = viewer.label(body.get("label"), view)
    base = f"{scope.url}/calendar/{view}"
    return render(
        request,
        viewer,
        "records/calendar.html",
        crumbs=[*scope.crumbs(), Crumb(label)],
        nav=scope.nav(),
        notice=Notice("warning", viewer.t("calendar.truncated")) if truncated else None,
        scope=scope,
        title=label,
        field_label=date_field.label,
        weekdays=[viewer.t(key) for key in WEEKDAY_KEYS],
        month=first,
        weeks=[days[n : n + 7] for n in range(0, len(days), 7)],
        previous_url=f"{base}?month={shift_month(first, -1):%Y-%m}",
        next_url=f"{base}?month={shift_month(first, 1):%Y-%m}",
        today_url=base,
        count=len(items),
    )
