"""Reading DingTalk/WeCom-shaped department and user tables (CSV text or JSON lists).

Headers may be in Chinese or English as the exports write them; each is mapped to one
canonical column. Rows keep their number in the source (CSV: the line, header = 1; JSON: the
index) and the header as written, so errors can point at them.
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

DEPARTMENT_COLUMNS: dict[str, tuple[str, ...]] = {
    "id": ("部门id", "部门编号", "department id", "department_id", "dept_id", "id"),
    "parent_id": ("上级部门id", "父部门id", "parent id", "parent_id", "parentid", "parent"),
    "name": ("部门名称", "部门名", "department name", "department", "name"),
    "order": ("排序", "部门排序", "次序", "order", "sort_order", "sort order"),
}
USER_COLUMNS: dict[str, tuple[str, ...]] = {
    "id": ("用户id", "userid", "user id", "user_id", "成员id", "账号", "id"),
    "name": ("姓名", "名称", "name", "display_name"),
    "mobile": ("手机", "手机号", "手机号码", "mobile", "phone"),
    "email": ("邮箱", "企业邮箱", "email", "e-mail"),
    "departments": ("所属部门", "部门", "部门id", "departments", "department", "department_ids"),
    "leader": (
        "是否部门负责人",
        "是否为部门主管",
        "是否为部门负责人",
        "部门负责人",
        "是否主管",
        "leader",
        "is_leader",
        "is_leader_in_dept",
    ),
    "main_department": ("主部门", "主部门id", "main department", "main_department"),
    "manager": ("直属上级", "直属上级id", "上级", "manager", "manager_id", "manager id"),
}


def normalise_header(header: str) -> str:
    return re.sub(r"[\s_]+", " ", header.replace("\ufeff", "").strip().lower()).replace(" ", "_")


def _alias_map(columns: Mapping[str, tuple[str, ...]]) -> dict[str, str]:
    return {normalise_header(alias): name for name, aliases in columns.items() for alias in aliases}


@dataclass
class SourceRow:
    """One row: canonical column -> value, and canonical column -> the header as written."""

    number: int
    values: dict[str, str]
    headers: dict[str, str] = field(default_factory=dict)

    def get(self, column: str) -> str:
        return self.values.get(column, "").strip()

    def header(self, column: str) -> str:
        return self.headers.get(column, column)


@dataclass
class SourceTable:
    name: str  # "departments" or "users"
    rows: list[SourceRow]
    unknown_headers: list[str] = field(default_factory=list)
    from_csv: bool = True


def _canonical(
    raw: Mapping[str, Any], aliases: Mapping[str, str]
) -> tuple[dict[str, str], dict[str, str], list[str]]:
    values: dict[str, str] = {}
    headers: dict[str, str] = {}
    unknown: list[str] = []
    for header, value in raw.items():
        name = aliases.get(normalise_header(str(header)))
        if name is None:
            unknown.append(str(header))
            continue
        values[name] = _text(value)
        headers[name] = str(header)
    return values, headers, unknown


def _text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "1" if value else "0"
    if isinstance(value, list):
        return ";".join(_text(item) for item in value)
    return str(value)


class UnreadableCsv(ValueError):
    """The text is not CSV the reader can follow; names the table and the line."""

    def __init__(self, table: str, line: int, problem: str) -> None:
        super().__init__(f"{table}: line {line} is not readable CSV ({problem}).")
        self.table = table
        self.line = line
        self.problem = problem


def read_csv(name: str, text: str) -> SourceTable:
    """Rows of an uploaded table; a bare CR inside a cell ends the line as Excel on a Mac saves."""
    columns = DEPARTMENT_COLUMNS if name == "departments" else USER_COLUMNS
    aliases = _alias_map(columns)
    if "\x00" in text:  # PostgreSQL text cannot hold it; no spreadsheet writes it
        raise UnreadableCsv(name, text.count("\n", 0, text.index("\x00")) + 1, "a NUL byte")
    reader = csv.DictReader(io.StringIO(text.lstrip("\ufeff"), newline=""))
    rows: list[SourceRow] = []
    unknown: list[str] = []
    try:
        for index, raw in enumerate(reader):
            values, headers, unknown = _canonical({k: v for k, v in raw.items() if k}, aliases)
            if any(v.strip() for v in values.values()):
                rows.append(SourceRow(index + 2, values, headers))
    except csv.Error as error:
        raise UnreadableCsv(name, reader.line_num, str(error)) from None
    return SourceTable(name, rows, unknown, from_csv=True)


def read_json(name: str, items: Sequence[Mapping[str, Any]]) -> SourceTable:
    columns = DEPARTMENT_COLUMNS if name == "departments" else USER_COLUMNS
    aliases = _alias_map(columns)
    rows: list[SourceRow] = []
    unknown: set[str] = set()
    for index, item in enumerate(items):
        values, headers, extra = _canonical(item, aliases)
        unknown.update(extra)
        rows.append(SourceRow(index, values, headers))
    return SourceTable(name, rows, sorted(unknown), from_csv=False)


def split_ids(value: str) -> list[str]:
    """``"1;2|3, 4"`` -> ``["1", "2", "3", "4"]`` (DingTalk and WeCom use different separators)."""
    return [part.strip() for part in re.split(r"[;,|，；]", value) if part.strip()]


TRUE_WORDS = frozenset({"1", "是", "y", "yes", "true", "t", "leader", "负责人", "主管"})
FALSE_WORDS = frozenset({"", "0", "否", "n", "no", "false", "f"})


def parse_flag(value: str) -> bool | None:
    """True/False for a yes/no cell, None when it is neither."""
    word = value.strip().lower()
    if word in TRUE_WORDS:
        return True
    if word in FALSE_WORDS:
        return False
    return None


def decode_csv(data: bytes) -> str:
    """CSV bytes as text: UTF-8 (with or without BOM), else GB18030 as Chinese Excel saves."""
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:
        return data.decode("gb18030")
