"""The example field plugin (examples/field_plugin), installed with pip and used end to end:
the registry finds it through the ``jimu`` entry point, an entity uses it, the API validates
its values and the form page shows it."""

from __future__ import annotations

import importlib
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from jimu.engines.form import registry as form_registry

REPO = Path(__file__).resolve().parents[3]
PLUGIN = REPO / "examples" / "field_plugin"
APP = {"kind": "app", "name": "hr", "label": {"en": "HR"}, "menu": ["person"]}
PERSON = {
    "kind": "entity",
    "name": "person",
    "label": {"en": "Person"},
    "fields": [
        {"name": "name", "type": "text", "required": True, "label": {"en": "Name"}},
        {"name": "id_number", "type": "cn_id", "label": {"en": "ID number", "zh": "身份证号"}},
    ],
}


@pytest.fixture(scope="module")
def installed(tmp_path_factory: pytest.TempPathFactory) -> Path:
    target = tmp_path_factory.mktemp("plugin")
    subprocess.run(
        [
            sys.executable,
            "-m",
            "pip",
            "install",
            "--quiet",
            "--no-deps",
            "--no-build-isolation",
            "--target",
            str(target),
            str(PLUGIN),
        ],
        check=True,
    )
    return target


@pytest.fixture
def plugin(installed: Path) -> Iterator[None]:
    sys.path.insert(0, str(installed))
    importlib.invalidate_caches()
    form_registry.default_registry.cache_clear()
    try:
        yield
    finally:
        sys.path.remove(str(installed))
        for name in [m for m in sys.modules if m.startswith("jimu_cn_id")]:
            del sys.modules[name]
        importlib.invalidate_caches()
        form_registry.default_registry.cache_clear()


def test_the_plugin_type_is_registered_through_the_entry_point(plugin: None) -> None:
    registry = form_registry.default_registry()
    assert "cn_id" in registry
    assert registry.get("cn_id").label["zh"] == "身份证号"


def test_api_and_form_page_use_the_plugin_type(plugin: None, admin_client: TestClient) -> None:
    schema = admin_client.get("/api/schemas/entity").json()
    assert "cn_id" in schema["$defs"]["field"]["properties"]["type"]["enum"]
    for doc in (APP, PERSON):
        url = f"/api/apps/hr/documents/{doc['kind']}/{doc['name']}"
        response = admin_client.put(url, json=doc)
        assert response.status_code < 300, response.text
    assert admin_client.post("/api/apps/hr/publish").status_code == 200
    records = "/api/apps/hr/entities/person/records"
    good = admin_client.post(records, json={"name": "Li", "id_number": "11010519491231002x"})
    assert good.status_code == 201, good.text
    assert good.json()["id_number"] == "11010519491231002X"
    bad = admin_client.post(records, json={"name": "Wu", "id_number": "110105194912310021"})
    assert bad.status_code == 422
    assert bad.json()["errors"][0]["pointer"] == "/id_number"
    assert bad.json()["errors"][0]["code"] == "checksum"
    page = admin_client.get("/apps/hr/person/new")
    assert page.status_code == 200
    assert 'name="id_number"' in page.text
