"""A record's values as messages read them: option labels instead of stored option values
(for people), or JSON values (for machines: webhooks)."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date, datetime
from decimal import Decimal
from typing import Any

from jimu.engines.form.model import Entity

CHOICE_TYPES = ("select", "multiselect")


def _option_labels(options: Any, lang: str) -> dict[Any, str]:
    labels: dict[Any, str] = {}
    for option in options if isinstance(options, list) else []:
        if not isinstance(option, Mapping) or "value" not in option:
            continue
        words = option.get("label")
        if isinstance(words, Mapping):
            text = words.get(lang) or words.get("en") or words.get("zh")
        else:
            text = words
        labels[option["value"]] = str(text) if text else str(option["value"])
    return labels


def text_values(entity: Entity, record: Mapping[str, Any], lang: str) -> dict[str, Any]:
    """``record`` for text templates: option labels in ``lang`` (several joined by ", "),
    empty values as empty text."""
    out: dict[str, Any] = {key: "" if value is None else value for key, value in record.items()}
    for spec in entity.fields:
        if spec.type not in CHOICE_TYPES or record.get(spec.name) is None:
            continue
        labels = _option_labels(spec.get("options"), lang)
        value = record[spec.name]
        if isinstance(value, list):
            out[spec.name] = ", ".join(labels.get(v, str(v)) for v in value)
        else:
            out[spec.name] = labels.get(value, str(value))
    return out


def json_value(value: Any) -> Any:
    """A stored value as JSON: exact decimals as numbers, dates and times in ISO 8601."""
    if isinstance(value, Decimal):
        return int(value) if value == value.to_integral_value() else float(value)
    if isinstance(value, datetime | date):
        return value.isoformat()
    if isinstance(value, list):
        return [json_value(v) for v in value]
    if isinstance(value, dict):
        return {str(k): json_value(v) for k, v in value.items()}
    return value


def json_values(record: Mapping[str, Any]) -> dict[str, Any]:
    return {key: json_value(value) for key, value in record.items()}
