# ruff: noqa: E501  (hand-written SQL reads best on one line)
"""The golden specs of the report engine, each with a query written by hand.

``regen.py`` writes one ``golden/<name>.json`` per case: the spec, the hand-written SQL and
the SQL the compiler makes per dialect (reviewed by eye). ``test_golden.py`` checks the
compiler still makes that SQL and that its rows equal the hand-written query's rows on the
seeded CRM data (``crm.py``), on SQLite and PostgreSQL. The hand-written SQL is independent
of the compiler: fixed +8 hours for Shanghai (no DST in 2024–2025) on SQLite, ``AT TIME ZONE``
and ``isodow`` on PostgreSQL, ``floor`` for bins, the seeded "now" worked out by hand.
"""

from __future__ import annotations

import re
from typing import Any

D, A, ACT = "crm_deal", "crm_account", "crm_activity"
LIVE = "deleted_at IS NULL"
#: What a link or user dimension shows (written as correlated subqueries, independently of
#: the compiler's joins): the account's name, the user's display name (else the username).
ACCOUNT_NAME = f"(SELECT a.name FROM {A} a WHERE a.id = d.account_id AND a.{LIVE})"
OWNER_NAME = (
    "(SELECT coalesce(nullif(u.display_name, ''), u.username) FROM jimu_user u "
    "WHERE u.id = d.owner_id)"
)


def order(column: str, values: list[str]) -> str:
    whens = " ".join(f"WHEN '{v}' THEN {i}" for i, v in enumerate(values))
    return f"CASE {column} {whens} ELSE {len(values)} END"


STAGES = ["lead", "qualified", "proposal", "won", "lost"]
INDUSTRIES = ["tech", "retail", "finance"]
TIERS = ["gold", "silver", "bronze"]
KINDS = ["call", "email", "meeting"]


def stage_order(column: str = "stage") -> str:
    return order(column, STAGES)


def local_s(column: str) -> str:
    return f"datetime({column}, '+8 hours')"


def local_p(column: str) -> str:
    return f"({column} AT TIME ZONE 'Asia/Shanghai')"


def grain_s(column: str, grain: str, is_date: bool = False) -> str:
    x = column if is_date else local_s(column)
    if grain == "day":
        return f"date({x})"
    if grain == "hour":
        return f"strftime('%Y-%m-%d %H', {x}) || ':00'"
    if grain == "month":
        return f"substr(date({x}), 1, 7) || '-01'"
    if grain == "year":
        return f"substr(date({x}), 1, 4) || '-01-01'"
    if grain == "week":
        return f"date({x}, '-' || ((CAST(strftime('%w', {x}) AS INTEGER) + 6) % 7) || ' days')"
    month = f"CAST(substr(date({x}), 6, 2) AS INTEGER)"
    return (
        f"substr(date({x}), 1, 4) || CASE WHEN {month} <= 3 THEN '-01-01' "
        f"WHEN {month} <= 6 THEN '-04-01' WHEN {month} <= 9 THEN '-07-01' ELSE '-10-01' END"
    )


def grain_p(column: str, grain: str, is_date: bool = False) -> str:
    x = f"{column}::timestamp" if is_date else local_p(column)
    if grain == "day":
        return f"({x})::date::text"
    if grain == "hour":
        return f"to_char({x}, 'YYYY-MM-DD HH24') || ':00'"
    if grain == "week":
        return f"(({x})::date - (extract(isodow from {x})::int - 1))::text"
    if grain == "month":
        return f"make_date(extract(year from {x})::int, extract(month from {x})::int, 1)::text"
    if grain == "year":
        return f"make_date(extract(year from {x})::int, 1, 1)::text"
    return (
        f"make_date(extract(year from {x})::int, "
        f"(extract(quarter from {x})::int - 1) * 3 + 1, 1)::text"
    )


def nulls_last(expr: str, desc: bool = False) -> str:
    return f"({expr}) IS NULL, {expr}{' DESC' if desc else ''}"


CASES: list[dict[str, Any]] = []
#: One row per id with what a dimension shows for it (the top N's hand-written form).
TITLES = {
    "name": f"SELECT id, name FROM {A} WHERE {LIVE}",
    "who": "SELECT id, coalesce(nullif(display_name, ''), username) AS who FROM jimu_user",
}


def _postgres(sql: str) -> str:
    """PostgreSQL allows an output column's name in ORDER BY only alone: ``k IS NULL, k``
    becomes ``k NULLS LAST``."""
    return re.sub(r"\b([kys]) IS NULL, \1( DESC)?", r"\1\2 NULLS LAST", sql)


def case(name: str, spec: dict[str, Any], sql: str | None = None, **per_dialect: Any) -> None:
    entry: dict[str, Any] = {"name": name, "spec": spec}
    if sql is not None:
        per_dialect = {"sqlite": sql, "postgresql": sql}
    handwritten = {k: v for k, v in per_dialect.items() if k in ("sqlite", "postgresql")}
    if "postgresql" in handwritten:
        handwritten["postgresql"] = _postgres(handwritten["postgresql"])
    entry["handwritten"] = handwritten
    CASES.append(entry)


def deals(*dims: dict[str, Any], **rest: Any) -> dict[str, Any]:
    measures = rest.pop("measures", [{"name": "n", "agg": "count"}])
    return {"dataset": {"entity": "deal"}, "dimensions": list(dims), "measures": measures, **rest}


N = [{"name": "n", "agg": "count"}]
TOTAL = [{"name": "total", "agg": "sum", "field": "amount"}]

# -- plain measures ------------------------------------------------------------------------
case("001_count_all", deals(), f"SELECT count(*) FROM {D} WHERE {LIVE}")
case(
    "002_count_by_stage",
    deals({"field": "stage"}),
    f"SELECT stage, count(*) FROM {D} WHERE {LIVE} GROUP BY stage "
    f"ORDER BY stage IS NULL, {stage_order()}",
)
case(
    "003_sum_by_stage",
    deals({"field": "stage"}, measures=TOTAL),
    f"SELECT stage, sum(amount) FROM {D} WHERE {LIVE} GROUP BY stage "
    f"ORDER BY stage IS NULL, {stage_order()}",
)
case(
    "004_avg_by_stage",
    deals({"field": "stage"}, measures=[{"name": "mean", "agg": "avg", "field": "amount"}]),
    f"SELECT stage, avg(amount) FROM {D} WHERE {LIVE} GROUP BY stage "
    f"ORDER BY stage IS NULL, {stage_order()}",
)
case(
    "005_min_max_by_stage",
    deals(
        {"field": "stage"},
        measures=[
            {"name": "low", "agg": "min", "field": "amount"},
            {"name": "high", "agg": "max", "field": "amount"},
            {"name": "first_close", "agg": "min", "field": "closed_on"},
        ],
    ),
    f"SELECT stage, min(amount), max(amount), min(closed_on) FROM {D} WHERE {LIVE} "
    f"GROUP BY stage ORDER BY stage IS NULL, {stage_order()}",
)
case(
    "006_count_distinct_accounts",
    deals(
        {"field": "stage"},
        measures=[{"name": "accounts", "agg": "count_distinct", "field": "account"}],
    ),
    f"SELECT stage, count(DISTINCT account_id) FROM {D} WHERE {LIVE} GROUP BY stage "
    f"ORDER BY stage IS NULL, {stage_order()}",
)
case(
    "007_count_of_field",
    deals(
        {"field": "stage"}, measures=[{"name": "with_amount", "agg": "count", "field": "amount"}]
    ),
    f"SELECT stage, count(amount) FROM {D} WHERE {LIVE} GROUP BY stage "
    f"ORDER BY stage IS NULL, {stage_order()}",
)
case(
    "008_several_measures_no_dimension",
    deals(
        measures=[
            *N,
            *TOTAL,
            {"name": "mean", "agg": "avg", "field": "score"},
            {"name": "top", "agg": "max", "field": "probability"},
        ]
    ),
    f"SELECT count(*), sum(amount), avg(score), max(probability) FROM {D} WHERE {LIVE}",
)
case(
    "009_median_by_stage",
    deals({"field": "stage"}, measures=[{"name": "mid", "agg": "median", "field": "amount"}]),
    postgresql=f"SELECT stage, percentile_cont(0.5) WITHIN GROUP (ORDER BY amount) FROM {D} "
    f"WHERE {LIVE} GROUP BY stage ORDER BY stage IS NULL, {stage_order()}",
)

# -- joined (many-to-one) dimensions -------------------------------------------------------
JOIN = f"FROM {D} d LEFT JOIN {A} a ON a.id = d.account_id AND a.deleted_at IS NULL"
case(
    "010_count_by_account_industry",
    deals({"field": "account.industry"}),
    f"SELECT a.industry, count(*) {JOIN} WHERE d.{LIVE} GROUP BY a.industry "
    f"ORDER BY a.industry IS NULL, {order('a.industry', INDUSTRIES)}",
)
case(
    "011_sum_by_account_tier",
    deals({"field": "account.tier"}, measures=TOTAL),
    f"SELECT a.tier, sum(d.amount) {JOIN} WHERE d.{LIVE} GROUP BY a.tier "
    f"ORDER BY a.tier IS NULL, {order('a.tier', TIERS)}",
)
case(
    "012_stage_by_industry",
    deals({"field": "stage"}, {"field": "account.industry"}, measures=[*N, *TOTAL]),
    f"SELECT d.stage, a.industry, count(*), sum(d.amount) {JOIN} WHERE d.{LIVE} "
    f"GROUP BY d.stage, a.industry ORDER BY d.stage IS NULL, {stage_order('d.stage')}, "
    f"a.industry IS NULL, {order('a.industry', INDUSTRIES)}",
)
case(
    "013_distinct_account_tiers",
    deals(
        {"field": "stage"},
        measures=[{"name": "tiers", "agg": "count_distinct", "field": "account.tier"}],
    ),
    f"SELECT d.stage, count(DISTINCT a.tier) {JOIN} WHERE d.{LIVE} GROUP BY d.stage "
    f"ORDER BY d.stage IS NULL, {stage_order('d.stage')}",
)
case(
    "014_max_account_revenue",
    deals(
        {"field": "stage"}, measures=[{"name": "biggest", "agg": "max", "field": "account.revenue"}]
    ),
    f"SELECT d.stage, max(a.revenue) {JOIN} WHERE d.{LIVE} GROUP BY d.stage "
    f"ORDER BY d.stage IS NULL, {stage_order('d.stage')}",
)
case(
    "015_by_account_link",
    deals({"field": "account"}, measures=TOTAL),
    f"SELECT account_id, sum(amount), {ACCOUNT_NAME} FROM {D} d WHERE d.{LIVE} "
    "GROUP BY account_id ORDER BY account_id IS NULL, account_id",
)

# -- dates in Asia/Shanghai ----------------------------------------------------------------
for number, grain in (
    ("016", "day"),
    ("017", "week"),
    ("018", "month"),
    ("019", "quarter"),
    ("020", "year"),
    ("021", "hour"),
):
    case(
        f"{number}_created_by_{grain}",
        deals({"field": "created_at", "grain": grain}),
        sqlite=f"SELECT {grain_s('created_at', grain)} AS k, count(*) FROM {D} WHERE {LIVE} "
        "GROUP BY k ORDER BY k IS NULL, k",
        postgresql=f"SELECT {grain_p('created_at', grain)} AS k, count(*) FROM {D} WHERE {LIVE} "
        "GROUP BY k ORDER BY k IS NULL, k",
    )
for number, grain in (("022", "week"), ("023", "month"), ("024", "quarter"), ("025", "year")):
    case(
        f"{number}_closed_by_{grain}",
        deals({"field": "closed_on", "grain": grain}, measures=TOTAL),
        sqlite=f"SELECT {grain_s('closed_on', grain, True)} AS k, sum(amount) FROM {D} "
        f"WHERE {LIVE} GROUP BY k ORDER BY k IS NULL, k",
        postgresql=f"SELECT {grain_p('closed_on', grain, True)} AS k, sum(amount) FROM {D} "
        f"WHERE {LIVE} GROUP BY k ORDER BY k IS NULL, k",
    )
case(
    "026_created_default_day_grain",
    deals({"field": "updated_at"}, limit=10),
    sqlite=f"SELECT {grain_s('updated_at', 'day')} AS k, count(*) FROM {D} WHERE {LIVE} "
    "GROUP BY k ORDER BY k IS NULL, k LIMIT 10",
    postgresql=f"SELECT {grain_p('updated_at', 'day')} AS k, count(*) FROM {D} WHERE {LIVE} "
    "GROUP BY k ORDER BY k IS NULL, k LIMIT 10",
)
case(
    "027_closed_on_raw_date",
    deals({"field": "closed_on"}, limit=15),
    f"SELECT closed_on, count(*) FROM {D} WHERE {LIVE} GROUP BY closed_on "
    "ORDER BY closed_on IS NULL, closed_on LIMIT 15",
)

# -- bins, booleans, numbers, system fields ------------------------------------------------
case(
    "028_amount_bins",
    deals({"field": "amount", "bin": {"width": 10000}}),
    # amounts are >= 0: truncation is floor on SQLite
    sqlite=f"SELECT CAST(amount / 10000.0 AS INTEGER) * 10000.0 AS k, count(*) FROM {D} "
    f"WHERE {LIVE} GROUP BY k ORDER BY k IS NULL, k",
    postgresql=f"SELECT floor(amount / 10000.0) * 10000.0 AS k, count(*) FROM {D} WHERE {LIVE} "
    "GROUP BY k ORDER BY k IS NULL, k",
)
case(
    "029_score_bins_with_offset",
    deals({"field": "score", "bin": {"width": 25, "offset": -20}}, measures=TOTAL),
    # scores are >= -20: truncation is floor on SQLite
    sqlite=f"SELECT CAST((score + 20) / 25.0 AS INTEGER) * 25.0 - 20 AS k, sum(amount) FROM {D} "
    f"WHERE {LIVE} GROUP BY k ORDER BY k IS NULL, k",
    postgresql=f"SELECT floor((score + 20) / 25.0) * 25.0 - 20 AS k, sum(amount) FROM {D} "
    f"WHERE {LIVE} GROUP BY k ORDER BY k IS NULL, k",
)
case(
    "030_by_boolean",
    deals({"field": "big"}, measures=[*N, *TOTAL]),
    f"SELECT big, count(*), sum(amount) FROM {D} WHERE {LIVE} GROUP BY big ORDER BY big IS NULL, big",
)
case(
    "031_by_integer",
    deals({"field": "probability"}),
    f"SELECT probability, count(*) FROM {D} WHERE {LIVE} GROUP BY probability "
    "ORDER BY probability IS NULL, probability",
)
case(
    "032_by_owner",
    deals({"field": "owner_id"}, measures=TOTAL),
    f"SELECT owner_id, sum(amount), {OWNER_NAME} FROM {D} d WHERE d.{LIVE} "
    "GROUP BY owner_id ORDER BY owner_id IS NULL, owner_id",
)
case(
    "033_three_dimensions",
    deals({"field": "stage"}, {"field": "big"}, {"field": "closed_on", "grain": "year"}),
    sqlite=f"SELECT stage, big, {grain_s('closed_on', 'year', True)} AS y, count(*) FROM {D} "
    f"WHERE {LIVE} GROUP BY stage, big, y ORDER BY stage IS NULL, {stage_order()}, "
    "big IS NULL, big, y IS NULL, y",
    postgresql=f"SELECT stage, big, {grain_p('closed_on', 'year', True)} AS y, count(*) FROM {D} "
    f"WHERE {LIVE} GROUP BY stage, big, y ORDER BY stage IS NULL, {stage_order()}, "
    "big IS NULL, big, y IS NULL, y",
)

# -- filters and relative dates (now: 2025-06-15 02:30 in Shanghai) -------------------------
case(
    "034_filter_stage_in",
    deals({"field": "stage"}, filter={"in": [{"var": "stage"}, ["won", "lost"]]}),
    f"SELECT stage, count(*) FROM {D} WHERE {LIVE} AND stage IN ('won', 'lost') GROUP BY stage "
    f"ORDER BY stage IS NULL, {stage_order()}",
)
case(
    "035_filter_amount_and_tier",
    deals(
        {"field": "stage"},
        measures=TOTAL,
        filter={
            "and": [{">": [{"var": "amount"}, 10000]}, {"==": [{"var": "account.tier"}, "gold"]}]
        },
    ),
    f"SELECT d.stage, sum(d.amount) {JOIN} WHERE d.{LIVE} AND d.amount > 10000 "
    f"AND a.tier = 'gold' GROUP BY d.stage ORDER BY d.stage IS NULL, {stage_order('d.stage')}",
)
case(
    "036_filter_not_retail",
    deals(filter={"!=": [{"var": "account.industry"}, "retail"]}),
    f"SELECT count(*) {JOIN} WHERE d.{LIVE} AND (a.industry IS NULL OR a.industry <> 'retail')",
)
case(
    "037_created_this_month",
    deals({"field": "stage"}, date_ranges=[{"field": "created_at", "range": "this_month"}]),
    sqlite=f"SELECT stage, count(*) FROM {D} WHERE {LIVE} AND created_at >= '2025-05-31 16:00:00' "
    f"AND created_at < '2025-06-30 16:00:00' GROUP BY stage ORDER BY stage IS NULL, {stage_order()}",
    postgresql=f"SELECT stage, count(*) FROM {D} WHERE {LIVE} "
    "AND created_at >= '2025-06-01 00:00:00+08' AND created_at < '2025-07-01 00:00:00+08' "
    f"GROUP BY stage ORDER BY stage IS NULL, {stage_order()}",
)
case(
    "038_created_last_30_days",
    deals(
        date_ranges=[{"field": "created_at", "range": "last_n_days", "n": 30}],
        measures=[*N, *TOTAL],
    ),
    sqlite=f"SELECT count(*), sum(amount) FROM {D} WHERE {LIVE} "
    "AND created_at >= '2025-05-16 16:00:00' AND created_at < '2025-06-15 16:00:00'",
    postgresql=f"SELECT count(*), sum(amount) FROM {D} WHERE {LIVE} "
    "AND created_at >= '2025-05-17 00:00:00+08' AND created_at < '2025-06-16 00:00:00+08'",
)
case(
    "039_created_previous_30_days",
    deals(
        date_ranges=[{"field": "created_at", "range": "previous_n_days", "n": 30}],
        measures=[*N, *TOTAL],
    ),
    sqlite=f"SELECT count(*), sum(amount) FROM {D} WHERE {LIVE} "
    "AND created_at >= '2025-04-16 16:00:00' AND created_at < '2025-05-16 16:00:00'",
    postgresql=f"SELECT count(*), sum(amount) FROM {D} WHERE {LIVE} "
    "AND created_at >= '2025-04-17 00:00:00+08' AND created_at < '2025-05-17 00:00:00+08'",
)
case(
    "040_closed_previous_month",
    deals(
        {"field": "stage"},
        measures=TOTAL,
        date_ranges=[{"field": "closed_on", "range": "previous_month"}],
    ),
    f"SELECT stage, sum(amount) FROM {D} WHERE {LIVE} AND closed_on >= '2025-05-01' "
    f"AND closed_on < '2025-06-01' GROUP BY stage ORDER BY stage IS NULL, {stage_order()}",
)
case(
    "041_closed_this_year_by_month",
    deals(
        {"field": "closed_on", "grain": "month"},
        measures=TOTAL,
        date_ranges=[{"field": "closed_on", "range": "this_year"}],
    ),
    sqlite=f"SELECT {grain_s('closed_on', 'month', True)} AS k, sum(amount) FROM {D} "
    f"WHERE {LIVE} AND closed_on >= '2025-01-01' AND closed_on < '2026-01-01' "
    "GROUP BY k ORDER BY k IS NULL, k",
    postgresql=f"SELECT {grain_p('closed_on', 'month', True)} AS k, sum(amount) FROM {D} "
    f"WHERE {LIVE} AND closed_on >= '2025-01-01' AND closed_on < '2026-01-01' "
    "GROUP BY k ORDER BY k IS NULL, k",
)
case(
    "042_closed_between",
    deals(
        {"field": "stage"},
        date_ranges=[
            {"field": "closed_on", "range": "between", "from": "2024-03-01", "to": "2024-05-31"}
        ],
    ),
    f"SELECT stage, count(*) FROM {D} WHERE {LIVE} AND closed_on >= '2024-03-01' "
    f"AND closed_on < '2024-06-01' GROUP BY stage ORDER BY stage IS NULL, {stage_order()}",
)
case(
    "043_created_previous_quarter_by_week",
    deals(
        {"field": "created_at", "grain": "week"},
        date_ranges=[{"field": "created_at", "range": "previous_quarter"}],
    ),
    sqlite=f"SELECT {grain_s('created_at', 'week')} AS k, count(*) FROM {D} WHERE {LIVE} "
    "AND created_at >= '2024-12-31 16:00:00' AND created_at < '2025-03-31 16:00:00' "
    "GROUP BY k ORDER BY k IS NULL, k",
    postgresql=f"SELECT {grain_p('created_at', 'week')} AS k, count(*) FROM {D} WHERE {LIVE} "
    "AND created_at >= '2025-01-01 00:00:00+08' AND created_at < '2025-04-01 00:00:00+08' "
    "GROUP BY k ORDER BY k IS NULL, k",
)
case(
    "044_created_this_week",
    deals(date_ranges=[{"field": "created_at", "range": "this_week"}]),
    sqlite=f"SELECT count(*) FROM {D} WHERE {LIVE} "
    "AND created_at >= '2025-06-08 16:00:00' AND created_at < '2025-06-15 16:00:00'",
    postgresql=f"SELECT count(*) FROM {D} WHERE {LIVE} "
    "AND created_at >= '2025-06-09 00:00:00+08' AND created_at < '2025-06-16 00:00:00+08'",
)
case(
    "045_closed_previous_year",
    deals(
        {"field": "closed_on", "grain": "quarter"},
        date_ranges=[{"field": "closed_on", "range": "previous_year"}],
    ),
    sqlite=f"SELECT {grain_s('closed_on', 'quarter', True)} AS k, count(*) FROM {D} WHERE {LIVE} "
    "AND closed_on >= '2024-01-01' AND closed_on < '2025-01-01' GROUP BY k ORDER BY k IS NULL, k",
    postgresql=f"SELECT {grain_p('closed_on', 'quarter', True)} AS k, count(*) FROM {D} "
    f"WHERE {LIVE} AND closed_on >= '2024-01-01' AND closed_on < '2025-01-01' "
    "GROUP BY k ORDER BY k IS NULL, k",
)

# -- sort, top N, others --------------------------------------------------------------------
case(
    "046_sort_by_total_desc",
    deals({"field": "stage"}, measures=TOTAL, sort=[{"by": "total", "desc": True}]),
    f"SELECT stage, sum(amount) AS s FROM {D} WHERE {LIVE} GROUP BY stage "
    f"ORDER BY s IS NULL, s DESC, stage IS NULL, {stage_order()}",
)
case(
    "047_top_3_accounts",
    deals({"field": "account"}, measures=TOTAL, sort=[{"by": "total", "desc": True}], limit=3),
    f"SELECT account_id, sum(amount) AS s, {ACCOUNT_NAME} FROM {D} d WHERE d.{LIVE} "
    "GROUP BY account_id ORDER BY s IS NULL, s DESC, account_id IS NULL, account_id LIMIT 3",
)


def top_with_others(
    dim: str, measure: str, limit: int, dim_order: str, same: str, title: str = ""
) -> str:
    """The top ``limit`` values of ``dim`` and the others; ``title``: a column of ``t`` (one
    row per id, left-joined) shown for the top values."""
    shown = f", max(CASE WHEN r.rn <= {limit} THEN t.{title} END)" if title else ""
    titles = f"LEFT JOIN titles t ON t.id = d.{dim} " if title else ""
    return (
        f"WITH agg AS (SELECT {dim} AS k, {measure} AS v FROM {D} WHERE {LIVE} GROUP BY {dim}), "
        f"r AS (SELECT k, row_number() OVER (ORDER BY v IS NULL, v DESC, k IS NULL, {dim_order}) AS rn "
        f"FROM agg)"
        + (f", titles AS ({TITLES[title]})" if title else "")
        + f" SELECT CASE WHEN r.rn <= {limit} THEN d.{dim} END, {measure.replace('(', '(d.', 1) if measure != 'count(*)' else measure}, "
        f"CASE WHEN r.rn > {limit} THEN 1 ELSE 0 END AS o{shown} "
        f"FROM {D} d JOIN r ON {same} {titles}WHERE d.{LIVE} "
        f"GROUP BY CASE WHEN r.rn <= {limit} THEN d.{dim} END, CASE WHEN r.rn > {limit} THEN 1 ELSE 0 END "
        f"ORDER BY o, min(r.rn)"
    )


case(
    "048_top_2_stages_with_others",
    deals(
        {"field": "stage"},
        measures=TOTAL,
        sort=[{"by": "total", "desc": True}],
        limit=2,
        others=True,
    ),
    sqlite=top_with_others("stage", "sum(amount)", 2, order("k", STAGES), "d.stage IS r.k"),
    postgresql=top_with_others(
        "stage", "sum(amount)", 2, order("k", STAGES), "d.stage IS NOT DISTINCT FROM r.k"
    ),
)
case(
    "049_top_5_accounts_by_count_with_others",
    deals({"field": "account"}, limit=5, others=True, sort=[{"by": "n", "desc": True}]),
    sqlite=top_with_others("account_id", "count(*)", 5, "k", "d.account_id IS r.k", "name"),
    postgresql=top_with_others(
        "account_id", "count(*)", 5, "k", "d.account_id IS NOT DISTINCT FROM r.k", "name"
    ),
)
case(
    "082_stage_by_account_shows_account_names",
    deals({"field": "stage"}, {"field": "account"}),
    f"SELECT stage, account_id, count(*), {ACCOUNT_NAME} FROM {D} d WHERE d.{LIVE} "
    f"GROUP BY stage, account_id ORDER BY stage IS NULL, {stage_order()}, "
    "account_id IS NULL, account_id",
)
case(
    "083_top_2_owners_with_others_show_names",
    deals(
        {"field": "owner_id"},
        measures=TOTAL,
        sort=[{"by": "total", "desc": True}],
        limit=2,
        others=True,
    ),
    sqlite=top_with_others("owner_id", "sum(amount)", 2, "k", "d.owner_id IS r.k", "who"),
    postgresql=top_with_others(
        "owner_id", "sum(amount)", 2, "k", "d.owner_id IS NOT DISTINCT FROM r.k", "who"
    ),
)

# -- ratios, formulas, measure filters ------------------------------------------------------
WON = {"name": "won", "agg": "count", "filter": {"==": [{"var": "stage"}, "won"]}}
case(
    "050_win_rate_by_industry",
    deals(
        {"field": "account.industry"},
        measures=[*N, WON, {"name": "win_rate", "ratio": {"numerator": "won", "denominator": "n"}}],
    ),
    f"SELECT a.industry, count(*), count(CASE WHEN d.stage = 'won' THEN 1 END), "
    f"CAST(count(CASE WHEN d.stage = 'won' THEN 1 END) AS FLOAT) / count(*) {JOIN} "
    f"WHERE d.{LIVE} GROUP BY a.industry ORDER BY a.industry IS NULL, {order('a.industry', INDUSTRIES)}",
)
case(
    "051_formula_average_deal",
    deals({"field": "stage"}, measures=[*N, *TOTAL, {"name": "per_deal", "formula": "total / n"}]),
    f"SELECT stage, count(*), sum(amount), CAST(sum(amount) AS FLOAT) / count(*) FROM {D} "
    f"WHERE {LIVE} GROUP BY stage ORDER BY stage IS NULL, {stage_order()}",
)
case(
    "052_formula_with_if",
    deals(
        {"field": "stage"},
        measures=[*N, *TOTAL, {"name": "big_groups", "formula": "IF(n > 20, total, 0)"}],
    ),
    f"SELECT stage, count(*), sum(amount), CASE WHEN count(*) > 20 THEN sum(amount) ELSE 0 END "
    f"FROM {D} WHERE {LIVE} GROUP BY stage ORDER BY stage IS NULL, {stage_order()}",
)
case(
    "053_sum_with_measure_filter",
    deals(
        {"field": "stage"},
        measures=[
            *TOTAL,
            {
                "name": "big_total",
                "agg": "sum",
                "field": "amount",
                "filter": {"==": [{"var": "big"}, True]},
            },
        ],
    ),
    f"SELECT stage, sum(amount), sum(CASE WHEN big THEN amount END) FROM {D} WHERE {LIVE} "
    f"GROUP BY stage ORDER BY stage IS NULL, {stage_order()}",
)
case(
    "054_ratio_with_zero_denominator",
    deals(
        {"field": "stage"},
        measures=[
            {
                "name": "rich",
                "agg": "count",
                "filter": {">": [{"var": "account.revenue"}, 1000000000]},
            },
            *N,
            {"name": "share", "ratio": {"numerator": "n", "denominator": "rich"}},
        ],
    ),
    f"SELECT d.stage, count(CASE WHEN a.revenue > 1000000000 THEN 1 END), count(*), "
    f"CAST(count(*) AS FLOAT) / NULLIF(count(CASE WHEN a.revenue > 1000000000 THEN 1 END), 0) "
    f"{JOIN} WHERE d.{LIVE} GROUP BY d.stage ORDER BY d.stage IS NULL, {stage_order('d.stage')}",
)

# -- child entities (one-to-many, no double counting) ---------------------------------------
ACTS = {"name": "acts", "entity": "activity", "link": "deal"}


def with_acts(*dims: dict[str, Any], measures: list[dict[str, Any]], **rest: Any) -> dict[str, Any]:
    return {
        "dataset": {"entity": "deal", "children": [ACTS]},
        "dimensions": list(dims),
        "measures": measures,
        **rest,
    }


def per_deal(select: str, where: str = "") -> str:
    return (
        f"LEFT JOIN (SELECT deal_id, {select} FROM {ACT} WHERE {LIVE} AND deal_id IS NOT NULL "
        f"{where} GROUP BY deal_id) c ON c.deal_id = d.id"
    )


case(
    "055_activities_per_stage",
    with_acts({"field": "stage"}, measures=[*N, {"name": "acts", "agg": "count", "child": "acts"}]),
    f"SELECT d.stage, count(*), coalesce(sum(c.k), 0) FROM {D} d {per_deal('count(*) AS k')} "
    f"WHERE d.{LIVE} GROUP BY d.stage ORDER BY d.stage IS NULL, {stage_order('d.stage')}",
)
case(
    "056_deal_total_and_minutes_no_double",
    with_acts(
        {"field": "account.industry"},
        measures=[*TOTAL, {"name": "minutes", "agg": "sum", "child": "acts", "field": "minutes"}],
    ),
    f"SELECT a.industry, (SELECT sum(amount) FROM {D} x LEFT JOIN {A} y ON y.id = x.account_id "
    f"AND y.{LIVE} WHERE x.{LIVE} AND y.industry IS NOT DISTINCT FROM a.industry), "
    f"(SELECT sum(minutes) FROM {ACT} m JOIN {D} x ON x.id = m.deal_id AND x.{LIVE} "
    f"LEFT JOIN {A} y ON y.id = x.account_id AND y.{LIVE} WHERE m.{LIVE} "
    f"AND y.industry IS NOT DISTINCT FROM a.industry) "
    f"{JOIN} WHERE d.{LIVE} GROUP BY a.industry "
    f"ORDER BY a.industry IS NULL, {order('a.industry', INDUSTRIES)}",
)
case(
    "057_average_minutes_per_stage",
    with_acts(
        {"field": "stage"},
        measures=[{"name": "avg_minutes", "agg": "avg", "child": "acts", "field": "minutes"}],
    ),
    f"SELECT d.stage, (SELECT avg(m.minutes) FROM {ACT} m JOIN {D} x ON x.id = m.deal_id "
    f"WHERE m.{LIVE} AND x.{LIVE} AND x.stage IS NOT DISTINCT FROM d.stage) FROM {D} d "
    f"WHERE d.{LIVE} GROUP BY d.stage ORDER BY d.stage IS NULL, {stage_order('d.stage')}",
)
case(
    "058_min_max_minutes_per_stage",
    with_acts(
        {"field": "stage"},
        measures=[
            {"name": "shortest", "agg": "min", "child": "acts", "field": "minutes"},
            {"name": "longest", "agg": "max", "child": "acts", "field": "minutes"},
        ],
    ),
    f"SELECT d.stage, min(m.minutes), max(m.minutes) FROM {D} d LEFT JOIN {ACT} m "
    f"ON m.deal_id = d.id AND m.{LIVE} WHERE d.{LIVE} GROUP BY d.stage "
    f"ORDER BY d.stage IS NULL, {stage_order('d.stage')}",
)
case(
    "059_calls_per_stage_child_filter",
    {
        "dataset": {
            "entity": "deal",
            "children": [{**ACTS, "filter": {"==": [{"var": "kind"}, "call"]}}],
        },
        "dimensions": [{"field": "stage"}],
        "measures": [{"name": "calls", "agg": "count", "child": "acts"}],
    },
    f"SELECT d.stage, coalesce(sum(c.k), 0) FROM {D} d {per_deal('count(*) AS k', chr(32) + 'AND kind = ' + chr(39) + 'call' + chr(39))} "
    f"WHERE d.{LIVE} GROUP BY d.stage ORDER BY d.stage IS NULL, {stage_order('d.stage')}",
)
case(
    "060_meetings_measure_filter",
    with_acts(
        {"field": "big"},
        measures=[
            {"name": "acts", "agg": "count", "child": "acts"},
            {
                "name": "meeting_minutes",
                "agg": "sum",
                "child": "acts",
                "field": "minutes",
                "filter": {"==": [{"var": "kind"}, "meeting"]},
            },
        ],
    ),
    f"SELECT d.big, coalesce(sum(c.k), 0), sum(c.mm) FROM {D} d "
    f"{per_deal('count(*) AS k, sum(CASE WHEN kind = ' + chr(39) + 'meeting' + chr(39) + ' THEN minutes END) AS mm')} "
    f"WHERE d.{LIVE} GROUP BY d.big ORDER BY d.big IS NULL, d.big",
)

# -- other base entities --------------------------------------------------------------------
AJ = f"FROM {ACT} m LEFT JOIN {D} d ON d.id = m.deal_id AND d.{LIVE}"
case(
    "061_activities_by_deal_stage",
    {
        "dataset": {"entity": "activity"},
        "dimensions": [{"field": "deal.stage"}],
        "measures": [*N, {"name": "minutes", "agg": "sum", "field": "minutes"}],
    },
    f"SELECT d.stage, count(*), sum(m.minutes) {AJ} WHERE m.{LIVE} GROUP BY d.stage "
    f"ORDER BY d.stage IS NULL, {stage_order('d.stage')}",
)
case(
    "062_activities_two_hops",
    {
        "dataset": {"entity": "activity"},
        "dimensions": [{"field": "deal.account.industry"}, {"field": "kind"}],
        "measures": N,
    },
    f"SELECT a.industry, m.kind, count(*) {AJ} LEFT JOIN {A} a ON a.id = d.account_id AND a.{LIVE} "
    f"WHERE m.{LIVE} GROUP BY a.industry, m.kind ORDER BY a.industry IS NULL, "
    f"{order('a.industry', INDUSTRIES)}, m.kind IS NULL, {order('m.kind', KINDS)}",
)
case(
    "063_activities_by_month_in_shanghai",
    {
        "dataset": {"entity": "activity"},
        "dimensions": [{"field": "at", "grain": "month"}],
        "measures": N,
    },
    sqlite=f"SELECT {grain_s('at', 'month')} AS k, count(*) FROM {ACT} WHERE {LIVE} "
    "GROUP BY k ORDER BY k IS NULL, k",
    postgresql=f"SELECT {grain_p('at', 'month')} AS k, count(*) FROM {ACT} WHERE {LIVE} "
    "GROUP BY k ORDER BY k IS NULL, k",
)
case(
    "064_deals_per_active_account",
    {
        "dataset": {"entity": "activity"},
        "dimensions": [{"field": "kind"}],
        "measures": [{"name": "accounts", "agg": "count_distinct", "field": "deal.account"}],
    },
    f"SELECT m.kind, count(DISTINCT d.account_id) {AJ} WHERE m.{LIVE} GROUP BY m.kind "
    f"ORDER BY m.kind IS NULL, {order('m.kind', KINDS)}",
)
case(
    "065_accounts_with_deal_totals",
    {
        "dataset": {
            "entity": "account",
            "children": [{"name": "deals", "entity": "deal", "link": "account"}],
        },
        "dimensions": [{"field": "industry"}],
        "measures": [
            {"name": "revenue", "agg": "sum", "field": "revenue"},
            {"name": "deals", "agg": "count", "child": "deals"},
            {"name": "pipeline", "agg": "sum", "child": "deals", "field": "amount"},
        ],
    },
    f"SELECT a.industry, sum(a.revenue), coalesce(sum(c.n), 0), sum(c.s) FROM {A} a "
    f"LEFT JOIN (SELECT account_id, count(*) AS n, sum(amount) AS s FROM {D} WHERE {LIVE} "
    f"AND account_id IS NOT NULL GROUP BY account_id) c ON c.account_id = a.id "
    f"WHERE a.{LIVE} GROUP BY a.industry ORDER BY a.industry IS NULL, {order('a.industry', INDUSTRIES)}",
)
case(
    "066_accounts_founded_by_year_bins",
    {
        "dataset": {"entity": "account"},
        "dimensions": [{"field": "tier"}],
        "measures": [
            {"name": "oldest", "agg": "min", "field": "founded_on"},
            {"name": "n", "agg": "count"},
        ],
    },
    f"SELECT tier, min(founded_on), count(*) FROM {A} WHERE {LIVE} GROUP BY tier "
    f"ORDER BY tier IS NULL, {order('tier', TIERS)}",
)
case(
    "067_count_of_a_linked_field",
    deals(
        {"field": "stage"},
        measures=[{"name": "with_revenue", "agg": "count", "field": "account.revenue"}],
    ),
    f"SELECT d.stage, count(a.revenue) {JOIN} WHERE d.{LIVE} GROUP BY d.stage "
    f"ORDER BY d.stage IS NULL, {stage_order('d.stage')}",
)

# -- analytics: period comparison ----------------------------------------------------------


def _periods_s(column: str, current: tuple[str, str], other: tuple[str, str]) -> tuple[str, str]:
    return (
        f"{column} >= '{current[0]}' AND {column} < '{current[1]}'",
        f"{column} >= '{other[0]}' AND {column} < '{other[1]}'",
    )


def _kpi_compare(current: str, previous: str) -> str:
    return (
        "SELECT c.n, p.n, c.n - p.n, (c.n - p.n) * 1.0 / nullif(p.n, 0), "
        "c.t, p.t, c.t - p.t, (c.t - p.t) * 1.0 / nullif(p.t, 0) "
        f"FROM (SELECT count(*) AS n, sum(amount) AS t FROM {D} WHERE {LIVE} AND {current}) c, "
        f"(SELECT count(*) AS n, sum(amount) AS t FROM {D} WHERE {LIVE} AND {previous}) p"
    )


case(
    "068_compare_kpi_this_month_with_previous",
    deals(
        measures=[*N, *TOTAL],
        date_ranges=[{"field": "created_at", "range": "this_month"}],
        compare={"with": "previous_period"},
    ),
    sqlite=_kpi_compare(
        *_periods_s(
            "created_at",
            ("2025-05-31 16:00:00", "2025-06-30 16:00:00"),
            ("2025-04-30 16:00:00", "2025-05-31 16:00:00"),
        )
    ),
    postgresql=_kpi_compare(
        *_periods_s(
            "created_at",
            ("2025-06-01 00:00:00+08", "2025-07-01 00:00:00+08"),
            ("2025-05-01 00:00:00+08", "2025-06-01 00:00:00+08"),
        )
    ),
)
case(
    "069_compare_kpi_last_90_days_with_previous",
    deals(
        measures=[*N, *TOTAL],
        date_ranges=[{"field": "closed_on", "range": "last_n_days", "n": 90}],
        compare={"with": "previous_period"},
    ),
    _kpi_compare(
        *_periods_s("closed_on", ("2025-03-18", "2025-06-16"), ("2024-12-18", "2025-03-18"))
    ),
)


def _stage_compare(same: str, current: str, previous: str, both: str) -> str:
    part = f"FROM {D} WHERE {LIVE} AND"
    return (
        "SELECT k.stage, coalesce(c.n, 0), coalesce(p.n, 0), "
        "coalesce(c.n, 0) - coalesce(p.n, 0), "
        "(coalesce(c.n, 0) - coalesce(p.n, 0)) * 1.0 / nullif(coalesce(p.n, 0), 0), "
        "c.t, p.t, c.t - p.t, (c.t - p.t) * 1.0 / nullif(p.t, 0) "
        f"FROM (SELECT DISTINCT stage {part} {both}) k "
        f"LEFT JOIN (SELECT stage, count(*) AS n, sum(amount) AS t {part} {current} "
        f"GROUP BY stage) c ON c.stage {same} k.stage "
        f"LEFT JOIN (SELECT stage, count(*) AS n, sum(amount) AS t {part} {previous} "
        f"GROUP BY stage) p ON p.stage {same} k.stage "
        f"ORDER BY k.stage IS NULL, {stage_order('k.stage')}"
    )


case(
    "070_compare_stages_this_year_with_last_year",
    deals(
        {"field": "stage"},
        measures=[*N, *TOTAL],
        date_ranges=[{"field": "closed_on", "range": "this_year"}],
        compare={"with": "previous_year"},
    ),
    sqlite=_stage_compare(
        "IS",
        "closed_on >= '2025-01-01' AND closed_on < '2026-01-01'",
        "closed_on >= '2024-01-01' AND closed_on < '2025-01-01'",
        "closed_on >= '2024-01-01' AND closed_on < '2026-01-01'",
    ),
    postgresql=_stage_compare(
        "IS NOT DISTINCT FROM",
        "closed_on >= '2025-01-01' AND closed_on < '2026-01-01'",
        "closed_on >= '2024-01-01' AND closed_on < '2025-01-01'",
        "closed_on >= '2024-01-01' AND closed_on < '2026-01-01'",
    ),
)
case(
    "071_compare_second_range_previous_quarter_with_last_year",
    deals(
        {"field": "stage"},
        measures=[*N, *TOTAL],
        date_ranges=[
            {"field": "closed_on", "range": "between", "from": "2024-01-01", "to": "2025-12-31"},
            {"field": "closed_on", "range": "previous_quarter"},
        ],
        compare={"with": "previous_year", "range": 1},
    ),
    sqlite=_stage_compare(
        "IS",
        "closed_on >= '2025-01-01' AND closed_on < '2025-04-01'",
        "closed_on >= '2024-01-01' AND closed_on < '2024-04-01'",
        "(closed_on >= '2024-01-01' AND closed_on < '2024-04-01' "
        "OR closed_on >= '2025-01-01' AND closed_on < '2025-04-01')",
    ),
    postgresql=_stage_compare(
        "IS NOT DISTINCT FROM",
        "closed_on >= '2025-01-01' AND closed_on < '2025-04-01'",
        "closed_on >= '2024-01-01' AND closed_on < '2024-04-01'",
        "(closed_on >= '2024-01-01' AND closed_on < '2024-04-01' "
        "OR closed_on >= '2025-01-01' AND closed_on < '2025-04-01')",
    ),
)

# -- analytics: running totals and rolling windows -----------------------------------------


def _windowed(keys: str, group: str, value: str, window: str, order_by: str) -> str:
    """A window written as a correlated subquery over the grouped rows ``g``."""
    return (
        f"WITH g AS (SELECT {keys}, {value} AS v FROM {D} WHERE {LIVE} GROUP BY {group}) "
        f"SELECT g.*, (SELECT {window} FROM g g2 WHERE {{frame}}) FROM g ORDER BY {order_by}"
    )


_MONTH_S = grain_s("closed_on", "month", True)
_MONTH_P = grain_p("closed_on", "month", True)
case(
    "072_running_total_by_month",
    deals(
        {"field": "closed_on", "grain": "month"},
        measures=[*TOTAL, {"name": "cumulative", "running": {"of": "total"}}],
    ),
    sqlite=_windowed(f"{_MONTH_S} AS k", "k", "sum(amount)", "sum(g2.v)", "k IS NULL, k").format(
        frame="g2.k <= g.k"
    ),
    postgresql=_windowed(
        f"{_MONTH_P} AS k", "k", "sum(amount)", "sum(g2.v)", "g.k IS NULL, g.k"
    ).format(frame="g2.k::date <= g.k::date"),
)
case(
    "073_rolling_three_month_average_by_stage",
    deals(
        {"field": "closed_on", "grain": "month"},
        {"field": "stage"},
        measures=[*N, {"name": "avg_3", "rolling": {"of": "n", "periods": 3, "agg": "avg"}}],
    ),
    sqlite=_windowed(
        f"{_MONTH_S} AS k, stage AS s",
        "k, s",
        "count(*)",
        "avg(g2.v)",
        f"k IS NULL, k, s IS NULL, {order('s', STAGES)}",
    ).format(frame="g2.s IS g.s AND g2.k <= g.k AND g2.k > date(g.k, '-3 months')"),
    postgresql=_windowed(
        f"{_MONTH_P} AS k, stage AS s",
        "k, s",
        "count(*)",
        "avg(g2.v)",
        f"g.k IS NULL, g.k, g.s IS NULL, {order('g.s', STAGES)}",
    ).format(
        frame="g2.s IS NOT DISTINCT FROM g.s AND g2.k::date <= g.k::date "
        "AND g2.k::date > g.k::date - interval '3 months'"
    ),
)
case(
    "074_rolling_four_week_sum_and_running_count",
    deals(
        {"field": "created_at", "grain": "week"},
        measures=[
            *N,
            {"name": "four_weeks", "rolling": {"of": "n", "periods": 4}},
            {"name": "so_far", "running": {"of": "n"}},
        ],
    ),
    sqlite=(
        f"WITH g AS (SELECT {grain_s('created_at', 'week')} AS k, count(*) AS v FROM {D} "
        f"WHERE {LIVE} GROUP BY k) SELECT g.k, g.v, "
        "(SELECT sum(g2.v) FROM g g2 WHERE g2.k <= g.k AND g2.k > date(g.k, '-28 days')), "
        "(SELECT sum(g2.v) FROM g g2 WHERE g2.k <= g.k) FROM g ORDER BY k IS NULL, k"
    ),
    postgresql=(
        f"WITH g AS (SELECT {grain_p('created_at', 'week')} AS k, count(*) AS v FROM {D} "
        f"WHERE {LIVE} GROUP BY k) SELECT g.k, g.v, "
        "(SELECT sum(g2.v) FROM g g2 WHERE g2.k::date <= g.k::date "
        "AND g2.k::date > g.k::date - 28), "
        "(SELECT sum(g2.v) FROM g g2 WHERE g2.k::date <= g.k::date) FROM g "
        "ORDER BY g.k IS NULL, g.k"
    ),
)

# -- analytics: funnels from the field history ---------------------------------------------

_STEPS = ["lead", "qualified", "proposal", "won"]
_STEP_ROWS = " UNION ALL ".join(f"SELECT '{s}' AS step, {i} AS pos" for i, s in enumerate(_STEPS))


def _funnel(dialect: str, counted: str, where: str = "") -> str:
    """Reach events (history + current stage) of the live deals; per step the records whose
    furthest step is at least it (``counted`` over ``best``), with the conversions."""
    if dialect == "sqlite":
        value, initial = "json_extract(new_value, '$')", "json_extract(new_value, '$.stage')"
    else:
        value, initial = "(new_value #>> '{}')", "(new_value ->> 'stage')"
    history = "FROM jimu_record_history WHERE app = 'crm' AND entity = 'deal'"
    return (
        f"WITH ev AS (SELECT record_id AS rid, {value} AS v, changed_at AS at {history} "
        f"AND field = 'stage' UNION ALL SELECT record_id, {initial}, changed_at {history} "
        f"AND field = '*' UNION ALL SELECT id, stage, updated_at FROM {D} WHERE {LIVE}{where}), "
        f"live AS (SELECT ev.rid, {order('ev.v', _STEPS)} AS pos, ev.at FROM ev "
        f"JOIN {D} d ON d.id = ev.rid AND d.{LIVE}{where.replace(' AND ', ' AND d.')} "
        f"WHERE ev.v IN ({', '.join(repr(s) for s in _STEPS)})), "
        f"s AS ({_STEP_ROWS}), "
        f"c AS (SELECT s.step, s.pos, ({counted}) AS n FROM s) "
        "SELECT c.step, c.n, c.n * 1.0 / nullif(p.n, 0), c.n * 1.0 / nullif(f.n, 0) "
        "FROM c LEFT JOIN c p ON p.pos = c.pos - 1 JOIN c f ON f.pos = 0 ORDER BY c.pos"
    )


_FUNNEL = {"field": "stage", "steps": _STEPS}
_EVER = "SELECT count(*) FROM (SELECT rid, max(pos) AS top FROM live GROUP BY rid) b WHERE b.top >= s.pos"
case(
    "075_funnel_of_stages_from_history",
    deals(funnel=_FUNNEL, visual={"type": "funnel"}),
    sqlite=_funnel("sqlite", _EVER),
    postgresql=_funnel("postgresql", _EVER),
)
case(
    "076_funnel_of_big_deals",
    deals(
        funnel={**_FUNNEL, "steps": ["qualified", "proposal", "won"]},
        filter={"==": [{"var": "big"}, True]},
    ),
    sqlite=_funnel("sqlite", _EVER, " AND big = 1")
    .replace(
        _STEP_ROWS,
        " UNION ALL ".join(f"SELECT '{s}' AS step, {i} AS pos" for i, s in enumerate(_STEPS[1:])),
    )
    .replace(order("ev.v", _STEPS), order("ev.v", _STEPS[1:]))
    .replace(", ".join(repr(s) for s in _STEPS), ", ".join(repr(s) for s in _STEPS[1:])),
    postgresql=_funnel("postgresql", _EVER, " AND big")
    .replace(
        _STEP_ROWS,
        " UNION ALL ".join(f"SELECT '{s}' AS step, {i} AS pos" for i, s in enumerate(_STEPS[1:])),
    )
    .replace(order("ev.v", _STEPS), order("ev.v", _STEPS[1:]))
    .replace(", ".join(repr(s) for s in _STEPS), ", ".join(repr(s) for s in _STEPS[1:])),
)


_KIND_STEPS, _DEAL_STEPS = ["call", "email", "meeting"], ["proposal", "won"]


def _funnel_then(dialect: str) -> str:
    """Activities by kind, then the deal each belongs to by stage: an activity reaches a deal
    step when its (live) deal ever had that stage (its history or its current stage)."""
    if dialect == "sqlite":
        value = "json_extract(new_value, '$')"
        initial = "json_extract(new_value, '$.{0}')"
    else:
        value, initial = "(new_value #>> '{}')", "(new_value ->> '{0}')"
    history = "FROM jimu_record_history WHERE app = 'crm' AND entity = '{0}'"
    steps = _KIND_STEPS + _DEAL_STEPS
    rows = " UNION ALL ".join(f"SELECT '{s}' AS step, {i} AS pos" for i, s in enumerate(steps))
    deal_pos = (
        "CASE dev.v "
        + " ".join(f"WHEN '{s}' THEN {i + len(_KIND_STEPS)}" for i, s in enumerate(_DEAL_STEPS))
        + " END"
    )
    return (
        f"WITH ev AS (SELECT record_id AS rid, {value} AS v {history.format('activity')} "
        f"AND field = 'kind' UNION ALL SELECT record_id, {initial.format('kind')} "
        f"{history.format('activity')} AND field = '*' "
        f"UNION ALL SELECT id, kind FROM {ACT} WHERE {LIVE}), "
        f"dev AS (SELECT record_id AS did, {value} AS v {history.format('deal')} "
        f"AND field = 'stage' UNION ALL SELECT record_id, {initial.format('stage')} "
        f"{history.format('deal')} AND field = '*' UNION ALL SELECT id, stage FROM {D} "
        f"WHERE {LIVE}), "
        f"live AS (SELECT ev.rid, {order('ev.v', _KIND_STEPS)} AS pos FROM ev "
        f"JOIN {ACT} m ON m.id = ev.rid AND m.{LIVE} "
        f"WHERE ev.v IN ({', '.join(repr(s) for s in _KIND_STEPS)}) "
        f"UNION ALL SELECT m.id, {deal_pos} FROM {ACT} m "
        f"JOIN {D} d ON d.id = m.deal_id AND d.{LIVE} JOIN dev ON dev.did = d.id "
        f"WHERE m.{LIVE} AND dev.v IN ({', '.join(repr(s) for s in _DEAL_STEPS)})), "
        f"s AS ({rows}), "
        f"c AS (SELECT s.step, s.pos, ({_EVER}) AS n FROM s) "
        "SELECT c.step, c.n, c.n * 1.0 / nullif(p.n, 0), c.n * 1.0 / nullif(f.n, 0) "
        "FROM c LEFT JOIN c p ON p.pos = c.pos - 1 JOIN c f ON f.pos = 0 ORDER BY c.pos"
    )


case(
    "084_funnel_carried_on_to_the_linked_deal",
    {
        "dataset": {"entity": "activity"},
        "measures": N,
        "funnel": {
            "field": "kind",
            "steps": _KIND_STEPS,
            "then": {"link": "deal", "field": "stage", "steps": _DEAL_STEPS},
        },
        "visual": {"type": "funnel"},
    },
    sqlite=_funnel_then("sqlite"),
    postgresql=_funnel_then("postgresql"),
)


def _first_in(start: str, end: str) -> str:
    return (
        "SELECT count(*) FROM (SELECT rid, min(at) AS first FROM live WHERE live.pos >= s.pos "
        f"GROUP BY rid) x WHERE x.first >= '{start}' AND x.first < '{end}'"
    )


case(
    "077_funnel_reached_last_year",
    deals(funnel={**_FUNNEL, "reached": {"range": "previous_year"}}),
    sqlite=_funnel("sqlite", _first_in("2023-12-31 16:00:00", "2024-12-31 16:00:00")),
    postgresql=_funnel("postgresql", _first_in("2024-01-01 00:00:00+08", "2025-01-01 00:00:00+08")),
)

# -- analytics: cohort retention -----------------------------------------------------------


def _cohort(dialect: str, base: str, start: str, child: str, link: str, at: str, **how: Any) -> str:
    """Per cohort and offset: the cohort's records with an activity in the period ``k``
    periods after the cohort's own (EXISTS), its size, and the ratio."""
    grain, months, periods, now = how["grain"], how["months"], how["periods"], how["now"]
    key = grain_s if dialect == "sqlite" else grain_p
    if dialect == "sqlite":
        shifted = f"date(c.cohort, '+' || (o.k * {months}) || ' months')"
    else:
        shifted = f"(c.cohort::date + make_interval(months => o.k * {months}))::date::text"
    offsets = " UNION ALL ".join(f"SELECT {k} AS k" for k in range(periods + 1))
    return (
        f"WITH b AS (SELECT id, {key(start, grain)} AS cohort FROM {base} WHERE {LIVE}), "
        f"a AS (SELECT DISTINCT {link} AS pid, {key(at, grain)} AS ak FROM {child} "
        f"WHERE {LIVE} AND {link} IS NOT NULL), o AS ({offsets}), "
        "c AS (SELECT DISTINCT cohort FROM b WHERE cohort IS NOT NULL), "
        "r AS (SELECT c.cohort, o.k, (SELECT count(*) FROM b WHERE b.cohort = c.cohort AND "
        f"EXISTS (SELECT 1 FROM a WHERE a.pid = b.id AND a.ak = {shifted})) AS n, "
        "(SELECT count(*) FROM b WHERE b.cohort = c.cohort) AS size "
        f"FROM c CROSS JOIN o WHERE {shifted} <= '{now}') "
        "SELECT cohort, k, n, size, n * 1.0 / size FROM r ORDER BY cohort, k"
    )


_DEAL_COHORT = {
    "dataset": {
        "entity": "deal",
        "children": [{"name": "acts", "entity": "activity", "link": "deal"}],
    },
    "measures": [{"name": "deals", "agg": "count"}],
    "cohort": {
        "start": "created_at",
        "grain": "quarter",
        "activity": {"child": "acts", "at": "at"},
        "periods": 3,
    },
}
_QUARTERS = {"grain": "quarter", "months": 3, "periods": 3, "now": "2025-04-01"}
case(
    "078_cohort_of_deals_by_quarter_with_activities",
    _DEAL_COHORT,
    sqlite=_cohort("sqlite", D, "created_at", ACT, "deal_id", "at", **_QUARTERS),
    postgresql=_cohort("postgresql", D, "created_at", ACT, "deal_id", "at", **_QUARTERS),
)
_ACCOUNT_COHORT = {
    "dataset": {
        "entity": "account",
        "children": [{"name": "deals", "entity": "deal", "link": "account"}],
    },
    "measures": [{"name": "accounts", "agg": "count"}],
    "cohort": {
        "start": "created_at",
        "grain": "month",
        "activity": {"child": "deals", "at": "closed_on"},
        "periods": 6,
    },
}


def _account_cohort(dialect: str) -> str:
    key = grain_s if dialect == "sqlite" else grain_p
    sql = _cohort(
        dialect,
        A,
        "created_at",
        D,
        "account_id",
        "closed_on",
        grain="month",
        months=1,
        periods=6,
        now="2025-06-01",
    )
    # closed_on is a date: its month is read without a time zone
    return sql.replace(key("closed_on", "month"), key("closed_on", "month", True))


case(
    "079_cohort_of_accounts_by_month_with_closed_deals",
    _ACCOUNT_COHORT,
    sqlite=_account_cohort("sqlite"),
    postgresql=_account_cohort("postgresql"),
)

# -- analytics: multi-touch attribution ----------------------------------------------------


def _attribution(dialect: str, condition: str, half_life: str) -> str:
    """Touch positions, counts and the latest touch by correlated subqueries; the untouched
    deals' whole value on the empty row."""
    if dialect == "sqlite":
        age = "(julianday(last) - julianday(at))"
    else:
        age = "(extract(epoch from (last - at)) / 86400.0)"
    return (
        f"WITH r AS (SELECT id, amount AS v FROM {D} WHERE {LIVE} AND {condition} "
        "AND amount IS NOT NULL), "
        f"t AS (SELECT r.id AS rid, r.v, a.kind AS c, a.at, a.id AS tid FROM r JOIN {ACT} a "
        "ON a.deal_id = r.id AND a.deleted_at IS NULL AND a.at IS NOT NULL), "
        "x AS (SELECT t.*, (SELECT count(*) FROM t t2 WHERE t2.rid = t.rid AND (t2.at < t.at "
        "OR (t2.at = t.at AND t2.tid < t.tid))) + 1 AS pos, "
        "(SELECT count(*) FROM t t2 WHERE t2.rid = t.rid) AS cnt, "
        "(SELECT max(t2.at) FROM t t2 WHERE t2.rid = t.rid) AS last FROM t), "
        f"z AS (SELECT x.*, power(0.5, {age} / {half_life}) AS w FROM x), "
        "y AS (SELECT c, CASE WHEN pos = 1 THEN v ELSE 0 END AS f, "
        "CASE WHEN pos = cnt THEN v ELSE 0 END AS l, v * 1.0 / cnt AS lin, "
        "v * w / (SELECT sum(z2.w) FROM z z2 WHERE z2.rid = z.rid) AS d, "
        "v * CASE WHEN cnt = 1 THEN 1.0 WHEN cnt = 2 THEN 0.5 WHEN pos IN (1, cnt) THEN 0.4 "
        "ELSE 0.2 / (cnt - 2) END AS p FROM z "
        "UNION ALL SELECT NULL, v, v, v, v, v FROM r WHERE id NOT IN (SELECT rid FROM t)) "
        "SELECT c, sum(f), sum(l), sum(lin), sum(d), sum(p) FROM y GROUP BY c "
        f"ORDER BY c IS NULL, {order('c', KINDS)}"
    )


def _attributed(half_life: float, rule: dict[str, Any]) -> dict[str, Any]:
    return {
        "dataset": {"entity": "deal"},
        "measures": [{"name": "won", "agg": "sum", "field": "amount"}],
        "filter": rule,
        "attribution": {
            "touches": {"entity": "activity", "link": "deal", "at": "at", "credit": "kind"},
            "half_life_days": half_life,
        },
    }


case(
    "080_attribution_of_won_deals_to_activity_kinds",
    _attributed(7, {"==": [{"var": "stage"}, "won"]}),
    sqlite=_attribution("sqlite", "stage = 'won'", "7.0"),
    postgresql=_attribution("postgresql", "stage = 'won'", "7.0"),
)
case(
    "081_attribution_of_big_deals_with_a_month_half_life",
    _attributed(30, {"==": [{"var": "big"}, True]}),
    sqlite=_attribution("sqlite", "big = 1", "30.0"),
    postgresql=_attribution("postgresql", "big", "30.0"),
)
