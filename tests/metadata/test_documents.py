"""Document schemas, validation with JSON pointers, diffs and canonical JSON."""

from __future__ import annotations

import json
from typing import Any

import jsonschema
import pytest

from jimu.metadata.diff import diff_documents
from jimu.metadata.jsonio import canonical, dumps
from jimu.metadata.schemas import KINDS, document_schema
from jimu.metadata.validate import schema_errors, validate_app_documents


def lead(**extra: Any) -> dict[str, Any]:
    return {
        "kind": "entity",
        "name": "lead",
        "label": {"en": "Lead", "zh": "线索"},
        "fields": [
            {"name": "name", "type": "text", "required": True},
            {"name": "status", "type": "select", "options": [{"value": "new"}]},
        ],
        **extra,
    }


@pytest.mark.parametrize("kind", KINDS)
def test_every_kind_has_a_valid_json_schema(kind: str) -> None:
    jsonschema.Draft202012Validator.check_schema(document_schema(kind))


def test_a_valid_entity_has_no_errors() -> None:
    assert schema_errors(lead()) == []


def test_all_schema_errors_come_at_once_with_pointers() -> None:
    doc = lead()
    doc["fields"] = [
        {"name": "Bad Name", "type": "text"},
        {"name": "x", "type": "nope"},
        {"name": "s", "type": "select"},
        {"name": "t", "type": "text", "target": "account"},
        {"type": "number"},
    ]
    del doc["label"]
    pointers = {e.pointer for e in schema_errors(doc)}
    assert pointers == {
        "/label",
        "/fields/0/name",
        "/fields/1/type",
        "/fields/2/options",
        "/fields/3/target",
        "/fields/4/name",
    }


def test_cross_document_errors_name_the_file() -> None:
    doc = lead()
    doc["fields"].append({"name": "account", "type": "link", "target": "account"})
    doc["fields"].append({"name": "name", "type": "text"})
    doc["title_field"] = "missing"
    app = {"kind": "app", "name": "crm", "label": {"en": "CRM"}, "menu": ["lead", "ghost"]}
    form = {
        "kind": "form",
        "entity": "lead",
        "name": "default",
        "sections": [{"fields": ["name", "nope"]}],
    }
    errors = validate_app_documents([app, doc, form])
    assert {e.pointer for e in errors} == {
        "app.json#/menu/1",
        "entities/lead.json#/fields/2/target",
        "entities/lead.json#/fields/3/name",
        "entities/lead.json#/title_field",
        "forms/lead.json#/sections/0/fields/1",
    }


def test_bad_defaults_and_regexes_are_reported() -> None:
    doc = lead()
    doc["fields"][1]["default"] = "old"
    doc["fields"].append({"name": "code", "type": "text", "pattern": "(["})
    errors = validate_app_documents([doc])
    assert {e.pointer for e in errors} == {
        "entities/lead.json#/fields/1/default",
        "entities/lead.json#/fields/2/pattern",
    }


def test_canonical_json_is_stable_whatever_the_key_order() -> None:
    a = lead()
    b = json.loads(json.dumps(a, sort_keys=True))
    assert dumps(a) == dumps(b)
    text = dumps(a)
    assert text.endswith("}\n") and text.startswith('{\n  "kind": "entity",\n  "name": "lead"')
    assert "线索" in text
    assert dumps(json.loads(text)) == text
    assert canonical(json.loads(text)) == json.loads(text)


def test_diff_matches_fields_by_name() -> None:
    old = lead()
    new = lead()
    new["fields"].insert(0, {"name": "email", "type": "email"})
    new["fields"][2]["options"].append({"value": "won", "color": "#00ff00"})
    del new["fields"][1]["required"]
    changes = {(c.op, c.pointer) for c in diff_documents(old, new)}
    assert changes == {
        ("add", "/fields/0"),
        ("remove", "/fields/1/required"),
        ("add", "/fields/2/options/1"),
    }
    assert diff_documents(old, old) == []


def test_formula_errors_point_at_the_formula() -> None:
    doc = lead()
    doc["fields"].append({"name": "g", "type": "formula", "formula": "IF(name = , 1)"})
    doc["fields"].append({"name": "d", "type": "text", "default_formula": "NOPE(1)"})
    errors = validate_app_documents([doc])
    assert [e.pointer for e in errors] == [
        "entities/lead.json#/fields/2/formula",
        "entities/lead.json#/fields/3/default_formula",
    ]
    assert "column" in errors[0].message


def test_formulas_naming_unknown_fields_or_mixing_types_are_reported() -> None:
    doc = lead()
    doc["fields"] += [
        {"name": "amount", "type": "money", "currency": "CNY"},
        {"name": "due", "type": "date"},
        {"name": "net", "type": "formula", "formula": "ROUND(amout * 0.9, 2)"},
        {"name": "late", "type": "formula", "formula": 'IF(due > "soon", 1, 0)'},
        {"name": "fine", "type": "formula", "formula": "amount * 2 + version", "returns": "number"},
    ]
    errors = validate_app_documents([doc])
    assert [(e.pointer, e.code) for e in errors] == [
        ("entities/lead.json#/fields/4/formula", "unknown_field"),
        ("entities/lead.json#/fields/5/formula", "type_mismatch"),
    ]
    assert "did you mean amount" in errors[0].message


def test_a_missing_param_is_named_alone_not_with_the_params_given() -> None:
    # Before, the lookup's "link" was refused as "not allowed here" beside the missing "field"
    # (both show at the lookup picker of the entity designer).
    doc = {
        "kind": "entity",
        "name": "member",
        "label": {"en": "Member"},
        "fields": [
            {"name": "club", "type": "link", "target": "club"},
            {"name": "city", "type": "lookup", "link": "club"},
            {"name": "paid", "type": "rollup", "entity": "payment", "bogus": 1},
        ],
    }
    found = [(e.pointer, e.message) for e in schema_errors(doc)]
    assert sorted(found) == [
        ("/fields/1/field", "is required"),
        ("/fields/2/bogus", "is not allowed here"),
        ("/fields/2/function", "is required"),
        ("/fields/2/link", "is required"),
    ]
