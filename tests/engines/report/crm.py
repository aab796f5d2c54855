"""A small CRM app (account ← deal ← activity) and deterministic seed data for the report
engine's golden and property tests."""

from __future__ import annotations

import itertools
import random
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from typing import Any

import sqlalchemy as sa

from jimu.engines.form.model import AppModel
from jimu.engines.form.registry import default_registry
from jimu.engines.form.tables import EntityTables, build_tables
from jimu.platform.models import RecordHistory, User


def _select(
    name: str, en: str, zh: str, options: list[tuple[str, str, str, str]]
) -> dict[str, Any]:
    return {
        "name": name,
        "type": "select",
        "label": {"en": en, "zh": zh},
        "options": [
            {"value": v, "label": {"en": le, "zh": lz}, "color": c} for v, le, lz, c in options
        ],
    }


ACCOUNT = {
    "kind": "entity",
    "name": "account",
    "label": {"en": "Account", "zh": "客户"},
    "fields": [
        {"name": "name", "type": "text", "label": {"en": "Name", "zh": "名称"}},
        _select(
            "industry",
            "Industry",
            "行业",
            [
                ("tech", "Technology", "科技", "#1677ff"),
                ("retail", "Retail", "零售", "#52c41a"),
                ("finance", "Finance", "金融", "#faad14"),
            ],
        ),
        _select(
            "tier",
            "Tier",
            "等级",
            [
                ("gold", "Gold", "金牌", "#faad14"),
                ("silver", "Silver", "银牌", "#8c8c8c"),
                ("bronze", "Bronze", "铜牌", "#d46b08"),
            ],
        ),
        {"name": "revenue", "type": "money", "label": {"en": "Revenue", "zh": "营收"}, "scale": 2},
        {"name": "founded_on", "type": "date", "label": {"en": "Founded", "zh": "成立日期"}},
    ],
}
DEAL = {
    "kind": "entity",
    "name": "deal",
    "label": {"en": "Deal", "zh": "商机"},
    "fields": [
        {"name": "name", "type": "text", "label": {"en": "Name", "zh": "名称"}},
        {
            "name": "account",
            "type": "link",
            "target": "account",
            "label": {"en": "Account", "zh": "客户"},
        },
        _select(
            "stage",
            "Stage",
            "阶段",
            [
                ("lead", "Lead", "线索", "#8c8c8c"),
                ("qualified", "Qualified", "已确认", "#13c2c2"),
                ("proposal", "Proposal", "方案", "#1677ff"),
                ("won", "Won", "赢单", "#52c41a"),
                ("lost", "Lost", "输单", "#f5222d"),
            ],
        ),
        {"name": "amount", "type": "money", "label": {"en": "Amount", "zh": "金额"}, "scale": 2},
        {
            "name": "probability",
            "type": "number",
            "integer": True,
            "label": {"en": "Probability", "zh": "概率"},
        },
        {"name": "score", "type": "number", "label": {"en": "Score", "zh": "评分"}},
        {"name": "closed_on", "type": "date", "label": {"en": "Closed on", "zh": "成交日期"}},
        {"name": "big", "type": "boolean", "label": {"en": "Big deal", "zh": "大单"}},
    ],
}
ACTIVITY = {
    "kind": "entity",
    "name": "activity",
    "label": {"en": "Activity", "zh": "活动"},
    "fields": [
        {"name": "deal", "type": "link", "target": "deal", "label": {"en": "Deal", "zh": "商机"}},
        _select(
            "kind",
            "Kind",
            "类型",
            [
                ("call", "Call", "电话", "#1677ff"),
                ("email", "Email", "邮件", "#52c41a"),
                ("meeting", "Meeting", "会议", "#faad14"),
            ],
        ),
        {
            "name": "minutes",
            "type": "number",
            "integer": True,
            "label": {"en": "Minutes", "zh": "分钟"},
        },
        {"name": "at", "type": "datetime", "label": {"en": "At", "zh": "时间"}},
    ],
}
APP = {"kind": "app", "name": "crm", "label": {"en": "CRM"}, "time_zone": "Asia/Shanghai"}
MODEL = AppModel.from_documents("crm", [ACCOUNT, DEAL, ACTIVITY], APP)
#: "Now" for every golden spec (a Saturday; 2025-06-15 02:30 in Shanghai).
NOW = datetime(2025, 6, 14, 18, 30, tzinfo=UTC)


def tables(metadata: sa.MetaData | None = None) -> dict[str, EntityTables]:
    return build_tables(MODEL, default_registry(), metadata)


def _moment(rng: random.Random) -> datetime:
    """A UTC moment in 2024–2025, often close to midnight in Shanghai (16:00 UTC)."""
    day = datetime(2024, 1, 1, tzinfo=UTC) + timedelta(days=rng.randrange(0, 540))
    minutes = rng.choice([15 * 60 + 59, 16 * 60, 16 * 60 + 1, rng.randrange(0, 24 * 60)])
    return day + timedelta(minutes=minutes, seconds=rng.randrange(0, 60))


def rows(
    seed: int = 7, deals: int = 160, accounts: int = 14, activities: int = 420
) -> dict[str, list[dict[str, Any]]]:
    """The seed rows by entity (column names as in the tables)."""
    rng = random.Random(seed)
    created = datetime(2024, 1, 1, tzinfo=UTC)

    def system(i: int) -> dict[str, Any]:
        at = _moment(rng)
        return {
            "id": i,
            "created_at": at,
            "updated_at": at,
            "created_by": 1,
            "updated_by": 1,
            "owner_id": rng.choice([1, 2, 3, 4, None]),
            "version": 1,
            "deleted_at": created if rng.random() < 0.05 else None,
        }

    result: dict[str, list[dict[str, Any]]] = {"account": [], "deal": [], "activity": []}
    for i in range(1, accounts + 1):
        result["account"].append(
            {
                **system(i),
                "name": f"Account {i}",
                "industry": rng.choice(["tech", "retail", "finance", None]),
                "tier": rng.choice(["gold", "silver", "bronze", "silver"]),
                "revenue": None
                if rng.random() < 0.1
                else Decimal(rng.randrange(10_000, 9_000_000)) / 100,
                "founded_on": date(1990, 1, 1) + timedelta(days=rng.randrange(0, 12000)),
            }
        )
    for i in range(1, deals + 1):
        closed = (
            date(2024, 1, 1) + timedelta(days=rng.randrange(0, 540)) if rng.random() < 0.8 else None
        )
        result["deal"].append(
            {
                **system(i),
                "name": f"Deal {i}",
                "account_id": rng.randrange(1, accounts + 1) if rng.random() < 0.9 else None,
                "stage": rng.choice(["lead", "qualified", "proposal", "won", "won", "lost", None]),
                "amount": None
                if rng.random() < 0.08
                else Decimal(rng.randrange(0, 5_000_000)) / 100,
                "probability": rng.choice([0, 10, 25, 50, 75, 90, 100, None]),
                "score": None if rng.random() < 0.1 else round(rng.uniform(-20, 120), 2),
                "closed_on": closed,
                "big": rng.choice([True, False, None]),
            }
        )
    for i in range(1, activities + 1):
        result["activity"].append(
            {
                **system(i),
                "deal_id": rng.randrange(1, deals + 1) if rng.random() < 0.95 else None,
                "kind": rng.choice(["call", "email", "meeting", None]),
                "minutes": rng.choice([None, *range(1, 120)]),
                "at": _moment(rng),
            }
        )
    return result


#: The platform's field history table (the report engine reads it for funnels).
HISTORY: sa.Table = RecordHistory.__table__  # type: ignore[assignment]
#: The platform's users table: owner dimensions show the owners' names.
USERS: sa.Table = User.__table__  # type: ignore[assignment]
#: The deals' owners (1–4); the third has no display name, so charts show the username.
PEOPLE = [(1, "wang", "王芳"), (2, "li", "Li Lei"), (3, "chen", ""), (4, "zhao", "赵敏")]
#: The stages a deal moves through, in order (``lost`` can follow any of the first three).
PATH = ["lead", "qualified", "proposal", "won"]


def history_rows(deals: list[dict[str, Any]], seed: int = 11) -> list[dict[str, Any]]:
    """Stage history consistent with the deals' current stage: a create row ``*`` with the
    first stage, then one row per change (some deals skip stages, some go back a step, some
    have no history at all, as if imported before it was kept)."""
    rng = random.Random(seed)
    result: list[dict[str, Any]] = []

    def row(
        deal: dict[str, Any], version: int, field: str, old: Any, new: Any, at: datetime
    ) -> None:
        result.append(
            {
                "app": "crm",
                "entity": "deal",
                "record_id": deal["id"],
                "version": version,
                "field": field,
                "old_value": old,
                "new_value": new,
                "actor_id": 1,
                "source": "ui",
                "changed_at": at,
                "change_id": f"c-{deal['id']}-{version}",
            }
        )

    for deal in deals:
        if rng.random() < 0.15:
            continue  # no history: only the current stage is known
        final = deal["stage"]
        # lost or empty: went part of the way first
        top = PATH.index(final) if final in PATH else rng.randrange(0, 3)
        visited = [s for i, s in enumerate(PATH[: top + 1]) if i in (0, top) or rng.random() < 0.7]
        if rng.random() < 0.15 and len(visited) > 1:
            visited.insert(-1, visited[-1])  # reached the last step, stepped back, came again
            visited.insert(-1, visited[-3])
        if final not in PATH:
            visited.append(final)
        at: datetime = deal["created_at"]
        row(deal, 1, "*", None, {"name": deal["name"], "stage": visited[0]}, at)
        for version, (old, new) in enumerate(itertools.pairwise(visited), start=2):
            at = at + timedelta(days=rng.randrange(1, 40), minutes=rng.randrange(0, 1440))
            row(deal, version, "stage", old, new, at)
        deal["updated_at"] = at  # the record's last write is its last change
    return result


def seed(engine: sa.Engine, **sizes: Any) -> dict[str, EntityTables]:
    """Creates the tables on ``engine`` and inserts the seed rows (the stage history too)."""
    metadata = sa.MetaData()
    built = tables(metadata)
    metadata.create_all(engine)
    HISTORY.create(engine, checkfirst=True)
    USERS.create(engine, checkfirst=True)
    data = rows(**sizes)
    with engine.begin() as conn:
        conn.execute(USERS.delete())
        conn.execute(
            USERS.insert(),
            [
                {"id": i, "username": u, "display_name": d, "password_hash": "-"}
                for i, u, d in PEOPLE
            ],
        )
        history = history_rows(data["deal"])
        for name in ("account", "deal", "activity"):
            conn.execute(built[name].table.insert(), data[name])
        conn.execute(HISTORY.insert(), history)
        if engine.dialect.name == "postgresql":
            for name in ("account", "deal", "activity"):
                table = built[name].table.name
                conn.execute(
                    sa.text(f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), 100000)")
                )
    return built
