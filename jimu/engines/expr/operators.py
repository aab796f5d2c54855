"""THE operator table: every operator of the expression language, in one place.

Each entry declares the operator's name, its signature (argument value types → result type,
for static checks), its Python rendering (source generation, see ``codegen.py``), its SQL
rendering (a SQLAlchemy expression, see ``sql.py``) or the reason it has no faithful SQL
form, and the sentence templates the builder shows in English and Chinese.

Templates: ``{0}``, ``{1}`` … are the rendered arguments; ``{*}`` is every argument joined by
the entry's ``joiner``. ``with_text`` is the template when the second argument is a text
literal ("region is 华东"). ``unit_form`` says how a date unit argument reads: ``counted``
("7 days", "3 个月": the Chinese word carries its own measure word), ``plural`` ("days",
"月数") or ``singular`` ("month", "所在月"). ``by_arity`` holds templates for a particular
number of arguments (``{"<": [1, x, 10]}`` reads "x is between 1 and 10"). ``connective``
marks ``and``/``or``, whose operands describe() may join into a list ("a, b and c").

Adding an operator is adding one entry here (and its renderers in its family's module).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from jimu.engines.expr import dates
from jimu.engines.expr.codegen import PyRenderer
from jimu.engines.expr.ops import arithmetic as ar
from jimu.engines.expr.ops import arrays as ls
from jimu.engines.expr.ops import compare as cmp
from jimu.engines.expr.ops import data as dt
from jimu.engines.expr.ops import dates as dd
from jimu.engines.expr.ops import logic as lg
from jimu.engines.expr.ops import sql_compare as sc
from jimu.engines.expr.ops import sql_dates as sd
from jimu.engines.expr.ops import sql_logic as sl
from jimu.engines.expr.ops import sql_numbers as sn
from jimu.engines.expr.ops import sql_periods as sp
from jimu.engines.expr.ops import sql_text as stx
from jimu.engines.expr.ops import strings as st

if TYPE_CHECKING:
    from jimu.engines.expr.sql import SqlRenderer

TYPES = ("number", "text", "boolean", "date", "datetime", "list", "any", "null")


@dataclass(frozen=True)
class Signature:
    """``args``: the types of the leading arguments; ``rest``: the type of any further ones
    (``None``: no more allowed); ``optional``: how many trailing ``args`` may be left out."""

    args: tuple[str, ...]
    result: str
    rest: str | None = None
    optional: int = 0

    @property
    def min_args(self) -> int:
        return len(self.args) - self.optional

    @property
    def max_args(self) -> int | None:
        return None if self.rest is not None else len(self.args)


@dataclass(frozen=True)
class NoSql:
    """Marks an operator that has no faithful SQL form; ``to_sql`` refuses it with ``reason``."""

    reason: str


@dataclass(frozen=True)
class Operator:
    name: str
    family: str
    signature: Signature
    python: PyRenderer
    sql: SqlRenderer | NoSql
    en: str
    zh: str
    joiner: tuple[str, str] = (", ", "、")
    by_arity: Mapping[int, tuple[str, str]] = field(default_factory=dict)
    connective: bool = False
    infix: bool = False
    lazy: bool = False
    with_text: tuple[str, str] | None = None
    unit_form: str = ""

    def template(self, lang: str, arity: int | None = None, text_operand: bool = False) -> str:
        """The sentence template in ``lang`` ("en" or "zh") for ``arity`` arguments;
        ``text_operand``: the second argument is a text literal (``with_text`` applies)."""
        index = 1 if lang.startswith("zh") else 0
        if arity is not None and arity in self.by_arity:
            return self.by_arity[arity][index]
        if text_operand and self.with_text is not None and arity == 2:
            return self.with_text[index]
        return self.zh if index else self.en


N, T, B, D, DT, L, A, Z = "number", "text", "boolean", "date", "datetime", "list", "any", "null"
_ITER = "an iteration over a list (the rows of a table hold scalars, not lists)"
_CONTROL = "control flow that raises or catches errors has no SQL form"
_DATA_SHAPE = "it inspects the shape of the data, which a table row does not have"
_TEXT_CASE = (
    "Python changes the case of every alphabet ('ß' upper-cased is 'SS'); "
    "SQLite changes A-Z only and PostgreSQL follows its locale"
)


def _op(
    name: str,
    family: str,
    sig: Signature,
    python: PyRenderer,
    sql: Any,
    en: str,
    zh: str,
    **kw: Any,
) -> Operator:
    return Operator(name, family, sig, python, sql, en, zh, **kw)


def _cmp(
    name: str,
    py: PyRenderer,
    sql: Any,
    en: str,
    zh: str,
    between: tuple[str, str],
    with_text: tuple[str, str] | None = None,
) -> Operator:
    return _op(
        name,
        "comparison",
        Signature((A, A), B, rest=A),
        py,
        sql,
        en,
        zh,
        infix=True,
        by_arity={3: between},
        with_text=with_text,
    )


_ENTRIES: list[Operator] = [
    # -- data ------------------------------------------------------------------------------
    _op("var", "data", Signature((A, A), A, optional=1), dt.py_var, sl.sql_var, "{0}", "{0}"),
    _op("val", "data", Signature((A,), A, rest=A), dt.py_val, sl.sql_val, "{0}", "{0}"),
    _op(
        "exists",
        "data",
        Signature((A,), B, rest=A),
        dt.py_exists,
        NoSql(_DATA_SHAPE),
        "{0} exists",
        "{0} 存在",
    ),
    _op(
        "missing",
        "data",
        Signature((), L, rest=A),
        dt.py_missing,
        NoSql(_DATA_SHAPE),
        "the missing ones of {*}",
        "{*} 中缺少的项",
    ),
    _op(
        "missing_some",
        "data",
        Signature((N, L), L),
        dt.py_missing_some,
        NoSql(_DATA_SHAPE),
        "fewer than {0} of {1} are present",
        "{1} 中填写的少于 {0} 项",
    ),
    _op("preserve", "data", Signature((A,), A), lg.py_preserve, sl.sql_preserve, "{0}", "{0}"),
    # -- logic -----------------------------------------------------------------------------
    _op(
        "and",
        "logic",
        Signature((), A, rest=A),
        lg.py_and,
        sl.sql_and,
        "{*}",
        "{*}",
        joiner=(" and ", " 且 "),
        connective=True,
        lazy=True,
    ),
    _op(
        "or",
        "logic",
        Signature((), A, rest=A),
        lg.py_or,
        sl.sql_or,
        "{*}",
        "{*}",
        joiner=(" or ", " 或 "),
        connective=True,
        lazy=True,
    ),
    _op("!", "logic", Signature((A,), B), lg.py_not, sl.sql_not, "not ({0})", "并非（{0}）"),
    _op(
        "!!",
        "logic",
        Signature((A,), B),
        lg.py_truthy,
        sl.sql_truthy,
        "{0} is not empty, zero or false",
        "{0} 非空、非零且非假",
    ),
    _op(
        "if",
        "logic",
        Signature((A,), A, rest=A),
        lg.py_if,
        sl.sql_if,
        "if {0} then {1} otherwise {2}",
        "如果 {0} 则 {1} 否则 {2}",
        by_arity={1: ("{0}", "{0}"), 2: ("if {0} then {1}", "如果 {0} 则 {1}")},
        lazy=True,
    ),
    _op(
        "?:",
        "logic",
        Signature((A, A, A), A),
        lg.py_ternary,
        sl.sql_ternary,
        "if {0} then {1} otherwise {2}",
        "如果 {0} 则 {1} 否则 {2}",
        lazy=True,
    ),
    _op(
        "??",
        "null",
        Signature((), A, rest=A),
        lg.py_coalesce,
        sl.sql_coalesce,
        "the first of {*} that is set",
        "{*} 中第一个有值的",
        lazy=True,
    ),
    _op(
        "coalesce",
        "null",
        Signature((), A, rest=A),
        lg.py_coalesce,
        sl.sql_coalesce,
        "the first of {*} that is set",
        "{*} 中第一个有值的",
        lazy=True,
    ),
    _op(
        "throw",
        "logic",
        Signature((A,), A),
        lg.py_throw,
        NoSql(_CONTROL),
        "fail with {0}",
        "报错 {0}",
    ),
    _op(
        "try",
        "logic",
        Signature((A,), A, rest=A),
        lg.py_try,
        NoSql(_CONTROL),
        "{0}, or if that fails {1}",
        "{0}，出错时取 {1}",
        by_arity={1: ("{0}", "{0}")},
        lazy=True,
    ),
    _op(
        "is_blank",
        "null",
        Signature((A,), B),
        ar.fixed(st.is_blank, 1, 1, B),
        sl.sql_is_blank,
        "{0} is blank",
        "{0} 为空",
    ),
    _op(
        "is_not_blank",
        "null",
        Signature((A,), B),
        ar.fixed(st.is_not_blank, 1, 1, B),
        sl.sql_is_not_blank,
        "{0} is not blank",
        "{0} 不为空",
    ),
    # -- comparison ------------------------------------------------------------------------
    _cmp(
        "==",
        cmp.py_eq,
        sc.sql_eq,
        "{0} equals {1}",
        "{0} 等于 {1}",
        ("{0}, {1} and {2} are equal", "{0}、{1}、{2} 相等"),
        with_text=("{0} is {1}", "{0} 等于 {1}"),
    ),
    _cmp(
        "!=",
        cmp.py_ne,
        sc.sql_ne,
        "{0} does not equal {1}",
        "{0} 不等于 {1}",
        ("{0}, {1} and {2} differ in turn", "{0}、{1}、{2} 依次不等"),
        with_text=("{0} is not {1}", "{0} 不等于 {1}"),
    ),
    _cmp(
        "===",
        cmp.py_strict_eq,
        sc.sql_strict_eq,
        "{0} is exactly {1}",
        "{0} 严格等于 {1}",
        ("{0}, {1} and {2} are exactly equal", "{0}、{1}、{2} 严格相等"),
    ),
    _cmp(
        "!==",
        cmp.py_strict_ne,
        sc.sql_strict_ne,
        "{0} is not exactly {1}",
        "{0} 不严格等于 {1}",
        ("{0}, {1} and {2} differ in turn", "{0}、{1}、{2} 依次不严格相等"),
    ),
    _cmp(
        "<",
        cmp.py_lt,
        sc.sql_lt,
        "{0} is less than {1}",
        "{0} 小于 {1}",
        ("{1} is between {0} and {2} (exclusive)", "{1} 介于 {0} 与 {2} 之间（不含两端）"),
    ),
    _cmp(
        "<=",
        cmp.py_le,
        sc.sql_le,
        "{0} is at most {1}",
        "{0} 小于等于 {1}",
        ("{1} is between {0} and {2}", "{1} 介于 {0} 与 {2} 之间"),
    ),
    _cmp(
        ">",
        cmp.py_gt,
        sc.sql_gt,
        "{0} is greater than {1}",
        "{0} 大于 {1}",
        ("{0} > {1} > {2}", "{0} > {1} > {2}"),
    ),
    _cmp(
        ">=",
        cmp.py_ge,
        sc.sql_ge,
        "{0} is at least {1}",
        "{0} 大于等于 {1}",
        ("{0} ≥ {1} ≥ {2}", "{0} ≥ {1} ≥ {2}"),
    ),
    # -- arithmetic ------------------------------------------------------------------------
    _op(
        "+",
        "arithmetic",
        Signature((), N, rest=N),
        ar.py_add,
        sn.sql_add,
        "{*}",
        "{*}",
        joiner=(" + ", " + "),
        infix=True,
        by_arity={1: ("the number {0}", "数值 {0}")},
    ),
    _op(
        "-",
        "arithmetic",
        Signature((N,), N, rest=N),
        ar.py_subtract,
        sn.sql_subtract,
        "{*}",
        "{*}",
        joiner=(" - ", " - "),
        infix=True,
        by_arity={1: ("-{0}", "-{0}")},
    ),
    _op(
        "*",
        "arithmetic",
        Signature((), N, rest=N),
        ar.py_multiply,
        sn.sql_multiply,
        "{*}",
        "{*}",
        joiner=(" × ", " × "),
        infix=True,
    ),
    _op(
        "/",
        "arithmetic",
        Signature((N,), N, rest=N),
        ar.py_divide,
        sn.sql_divide,
        "{*}",
        "{*}",
        joiner=(" ÷ ", " ÷ "),
        infix=True,
        by_arity={1: ("1 ÷ {0}", "1 ÷ {0}")},
    ),
    _op(
        "%",
        "arithmetic",
        Signature((N, N), N, rest=N),
        ar.py_modulo,
        sn.sql_modulo,
        "the remainder of {0} divided by {1}",
        "{0} 除以 {1} 的余数",
    ),
    _op(
        "max",
        "arithmetic",
        Signature((), N, rest=N),
        ar.py_max,
        sn.sql_max,
        "the largest of {*}",
        "{*} 中的最大值",
    ),
    _op(
        "min",
        "arithmetic",
        Signature((), N, rest=N),
        ar.py_min,
        sn.sql_min,
        "the smallest of {*}",
        "{*} 中的最小值",
    ),
    _op(
        "sum",
        "arithmetic",
        Signature((), N, rest=N),
        ar.py_sum,
        sn.sql_add,
        "the sum of {*}",
        "{*} 之和",
    ),
    _op(
        "avg",
        "arithmetic",
        Signature((), N, rest=N),
        ar.py_avg,
        sn.sql_avg,
        "the average of {*}",
        "{*} 的平均值",
    ),
    _op(
        "round",
        "arithmetic",
        Signature((N, N), N, optional=1),
        ar.py_round,
        sn.sql_round,
        "{0} rounded to {1} decimals",
        "{0} 保留 {1} 位小数",
        by_arity={1: ("{0} rounded", "{0} 四舍五入")},
    ),
    _op(
        "floor",
        "arithmetic",
        Signature((N,), N),
        ar.py_floor,
        sn.sql_floor,
        "{0} rounded down",
        "{0} 向下取整",
    ),
    _op(
        "ceil",
        "arithmetic",
        Signature((N,), N),
        ar.py_ceil,
        sn.sql_ceil,
        "{0} rounded up",
        "{0} 向上取整",
    ),
    _op(
        "abs",
        "arithmetic",
        Signature((N,), N),
        ar.py_abs,
        sn.sql_abs,
        "the absolute value of {0}",
        "{0} 的绝对值",
    ),
    # -- lists -----------------------------------------------------------------------------
    _op(
        "map",
        "list",
        Signature((L, A), L),
        ls.py_map,
        NoSql(_ITER),
        "{1} for each item of {0}",
        "{0} 中每一项的 {1}",
        lazy=True,
    ),
    _op(
        "filter",
        "list",
        Signature((L, A), L),
        ls.py_filter,
        NoSql(_ITER),
        "the items of {0} where {1}",
        "{0} 中满足 {1} 的项",
        lazy=True,
    ),
    _op(
        "reduce",
        "list",
        Signature((L, A, A), A, optional=1),
        ls.py_reduce,
        NoSql(_ITER),
        "{1} accumulated over {0} starting from {2}",
        "从 {2} 开始对 {0} 逐项累计 {1}",
        lazy=True,
    ),
    _op(
        "all",
        "list",
        Signature((L, A), B),
        ls.py_all,
        NoSql(_ITER),
        "every item of {0} satisfies {1}",
        "{0} 中每一项都满足 {1}",
        lazy=True,
    ),
    _op(
        "some",
        "list",
        Signature((L, A), B),
        ls.py_some,
        NoSql(_ITER),
        "some item of {0} satisfies {1}",
        "{0} 中有一项满足 {1}",
        lazy=True,
    ),
    _op(
        "none",
        "list",
        Signature((L, A), B),
        ls.py_none,
        NoSql(_ITER),
        "no item of {0} satisfies {1}",
        "{0} 中没有一项满足 {1}",
        lazy=True,
    ),
    _op(
        "merge",
        "list",
        Signature((), L, rest=A),
        ls.py_merge,
        NoSql("a list value has no column type"),
        "{*} combined",
        "{*} 合并",
    ),
    _op(
        "in",
        "list",
        Signature((A, A), B),
        ls.py_in,
        stx.sql_in,
        "{0} is in {1}",
        "{0} 属于 {1}",
        infix=True,
    ),
    _op(
        "in_list",
        "membership",
        Signature((A, L), B),
        ar.fixed(ls.in_list, 2, 2, B),
        stx.sql_in_list,
        "{0} is one of {1}",
        "{0} 是 {1} 之一",
    ),
    _op(
        "not_in_list",
        "membership",
        Signature((A, L), B),
        ar.fixed(ls.not_in_list, 2, 2, B),
        stx.sql_not_in_list,
        "{0} is not one of {1}",
        "{0} 不是 {1} 之一",
    ),
    _op(
        "any_in",
        "membership",
        Signature((L, L), B),
        ar.fixed(ls.any_in, 2, 2, B),
        NoSql("a multi-select value is a list, which has no column type"),
        "{0} shares an item with {1}",
        "{0} 与 {1} 有共同项",
    ),
    # -- text ------------------------------------------------------------------------------
    _op(
        "cat",
        "text",
        Signature((), T, rest=A),
        ar.variadic(st.cat, T),
        stx.sql_cat,
        "{*}",
        "{*}",
        joiner=(" & ", " & "),
    ),
    _op(
        "substr",
        "text",
        Signature((T, N, N), T, optional=1),
        ar.fixed(st.substr, 2, 3, T),
        stx.sql_substr,
        "the part of {0} from position {1} ({2} characters)",
        "{0} 从第 {1} 位起的 {2} 个字符",
        by_arity={2: ("the part of {0} from position {1}", "{0} 从第 {1} 位起的部分")},
    ),
    _op(
        "contains",
        "text",
        Signature((A, T), B),
        ar.fixed(st.contains, 2, 2, B),
        stx.sql_contains,
        "{0} contains {1}",
        "{0} 包含 {1}",
    ),
    _op(
        "not_contains",
        "text",
        Signature((A, T), B),
        ar.fixed(st.not_contains, 2, 2, B),
        stx.sql_not_contains,
        "{0} does not contain {1}",
        "{0} 不包含 {1}",
    ),
    _op(
        "starts_with",
        "text",
        Signature((T, T), B),
        ar.fixed(st.starts_with, 2, 2, B),
        stx.sql_starts_with,
        "{0} starts with {1}",
        "{0} 以 {1} 开头",
    ),
    _op(
        "ends_with",
        "text",
        Signature((T, T), B),
        ar.fixed(st.ends_with, 2, 2, B),
        stx.sql_ends_with,
        "{0} ends with {1}",
        "{0} 以 {1} 结尾",
    ),
    _op(
        "lower",
        "text",
        Signature((T,), T),
        ar.fixed(st.lower, 1, 1, T),
        NoSql(_TEXT_CASE),
        "{0} in lower case",
        "{0} 的小写",
    ),
    _op(
        "upper",
        "text",
        Signature((T,), T),
        ar.fixed(st.upper, 1, 1, T),
        NoSql(_TEXT_CASE),
        "{0} in upper case",
        "{0} 的大写",
    ),
    _op(
        "trim",
        "text",
        Signature((T,), T),
        ar.fixed(st.trim, 1, 1, T),
        stx.sql_trim,
        "{0} without surrounding spaces",
        "去掉首尾空格的 {0}",
    ),
    _op(
        "length",
        "text",
        Signature((A,), N),
        ar.fixed(st.length, 1, 1, N),
        stx.sql_length,
        "the length of {0}",
        "{0} 的长度",
    ),
    _op(
        "matches",
        "text",
        Signature((T, T), B),
        ar.fixed(st.matches, 2, 2, B),
        NoSql("SQLite has no regular expressions and PostgreSQL's differ from Python's"),
        "{0} matches the pattern {1}",
        "{0} 符合模式 {1}",
    ),
    _op(
        "replace",
        "text",
        Signature((T, T, T), T),
        ar.fixed(st.replace, 3, 3, T),
        stx.sql_replace,
        "{0} with {1} replaced by {2}",
        "{0} 中的 {1} 替换为 {2}",
    ),
    _op(
        "left",
        "text",
        Signature((T, N), T),
        ar.fixed(st.left, 2, 2, T),
        stx.sql_left,
        "the first {1} characters of {0}",
        "{0} 的前 {1} 个字符",
    ),
    _op(
        "right",
        "text",
        Signature((T, N), T),
        ar.fixed(st.right, 2, 2, T),
        stx.sql_right,
        "the last {1} characters of {0}",
        "{0} 的后 {1} 个字符",
    ),
    # -- dates -----------------------------------------------------------------------------
    _op("now", "date", Signature((), DT), dd.py_now, sd.sql_now, "now", "现在"),
    _op("today", "date", Signature((), D), dd.py_today, sd.sql_today, "today", "今天"),
    _op(
        "date",
        "date",
        Signature((A,), D),
        ar.fixed(dates.to_date, 1, 1),
        sd.sql_date,
        "the date {0}",
        "日期 {0}",
    ),
    _op(
        "datetime",
        "date",
        Signature((A,), DT),
        ar.fixed(dates.to_datetime, 1, 1),
        NoSql("date-time text formats differ between SQLite and PostgreSQL"),
        "the date-time {0}",
        "时间 {0}",
    ),
    _op(
        "date_add",
        "date",
        Signature((D, N, T), D),
        ar.fixed(dates.shift, 3, 3),
        sp.sql_date_add,
        "{0} plus {1} {2}",
        "{0} 加 {1} {2}",
        unit_form="counted",
    ),
    _op(
        "date_diff",
        "date",
        Signature((D, D, T), N),
        ar.fixed(dates.difference, 3, 3, N),
        sp.sql_date_diff,
        "the number of {2} from {0} to {1}",
        "{0} 到 {1} 相差的{2}数",
        unit_form="plural",
    ),
    _op(
        "start_of",
        "date",
        Signature((D, T), D),
        ar.fixed(dates.start_of, 2, 2),
        sp.sql_start_of,
        "the start of the {1} of {0}",
        "{0} 所在{1}的开始",
        unit_form="singular",
    ),
    _op(
        "year",
        "date",
        Signature((D,), N),
        ar.fixed(dd.year_of, 1, 1, N),
        sd.sql_year,
        "the year of {0}",
        "{0} 的年份",
    ),
    _op(
        "month",
        "date",
        Signature((D,), N),
        ar.fixed(dd.month_of, 1, 1, N),
        sd.sql_month,
        "the month of {0}",
        "{0} 的月份",
    ),
    _op(
        "day",
        "date",
        Signature((D,), N),
        ar.fixed(dd.day_of, 1, 1, N),
        sd.sql_day,
        "the day of the month of {0}",
        "{0} 的日",
    ),
    _op(
        "weekday",
        "date",
        Signature((D,), N),
        ar.fixed(dd.weekday_of, 1, 1, N),
        sd.sql_weekday,
        "the weekday of {0} (1 = Monday)",
        "{0} 是星期几（1 = 星期一）",
    ),
    _op(
        "within_last",
        "date",
        Signature((D, N, T), B),
        dd.py_within_last,
        sd.sql_within_last,
        "{0} is within the last {1} {2}",
        "{0} 在过去 {1} {2}内",
        unit_form="counted",
    ),
    _op(
        "within_next",
        "date",
        Signature((D, N, T), B),
        dd.py_within_next,
        sd.sql_within_next,
        "{0} is within the next {1} {2}",
        "{0} 在未来 {1} {2}内",
        unit_form="counted",
    ),
]

OPERATORS: Mapping[str, Operator] = {entry.name: entry for entry in _ENTRIES}


@dataclass(frozen=True)
class UnitWords:
    """How sentences name a date unit: English singular and plural, the Chinese noun
    ("相差的月数", "所在季度") and the Chinese counted form with its measure word ("3 个月")."""

    one: str
    many: str
    noun: str
    counted: str


UNIT_WORDS: Mapping[str, UnitWords] = {
    "year": UnitWords("year", "years", "年", "年"),
    "quarter": UnitWords("quarter", "quarters", "季度", "个季度"),
    "month": UnitWords("month", "months", "月", "个月"),
    "week": UnitWords("week", "weeks", "周", "周"),
    "day": UnitWords("day", "days", "天", "天"),
    "hour": UnitWords("hour", "hours", "小时", "小时"),
    "minute": UnitWords("minute", "minutes", "分钟", "分钟"),
    "second": UnitWords("second", "seconds", "秒", "秒"),
}


def python_renderer(name: str) -> PyRenderer | None:
    entry = OPERATORS.get(name)
    return entry.python if entry is not None else None


def sql_renderer(name: str) -> Callable[..., Any] | NoSql | None:
    entry = OPERATORS.get(name)
    return entry.sql if entry is not None else None
