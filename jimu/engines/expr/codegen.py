"""Rule → Python source → one function, built once.

Every operator renders a Python *expression* from its arguments' expressions (see
``operators.py``); the compiler stitches them into a ``def`` and ``exec``s it once. Reads of
the record are hoisted to the top of the function (each distinct path read once), so a call
does no tree walking and no repeated lookups. Lazy operators (``if``, ``and``, ``try``, the
iterators) get lambdas or nested functions for the parts they may skip.
"""

from __future__ import annotations

import itertools
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from jimu.engines.expr.errors import ExprError

_NO_VALUE: Any = object()
_SCALARS = (type(None), bool, int, float, str)


@dataclass(frozen=True)
class Expr:
    """A compiled Python expression: its source, the kind of value it yields, and the value
    itself when it is a constant (so callers can fold)."""

    code: str
    kind: str = "any"  # "boolean", "number", "text", "list" or "any"
    const: Any = _NO_VALUE

    @property
    def is_const(self) -> bool:
        return self.const is not _NO_VALUE


def const_expr(value: Any, gen: Gen) -> Expr:
    kind = {bool: "boolean", int: "number", float: "number", str: "text", list: "list"}.get(
        value.__class__, "any"
    )
    if value.__class__ in _SCALARS and not (value.__class__ is float and value != value):
        return Expr(repr(value), kind, value)
    return Expr(gen.name(value, "c"), kind, value)


PyRenderer = Callable[["Gen", Any, str], Expr]


@dataclass
class Module:
    """What the generated functions share: the namespace they run in and name counters."""

    namespace: dict[str, Any] = field(default_factory=dict)
    functions: list[str] = field(default_factory=list)
    counter: itertools.count[int] = field(default_factory=itertools.count)
    by_id: dict[int, str] = field(default_factory=dict)


class Gen:
    """Generates the body of one function whose current data is the local ``data``."""

    def __init__(self, module: Module, lookup: Callable[[str], PyRenderer | None]) -> None:
        self.module = module
        self.lookup = lookup
        self.reads: dict[tuple[str, tuple[Any, ...]], str] = {}
        self.read_code: dict[str, tuple[str, str]] = {}

    # -- names -------------------------------------------------------------------------------
    def fresh(self, prefix: str) -> str:
        return f"_{prefix}{next(self.module.counter)}"

    def name(self, value: Any, prefix: str = "h") -> str:
        """A global name for ``value`` (a helper function or a constant) in the namespace."""
        known = self.module.by_id.get(id(value))
        if known is not None and self.module.namespace[known] is value:
            return known
        name = self.fresh(prefix)
        self.module.namespace[name] = value
        self.module.by_id[id(value)] = name
        return name

    def read(self, key: tuple[str, tuple[Any, ...]], code: str) -> str:
        """A local holding ``code`` evaluated once at the top of the function (side-effect free
        reads only)."""
        local = self.reads.get(key)
        if local is None:
            local = self.fresh("v")
            self.reads[key] = local
            self.read_code[local] = (key[0], code)
        return local

    # -- compiling ---------------------------------------------------------------------------
    def compile(self, rule: Any, pointer: str) -> Expr:
        rule = plain(rule)
        cls = rule.__class__
        if cls is dict:
            if not rule:
                return const_expr({}, self)
            if len(rule) != 1:
                raise ExprError(
                    f"an operation has exactly one key, found {sorted(rule)}",
                    pointer=pointer,
                    error_type="Unknown Operator",
                )
            ((op, args),) = rule.items()
            renderer = self.lookup(op)
            if renderer is None:
                raise ExprError(
                    f"unknown operator {op!r}", pointer=pointer, error_type="Unknown Operator"
                )
            return renderer(self, args, f"{pointer}/{escape(op)}")
        if cls is list:
            items = [self.compile(item, f"{pointer}/{i}") for i, item in enumerate(rule)]
            if all(item.is_const for item in items):
                return const_expr([item.const for item in items], self)
            return Expr("[" + ", ".join(item.code for item in items) + "]", "list")
        return const_expr(rule, self)

    def args(self, args: Any, pointer: str) -> list[Expr]:
        """Eager arguments: a list is one argument per item, anything else a single argument."""
        if args.__class__ is list:
            return [self.compile(arg, f"{pointer}/{i}") for i, arg in enumerate(args)]
        return [self.compile(args, pointer)]

    def truth(self, expr: Expr) -> str:
        """Python source that is the JsonLogic truthiness of ``expr`` as a bool."""
        if expr.kind == "boolean":
            return expr.code
        from jimu.engines.expr.values import truthy

        if expr.is_const:
            return repr(truthy(expr.const))
        return f"{self.name(truthy)}({expr.code})"

    def call(
        self, fn: Callable[..., Any], exprs: list[Expr], kind: str = "any", fold: bool = True
    ) -> Expr:
        """``fn(*exprs)``; folded to a constant when every argument is one and ``fn`` is pure
        (an error while folding is left to happen at run time, where ``try`` can catch it)."""
        if fold and all(e.is_const for e in exprs):
            try:
                return const_expr(fn(*(e.const for e in exprs)), self)
            except (ExprError, *UNEXPECTED):
                pass
        return Expr(f"{self.name(fn)}({', '.join(e.code for e in exprs)})", kind)

    def once(self, expr: Expr) -> tuple[str, str]:
        """``(first, again)``: source that evaluates ``expr`` and binds it, and source that
        reuses the value (no binding needed for names and constants)."""
        if expr.is_const or expr.code.isidentifier():
            return expr.code, expr.code
        local = self.fresh("t")
        return f"({local} := {expr.code})", local

    def thunk(self, expr: Expr) -> str:
        """A lambda that evaluates ``expr`` when called (for lazy helpers)."""
        return f"(lambda: {expr.code})"

    def nested(self, rule: Any, pointer: str) -> str:
        """A function ``f(data, ctx, parents)`` evaluating ``rule`` with a new current data."""
        gen = Gen(self.module, self.lookup)
        body = gen.compile(rule, pointer)
        name = self.fresh("f")
        self.module.functions.append(gen.function(name, "data, ctx, parents", body))
        return name

    def function(
        self, name: str, params: str, body: Expr, prelude: str = "", guard: bool = False
    ) -> str:
        """The source of ``def name(params)`` returning ``body`` after the hoisted reads.
        ``guard``: turn unexpected Python errors into ``ExprError`` (the public entry point)."""
        lines = self._body(body, prelude)
        if guard:
            convert = self.name(as_expr_error)
            lines = [
                "    try:",
                *(f"    {line}" for line in lines),
                f"    except {self.name(UNEXPECTED, 'unexpected')} as exc:",
                f"        raise {convert}(exc) from exc",
            ]
        return "\n".join([f"def {name}({params}):", *lines])

    def _body(self, body: Expr, prelude: str) -> list[str]:
        lines = []
        if prelude:
            lines.append(f"    {prelude}")
        reads = self.read_code.items()
        data_reads = [(local, code) for local, (scope, code) in reads if scope == "data"]
        ctx_reads = [(local, code) for local, (scope, code) in reads if scope != "data"]
        for local, code in ctx_reads:
            lines.append(f"    {local} = {code}")
        if data_reads:
            fast = [(local, code) for local, code in data_reads if code.startswith("data.get(")]
            if fast:
                lines.append("    if data.__class__ is dict:")
                for local, code in data_reads:
                    lines.append(f"        {local} = {code}")
                lines.append("    else:")
                for local, code in data_reads:
                    lines.append(f"        {local} = {self.slow_read(code)}")
            else:
                for local, code in data_reads:
                    lines.append(f"    {local} = {code}")
        lines.append(f"    return {body.code}")
        return lines

    def slow_read(self, code: str) -> str:
        """The general form of a fast ``data.get('k')`` read, for data that is not a dict."""
        if code.startswith("data.get("):
            from jimu.engines.expr.ops.data import read_path

            key = code[len("data.get(") : -1]
            return f"{self.name(read_path)}(data, ({key},))"
        return code


UNEXPECTED = (TypeError, ValueError, ArithmeticError, LookupError, AttributeError)


def as_expr_error(exc: Exception) -> ExprError:
    """An unexpected Python error while evaluating (a value of a kind an operator cannot
    take) as the engine's error."""
    if isinstance(exc, ExprError):
        return exc
    return ExprError(f"cannot evaluate: {exc}", error_type="Invalid Arguments")


def plain(value: Any) -> Any:
    """Subclasses of the JSON types (``OrderedDict``, SQLAlchemy's ``quoted_name`` …) as the
    plain types the compiler dispatches on."""
    cls = value.__class__
    if cls in _SCALARS or cls is dict or cls is list:
        return value
    if isinstance(value, str):
        return str(value)
    if isinstance(value, dict):
        return dict(value)
    if isinstance(value, list | tuple):
        return list(value)
    return value


def escape(token: str) -> str:
    """A JSON pointer token."""
    return str(token).replace("~", "~0").replace("/", "~1")


def build(rule: Any, lookup: Callable[[str], PyRenderer | None]) -> tuple[Callable[..., Any], str]:
    """Compile ``rule`` to ``f(data, context=None)``; also return the generated source."""
    module = Module()
    gen = Gen(module, lookup)
    body = gen.compile(rule, "")
    main = gen.function(
        "_rule", "data, context=None", body, "ctx = context; parents = ()", guard=True
    )
    source = "\n\n".join([*module.functions, main]) + "\n"
    namespace = module.namespace
    exec(compile(source, "<jimu rule>", "exec"), namespace)
    fn: Callable[..., Any] = namespace["_rule"]
    return fn, source
