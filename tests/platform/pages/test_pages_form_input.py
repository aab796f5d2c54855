"""Reading a posted record form into record values, widget by widget."""

from __future__ import annotations

from zoneinfo import ZoneInfo

from starlette.datastructures import FormData

from jimu.builder_ui.pages.records.fields import FieldView, field_views
from jimu.builder_ui.pages.records.form_errors import place_errors
from jimu.builder_ui.pages.records.form_input import record_values
from jimu.builder_ui.pages.shell.viewer import Viewer
from jimu.engines.form.model import AppModel
from jimu.errors import FieldError

OPTIONS = [{"value": "a"}, {"value": "b"}]
APP = AppModel.from_documents(
    "shop",
    [
        {
            "kind": "entity",
            "name": "order",
            "title_field": "title",
            "fields": [
                {"name": "title", "type": "text", "required": True},
                {"name": "notes", "type": "textarea"},
                {"name": "amount", "type": "money", "currency": "CNY"},
                {"name": "paid", "type": "boolean"},
                {"name": "due", "type": "datetime"},
                {"name": "day", "type": "date"},
                {"name": "kind", "type": "select", "options": OPTIONS},
                {"name": "tags", "type": "multiselect", "options": OPTIONS},
                {"name": "owner", "type": "user"},
                {"name": "customer", "type": "link", "target": "customer"},
                {"name": "related", "type": "link", "target": "order", "many": True},
                {"name": "place", "type": "region"},
                {"name": "stars", "type": "rating", "max": 5},
                {"name": "code", "type": "autonumber", "pattern": "O-{0000}"},
                {"name": "lines", "type": "subtable", "target": "line", "link": "order"},
            ],
        },
        {"kind": "entity", "name": "customer", "fields": [{"name": "name", "type": "text"}]},
        {
            "kind": "entity",
            "name": "line",
            "fields": [
                {"name": "order", "type": "link", "target": "order"},
                {"name": "item", "type": "text"},
                {"name": "qty", "type": "number"},
            ],
        },
    ],
)
SHANGHAI = ZoneInfo("Asia/Shanghai")


def order_fields() -> list[FieldView]:
    return field_views(APP.entity("order"), Viewer(language="en"), APP)


def test_every_widget_posts_its_json_value() -> None:
    form = FormData(
        [
            ("title", "  Big order "),
            ("notes", "line 1\nline 2"),
            ("amount", "1,200.50"),
            ("paid", "false"),
            ("paid", "true"),
            ("due", "2026-11-23T16:00"),
            ("day", "2026-11-30"),
            ("kind", "b"),
            ("tags", "a"),
            ("tags", "b"),
            ("owner", "3"),
            ("customer", "12"),
            ("related", "4"),
            ("related", "5"),
            ("place.province", "浙江省"),
            ("place.city", "杭州市"),
            ("place.district", ""),
            ("stars", "4"),
            ("code", "ignored: computed"),
            ("lines.present", "1"),
            ("lines.rows", "0"),
            ("lines.0.id", "7"),
            ("lines.0.item", "Pen"),
            ("lines.0.qty", "2"),
            ("lines.rows", "3"),
            ("lines.3.item", "Ink"),
            ("lines.3.qty", ""),
        ]
    )
    values = record_values(form, order_fields(), SHANGHAI)
    assert values == {
        "title": "Big order",
        "notes": "line 1\nline 2",
        "amount": "1,200.50",
        "paid": True,
        "due": "2026-11-23T08:00:00Z",
        "day": "2026-11-30",
        "kind": "b",
        "tags": ["a", "b"],
        "owner": 3,
        "customer": 12,
        "related": [4, 5],
        "place": {"province": "浙江省", "city": "杭州市"},
        "stars": "4",
        "lines": [{"id": 7, "item": "Pen", "qty": "2"}, {"item": "Ink", "qty": None}],
    }


def test_cleared_inputs_become_null_and_unticked_boxes_false() -> None:
    form = FormData(
        [
            ("title", " "),
            ("notes", ""),
            ("amount", ""),
            ("paid", "false"),
            ("due", ""),
            ("kind", ""),
            ("owner", ""),
            ("customer", ""),
            ("place.province", ""),
            ("stars", ""),
            ("lines.present", "1"),
        ]
    )
    values = record_values(form, order_fields(), SHANGHAI)
    assert values == {
        "title": None,
        "notes": None,
        "amount": None,
        "paid": False,
        "due": None,
        "kind": None,
        "tags": [],
        "owner": None,
        "customer": None,
        "related": [],
        "place": None,
        "stars": None,
        "lines": [],
    }


def test_fields_the_form_did_not_carry_are_left_out() -> None:
    values = record_values(FormData([("title", "x")]), order_fields(), SHANGHAI)
    assert "notes" not in values and "lines" not in values and "paid" not in values


def test_errors_land_on_their_inputs_and_the_rest_above_the_form() -> None:
    errors = [
        FieldError("/title", "is required", "required"),
        FieldError("/lines/1/qty", "must be a number", "type"),
        FieldError("/lines", "too many rows"),
        FieldError("/nope", "unknown field"),
        FieldError("", "stale"),
    ]
    placed = place_errors(errors, order_fields())
    assert placed.get("title") == "is required"
    assert placed.get("lines.1.qty") == "must be a number"
    assert placed.get("lines") == "too many rows"
    assert placed.general == ["nope: unknown field", "stale"]


def test_a_message_without_field_errors_is_shown_above_the_form() -> None:
    placed = place_errors([], order_fields(), "This record was changed.")
    assert placed.general == ["This record was changed."] and bool(placed)


def test_field_errors_are_said_in_chinese() -> None:
    errors = [
        FieldError("/title", "is required", "required"),
        FieldError("/amount", "must be a number", "type"),
    ]
    placed = place_errors(errors, order_fields(), viewer=Viewer(language="zh"))
    assert placed.get("title") == "必填"
    assert placed.get("amount") == "必须是数字"
    assert place_errors(errors, order_fields(), viewer=Viewer(language="en")).get("title") == (
        "is required"
    )


def test_rollups_and_lookups_show_like_their_source_field() -> None:
    app = AppModel.from_documents(
        "shop",
        [
            {
                "kind": "entity",
                "name": "order",
                "fields": [
                    {"name": "customer", "type": "link", "target": "customer"},
                    {"name": "tier", "type": "lookup", "link": "customer", "field": "tier"},
                    {
                        "name": "total",
                        "type": "rollup",
                        "entity": "line",
                        "link": "order",
                        "field": "amount",
                        "function": "sum",
                    },
                    {
                        "name": "lines",
                        "type": "rollup",
                        "entity": "line",
                        "link": "order",
                        "field": "id",
                        "function": "count",
                    },
                ],
            },
            {
                "kind": "entity",
                "name": "customer",
                "fields": [{"name": "tier", "type": "select", "options": OPTIONS}],
            },
            {
                "kind": "entity",
                "name": "line",
                "fields": [
                    {"name": "order", "type": "link", "target": "order"},
                    {"name": "amount", "type": "money", "currency": "USD"},
                ],
            },
        ],
    )
    views = {f.name: f for f in field_views(app.entity("order"), Viewer(language="en"), app)}
    tier, total, lines = views["tier"].source, views["total"].source, views["lines"]
    assert tier is not None and tier.widget == "select" and len(tier.options) == 2
    assert total is not None and total.widget == "money" and views["total"].numeric
    assert lines.source is None and lines.numeric
