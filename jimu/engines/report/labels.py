"""Column metadata of a chart's result: names, zh/en labels, value types, select options."""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from jimu.engines.report.dataset import Resolved

_SYSTEM_LABELS = {
    "id": {"en": "ID", "zh": "编号"},
    "created_at": {"en": "Created at", "zh": "创建时间"},
    "created_by": {"en": "Created by", "zh": "创建人"},
    "updated_at": {"en": "Updated at", "zh": "更新时间"},
    "updated_by": {"en": "Updated by", "zh": "更新人"},
    "owner_id": {"en": "Owner", "zh": "负责人"},
}
_AGGREGATE_WORDS = {
    "count": ("Count", "计数"),
    "count_distinct": ("Distinct count of", "去重计数"),
    "sum": ("Sum of", "合计"),
    "avg": ("Average of", "平均"),
    "min": ("Minimum of", "最小"),
    "max": ("Maximum of", "最大"),
    "median": ("Median of", "中位数"),
}


def field_label(resolved: Resolved | None, path: str) -> dict[str, str]:
    if resolved is None:
        return {"en": path, "zh": path}
    if resolved.field is None:
        return dict(_SYSTEM_LABELS.get(path.rsplit(".", 1)[-1], {"en": path, "zh": path}))
    label = resolved.field.label
    en = str(label.get("en") or resolved.field.name)
    return {"en": en, "zh": str(label.get("zh") or en)}


def dimension_meta(
    name: str, spec: Mapping[str, Any], resolved: Resolved, value_type: str, **extra: Any
) -> dict[str, Any]:
    label = spec.get("label") or field_label(resolved, str(spec["field"]))
    meta: dict[str, Any] = {
        "name": name,
        "role": "dimension",
        "field": str(spec["field"]),
        "label": dict(label),
        "type": value_type,
    }
    options = extra.pop("options", None)
    if options:
        meta["options"] = [
            {
                "value": o["value"],
                "label": dict(o.get("label") or {"en": str(o["value"])}),
                "color": o.get("color"),
            }
            for o in options
        ]
    meta.update({k: v for k, v in extra.items() if v is not None})
    return meta


def measure_meta(spec: Mapping[str, Any], index: int, resolved: Resolved | None) -> dict[str, Any]:
    label = spec.get("label")
    if not label:
        if "agg" in spec:
            en, zh = _AGGREGATE_WORDS[str(spec["agg"])]
            if "field" in spec:
                of = field_label(resolved, str(spec["field"]))
                label = {"en": f"{en} {of['en']}", "zh": f"{of['zh']}{zh}"}
            else:
                label = {"en": en, "zh": zh}
        else:
            label = {"en": str(spec["name"]), "zh": str(spec["name"])}
    meta: dict[str, Any] = {
        "name": str(spec["name"]),
        "role": "measure",
        "label": dict(label),
        "type": "number",
    }
    if "format" in spec:
        meta["format"] = spec["format"]
    return meta
