"""``/api/field-types``: the entity designer's palette, plugin types included."""

from __future__ import annotations

from fastapi.testclient import TestClient
from platform_testing import assert_problem

from jimu.engines.form.registry import default_registry


def test_every_registered_type_is_in_the_palette_with_its_editors(
    user_client: TestClient,
) -> None:
    answer = user_client.get("/api/field-types")
    assert answer.status_code == 200, answer.text
    types = {t["name"]: t for t in answer.json()}
    assert list(types) == default_registry().names()
    plugin = types["cn_id"]
    assert plugin["label"] == {"en": "Chinese ID number", "zh": "身份证号"}
    assert plugin["editors"] == [{"key": "mask", "required": False, "editor": "boolean"}]
    assert types["formula"]["computed"] is True
    assert types["subtable"]["has_column"] is False
    assert [e["editor"] for e in types["select"]["editors"]] == ["options"]


def test_the_palette_needs_a_signed_in_user(client: TestClient) -> None:
    assert_problem(client.get("/api/field-types"), 401, "not_authenticated")
