"""The ``pool`` section of an entity document: the schema and the checks it cannot make, each
problem at its JSON pointer."""

from __future__ import annotations

from typing import Any

import pytest
from pool_testing import POOL, documents

from jimu.engines.form.pool import pool_settings
from jimu.metadata.validate import validate_app_documents


def problems(pool: dict[str, Any]) -> list[tuple[str, str]]:
    errors = validate_app_documents(documents(pool))
    return [(e.pointer.split("#", 1)[-1], e.message) for e in errors]


def test_the_example_pool_is_valid_and_reads_back() -> None:
    assert problems(POOL) == []
    settings = pool_settings(documents()[1])
    assert settings is not None
    assert (settings.daily_claims, settings.max_held) == (2, 3)
    assert settings.claim_roles == ("rep",) and not settings.everyone_may_claim
    assert settings.reason("no_answer") is not None
    assert settings.reason("no_answer").text("zh") == "联系不上"  # type: ignore[union-attr]
    assert settings.clear_on_return == ("next_step",)
    assert settings.previous_owner_may_claim is False


def test_a_pool_switched_off_is_no_pool() -> None:
    assert pool_settings({"name": "lead", "pool": {"enabled": False}}) is None
    assert pool_settings({"name": "lead"}) is None


@pytest.mark.parametrize(
    ("change", "pointer", "message"),
    [
        ({"owner_field": "name"}, "/pool/owner_field", "is not a user field"),
        ({"owner_field": "rep"}, "/pool/owner_field", "there is no field 'rep'"),
        ({"claimers": {"roles": ["boss"]}}, "/pool/claimers/roles/0", "there is no role 'boss'"),
        ({"limits": {"claims_per_day": 0}}, "/pool/limits/claims_per_day", "less than the minimum"),
        (
            {"limits": {"open_condition": {"==": [{"var": "stage"}, 1]}}},
            "/pool/limits/open_condition",
            "stage",
        ),
        (
            {"returns": {"reasons": [], "reason_required": True}},
            "/pool/returns/reasons",
            "list at least one",
        ),
        (
            {"returns": {"clear_fields": ["owner_id"]}},
            "/pool/returns/clear_fields/0",
            "there is no field",
        ),
        (
            {"returns": {"reasons": [{"value": "x", "label": {"en": "X"}}] * 2}},
            "/pool/returns/reasons/1/value",
            "is twice",
        ),
        ({"colour": "red"}, "/pool/colour", "is not allowed here"),
    ],
)
def test_each_problem_is_named_at_its_pointer(
    change: dict[str, Any], pointer: str, message: str
) -> None:
    found = problems({**POOL, **change})
    assert any(p.startswith(pointer) and message in m for p, m in found), found
