"""The fuzz suite's exceptions to "valid data is accepted" stay narrow (fuzz_refusals.py)."""

from __future__ import annotations

import json
from typing import Any

from fuzz_refusals import unforeseeable_refusal

CREATE = "POST /api/apps/marketing/entities/lead/records"


def problem(*errors: tuple[str, str]) -> bytes:
    listed = [{"pointer": p, "message": "m", "code": c} for p, c in errors]
    return json.dumps({"status": 422, "errors": listed}).encode()


def refused(errors: bytes, body: Any = None, operation: str = CREATE, status: int = 422) -> bool:
    return unforeseeable_refusal(operation, body, status, errors)


def test_data_dependent_codes_pass() -> None:
    assert refused(problem(("/account", "link"), ("/owner_id", "unknown_user")))
    assert refused(problem(("/cursor", "invalid")))
    assert refused(problem(("/filter/==", "invalid_arguments")))
    assert refused(problem(("/until", "range")))


def test_one_error_the_schema_could_state_fails_the_answer() -> None:
    assert not refused(problem(("/account", "link"), ("/name", "format")))
    assert not refused(problem(("/since", "range")))
    assert not refused(problem(("/filter", "json")))
    assert not refused(problem())
    assert not refused(b"not json")
    assert not refused(problem(("/account", "link")), status=400)


def test_bounds_pass_only_for_values_written_as_strings() -> None:
    errors = problem(("/discount", "max"))
    assert refused(errors, {"discount": "150"})
    assert not refused(errors, {"discount": 150})
    assert refused(problem(("/lines/0/discount", "min")), {"lines": [{"discount": "-1"}]})


def test_operations_checked_beyond_the_schema_pass_body_errors_only() -> None:
    put = "PUT /api/apps/{app}/documents/{kind}/{name}"
    assert refused(problem(("/fields/0/type", "enum")), operation=put)
    assert not refused(problem(("/query/comment", "max_length")), operation=put)
    assert not refused(problem(("/fields/0/type", "enum")))
