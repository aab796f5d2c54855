"""The record list's URL state and the JsonLogic filter it asks the record service for."""

from __future__ import annotations

from typing import Any

import pytest
from starlette.datastructures import QueryParams

from jimu.builder_ui.pages.records.fields import FieldView, field_views
from jimu.builder_ui.pages.records.list_state import (
    Condition,
    ListState,
    chosen_columns,
    conditions_logic,
)
from jimu.builder_ui.pages.shell.viewer import Viewer
from jimu.engines.form.model import Entity
from jimu.errors import ValidationFailed

ENTITY = Entity(
    {
        "kind": "entity",
        "name": "lead",
        "title_field": "name",
        "fields": [
            {"name": "name", "type": "text", "label": {"en": "Name", "zh": "姓名"}},
            {"name": "email", "type": "email"},
            {"name": "score", "type": "number"},
            {"name": "notes", "type": "textarea"},
            {
                "name": "status",
                "type": "select",
                "label": {"en": "Status", "zh": "状态"},
                "options": [
                    {"value": "new", "label": {"en": "New", "zh": "新线索"}},
                    {"value": "won", "label": {"en": "Won", "zh": "赢单"}},
                ],
            },
            {"name": "consent", "type": "boolean"},
            {"name": "tags", "type": "multiselect", "options": [{"value": "a"}]},
        ],
    }
)


def fields(lang: str = "en") -> list[FieldView]:
    return field_views(ENTITY, Viewer(language=lang))


def state(query: str) -> ListState:
    return ListState.from_params(QueryParams(query))


def test_the_url_round_trips() -> None:
    original = state("q=wang&f=score:gt:10&f=status:eq:new&sort=-score&cols=name,score&limit=50")
    assert original.conditions == (Condition("score", "gt", "10"), Condition("status", "eq", "new"))
    again = state(original.url("/x").split("?", 1)[1])
    assert again == original


def test_the_filter_forms_rows_become_conditions() -> None:
    parsed = state("ff=name&fo=contains&fv=Li&ff=&fo=eq&fv=&ff=score&fo=empty&fv=")
    assert parsed.conditions == (Condition("name", "contains", "Li"), Condition("score", "empty"))


def test_unknown_page_sizes_fall_back_to_the_default() -> None:
    assert state("limit=7").limit == 25
    assert state("limit=abc").limit == 25
    assert state("limit=100").limit == 100


def test_sorting_toggles_and_goes_back_to_the_first_page() -> None:
    current = state("sort=name&cursor=abc")
    assert current.sort_url("/l", "name") == "/l?sort=-name"
    assert current.sort_url("/l", "score") == "/l?sort=score"
    assert current.sorted_by("name") == "asc" and state("sort=-name").sorted_by("name") == "desc"


def test_conditions_become_json_logic() -> None:
    logic = conditions_logic(
        state("f=name:contains:Li&f=score:gte:10&f=status:eq:新线索&f=consent:eq:yes"),
        fields("zh"),
    )
    assert logic == {
        "and": [
            {"in": ["Li", {"var": "name"}]},
            {">=": [{"var": "score"}, 10]},
            {"==": [{"var": "status"}, "new"]},
            {"==": [{"var": "consent"}, True]},
        ]
    }


def test_quick_search_looks_in_the_text_fields() -> None:
    assert conditions_logic(state("q=wang"), fields()) == {
        "or": [{"in": ["wang", {"var": "name"}]}, {"in": ["wang", {"var": "email"}]}]
    }


def test_empty_and_not_empty() -> None:
    assert conditions_logic(state("f=score:empty:"), fields()) == {"==": [{"var": "score"}, None]}
    assert conditions_logic(state("f=email:not_empty:"), fields()) == {
        "!=": [{"var": "email"}, None]
    }


def test_no_conditions_is_no_filter() -> None:
    assert conditions_logic(state(""), fields()) is None


def test_every_bad_condition_is_reported_at_once() -> None:
    bad = state("f=nope:eq:1&f=score:contains:1&f=score:gt:abc&f=status:eq:lost&f=tags:eq:a")
    with pytest.raises(ValidationFailed) as caught:
        conditions_logic(bad, fields())
    pointers = [e.pointer for e in caught.value.errors]
    assert pointers == ["/f/0", "/f/1", "/f/2", "/f/3", "/f/4"]
    messages = " ".join(e.message for e in caught.value.errors)
    assert "nope" in messages and "Choose one of the options" in messages


def test_columns_default_to_the_title_and_compact_fields() -> None:
    names = [f.name for f in chosen_columns(state(""), fields(), "name")]
    assert names[0] == "name" and "notes" not in names
    chosen = [f.name for f in chosen_columns(state("cols=score,nope,status"), fields(), "name")]
    assert chosen == ["score", "status"]


def params_of(url: str) -> dict[str, Any]:
    return dict(QueryParams(url.split("?", 1)[1]))


def test_urls_drop_defaults() -> None:
    assert ListState().url("/apps/m/lead") == "/apps/m/lead"
    assert params_of(state("q=x").url("/l", cursor="c1")) == {"q": "x", "cursor": "c1"}


def test_default_columns_prefer_required_and_choice_fields() -> None:
    many = Entity(
        {
            "kind": "entity",
            "name": "wide",
            "title_field": "title",
            "fields": [
                {"name": "title", "type": "text"},
                *({"name": f"extra_{i}", "type": "text"} for i in range(10)),
                {"name": "status", "type": "select", "required": True, "options": [{"value": "a"}]},
                {"name": "stage", "type": "select", "options": [{"value": "a"}]},
            ],
        }
    )
    names = [f.name for f in chosen_columns(state(""), field_views(many, Viewer("en")), "title")]
    assert names == ["title", "extra_0", "extra_1", "extra_2", "extra_3", "status", "stage"]


@pytest.mark.parametrize("lang", ["en", "zh"])
@pytest.mark.parametrize("typed", ["new", "New", "新线索", "  NEW ", "won", "赢单"])
def test_select_options_match_by_value_or_label_in_either_language(lang: str, typed: str) -> None:
    logic = conditions_logic(state(f"f=status:eq:{typed}"), fields(lang))
    wanted = "won" if typed in ("won", "赢单") else "new"
    assert logic == {"==": [{"var": "status"}, wanted]}


def test_bad_conditions_are_explained_in_the_viewers_language() -> None:
    bad = state("f=nope:eq:1&f=score:contains:1&f=score:gt:abc&f=status:eq:lost&f=consent:eq:x")
    with pytest.raises(ValidationFailed) as caught:
        conditions_logic(bad, fields("zh"), Viewer(language="zh").t)
    assert caught.value.message == "有些筛选条件无效。"
    assert [e.message for e in caught.value.errors] == [
        "没有字段“nope”。",
        "score不能用“包含”筛选。",
        "score:值无效。",
        "状态:请填写其中一个选项(选项值或中文/英文名称)。",
        "consent:请填写“是”或“否”。",
    ]
