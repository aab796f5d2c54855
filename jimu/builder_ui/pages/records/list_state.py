"""The state of a record list as it travels in the URL, and the query it asks for.

``?q=`` quick search, ``?f=field:op:value`` conditions (repeated, all must hold), ``?sort=name``
or ``?sort=-name``, ``?filter=`` a JsonLogic condition (as JSON text; a chart's drill-down
links here with it, see docs/reports.md), ``?cols=a,b,c`` the columns shown, ``?limit=`` rows
per page and ``?cursor=`` the keyset position of the page. Everything the user typed is kept
even when it is wrong, so the page can show it back with the problem; :func:`conditions_logic`
raises ``ValidationFailed`` naming every bad condition, in the language of the translator it is
given.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace
from typing import Any
from urllib.parse import urlencode

from jimu.builder_ui.i18n import DEFAULT_LANGUAGE, Translator, translator
from jimu.builder_ui.pages.records.fields import BULKY_WIDGETS, FieldView
from jimu.errors import FieldError, ValidationFailed
from jimu.platform.api.record_queries import parse_filter

PAGE_SIZES = (25, 50, 100)
DEFAULT_PAGE_SIZE = 25
DEFAULT_COLUMNS = 7

TEXT_OPS = ("contains", "eq", "ne", "empty", "not_empty")
ORDERED_OPS = ("eq", "ne", "gt", "gte", "lt", "lte", "empty", "not_empty")
CHOICE_OPS = ("eq", "ne", "empty", "not_empty")
OPS_BY_WIDGET: dict[str, tuple[str, ...]] = {
    "input": TEXT_OPS,
    "email": TEXT_OPS,
    "phone": TEXT_OPS,
    "url": TEXT_OPS,
    "textarea": TEXT_OPS,
    "richtext": TEXT_OPS,
    "number": ORDERED_OPS,
    "decimal": ORDERED_OPS,
    "money": ORDERED_OPS,
    "percent": ORDERED_OPS,
    "rating": ORDERED_OPS,
    "date": ORDERED_OPS,
    "datetime": ORDERED_OPS,
    "select": CHOICE_OPS,
    "checkbox": ("eq",),
    "user": CHOICE_OPS,
    "link": CHOICE_OPS,
}
ALL_OPS = ("contains", "eq", "ne", "gt", "gte", "lt", "lte", "empty", "not_empty")
COMPARISONS = {"eq": "==", "ne": "!=", "gt": ">", "gte": ">=", "lt": "<", "lte": "<="}
SEARCH_WIDGETS = frozenset({"input", "email", "phone"})
UNSORTABLE = frozenset({"subtable", "multiselect", "attachment", "region", "richtext"})
TRUE_WORDS = frozenset({"true", "1", "yes", "y", "是", "✓"})
FALSE_WORDS = frozenset({"false", "0", "no", "n", "否"})
ENGLISH = translator(DEFAULT_LANGUAGE)


class BadFilterValue(ValueError):
    """A condition's value the field cannot hold; ``key`` is the message's catalogue key."""

    def __init__(self, key: str) -> None:
        super().__init__(key)
        self.key = key


def operators(f: FieldView) -> tuple[str, ...]:
    if f.widget == "readonly":
        return ORDERED_OPS if f.numeric else TEXT_OPS
    return OPS_BY_WIDGET.get(f.widget, ())


def sortable(f: FieldView) -> bool:
    return f.widget not in UNSORTABLE and not (f.widget == "link" and f.many)


@dataclass(frozen=True)
class Condition:
    field: str
    op: str
    value: str = ""

    def encode(self) -> str:
        return f"{self.field}:{self.op}:{self.value}"

    @classmethod
    def decode(cls, text: str) -> Condition:
        field, _, rest = text.partition(":")
        op, _, value = rest.partition(":")
        return cls(field.strip(), op.strip(), value)


def _form_conditions(params: Any) -> tuple[Condition, ...]:
    """Conditions from the filter form's rows: ``ff`` (field), ``fo`` (operator), ``fv``."""
    fields, ops, values = params.getlist("ff"), params.getlist("fo"), params.getlist("fv")
    rows = zip(fields, ops, values + [""] * (len(fields) - len(values)), strict=False)
    return tuple(Condition(f.strip(), o.strip(), v) for f, o, v in rows if f.strip())


@dataclass(frozen=True)
class ListState:
    q: str = ""
    conditions: tuple[Condition, ...] = ()
    sort: str = ""
    columns: tuple[str, ...] = ()
    limit: int = DEFAULT_PAGE_SIZE
    cursor: str = ""
    #: The published list view the list follows (``?view=``; see list_view.py).
    view: str = ""
    #: A JsonLogic condition as JSON text (``?filter=``), e.g. from a chart's drill-down.
    filter: str = ""

    @classmethod
    def from_params(cls, params: Any) -> ListState:
        """Parse Starlette ``QueryParams`` (or any mapping with ``getlist``)."""
        conditions = tuple(
            Condition.decode(text) for text in params.getlist("f") if text.strip(": ")
        ) + _form_conditions(params)
        columns = tuple(
            c.strip() for text in params.getlist("cols") for c in text.split(",") if c.strip()
        )
        limit_text = str(params.get("limit") or "")
        limit = int(limit_text) if limit_text.isdigit() else DEFAULT_PAGE_SIZE
        return cls(
            q=str(params.get("q") or "").strip(),
            conditions=conditions,
            sort=str(params.get("sort") or "").strip(),
            columns=columns,
            limit=limit if limit in PAGE_SIZES else DEFAULT_PAGE_SIZE,
            cursor=str(params.get("cursor") or ""),
            view=str(params.get("view") or "").strip(),
            filter=str(params.get("filter") or "").strip(),
        )

    def params(self) -> list[tuple[str, str]]:
        items: list[tuple[str, str]] = []
        if self.view:
            items.append(("view", self.view))
        if self.q:
            items.append(("q", self.q))
        items.extend(("f", c.encode()) for c in self.conditions)
        if self.filter:
            items.append(("filter", self.filter))
        if self.sort:
            items.append(("sort", self.sort))
        if self.columns:
            items.append(("cols", ",".join(self.columns)))
        if self.limit != DEFAULT_PAGE_SIZE:
            items.append(("limit", str(self.limit)))
        if self.cursor:
            items.append(("cursor", self.cursor))
        return items

    def url(self, base: str, **changes: Any) -> str:
        state = replace(self, **changes)
        query = urlencode(state.params())
        return f"{base}?{query}" if query else base

    def export_url(self, base: str, file_format: str) -> str:
        """The export of this list (filter, sort, columns; every page) as ``file_format``."""
        params = [*replace(self, cursor="").params(), ("format", file_format)]
        return f"{base}?{urlencode(params)}"

    def sort_url(self, base: str, field: str) -> str:
        """Sorting by ``field`` (ascending first, then descending), from the first page."""
        return self.url(base, sort=f"-{field}" if self.sort == field else field, cursor="")

    def sorted_by(self, field: str) -> str:
        """ "asc", "desc" or "" for the column header of ``field``."""
        if self.sort == field:
            return "asc"
        return "desc" if self.sort == f"-{field}" else ""


def _column_interest(f: FieldView) -> int:
    """How useful a field is as a default list column: required, a choice, indexed, a number."""
    return 2 * f.required + (f.widget == "select") + bool(f.get("index")) + (f.type == "autonumber")


def default_columns(fields: Sequence[FieldView], title_field: str | None) -> list[str]:
    """The title field, then the most telling compact fields in the entity's order."""
    candidates = [f for f in fields if f.name != title_field and f.widget not in BULKY_WIDGETS]
    ranked = sorted(enumerate(candidates), key=lambda item: (-_column_interest(item[1]), item[0]))
    chosen = sorted(ranked[: DEFAULT_COLUMNS - (1 if title_field else 0)])
    return ([title_field] if title_field else []) + [f.name for _, f in chosen]


def chosen_columns(
    state: ListState, fields: Sequence[FieldView], title_field: str | None
) -> list[FieldView]:
    by_name = {f.name: f for f in fields}
    names = [n for n in state.columns if n in by_name] or default_columns(fields, title_field)
    return [by_name[n] for n in names if n in by_name]


def _typed(f: FieldView, text: str) -> Any:
    """The condition's value as the field stores it; raises BadFilterValue if it cannot be."""
    text = text.strip()
    if f.widget == "checkbox":
        lowered = text.lower()
        if lowered in TRUE_WORDS:
            return True
        if lowered in FALSE_WORDS:
            return False
        raise BadFilterValue("filter.use_yes_no")
    if f.widget in ("number", "decimal", "money", "percent", "rating") or (
        f.widget == "readonly" and f.numeric
    ):
        try:
            number = float(text.replace(",", "").rstrip("%"))
        except ValueError:
            raise BadFilterValue("filter.bad_value") from None
        if number != number or number in (float("inf"), float("-inf")):
            raise BadFilterValue("filter.bad_value")
        return int(number) if number.is_integer() else number
    if f.widget in ("link", "user"):
        if not text.isdigit():
            raise BadFilterValue("filter.use_record_number")
        return int(text)
    if f.widget == "select":
        # The option's value, or its label in any language, whatever the page's language.
        for option in f.options:
            if option.is_called(text):
                return option.value
        raise BadFilterValue("filter.choose_option")
    return text


def condition_logic(f: FieldView, condition: Condition) -> dict[str, Any]:
    var = {"var": f.name}
    if condition.op == "empty":
        return {"==": [var, None]}
    if condition.op == "not_empty":
        return {"!=": [var, None]}
    value = _typed(f, condition.value)
    if condition.op == "contains":
        return {"in": [value, var]}
    return {COMPARISONS[condition.op]: [var, value]}


def search_logic(q: str, fields: Sequence[FieldView]) -> dict[str, Any] | None:
    targets = [f for f in fields if f.widget in SEARCH_WIDGETS]
    if not q or not targets:
        return None
    parts = [{"in": [q, {"var": f.name}]} for f in targets]
    return parts[0] if len(parts) == 1 else {"or": parts}


def url_filter(text: str) -> dict[str, Any]:
    """The ``?filter=`` condition: a JsonLogic object (ValidationFailed if it is not one). Its
    fields and operators are checked by the record service, the reader's scope still applies."""
    found = parse_filter(text)
    if found is None:
        raise ValidationFailed("empty", [FieldError("/filter", "empty", "filter")])
    return found


def conditions_logic(
    state: ListState, fields: Sequence[FieldView], t: Translator = ENGLISH
) -> dict[str, Any] | None:
    """The JsonLogic filter of the quick search and the conditions (None = everything); the
    messages of bad conditions are in the language of ``t``."""
    by_name: Mapping[str, FieldView] = {f.name: f for f in fields}
    parts: list[dict[str, Any]] = []
    errors: list[FieldError] = []
    search = search_logic(state.q, fields)
    if search is not None:
        parts.append(search)
    for index, condition in enumerate(state.conditions):
        pointer = f"/f/{index}"
        f = by_name.get(condition.field)
        if f is None:
            errors.append(FieldError(pointer, t("filter.no_field", field=condition.field), "field"))
        elif condition.op not in operators(f):
            op = t(f"op.{condition.op}") if condition.op in ALL_OPS else condition.op
            errors.append(FieldError(pointer, t("filter.bad_op", label=f.label, op=op), "op"))
        else:
            try:
                parts.append(condition_logic(f, condition))
            except BadFilterValue as error:
                message = t("filter.value", label=f.label, problem=t(error.key))
                errors.append(FieldError(pointer, message, "value"))
    if state.filter:
        try:
            parts.append(url_filter(state.filter))
        except ValidationFailed:
            errors.append(FieldError("/filter", t("filter.bad_url_filter"), "filter"))
    if errors:
        raise ValidationFailed(t("filter.invalid"), errors)
    if not parts:
        return None
    return parts[0] if len(parts) == 1 else {"and": parts}
