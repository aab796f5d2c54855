"""The record page's layout: sections above the tabs, tabs by label in order of first appearance."""

from __future__ import annotations

from typing import cast

from jimu.builder_ui.pages.records.fields import FieldView
from jimu.builder_ui.pages.records.layout import arrange, form_sections
from jimu.builder_ui.pages.shell.viewer import Viewer

ZH = Viewer(language="zh")


def view(name: str) -> FieldView:
    return cast(FieldView, type("V", (), {"name": name})())


def test_sections_group_into_tabs_in_order_of_first_appearance() -> None:
    fields: list[FieldView] = [view(n) for n in "abcdef"]
    form = {
        "sections": [
            {"title": {"en": "Top"}, "fields": ["a"]},
            {"tab": {"en": "Two", "zh": "二"}, "columns": 4, "fields": ["b"]},
            {"tab": {"en": "One", "zh": "一"}, "fields": ["c"]},
            {"tab": {"en": "Two", "zh": "二"}, "columns": 9, "fields": ["d"]},
            {"columns": 1, "fields": ["e"]},
        ]
    }
    layout = arrange(form_sections(form, fields, ZH))
    assert [s.title for s in layout.top] == ["Top", "", ""]
    assert [[f.name for f in s.fields] for s in layout.top] == [["a"], ["e"], ["f"]]
    assert [(t.id, t.title) for t in layout.tabs] == [("tab-1", "二"), ("tab-2", "一")]
    assert [[f.name for f in s.fields] for s in layout.tabs[0].sections] == [["b"], ["d"]]
    assert [s.columns for s in layout.tabs[0].sections] == [4, 4]  # 9 is held at 4


def test_an_empty_tab_label_is_no_tab() -> None:
    fields: list[FieldView] = [view("a")]
    sections = form_sections({"sections": [{"tab": {"en": " "}, "fields": ["a"]}]}, fields, ZH)
    assert arrange(sections).tabs == ()
