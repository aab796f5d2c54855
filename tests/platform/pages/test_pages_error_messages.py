"""Every message the record service gives for a bad value has a Chinese wording for the
pages (produced by real validation, so a new message without one fails here)."""

from __future__ import annotations

from typing import Any

import pytest

from jimu.builder_ui.pages.records.form_errors import localized_message
from jimu.builder_ui.pages.shell.error_messages import in_chinese
from jimu.builder_ui.pages.shell.viewer import Viewer
from jimu.engines.form.model import AppModel
from jimu.errors import FieldError
from jimu.platform.records import Records

FIELDS: list[dict[str, Any]] = [
    {"name": "title", "type": "text", "required": True, "max_length": 5, "min_length": 2},
    {"name": "code", "type": "text", "pattern": "^[A-Z]+$"},
    {"name": "line", "type": "text"},
    {"name": "notes", "type": "textarea"},
    {"name": "count", "type": "number", "min": 1, "max": 10},
    {"name": "whole", "type": "number", "integer": True},
    {"name": "price", "type": "money", "currency": "CNY", "scale": 2},
    {"name": "rate", "type": "percent"},
    {"name": "flag", "type": "boolean"},
    {"name": "day", "type": "date"},
    {"name": "moment", "type": "datetime"},
    {"name": "pick", "type": "select", "options": [{"value": "a"}, {"value": "b"}]},
    {"name": "picks", "type": "multiselect", "options": [{"value": "a"}]},
    {"name": "mail", "type": "email"},
    {"name": "phone", "type": "phone"},
    {"name": "site", "type": "url"},
    {"name": "stars", "type": "rating", "max": 5},
    {"name": "place", "type": "region"},
    {"name": "files", "type": "attachment", "max_files": 1},
    {"name": "total", "type": "formula", "formula": "count * 2", "returns": "number"},
]
BAD: dict[str, Any] = {
    "code": "abc",
    "line": "two\nlines",
    "count": 99,
    "whole": 1.5,
    "price": "1.234",
    "flag": "maybe",
    "day": "tomorrow",
    "moment": "soon",
    "pick": "z",
    "picks": ["z"],
    "mail": "nope",
    "phone": "12",
    "site": "not a url",
    "stars": 9,
    "place": {"city": "x"},
    "files": ["a", "b"],
    "total": 3,
    "ghost": 1,
}


def messages(data: dict[str, Any]) -> list[FieldError]:
    doc = {"kind": "entity", "name": "thing", "label": {"en": "Thing"}, "fields": FIELDS}
    records = Records(AppModel.from_documents("t", [doc], None))
    _, errors = records.runtime.entity("thing").codec.parse(data, creating=True)
    return errors


@pytest.mark.parametrize(
    "data",
    [BAD, {"title": "x", "count": 0, "whole": "x"}, {"title": "much too long", "count": "x"}],
)
def test_every_service_message_has_a_chinese_wording(data: dict[str, Any]) -> None:
    errors = messages(data)
    assert len(errors) >= 2
    missing = [e.message for e in errors if in_chinese(e.message) is None]
    assert missing == []


def test_pages_in_chinese_show_the_chinese_wording() -> None:
    error = FieldError("/count", "must be at most 10", "max")
    assert localized_message(error, Viewer(language="zh")) == "不能大于 10"
    assert localized_message(error, Viewer(language="en")) == "must be at most 10"
    odd = FieldError("/x", "a message nobody translated", "other")
    assert localized_message(odd, Viewer(language="zh")) == "a message nobody translated"
