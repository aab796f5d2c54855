"""A record form's sections and tabs: from the entity's published form document, or one section.

A form document (``forms/<entity>.json``) lists sections with a title, a column count, an
optional tab label and field names. Sections without a tab come first, above the tabs; sections
with the same tab label form one tab, tabs in the order of their first section. Fields the
default layout does not mention are shown in a last section (above the tabs), so no field is
ever hidden by an out-of-date layout; another layout (a "quick entry" one) shows only what it
places (see form_choice.py). Names a layout mentions that the entity no longer has are skipped.
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
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
    #: The tab's key (its labels as JSON) and its title in the viewer's language; "" for none.
    tab_key: str = ""
    tab: str = ""


@dataclass
class Tab:
    #: ``tab-1``, ``tab-2``...: the ids of its button and panel in the page.
    id: str
    title: str
    sections: list[Section] = field(default_factory=list)


@dataclass(frozen=True)
class FormLayout:
    """The sections shown above the tabs, then the tabs."""

    top: tuple[Section, ...]
    tabs: tuple[Tab, ...]


def column_count(value: object, default: int = DEFAULT_COLUMNS) -> int:
    if isinstance(value, int) and not isinstance(value, bool):
        return max(1, min(MAX_COLUMNS, value))
    return default


def tab_of(raw: Mapping[str, Any], viewer: Viewer) -> tuple[str, str]:
    """The section's tab key and title, or ``("", "")`` when it has no tab."""
    label = raw.get("tab")
    if not isinstance(label, Mapping):
        return "", ""
    texts = {str(k): str(v).strip() for k, v in label.items() if str(v).strip()}
    if not texts:
        return "", ""
    return json.dumps(texts, sort_keys=True, ensure_ascii=False), viewer.label(texts, "")


def layout_section(
    raw: Mapping[str, Any],
    members: Sequence[FieldView],
    viewer: Viewer,
    default_columns: int = DEFAULT_COLUMNS,
) -> Section:
    key, tab = tab_of(raw, viewer)
    title = viewer.label(raw.get("title"), "")
    return Section(
        title, column_count(raw.get("columns"), default_columns), tuple(members), key, tab
    )


def placed_names(form: Mapping[str, Any] | None) -> set[str]:
    """The field names the layout places in its sections."""
    names: set[str] = set()
    for raw in (form or {}).get("sections") or []:
        if isinstance(raw, Mapping):
            names.update(str(name) for name in raw.get("fields") or [])
    return names


def form_sections(
    form: Mapping[str, Any] | None,
    fields: Sequence[FieldView],
    viewer: Viewer,
    show_unplaced: bool = True,
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
            sections.append(layout_section(raw, members, viewer))
    rest = tuple(f for f in fields if f.name not in placed) if show_unplaced else ()
    if rest:
        title = viewer.t("form.general") if not sections else ""
        sections.append(Section(title, DEFAULT_COLUMNS, rest))
    return sections


def arrange(sections: Sequence[Section]) -> FormLayout:
    """Sections without a tab on top; the others grouped by tab, in order of first appearance."""
    top = tuple(s for s in sections if not s.tab_key)
    tabs: dict[str, Tab] = {}
    for section in sections:
        if section.tab_key:
            tab = tabs.get(section.tab_key)
            if tab is None:
                tab = tabs[section.tab_key] = Tab(f"tab-{len(tabs) + 1}", section.tab)
            tab.sections.append(section)
    return FormLayout(top, tuple(tabs.values()))


def form_layout(
    form: Mapping[str, Any] | None,
    fields: Sequence[FieldView],
    viewer: Viewer,
    show_unplaced: bool = True,
) -> FormLayout:
    return arrange(form_sections(form, fields, viewer, show_unplaced))
