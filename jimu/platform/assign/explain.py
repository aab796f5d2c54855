"""The explanation of an assignment ("why this rep"), in English and Chinese, from its details.

The details are the structured record (kept as JSON with the assignment); the sentences are
made from them once, when the assignment is made, so they read as they did then.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from jimu.engines.expr import describe

METHOD_WORDS = {
    "round_robin": {"en": "round robin", "zh": "轮流分配"},
    "fewest_open": {"en": "fewest open records", "zh": "未完成记录最少"},
}


def _name(names: Mapping[str, str], user_id: int | None) -> str:
    if user_id is None:
        return "—"
    return names.get(str(user_id)) or f"#{user_id}"


def _skipped(attempt: Mapping[str, Any], lang: str) -> str:
    parts = []
    for skip in attempt["skipped"]:
        who = skip["name"]
        if skip["reason"] == "away":
            until = skip.get("away_until")
            if lang == "zh":
                parts.append(f"{who}（休假至 {until}）" if until else f"{who}（休假中）")
            else:
                parts.append(f"{who} (away until {until})" if until else f"{who} (away)")
        elif skip["reason"] == "previous_owner":
            parts.append(f"{who}（曾经负责过）" if lang == "zh" else f"{who} (owned it before)")
        else:
            parts.append(f"{who}（已停用）" if lang == "zh" else f"{who} (inactive)")
    if not parts:
        return ""
    return ("跳过：" + "、".join(parts) + "。") if lang == "zh" else f"Skipped: {'; '.join(parts)}."


def _attempt(attempt: Mapping[str, Any], names: Mapping[str, str], lang: str) -> str:
    pool = attempt["pool_label"][lang]
    method = METHOD_WORDS[attempt["method"]][lang]
    chosen = attempt.get("user_id")
    if chosen is None:
        head = (
            f"{pool}中没有可分配的人（{method}）。"
            if lang == "zh"
            else f"Nobody in {pool} could take it ({method})."
        )
    elif attempt["method"] == "round_robin":
        before = attempt["pointer"]["before"]
        if lang == "zh":
            after = f"上一位是 {_name(names, before)}，" if before is not None else "第一次分配，"
            head = f"在{pool}中轮流分配：{after}轮到 {_name(names, chosen)}。"
        else:
            after = f"after {_name(names, before)}" if before is not None else "first in turn"
            head = f"Round robin in {pool}: {_name(names, chosen)} was next ({after})."
    else:
        counts = attempt["open_counts"]
        others = [u for u in attempt["eligible"] if u != chosen]
        if lang == "zh":
            rest = "、".join(f"{_name(names, u)} {counts[str(u)]} 条" for u in others)
            head = (
                f"在{pool}中按未完成记录最少分配：{_name(names, chosen)} 有 "
                f"{counts[str(chosen)]} 条" + (f"（{rest}）" if rest else "") + "。"
            )
        else:
            rest = ", ".join(f"{_name(names, u)} {counts[str(u)]}" for u in others)
            head = (
                f"Fewest open records in {pool}: {_name(names, chosen)} has "
                f"{counts[str(chosen)]}" + (f" ({rest})" if rest else "") + "."
            )
    skipped = _skipped(attempt, lang)
    return f"{head}{skipped}" if lang == "zh" else " ".join(p for p in (head, skipped) if p)


def explanation(details: Mapping[str, Any], lang: str, labels: Mapping[str, str]) -> str:
    """The sentences of ``details`` in ``lang`` ("en" or "zh"); ``labels`` name the fields of
    a territory row's condition."""
    names = details["names"]
    out: list[str] = []
    if details["territory"]:
        row = details.get("territory_row")
        if row is None:
            out.append("没有匹配的区域规则。" if lang == "zh" else "No territory row matched.")
        else:
            condition = details["territory_when"]
            if isinstance(condition, bool):
                when = ("总是" if lang == "zh" else "always") if condition else "—"
            else:
                when = describe(condition, lang, labels)
            out.append(
                f"匹配区域规则第 {row + 1} 行（{when}）。"
                if lang == "zh"
                else f"Territory row {row + 1} matched ({when})."
            )
    for attempt in details["attempts"]:
        if attempt["fallback"]:
            out.append("改用后备分配：" if lang == "zh" else "Fallback:")
        out.append(_attempt(attempt, names, lang))
    return ("" if lang == "zh" else " ").join(out)
