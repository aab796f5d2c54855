"""``WriteContext(strict=True)``: the service checks JSON types in sub-table rows too, on create
and on update, reporting them at ``/<field>/<row>/<child field>``; without it values convert."""

from __future__ import annotations

from dataclasses import replace

import pytest
import sqlalchemy as sa
from records_testing import CTX

from jimu.errors import ValidationFailed
from jimu.platform.records import Records

STRICT = replace(CTX, strict=True)


def problems(error: pytest.ExceptionInfo[ValidationFailed]) -> list[tuple[str, str]]:
    return [(e.pointer, e.code) for e in error.value.errors]


def test_strict_sub_table_rows_on_create_name_row_and_field(
    records: Records, conn: sa.Connection
) -> None:
    lines = [{"product": "p1", "amount": "1.00"}, {"product": 2, "amount": True}]
    with pytest.raises(ValidationFailed) as error:
        records.create(conn, "contract", {"title": "C", "lines": lines}, STRICT)
    assert problems(error) == [
        ("/lines/1/product", "wrong_type"),
        ("/lines/1/amount", "wrong_type"),
    ]
    assert (
        conn.execute(sa.select(sa.func.count()).select_from(records.table("contract"))).scalar()
        == 0
    )
    converted = [{"product": 2, "amount": 3}]
    created = records.create(conn, "contract", {"title": "C", "lines": converted}, CTX)
    assert [(line["product"], line["amount"]) for line in created["lines"]] == [("2", "3.00")]


def test_strict_sub_table_rows_on_update_and_the_list_itself(
    records: Records, conn: sa.Connection
) -> None:
    contract = records.create(
        conn, "contract", {"title": "C", "lines": [{"product": "p", "amount": 1.5}]}, STRICT
    )
    assert contract["lines"][0]["amount"] == "1.50"
    (line,) = contract["lines"]
    changed = [{"id": line["id"], "product": ["p"], "amount": "2.00"}]
    with pytest.raises(ValidationFailed) as error:
        records.update(conn, "contract", contract["id"], {"lines": changed}, STRICT)
    assert problems(error) == [("/lines/0/product", "wrong_type")]
    with pytest.raises(ValidationFailed) as error:
        records.update(conn, "contract", contract["id"], {"lines": {"product": "x"}}, STRICT)
    assert problems(error) == [("/lines", "wrong_type")]
    current = records.get(conn, "contract", contract["id"])
    assert [(row["product"], row["amount"]) for row in current["lines"]] == [("p", "1.50")]
