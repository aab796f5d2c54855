"""The property editors field types declare for the entity designer."""

from __future__ import annotations

from typing import Any, ClassVar

import pytest

from jimu.engines.form.property_editors import EDITORS, derive_editor, property_editors
from jimu.engines.form.registry import default_registry
from jimu.engines.form.types.base import FieldType


def editors_of(name: str) -> dict[str, dict[str, Any]]:
    return {e["key"]: e for e in default_registry().get(name).property_editors()}


def test_editors_are_derived_from_the_json_schema_of_params() -> None:
    assert derive_editor("mask", {"type": "boolean"}, False) == {
        "key": "mask",
        "required": False,
        "editor": "boolean",
    }
    assert derive_editor("level", {"enum": ["province", "city"]}, True) == {
        "key": "level",
        "required": True,
        "editor": "choice",
        "choices": ["province", "city"],
    }
    assert derive_editor("max", {"type": "integer", "minimum": 1, "maximum": 10}, False) == {
        "key": "max",
        "required": False,
        "editor": "integer",
        "min": 1,
        "max": 10,
    }
    text = derive_editor("pattern", {"type": "string", "pattern": r"\{0+\}"}, True)
    assert text["editor"] == "text" and text["pattern"] == r"\{0+\}"
    assert derive_editor("filter", {"type": ["object", "null"]}, False)["editor"] == "json"


def test_built_in_types_refine_their_editors() -> None:
    assert editors_of("formula")["formula"] == {
        "key": "formula",
        "required": True,
        "editor": "formula",
    }
    assert editors_of("formula")["returns"]["editor"] == "choice"
    assert editors_of("select")["options"]["editor"] == "options"
    assert editors_of("link")["target"]["editor"] == "entity"
    assert editors_of("link")["many"]["editor"] == "boolean"
    assert editors_of("subtable")["link"] == {
        "key": "link",
        "required": True,
        "editor": "field",
        "of": "target",
        "types": ["link"],
        "back": True,
        "pattern": "^[a-z][a-z0-9_]{0,62}$",
    }
    assert editors_of("lookup")["field"]["through"] == "link"
    rollup = editors_of("rollup")
    assert rollup["link"]["back"] is True and rollup["filter"]["editor"] == "condition"
    assert rollup["field"]["value_types"]["sum"] == ["number"]
    assert editors_of("rating")["max"]["max"] == 10
    assert list(editors_of("text")) == ["min_length", "max_length", "pattern"]


def test_the_plugin_type_declares_its_editor_by_being_registered() -> None:
    assert editors_of("cn_id") == {"mask": {"key": "mask", "required": False, "editor": "boolean"}}


def test_every_registered_editor_is_one_the_designer_renders() -> None:
    for field_type in default_registry():
        for editor in field_type.property_editors():
            assert editor["editor"] in EDITORS, (field_type.name, editor)
            assert editor["key"] in field_type.params


def test_an_override_of_an_unknown_key_or_editor_is_refused() -> None:
    with pytest.raises(ValueError, match="not params: nope"):
        property_editors({"a": {"type": "string"}}, (), {"nope": {"editor": "text"}})
    with pytest.raises(ValueError, match="unknown editor 'slider'"):
        property_editors({"a": {"type": "number"}}, (), {"a": {"editor": "slider"}})


def test_a_type_overrides_one_editor_and_keeps_the_others_derived() -> None:
    class Colour(FieldType):
        name = "colour"
        label: ClassVar = {"en": "Colour"}
        params: ClassVar = {"palette": {"type": "array"}, "alpha": {"type": "boolean"}}
        editors: ClassVar = {"palette": {"editor": "options"}}

    assert [e["editor"] for e in Colour().property_editors()] == ["options", "boolean"]
