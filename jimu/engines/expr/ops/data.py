"""Reading data: ``var``, ``val``, ``exists``, ``missing``, ``missing_some`` (Python side)."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import UTC, datetime
from typing import Any

from jimu.engines.expr.codegen import Expr, Gen, plain
from jimu.engines.expr.errors import invalid

_ABSENT: Any = object()


def _step(data: Any, key: Any) -> Any:
    cls = data.__class__
    if cls is dict or (cls is not str and isinstance(data, Mapping)):
        return data.get(key if key.__class__ is str else str(key), _ABSENT)
    if cls is list or cls is tuple:
        try:
            index = int(key)
        except (TypeError, ValueError):
            return _ABSENT
        return data[index] if 0 <= index < len(data) else _ABSENT
    return _ABSENT


def read_path(data: Any, keys: tuple[Any, ...]) -> Any:
    """The value at ``keys`` inside ``data``; ``None`` when any step is missing."""
    for key in keys:
        data = _step(data, key)
        if data is _ABSENT:
            return None
    return data


def path_exists(data: Any, keys: tuple[Any, ...]) -> bool:
    for key in keys:
        data = _step(data, key)
        if data is _ABSENT:
            return False
    return True


def dotted(path: Any) -> tuple[Any, ...]:
    """``"a.b.c"`` → ``("a", "b", "c")``; ``""``/``null`` → ``()`` (the whole data)."""
    if path is None or path == "":
        return ()
    if path.__class__ is int or (path.__class__ is float and path.is_integer()):
        return (str(int(path)),)
    return tuple(str(path).split("."))


def now_of(ctx: Any) -> datetime:
    value = ctx.get("now") if isinstance(ctx, Mapping) else None
    if value is None:
        return datetime.now(UTC)
    from jimu.engines.expr.dates import to_datetime

    moment = to_datetime(value)
    assert moment is not None
    return moment


def today_of(ctx: Any) -> Any:
    value = ctx.get("today") if isinstance(ctx, Mapping) else None
    if value is None:
        return now_of(ctx).date()
    from jimu.engines.expr.dates import to_date

    return to_date(value)


def read_context(ctx: Any, keys: tuple[Any, ...]) -> Any:
    """``$``-vars: the caller's context; ``$now``/``$today`` default to the current UTC time."""
    if keys and keys[0] == "now" and len(keys) == 1:
        return now_of(ctx)
    if keys and keys[0] == "today" and len(keys) == 1:
        return today_of(ctx)
    return read_path(ctx, keys) if ctx is not None else None


def var_dynamic(data: Any, ctx: Any, path: Any) -> Any:
    if path.__class__ is list:
        path = path[0] if path else None
    if path.__class__ is str and path.startswith("$"):
        return read_context(ctx, dotted(path[1:]))
    return read_path(data, dotted(path))


def _read_var(gen: Gen, path: Any) -> Expr:
    keys = dotted(path)
    if not keys:
        return Expr("data")
    if keys[0].startswith("$"):
        ctx_keys = (keys[0][1:], *keys[1:])
        return Expr(gen.read(("ctx", ctx_keys), f"{gen.name(read_context)}(ctx, {ctx_keys!r})"))
    if len(keys) == 1:
        return Expr(gen.read(("data", keys), f"data.get({keys[0]!r})"))
    return Expr(gen.read(("data", keys), f"{gen.name(read_path)}(data, {keys!r})"))


def py_var(gen: Gen, args: Any, pointer: str) -> Expr:
    if args.__class__ is list:
        path = plain(args[0]) if args else None
        default = args[1] if len(args) > 1 else None
        has_default = len(args) > 1
    else:
        path, default, has_default = plain(args), None, False
    if path.__class__ is dict:
        value = gen.call(var_dynamic, [Expr("data"), Expr("ctx"), gen.compile(path, pointer)])
    elif path is None or path.__class__ in (str, int, float):
        value = _read_var(gen, path)
    else:
        raise invalid(f"var takes a field name, not {path!r}", pointer)
    if not has_default:
        return value
    fallback = gen.compile(default, f"{pointer}/1")
    first, again = gen.once(value)
    return Expr(f"({again} if {first} is not None else {fallback.code})")


def val_keys(args: Any) -> tuple[Any, ...]:
    args = plain(args)
    if args.__class__ is list:
        return tuple(plain(arg) for arg in args)
    if args is None:
        return ()
    return (args,)


def scoped(data: Any, parents: tuple[Any, ...], level: Any, keys: tuple[Any, ...]) -> Any:
    up = abs(int(level))
    if up == 0:
        return read_path(data, keys)
    if up > len(parents):
        return None
    return read_path(parents[-up], keys)


def val_dynamic(data: Any, path: Any) -> Any:
    return read_path(data, val_keys(path))


def py_val(gen: Gen, args: Any, pointer: str) -> Expr:
    if args.__class__ is dict:
        return gen.call(val_dynamic, [Expr("data"), gen.compile(args, pointer)], fold=False)
    keys = val_keys(args)
    if keys and keys[0].__class__ is list:
        level = keys[0][0] if keys[0] else 0
        if level.__class__ is not int:
            raise invalid('a scope level is a whole number, as in [[1], "index"]', pointer)
        rest = keys[1:]
        if not all(key.__class__ in (str, int) for key in rest):
            raise invalid("a path is made of names and positions", pointer)
        return Expr(f"{gen.name(scoped)}(data, parents, {level!r}, {rest!r})")
    if any(key.__class__ is dict for key in keys):
        path = gen.compile(list(keys), pointer)
        return gen.call(val_dynamic, [Expr("data"), path], fold=False)
    if not all(key.__class__ in (str, int, float) for key in keys):
        raise invalid("a path is made of names and positions", pointer)
    if not keys:
        return Expr("data")
    if len(keys) == 1 and keys[0].__class__ is str:
        return Expr(gen.read(("data", keys), f"data.get({keys[0]!r})"))
    return Expr(gen.read(("data", keys), f"{gen.name(read_path)}(data, {keys!r})"))


def exists(data: Any, path: Any) -> bool:
    return path_exists(data, val_keys(path))


def py_exists(gen: Gen, args: Any, pointer: str) -> Expr:
    path = gen.compile(args, pointer)
    return Expr(f"{gen.name(exists)}(data, {path.code})", "boolean")


def _is_missing(data: Any, key: Any) -> bool:
    value = read_path(data, dotted(key))
    return value is None or value == ""


def missing(data: Any, *keys: Any) -> list[Any]:
    if len(keys) == 1 and keys[0].__class__ is list:
        keys = tuple(keys[0])
    return [key for key in keys if _is_missing(data, key)]


def py_missing(gen: Gen, args: Any, pointer: str) -> Expr:
    exprs = gen.args(args, pointer)
    return Expr(f"{gen.name(missing)}(data, {', '.join(e.code for e in exprs)})", "list")


def missing_some(data: Any, need: Any, keys: Any) -> list[Any]:
    if keys.__class__ is not list:
        raise invalid("missing_some takes a number and a list of field names")
    absent = [key for key in keys if _is_missing(data, key)]
    from jimu.engines.expr.values import to_number

    return [] if len(keys) - len(absent) >= to_number(need) else absent


def py_missing_some(gen: Gen, args: Any, pointer: str) -> Expr:
    if args.__class__ is not list or len(args) != 2:
        raise invalid("missing_some takes [how many, [field names]]", pointer)
    need, keys = gen.args(args, pointer)
    return Expr(f"{gen.name(missing_some)}(data, {need.code}, {keys.code})", "list")
