"""Placing the record service's field errors next to the inputs they are about.

A ``FieldError`` pointer ``/name`` belongs to the input named ``name``; ``/lines/0/amount`` to the
sub-table cell named ``lines.0.amount``. Errors whose pointer names no input on the form (or no
pointer at all) are shown above the form, so no message is ever lost.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

from jimu.builder_ui.pages.records.fields import FieldView
from jimu.builder_ui.pages.shell.error_messages import in_chinese
from jimu.builder_ui.pages.shell.viewer import Viewer
from jimu.errors import FieldError


def input_name(pointer: str) -> str:
    parts = [p.replace("~1", "/").replace("~0", "~") for p in pointer.split("/")[1:]]
    return ".".join(parts)


def _input_names(fields: Iterable[FieldView]) -> set[str]:
    return {f.name for f in fields}


@dataclass
class FormErrors:
    """Messages by input name, plus those that belong to no input."""

    by_input: dict[str, str] = field(default_factory=dict)
    general: list[str] = field(default_factory=list)

    def get(self, name: str) -> str | None:
        return self.by_input.get(name)

    def __bool__(self) -> bool:
        return bool(self.by_input or self.general)


#: Error codes whose message the UI says in the viewer's language (others keep the service's).
LOCALIZED_CODES = frozenset({"required", "unique"})


def localized_message(error: FieldError, viewer: Viewer | None) -> str:
    """The message in the viewer's language (the service's English when there is no match)."""
    if viewer is None or viewer.language == "en":
        return error.message
    if error.code in LOCALIZED_CODES:
        return viewer.t(f"field_error.{error.code}")
    if viewer.language == "zh":
        return in_chinese(error.message) or error.message
    return error.message


def place_errors(
    errors: Sequence[FieldError],
    fields: Sequence[FieldView],
    message: str = "",
    viewer: Viewer | None = None,
) -> FormErrors:
    names = _input_names(fields)
    subtables = {f.name: _input_names(f.columns) for f in fields if f.widget == "subtable"}
    placed = FormErrors()
    for error in errors:
        text = localized_message(error, viewer)
        name = input_name(error.pointer)
        head, _, rest = name.partition(".")
        row, _, column = rest.partition(".")
        known = (not rest and head in names) or (
            head in subtables and row.isdigit() and column in subtables[head]
        )
        if known and name not in placed.by_input:
            placed.by_input[name] = text
        elif known:
            placed.by_input[name] += " " + text
        else:
            placed.general.append(f"{name}: {text}" if name else text)
    if not errors and message:
        placed.general.append(message)
    return placed
