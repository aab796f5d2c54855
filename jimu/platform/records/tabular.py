"""Reading and writing CSV and XLSX tables (header row + data rows)."""

from __future__ import annotations

import csv
import io
from collections.abc import Sequence
from datetime import date, datetime
from decimal import Decimal
from typing import Any

from openpyxl import Workbook, load_workbook

from jimu.errors import FieldError, ValidationFailed

FORMATS = ("csv", "xlsx")


def check_format(format: str) -> None:
    if format not in FORMATS:
        raise ValidationFailed(
            "Unknown file format.", [FieldError("/format", f"must be one of {FORMATS}")]
        )


def read_table(data: bytes, format: str) -> tuple[list[str], list[list[Any]]]:
    """The header and the data rows of a CSV (UTF-8, BOM allowed) or XLSX (first sheet) file."""
    check_format(format)
    rows: list[list[Any]]
    if format == "csv":
        try:
            text = data.decode("utf-8-sig")
        except UnicodeDecodeError:
            raise ValidationFailed(
                "The file is not UTF-8 text.", [FieldError("/file", "must be UTF-8 encoded CSV")]
            ) from None
        rows = [list(r) for r in csv.reader(io.StringIO(text))]
    else:
        try:
            workbook = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
        except Exception as exc:  # openpyxl raises many kinds of errors for bad files
            raise ValidationFailed(
                "The file is not an XLSX workbook.", [FieldError("/file", str(exc))]
            ) from None
        sheet = workbook.worksheets[0]
        rows = [list(r) for r in sheet.iter_rows(values_only=True)]
        workbook.close()
    rows = [r for r in rows if any(v not in (None, "") for v in r)]
    if not rows:
        return [], []
    header = ["" if h is None else str(h).strip() for h in rows[0]]
    return header, rows[1:]


def _xlsx_value(value: Any) -> Any:
    if isinstance(value, list):
        return ", ".join(str(_xlsx_value(v)) for v in value)
    if isinstance(value, dict):
        return "/".join(str(v) for v in value.values())
    return value


def cell_text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, list):
        return ", ".join(cell_text(v) for v in value)
    if isinstance(value, dict):
        return "/".join(cell_text(v) for v in value.values())
    if isinstance(value, datetime | date | Decimal):
        return value.isoformat() if not isinstance(value, Decimal) else str(value)
    return str(value)


def write_table(header: Sequence[str], rows: Sequence[Sequence[Any]], format: str) -> bytes:
    check_format(format)
    if format == "csv":
        out = io.StringIO()
        writer = csv.writer(out, lineterminator="\n")
        writer.writerow(header)
        for row in rows:
            writer.writerow([cell_text(v) for v in row])
        return ("\ufeff" + out.getvalue()).encode("utf-8")
    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet()
    sheet.append(list(header))
    for row in rows:
        sheet.append([_xlsx_value(v) for v in row])
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()
