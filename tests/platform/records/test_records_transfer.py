"""CSV/XLSX import (mapping, dry run, all-or-nothing) and export."""

from __future__ import annotations

import io

import pytest
import sqlalchemy as sa
from openpyxl import Workbook, load_workbook
from records_testing import CTX

from jimu.errors import ValidationFailed
from jimu.platform.records import ListQuery, Records
from jimu.platform.records.transfer import header_key, matched_columns

CSV = (
    b"Name,Phone,Amount,Company\n"
    b"Wang,13812345678,100.5,Acme\n"
    b",12,abc,Nope\n"
    b"Li,+86 139 0000 0000,7,\n"
)


def test_dry_run_reports_every_bad_row_and_writes_nothing(
    records: Records, conn: sa.Connection
) -> None:
    records.create(conn, "account", {"name": "Acme"}, CTX)
    mapping = {"Name": "name", "Phone": "phone", "Amount": "amount", "Company": "account"}
    report = records.import_file(conn, "lead", CSV, "csv", CTX, mapping, dry_run=True)
    assert report.total == 3 and not report.ok
    assert [(e.row, e.pointer) for e in report.errors] == [
        (2, "/account"),
        (2, "/amount"),
        (2, "/name"),
        (2, "/phone"),
    ]
    assert records.list(conn, "lead").items == []
    with pytest.raises(ValidationFailed) as info:
        records.import_file(conn, "lead", CSV, "csv", CTX, mapping, dry_run=False)
    assert "/2/phone" in {e.pointer for e in info.value.errors}
    assert records.list(conn, "lead").items == []


def test_commit_creates_all_rows_resolving_links_by_title(
    records: Records, conn: sa.Connection
) -> None:
    acme = records.create(conn, "account", {"name": "Acme"}, CTX)
    good = b"name,phone,account\nWang,13812345678,Acme\nLi,,\n"
    report = records.import_file(conn, "lead", good, "csv", CTX, dry_run=False)
    assert report.ok and len(report.created) == 2
    wang = records.get(conn, "lead", report.created[0])
    assert wang["account"] == acme["id"] and wang["phone"] == "+8613812345678"
    assert records.history(conn, "lead", wang["id"])[0]["source"] == "import"


def test_xlsx_import_and_export_round_trip(records: Records, conn: sa.Connection) -> None:
    book = Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.append(["name", "amount", "score"])
    sheet.append(["A", 10.25, 3])
    sheet.append(["B", 99, 4.5])
    buffer = io.BytesIO()
    book.save(buffer)
    report = records.import_file(conn, "lead", buffer.getvalue(), "xlsx", CTX, dry_run=False)
    assert report.ok and len(report.created) == 2
    blob = records.export(
        conn, "lead", ListQuery(sort=["-score"], fields=["name", "amount", "score"]), "xlsx"
    )
    rows = list(load_workbook(io.BytesIO(blob)).worksheets[0].iter_rows(values_only=True))
    assert rows[0] == ("id", "name", "amount", "score")
    assert [r[1:] for r in rows[1:]] == [("B", 99, 4.5), ("A", 10.25, 3)]
    text = records.export(conn, "lead", ListQuery(fields=["name", "amount"]), "csv").decode()
    assert text.splitlines()[1:] == [f"{report.created[0]},A,10.25", f"{report.created[1]},B,99.00"]


def test_a_spreadsheet_import_keeps_the_records_own_times(
    records: Records, conn: sa.Connection
) -> None:
    """Migrating from another system: 创建时间 / created_at columns become the records' times
    (CSV text or XLSX date-time cells); a time in the future is refused with its row."""
    csv = "Name,创建时间,更新时间\nOld,2025-03-01 09:30:00,2025-04-02T10:00:00Z\n".encode()
    report = records.import_file(conn, "lead", csv, "csv", CTX, dry_run=False)
    assert report.ok, report.as_dict()
    (lead,) = records.list(conn, "lead").items
    assert lead["created_at"].startswith("2025-03-01T09:30:00")
    assert lead["updated_at"].startswith("2025-04-02T10:00:00")
    book = Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.append(["name", "created_at"])
    from datetime import datetime

    sheet.append(["Older", datetime(2024, 12, 31, 8, 0)])
    sheet.append(["Future", datetime(2999, 1, 1)])
    data = io.BytesIO()
    book.save(data)
    checked = records.import_file(conn, "lead", data.getvalue(), "xlsx", CTX, dry_run=True)
    assert [(e.row, e.pointer) for e in checked.errors] == [(2, "/created_at")]


def test_headers_match_names_and_labels_ignoring_case_and_spacing(
    records: Records, conn: sa.Connection
) -> None:
    assert header_key("  Job \t  TITLE ") == header_key("job title") == "job title"
    data = "  NAME ,PHONE,电话\nWang,13812345678,x\n".encode()
    lead = records.runtime.entity("lead")
    assert matched_columns(lead, ["NAME", "PHONE", "电话"]) == {0: "name", 1: "phone"}
    assert matched_columns(lead, ["name", "Name"]) == {0: "name"}  # a field fills one column
    report = records.import_file(conn, "lead", data, "csv", CTX, dry_run=True)
    assert report.ok and report.total == 1
    assert report.unmapped == ["电话"] and report.as_dict()["unmapped"] == ["电话"]


def test_a_mapping_imports_only_the_columns_it_names(records: Records, conn: sa.Connection) -> None:
    data = "name,电话\nWang,13812345678\n".encode()
    report = records.import_file(
        conn, "lead", data, "csv", CTX, {"name": "name", "电话": "phone"}, dry_run=False
    )
    assert report.unmapped == []
    assert records.get(conn, "lead", report.created[0])["phone"] == "+8613812345678"
    only_name = records.import_file(conn, "lead", data, "csv", CTX, {"name": "name"})
    assert only_name.ok and only_name.unmapped == ["电话"]


def test_two_columns_may_not_fill_one_field(records: Records, conn: sa.Connection) -> None:
    data = b"Name,Full name\nWang,Wang Fang\n"
    with pytest.raises(ValidationFailed) as info:
        records.import_file(conn, "lead", data, "csv", CTX, {"Name": "name", "Full name": "name"})
    assert [(e.pointer, e.code) for e in info.value.errors] == [
        ("/mapping/Full name", "duplicate_field")
    ]
    assert "already filled from the column 'Name'" in info.value.errors[0].message
