"""A record form's sections: from the entity's published form document, or one section.

A form document (``forms/<entity>.json``) lists sections with a title, a column count and field
names. Fields it does not mention are shown in a last section, so no field is ever hidden by an
out-of-date layout; names it mentions that the entity no longer has are skipped.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from jimu.builder_ui.pages.records.fields import FieldView
from jimu.builder_ui.pages.shell.viewer import Viewer

DEFAULT_COLUMNS = 2
MAX_COLUMNS = 4


@dataclass(frozen=True)
class Section:
    title: str
    columns: int
    fields: tuple[FieldView, ...]


def _columns(value: object) -> int:
    if isinstance(value, int) and not isinstance(value, bool):
        return max(1, min(MAX_COLUMNS, value))
    return DEFAULT_COLUMNS


def form_sections(
    form: Mapping[str, Any] | None, fields: Sequence[FieldView], viewer: Viewer
) -> list[Section]:
    by_name = {f.name: f for f in fields}
    sections: list[Section] = []
    placed: set[str] = set()
    for raw in (form or {}).get("sections") or []:
        if not isinstance(raw, Mapping):
            continue
        members = []
        for name in raw.get("fields") or []:
            if name in by_name and name not in placed:
                members.append(by_name[name])
                placed.add(name)
        if members:
            title = viewer.label(raw.get("title"), "")
            sections.append(Section(title, _columns(raw.get("columns")), tuple(members)))
    rest = tuple(f for f in fields if f.name not in placed)
    if rest:
        title = viewer.t("form.general") if not sections else ""
        sections.append(Section(title, DEFAULT_COLUMNS, rest))
    return sections
