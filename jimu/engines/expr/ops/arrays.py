"""Lists: ``map filter reduce all some none merge in`` and the membership helpers
``in_list not_in_list any_in`` (Python side).

Inside an iterator the current data is the item (for ``reduce``: ``{"current",
"accumulator"}``); ``{"val": [[1], "index"]}`` reads the item's index and ``[[2], ...]`` the
data around the iterator.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from jimu.engines.expr.codegen import Expr, Gen
from jimu.engines.expr.errors import invalid
from jimu.engines.expr.values import js_text, strict_eq, truthy

Body = Callable[[Any, Any, tuple[Any, ...]], Any]


def _items(value: Any, empty_ok: bool) -> list[Any]:
    if value.__class__ is list:
        return value
    if value is None and empty_ok:
        return []
    raise invalid("the first argument must be a list")


def map_items(value: Any, body: Body, data: Any, ctx: Any, parents: tuple[Any, ...]) -> Any:
    return [
        body(item, ctx, (*parents, data, {"index": i}))
        for i, item in enumerate(_items(value, True))
    ]


def filter_items(value: Any, body: Body, data: Any, ctx: Any, parents: tuple[Any, ...]) -> Any:
    return [
        item
        for i, item in enumerate(_items(value, True))
        if truthy(body(item, ctx, (*parents, data, {"index": i})))
    ]


def all_items(value: Any, body: Body, data: Any, ctx: Any, parents: tuple[Any, ...]) -> bool:
    items = _items(value, False)
    if not items:
        return False
    return all(
        truthy(body(item, ctx, (*parents, data, {"index": i}))) for i, item in enumerate(items)
    )


def some_items(value: Any, body: Body, data: Any, ctx: Any, parents: tuple[Any, ...]) -> bool:
    return any(
        truthy(body(item, ctx, (*parents, data, {"index": i})))
        for i, item in enumerate(_items(value, False))
    )


def no_items(value: Any, body: Body, data: Any, ctx: Any, parents: tuple[Any, ...]) -> bool:
    return not some_items(value, body, data, ctx, parents)


def reduce_items(
    value: Any, body: Body, initial: Any, data: Any, ctx: Any, parents: tuple[Any, ...]
) -> Any:
    accumulator = initial
    for i, item in enumerate(_items(value, True)):
        scope = {"current": item, "accumulator": accumulator, "index": i}
        accumulator = body(scope, ctx, (*parents, data, {"index": i}))
    return accumulator


def _iterator(
    fn: Callable[..., Any], kind: str, null_body_ok: bool
) -> Callable[[Gen, Any, str], Expr]:
    def render(gen: Gen, args: Any, pointer: str) -> Expr:
        if args.__class__ is not list or len(args) < 2:
            raise invalid("takes [list, expression]", pointer)
        if args[0] is None:
            raise invalid("the first argument must be a list", f"{pointer}/0")
        if args[1] is None and not null_body_ok:
            raise invalid("the second argument must be an expression", f"{pointer}/1")
        items = gen.compile(args[0], f"{pointer}/0")
        body = gen.nested(args[1], f"{pointer}/1")
        extra = ""
        if fn is reduce_items:
            initial = gen.compile(args[2], f"{pointer}/2") if len(args) > 2 else Expr("None")
            extra = f"{initial.code}, "
        return Expr(f"{gen.name(fn)}({items.code}, {body}, {extra}data, ctx, parents)", kind)

    return render


py_map = _iterator(map_items, "list", False)
py_filter = _iterator(filter_items, "list", False)
py_reduce = _iterator(reduce_items, "any", False)
py_all = _iterator(all_items, "boolean", True)
py_some = _iterator(some_items, "boolean", True)
py_none = _iterator(no_items, "boolean", True)


def merge(*values: Any) -> list[Any]:
    merged: list[Any] = []
    for value in values:
        if value.__class__ is list:
            merged.extend(value)
        else:
            merged.append(value)
    return merged


def py_merge(gen: Gen, args: Any, pointer: str) -> Expr:
    return gen.call(merge, gen.args(args, pointer), "list")


def contained(needle: Any, haystack: Any) -> bool:
    """``in``: an item of a list (strict equality) or a part of a text (null is no part)."""
    if haystack.__class__ is list:
        return any(strict_eq(needle, item) for item in haystack)
    if haystack.__class__ is str:
        return needle is not None and js_text(needle) in haystack
    return False


def py_in(gen: Gen, args: Any, pointer: str) -> Expr:
    items = gen.args(args, pointer)
    if len(items) != 2:
        raise invalid("in takes [value, list or text]", pointer)
    needle, haystack = items
    if (
        haystack.is_const
        and haystack.const.__class__ is list
        and haystack.const
        and all(item.__class__ is str for item in haystack.const)
    ):
        options = gen.name(tuple(haystack.const), "c")
        first, again = gen.once(needle)
        return Expr(f"({first}.__class__ is str and {again} in {options})", "boolean")
    return gen.call(contained, items, "boolean")


def in_list(value: Any, options: Any) -> bool:
    """``in_list``: ``value`` equals an item of ``options`` (null or a non-list: false)."""
    if options.__class__ is not list:
        return False
    return any(strict_eq(value, item) for item in options)


def not_in_list(value: Any, options: Any) -> bool:
    return not in_list(value, options)


def any_in(first: Any, second: Any) -> bool:
    """``any_in``: the two lists share an item (a single value counts as a one-item list)."""
    left = first if first.__class__ is list else ([] if first is None else [first])
    right = second if second.__class__ is list else ([] if second is None else [second])
    return any(strict_eq(a, b) for a in left for b in right)
