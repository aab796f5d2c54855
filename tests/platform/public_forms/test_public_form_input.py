"""An anonymous public-form post with JSON nested thousands deep, or with a NUL or a lone
surrogate (in a value or in ``capture``), is a 422, not a server error."""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient
from platform_testing import assert_problem

URL = "/api/public/marketing/contact-us"
JSON = {"content-type": "application/json"}


def test_deep_capture_is_422(visitor: TestClient) -> None:
    deep = "[" * 5000 + "]" * 5000
    body = '{"name": "Wang", "capture": {"utm": ' + deep + "}}"
    problem = assert_problem(
        visitor.post(URL, content=body, headers=JSON), 422, "validation_failed"
    )
    assert problem["errors"][0]["code"] == "too_deep"


@pytest.mark.parametrize("text", ['"a\\u0000b"', '"\\udfff"'])
def test_unstorable_text_is_422_naming_where(visitor: TestClient, text: str) -> None:
    body = '{"name": "Wang", "capture": {"utm_source": ' + text + "}}"
    problem = assert_problem(
        visitor.post(URL, content=body, headers=JSON), 422, "validation_failed"
    )
    assert problem["errors"][0]["pointer"] == "/capture/utm_source"
