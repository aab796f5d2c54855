"""Turning stored values into text for people, and datetime-local input back into UTC."""

from __future__ import annotations

import json
from datetime import UTC, datetime, tzinfo
from decimal import Decimal, InvalidOperation
from typing import Any

DISPLAY_DATETIME = "%Y-%m-%d %H:%M"
INPUT_DATETIME = "%Y-%m-%dT%H:%M"
CURRENCY_SYMBOLS = {"CNY": "¥", "USD": "$", "EUR": "€", "GBP": "£", "JPY": "¥", "HKD": "HK$"}


def json_attr(value: Any) -> str:
    """``value`` as compact JSON, for a ``data-*`` attribute (the template escapes it)."""
    return json.dumps(value, ensure_ascii=False, separators=(",", ":"))


def parse_utc(value: Any) -> datetime | None:
    """A record's datetime value (``"2026-11-23T08:00:00Z"``) as an aware datetime."""
    if isinstance(value, datetime):
        return value if value.tzinfo else value.replace(tzinfo=UTC)
    if not isinstance(value, str) or not value:
        return None
    try:
        moment = datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        return None
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


def local_datetime(value: Any, zone: tzinfo) -> str:
    """A UTC datetime value as ``YYYY-MM-DD HH:MM`` in ``zone`` ("" if there is none)."""
    moment = parse_utc(value)
    return moment.astimezone(zone).strftime(DISPLAY_DATETIME) if moment else ""


def local_input(value: Any, zone: tzinfo) -> str:
    """A UTC datetime value as the value of an ``<input type="datetime-local">`` in ``zone``."""
    moment = parse_utc(value)
    return moment.astimezone(zone).strftime(INPUT_DATETIME) if moment else ""


def utc_from_local_input(text: str, zone: tzinfo) -> str:
    """What a datetime-local input sent (wall time in ``zone``) as a UTC ISO string.

    Text that is not a datetime is returned unchanged, so the record service reports it.
    """
    text = text.strip()
    try:
        wall = datetime.fromisoformat(text)
    except ValueError:
        return text
    if wall.tzinfo is None:
        wall = wall.replace(tzinfo=zone)
    return wall.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def grouped_number(value: Any) -> str:
    """A number (or a decimal string) with thousands separators: ``1,234.50``."""
    if value is None or value == "" or isinstance(value, bool):
        return ""
    try:
        number = Decimal(str(value))
    except InvalidOperation:
        return str(value)
    if not number.is_finite():
        return str(value)
    exponent = number.as_tuple().exponent
    places = -exponent if isinstance(exponent, int) and exponent < 0 else 0
    return f"{number:,.{places}f}"


def money(value: Any, currency: str | None) -> str:
    text = grouped_number(value)
    if not text:
        return ""
    symbol = CURRENCY_SYMBOLS.get(currency or "CNY")
    return f"{symbol}{text}" if symbol else f"{text} {currency}"


def percent(value: Any) -> str:
    text = grouped_number(value)
    return f"{text}%" if text else ""


class Formatter:
    """The formatting helpers templates call as ``fmt.*``, bound to the viewer's time zone."""

    def __init__(self, zone: tzinfo) -> None:
        self.zone = zone

    def datetime(self, value: Any) -> str:
        return local_datetime(value, self.zone)

    def input_datetime(self, value: Any) -> str:
        return local_input(value, self.zone)

    def number(self, value: Any) -> str:
        return grouped_number(value)

    def money(self, value: Any, currency: str | None) -> str:
        return money(value, currency)

    def percent(self, value: Any) -> str:
        return percent(value)
