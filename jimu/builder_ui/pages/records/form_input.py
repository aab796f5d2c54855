"""Turning a submitted record form into the JSON values the record service takes.

Each widget has its own way of posting (see ``widgets/input.html``): a checkbox posts a hidden
``false`` followed by ``true`` when ticked, a multiselect posts one value per ticked option, a
datetime-local input posts wall time in the viewer's time zone, a region posts three parts, a
sub-table posts ``<field>.rows`` (the row indexes, in order) and ``<field>.<row>.<child>`` cells.
Values are passed on as text where the record service parses text (numbers, dates), so its
messages are the ones the user sees.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import tzinfo
from typing import Any, Protocol

from jimu.builder_ui.pages.records.fields import FieldView
from jimu.builder_ui.pages.shell.formatting import utc_from_local_input

REGION_PARTS = ("province", "city", "district")
#: Widgets read elsewhere: computed values are never posted, attachments are files
#: (see :mod:`jimu.builder_ui.pages.records.attachments`).
NOT_POSTED = frozenset({"readonly", "attachment"})


class FormLike(Protocol):
    """What the widgets read from a submitted form (Starlette's ``FormData`` fits)."""

    def getlist(self, key: str) -> list[Any]: ...

    def __contains__(self, key: object) -> bool: ...


def _texts(form: FormLike, name: str) -> list[str]:
    return [v for v in form.getlist(name) if isinstance(v, str)]


def _text(form: FormLike, name: str) -> str | None:
    values = _texts(form, name)
    return values[-1] if values else None


def _optional_text(form: FormLike, name: str) -> str | None:
    text = _text(form, name)
    if text is None:
        return None
    text = text.strip()
    return text or None


def _optional_id(form: FormLike, name: str) -> int | str | None:
    text = _optional_text(form, name)
    if text is None:
        return None
    return int(text) if text.isdigit() else text


def _checkbox(form: FormLike, name: str) -> bool:
    return "true" in _texts(form, name)


def _ids(form: FormLike, name: str) -> list[int | str]:
    items: list[int | str] = []
    for text in _texts(form, name):
        text = text.strip()
        if text:
            items.append(int(text) if text.isdigit() else text)
    return items


def _region(form: FormLike, name: str) -> dict[str, str] | None:
    parts = {part: (_optional_text(form, f"{name}.{part}") or "") for part in REGION_PARTS}
    if not any(parts.values()):
        return None
    return {part: text for part, text in parts.items() if text}


Reader = Callable[[FormLike, str], Any]
_READERS: dict[str, Reader] = {
    "checkbox": _checkbox,
    "multiselect": lambda form, name: [v for v in _texts(form, name) if v],
    "user": _optional_id,
    "department": _optional_id,
    "region": _region,
}


def field_value(form: FormLike, f: FieldView, name: str, zone: tzinfo) -> Any:
    """The JSON value of one field as posted under ``name``."""
    if f.widget == "link":
        return _ids(form, name) if f.many else _optional_id(form, name)
    if f.widget == "datetime":
        text = _optional_text(form, name)
        return utc_from_local_input(text, zone) if text else None
    if f.widget == "subtable":
        return subtable_rows(form, f, zone)
    if f.widget == "textarea" or f.widget == "richtext":
        text = _text(form, name)
        return text if text and text.strip() else None
    reader = _READERS.get(f.widget, _optional_text)
    return reader(form, name)


def is_posted(form: FormLike, f: FieldView, name: str) -> bool:
    """Whether the form carried this field at all (absent fields are left unchanged)."""
    if f.widget == "subtable":
        return f"{name}.present" in form
    if f.widget == "region":
        return any(f"{name}.{part}" in form for part in REGION_PARTS)
    if f.widget in ("multiselect", "rating") or (f.widget == "link" and f.many):
        # Nothing ticked posts nothing: such widgets are always part of the form they are on.
        return True
    return name in form


def subtable_rows(form: FormLike, f: FieldView, zone: tzinfo) -> list[dict[str, Any]]:
    rows = []
    for index in dict.fromkeys(_texts(form, f"{f.name}.rows")):
        prefix = f"{f.name}.{index}."
        row: dict[str, Any] = {}
        row_id = _optional_id(form, prefix + "id")
        if row_id is not None:
            row["id"] = row_id
        for column in f.columns:
            if column.widget not in NOT_POSTED and not column.readonly:
                row[column.name] = field_value(form, column, prefix + column.name, zone)
        rows.append(row)
    return rows


def record_values(form: FormLike, fields: Sequence[FieldView], zone: tzinfo) -> dict[str, Any]:
    """The values of every editable field the form carried, keyed by field name."""
    values: dict[str, Any] = {}
    for f in fields:
        if f.readonly or f.widget in NOT_POSTED or not is_posted(form, f, f.name):
            continue
        values[f.name] = field_value(form, f, f.name, zone)
    return values
