"""schemathesis over the administrator's OpenAPI document (issue 10, point 3).

Every operation of ``/openapi.json`` (the generic routes and the marketing app's entities) is
called with generated requests, valid and then invalid ones, in-process over ASGI on SQLite,
and every answer is checked: no server error, a documented status, the documented schema and content
type, and a 405 with the true ``Allow`` for a method the path does not take. Marker ``fuzz``;
``FUZZ_EXAMPLES`` bounds the examples per operation (default 10).

Left out: the operations that end the caller's own session or token (sign-out, revoking a
token, changing one's password), which would make every later call a 401.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import schemathesis
from fastapi import FastAPI
from fastapi.testclient import TestClient
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis.errors import Unsatisfiable
from platform_testing import ADMIN_PASSWORD, add_user, sign_in
from schemathesis.checks import not_a_server_error
from schemathesis.generation.modes import GenerationMode
from schemathesis.specs.openapi import checks

from jimu.app import create_app
from jimu.platform import metadata_store as store
from jimu.platform.db import begin_write
from jimu.platform.migrate import upgrade
from jimu.platform.settings import Settings
from jimu.platform.state import Platform

pytestmark = pytest.mark.fuzz
MARKETING = Path(__file__).resolve().parents[2] / "examples" / "marketing"
EXAMPLES = int(os.environ.get("FUZZ_EXAMPLES", "10"))
LEFT_OUT = ("/api/auth/logout", "/api/auth/tokens/{token_id}", "/api/auth/password")
CHECKS = [
    not_a_server_error,
    checks.status_code_conformance,
    checks.content_type_conformance,
    checks.response_schema_conformance,
    checks.negative_data_rejection,
    checks.unsupported_method,
    checks.allow_header_conformance,
]


@pytest.fixture(scope="module")
def fuzzed(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[FastAPI, str]]:
    """The app on a SQLite database of its own with the marketing app, and an admin token."""
    root = tmp_path_factory.mktemp("fuzz")
    platform = Platform.from_settings(
        Settings(data_dir=root / "data", database_url=f"sqlite:///{root / 'jimu.db'}",
                 secret_key="fuzz-secret")
    )  # fmt: skip
    upgrade(platform.engine)
    add_user(platform, "admin", ADMIN_PASSWORD, is_admin=True)
    with begin_write(platform.engine) as conn:
        store.import_folder(conn, MARKETING, publish=True)
    app = create_app(platform=platform)
    with TestClient(app) as client:
        sign_in(client, "admin", ADMIN_PASSWORD)
        token = str(client.post("/api/auth/tokens", json={"name": "fuzz"}).json()["token"])
    try:
        yield app, token
    finally:
        platform.engine.dispose()


@pytest.fixture(scope="module")
def api_schema(fuzzed: tuple[FastAPI, str]) -> Any:
    app, token = fuzzed
    headers = {"Authorization": f"Bearer {token}"}
    loaded = schemathesis.openapi.from_asgi("/openapi.json", app, headers=headers)
    return loaded.exclude(path=list(LEFT_OUT))


def fuzz_operation(operation: Any, token: str, mode: GenerationMode) -> str | None:
    """Run the generated cases of one operation; the first failure in words, or None."""
    headers = {"Authorization": f"Bearer {token}"}

    @given(case=operation.as_strategy(generation_mode=mode))
    @settings(max_examples=EXAMPLES, deadline=None, suppress_health_check=list(HealthCheck),
              database=None, phases=[Phase.explicit, Phase.generate])  # fmt: skip
    def run(case: Any) -> None:
        case.call_and_validate(headers=headers, checks=CHECKS)

    try:
        run()
    except Unsatisfiable:
        return None  # nothing about the operation can be made invalid (no parameters, no body)
    except Exception as failure:
        return f"{operation.label} ({mode}): {failure}"
    return None


def test_api_answers_as_its_schema_says(api_schema: Any, fuzzed: tuple[FastAPI, str]) -> None:
    _, token = fuzzed
    failures = []
    for result in api_schema.get_all_operations():
        operation = result.ok()
        for mode in (GenerationMode.POSITIVE, GenerationMode.NEGATIVE):
            failure = fuzz_operation(operation, token, mode)
            if failure is not None:
                failures.append(failure)
    assert not failures, "\n\n".join(failures)
