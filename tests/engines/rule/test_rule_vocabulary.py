"""The rule designer's vocabulary, read from the registries: every registered action type
declares editors the designer has, and triggers come from the document's trigger schema."""

from __future__ import annotations

from typing import Any, ClassVar

import pytest

from jimu.engines.rule import ACTIONS, ActionType
from jimu.engines.rule.document import rule_properties
from jimu.engines.rule.vocabulary import (
    EDITOR_KINDS,
    action_editors,
    action_vocabulary,
    is_editor_kind,
    schema_editor,
    trigger_vocabulary,
)


def test_every_registered_action_has_a_known_editor_for_each_property() -> None:
    listed = {entry["type"]: entry for entry in action_vocabulary()}
    assert set(listed) == set(ACTIONS)
    for name, action in ACTIONS.items():
        editors = listed[name]["editors"]
        assert set(editors) == set(action.properties), name
        assert all(is_editor_kind(kind) for kind in editors.values()), name
        assert listed[name]["label"]["en"] and listed[name]["label"]["zh"], name
        assert listed[name]["required"] == list(action.required)


def test_the_builtin_actions_declare_their_editors() -> None:
    listed = {entry["type"]: entry["editors"] for entry in action_vocabulary()}
    assert listed["set_fields"] == {
        "values": "values",
        "formulas": "formulas",
        "created_links": "json",
    }
    assert listed["create_record"]["entity"] == "entity"
    assert listed["create_record"]["link"] == "link"
    assert listed["add_score"] == {"field": "field:number", "amount": "number"}
    assert listed["add_tags"]["field"] == "field:multiselect"


class _Odd(ActionType):
    name: ClassVar[str] = "odd"
    properties: ClassVar[dict[str, Any]] = {"a": {"type": "string"}, "b": {"type": "object"}}


def test_a_property_without_an_editor_gets_json_and_bad_declarations_are_refused() -> None:
    assert action_editors(_Odd()) == {"a": "json", "b": "json"}

    class Unknown(_Odd):
        editors: ClassVar[dict[str, str]] = {"a": "colour"}

    class Stray(_Odd):
        editors: ClassVar[dict[str, str]] = {"c": "text"}

    with pytest.raises(ValueError, match="unknown editor kind 'colour'"):
        action_editors(Unknown())
    with pytest.raises(ValueError, match="unknown property 'c'"):
        action_editors(Stray())
    assert is_editor_kind("field:user") and not is_editor_kind("field:")
    assert "decision_table" in EDITOR_KINDS and "recipients" in EDITOR_KINDS


def test_triggers_come_from_the_trigger_schema() -> None:
    triggers = {t["on"]: t for t in trigger_vocabulary(rule_properties()["trigger"])}
    assert {"created", "updated", "deleted", "restored"} <= set(triggers)
    assert triggers["updated"]["editors"] == {"fields": "fields"}
    assert triggers["created"]["properties"] == {}
    assert triggers["created"]["label"]["zh"] == "记录创建时"


def test_every_trigger_has_words_in_both_languages_and_only_its_own_settings() -> None:
    triggers = {t["on"]: t for t in trigger_vocabulary(rule_properties()["trigger"])}
    for on in ("button", "schedule", "time", "unchanged", "webhook"):
        label = triggers[on]["label"]
        assert label["en"] != on and label["zh"] != on and label["en"] != label["zh"]
    assert triggers["schedule"]["editors"] == {"cron": "cron"}
    assert triggers["time"]["editors"] == {"field": "field", "offset": "duration"}
    assert triggers["unchanged"]["editors"] == {"fields": "fields", "for": "duration"}
    assert triggers["webhook"]["editors"] == {"match": "formulas"}
    assert set(triggers["button"]["editors"]) == {"label", "where", "confirm"}
    assert triggers["created"]["editors"] == {}


def test_the_actions_use_the_new_editor_kinds() -> None:
    from jimu.engines.rule.vocabulary import action_vocabulary

    editors = {a["type"]: a["editors"] for a in action_vocabulary()}
    assert editors["assign_owner"]["territory"] == "territory"
    assert editors["assign_owner"]["fallback"] == "pool"
    assert editors["decision_table"]["set"] == "output_map"
    assert editors["decision_table"]["add"] == "output_map"
    assert editors["create_task"]["assignee"] == "recipient"


def test_a_trigger_schema_of_alternatives_gives_each_its_own_settings() -> None:
    schema = {
        "oneOf": [
            {"properties": {"on": {"enum": ["created"]}}, "required": ["on"]},
            {
                "properties": {
                    "on": {"const": "tick"},
                    "every": {"type": "object", "properties": {"amount": {}, "unit": {}}},
                    "at": {"type": "string"},
                    "times": {"type": "integer"},
                    "mode": {"enum": ["a", "b"]},
                },
                "required": ["on", "every"],
            },
        ]
    }
    triggers = {t["on"]: t for t in trigger_vocabulary(schema)}
    assert triggers["tick"]["editors"] == {
        "every": "duration",
        "at": "text",
        "times": "number",
        "mode": "choice",
    }
    assert triggers["tick"]["required"] == ["every"]
    assert triggers["tick"]["label"] == {"en": "tick", "zh": "tick"}  # no label: its name
    assert schema_editor("x", {"type": "array"}) == "json"
