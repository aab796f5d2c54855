"""Generated marketing data at scale for bench/reports_marketing.py (issue 13).

Rows go straight into the published marketing app's entity tables and the field history
(``jimu_record_history``), without the write path (loading speed is bench/records.py's
subject): SQLite takes tuples through the driver's ``executemany`` in big batches inside one
transaction, PostgreSQL takes them through ``COPY``. Two years of data end at ``now``:

- campaigns (one per 2,000 leads, at least 10) with types, channels, regions, start dates,
  costs, and their won amount (the rollup the "Marketing ROI" KPI reads);
- accounts (one per 10 opportunities) over regions and industries, each with a contact or
  more (one per 2 opportunities);
- leads: sources, regions, provinces (some spelt with 省, some abroad, a few missing),
  owners among the sample users 2..8 and 13, statuses reached along new → contacted →
  qualified → sales accepted → converted (or dropped), each step a ``status`` history row;
  a converted lead links to its opportunity;
- opportunities: stages (each step a ``stage`` history row), amounts, probabilities and the
  weighted amount, owners, accounts, contacts, campaigns, created after their account;
- activities (campaign touchpoints, half of them of a contact: attribution) and follow-ups
  (lead's last follow-up time kept), one per two leads each.
"""

from __future__ import annotations

import itertools
import json
import random
import uuid
from collections.abc import Sequence
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from typing import Any

import sqlalchemy as sa

APP = "marketing"
SOURCES = [
    ("website_form", 22),
    ("wechat", 16),
    ("baidu_sem", 14),
    ("trade_show", 8),
    ("webinar", 8),
    ("content_download", 9),
    ("email", 6),
    ("social_media", 5),
    ("referral", 4),
    ("partner", 3),
    ("cold_call", 2),
    ("offline_event", 2),
    ("other", 1),
]
REGIONS = [
    ("east", 30),
    ("north", 20),
    ("south", 20),
    ("southwest", 9),
    ("central", 9),
    ("northeast", 5),
    ("northwest", 4),
    ("international", 3),
]
PROVINCES = {
    "east": ["上海", "江苏省", "浙江", "浙江省", "山东省", "安徽省", "福建省"],
    "north": ["北京", "天津", "河北省", "山西省", "内蒙古自治区"],
    "south": ["广东", "广东省", "广西壮族自治区", "海南省"],
    "southwest": ["四川省", "重庆", "云南省", "贵州省"],
    "central": ["湖北省", "湖南省", "河南省", "江西省"],
    "northeast": ["辽宁省", "吉林省", "黑龙江省"],
    "northwest": ["陕西省", "甘肃省", "新疆维吾尔自治区", "宁夏回族自治区"],
    "international": ["Singapore", "California", "Bavaria"],
}
INDUSTRIES = [
    "manufacturing",
    "internet",
    "finance",
    "retail",
    "healthcare",
    "education",
    "real_estate",
    "energy",
    "logistics",
    "automotive",
    "professional_services",
    "public_sector",
]
CAMPAIGN_TYPES = [
    "conference",
    "trade_show",
    "seminar",
    "webinar",
    "sem",
    "social",
    "email",
    "content",
    "referral",
    "abm",
]
#: Where a lead's status path stops (weights), along the funnel; dropped leads leave it.
LEAD_ENDS = [
    ("new", 22),
    ("contacted", 20),
    ("qualified", 14),
    ("sales_accepted", 8),
    ("converted", 12),
    ("disqualified", 18),
    ("in_public_pool", 6),
]
LEAD_PATH = ["new", "contacted", "qualified", "sales_accepted", "converted"]
STAGES = ["prospecting", "needs_analysis", "proposal", "negotiation", "commitment"]
PROBABILITY = {"prospecting": 10, "needs_analysis": 20, "proposal": 40, "negotiation": 60}
PROBABILITY |= {"commitment": 80, "won": 100, "lost": 0}
STAGE_ENDS = [(s, w) for s, w in zip(STAGES, [14, 12, 10, 8, 6], strict=True)]
STAGE_ENDS += [("won", 25), ("lost", 25)]
#: Sales reps (the sample users 2..8 and 13); the admin and managers own a few campaigns.
REPS = [2, 3, 4, 5, 6, 7, 8, 13]
MARKETERS = [1, 9, 10]
ACTIVITY_TYPES = ["page_view", "form_submit", "download", "email_open", "email_click"]
ACTIVITY_TYPES += ["event_register", "webinar_attend", "wechat_follow"]
FOLLOW_UP_METHODS = ["call", "visit", "wechat", "email", "sms", "online_meeting"]
BATCH = 20_000


def _pick(rng: random.Random, weighted: Sequence[tuple[str, int]]) -> str:
    return rng.choices([v for v, _ in weighted], [w for _, w in weighted])[0]


class Writer:
    """Rows into one table: ``executemany`` batches (SQLite) or ``COPY`` (PostgreSQL)."""

    def __init__(self, conn: sa.Connection, table: str, columns: Sequence[str]) -> None:
        self.conn = conn
        self.table = table
        self.columns = list(columns)
        self.rows: list[tuple[Any, ...]] = []
        self.count = 0
        self.postgres = conn.dialect.name == "postgresql"

    def add(self, *row: Any) -> None:
        self.rows.append(row)
        if len(self.rows) >= BATCH:
            self.flush()

    def flush(self) -> None:
        if not self.rows:
            return
        cursor = self.conn.connection.driver_connection.cursor()  # type: ignore[union-attr]
        names = ", ".join(self.columns)
        if self.postgres:
            with cursor.copy(f"COPY {self.table} ({names}) FROM STDIN") as copy:
                for row in self.rows:
                    copy.write_row(row)
        else:
            marks = ", ".join("?" for _ in self.columns)
            rows = [tuple(_sqlite_value(v) for v in row) for row in self.rows]
            cursor.executemany(f"INSERT INTO {self.table} ({names}) VALUES ({marks})", rows)
        cursor.close()
        self.count += len(self.rows)
        self.rows = []


def _sqlite_value(value: Any) -> Any:
    """What SQLAlchemy stores on SQLite for a value of this type."""
    if isinstance(value, datetime):
        return value.astimezone(UTC).replace(tzinfo=None).isoformat(" ", "microseconds")
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, Decimal):
        return float(value)
    return value


META = ["created_at", "updated_at", "created_by", "updated_by", "owner_id", "version"]


def _meta(created: datetime, updated: datetime, owner: int) -> tuple[Any, ...]:
    return (created, updated, 1, 1, owner, 1)


def seed(
    engine: sa.Engine, leads: int, opportunities: int, now: datetime, seed: int = 13
) -> dict[str, int]:
    """Generate the data (see the module docstring); the rows written per table."""
    rng = random.Random(seed)
    start = now - timedelta(days=730)
    span = int((now - start).total_seconds())

    def moment(after: datetime | None = None) -> datetime:
        first = after or start
        room = max(int((now - first).total_seconds()), 1)
        return first + timedelta(seconds=rng.randint(0, room))

    counts: dict[str, int] = {}
    with engine.begin() as conn:
        # Campaigns first: leads and opportunities point at them, their won amount is summed.
        n_campaigns = max(leads // 2_000, 10)
        campaigns = []
        for i in range(1, n_campaigns + 1):
            started = start + timedelta(seconds=rng.randint(0, span))
            campaigns.append((i, started, rng.choice(CAMPAIGN_TYPES)))
        n_accounts = max(opportunities // 10, 10)
        account_created = [
            start + timedelta(seconds=rng.randint(0, span)) for _ in range(n_accounts)
        ]
        accounts = Writer(
            conn,
            "marketing_account",
            ["id", "name", "type", "tier", "industry", "region", "source", *META],
        )
        for i, created in enumerate(account_created, 1):
            accounts.add(
                i,
                f"Account {i}",
                rng.choice(["prospect", "customer", "partner"]),
                "standard",
                rng.choice(INDUSTRIES) if rng.random() > 0.03 else None,
                _pick(rng, REGIONS),
                _pick(rng, SOURCES),
                *_meta(created, created, rng.choice(REPS)),
            )
        accounts.flush()
        counts["account"] = accounts.count
        n_contacts = max(opportunities // 2, 10)
        contact_account = [rng.randint(1, n_accounts) for _ in range(n_contacts)]
        contacts = Writer(
            conn, "marketing_contact", ["id", "name", "account_id", "is_primary", *META]
        )
        for i, account in enumerate(contact_account, 1):
            created = account_created[account - 1]
            contacts.add(i, f"Contact {i}", account, False, *_meta(created, created, 1))
        contacts.flush()
        counts["contact"] = contacts.count
        contacts_of: dict[int, list[int]] = {}
        for i, account in enumerate(contact_account, 1):
            contacts_of.setdefault(account, []).append(i)

        history = Writer(
            conn,
            "jimu_record_history",
            [
                "app",
                "entity",
                "record_id",
                "version",
                "field",
                "old_value",
                "new_value",
                "actor_id",
                "source",
                "changed_at",
                "change_id",
            ],
        )

        def changes(entity: str, rid: int, field: str, path: list[str], at: datetime) -> datetime:
            """History rows of ``field`` going along ``path`` from ``at``; the last change's
            time."""
            for version, (old, new) in enumerate(itertools.pairwise(path), 2):
                at = min(at + timedelta(hours=rng.randint(2, 24 * 20)), now)
                history.add(
                    APP,
                    entity,
                    rid,
                    version,
                    field,
                    json.dumps(old),
                    json.dumps(new),
                    1,
                    "api",
                    at,
                    str(uuid.UUID(int=rng.getrandbits(128))),
                )
            return at

        # Opportunities drawn before the campaigns are written (these keep their won sum).
        won_of_campaign: dict[int, Decimal] = {}
        opportunity_rows = []
        for i in range(1, opportunities + 1):
            account = rng.randint(1, n_accounts)
            created = moment(account_created[account - 1])
            end = _pick(rng, STAGE_ENDS)
            path = STAGES[: STAGES.index(end) + 1] if end in STAGES else STAGES[: rng.randint(1, 5)]
            path = [*path, end] if end not in STAGES else path
            updated = changes("opportunity", i, "stage", path, created)
            amount = Decimal(rng.randint(50, 20_000)) * 100
            probability = Decimal(PROBABILITY[end])
            campaign = rng.randint(1, n_campaigns) if rng.random() < 0.6 else None
            if campaign is not None and end == "won":
                won_of_campaign[campaign] = won_of_campaign.get(campaign, Decimal(0)) + amount
            mates = contacts_of.get(account)
            opportunity_rows.append(
                (
                    i,
                    f"Opportunity {i}",
                    account,
                    rng.choice(mates) if mates and rng.random() < 0.9 else None,
                    campaign,
                    _pick(rng, SOURCES),
                    rng.choice(["new_business", "upsell", "renewal"]),
                    end,
                    probability,
                    amount,
                    (amount * probability / 100).quantize(Decimal("0.01")),
                    end in ("won", "lost"),
                    updated.date() if end in ("won", "lost") else None,
                    *_meta(created, updated, rng.choice(REPS)),
                )
            )

        writer = Writer(
            conn,
            "marketing_campaign",
            [
                "id",
                "name",
                "type",
                "channel",
                "status",
                "start_date",
                "end_date",
                "target_region",
                "budget",
                "actual_cost",
                "won_amount",
                *META,
            ],
        )
        for i, started, kind in campaigns:
            budget = Decimal(rng.randint(20, 2_000)) * 1000
            cost = (budget * Decimal(rng.randint(50, 130)) / 100).quantize(Decimal("0.01"))
            created = max(started - timedelta(days=rng.randint(0, 30)), start)
            writer.add(
                i,
                f"Campaign {i}",
                kind,
                _pick(rng, SOURCES),
                "completed" if started < now - timedelta(days=60) else "in_progress",
                started.date(),
                (started + timedelta(days=rng.randint(1, 60))).date(),
                _pick(rng, REGIONS) if rng.random() < 0.8 else None,
                budget,
                cost if rng.random() > 0.02 else None,
                won_of_campaign.get(i),
                *_meta(created, created, rng.choice(MARKETERS)),
            )
        writer.flush()
        counts["campaign"] = writer.count
        writer = Writer(
            conn,
            "marketing_opportunity",
            [
                "id",
                "name",
                "account_id",
                "contact_id",
                "campaign_id",
                "source",
                "type",
                "stage",
                "probability",
                "amount",
                "weighted_amount",
                "is_closed",
                "closed_on",
                *META,
            ],
        )
        for row in opportunity_rows:
            writer.add(*row)
        writer.flush()
        counts["opportunity"] = writer.count

        # Follow-ups and activities first drawn per lead (the lead keeps its last follow-up).
        n_follow_ups = leads // 2
        follow_lead = [rng.randint(1, leads) for _ in range(n_follow_ups)] if leads else []
        followed: dict[int, int] = {}
        for index, lead in enumerate(follow_lead):
            followed[lead] = index
        lead_created: list[datetime] = []
        converted = iter(range(1, opportunities + 1))
        writer = Writer(
            conn,
            "marketing_lead",
            [
                "id",
                "name",
                "company",
                "source",
                "campaign_id",
                "region",
                "province",
                "industry",
                "status",
                "score",
                "last_follow_up_at",
                "converted_at",
                "converted_opportunity_id",
                "privacy_consent",
                *META,
            ],
        )
        for i in range(1, leads + 1):
            created = moment()
            lead_created.append(created)
            end = _pick(rng, LEAD_ENDS)
            if end in LEAD_PATH:
                path = LEAD_PATH[: LEAD_PATH.index(end) + 1]
            else:
                path = [*LEAD_PATH[: rng.randint(1, 3)], end]
            updated = changes("lead", i, "status", path, created)
            opportunity = next(converted, None) if end == "converted" else None
            region = _pick(rng, REGIONS) if rng.random() > 0.02 else None
            province = rng.choice(PROVINCES[region]) if region and rng.random() > 0.05 else None
            writer.add(
                i,
                f"Lead {i}",
                f"Company {rng.randint(1, leads // 3 + 1)}",
                _pick(rng, SOURCES),
                rng.randint(1, n_campaigns) if rng.random() < 0.7 else None,
                region,
                province,
                rng.choice(INDUSTRIES),
                end,
                rng.randint(0, 100),
                updated if i in followed else None,
                updated if opportunity else None,
                opportunity,
                True,
                *_meta(created, updated, rng.choice(REPS)),
            )
        writer.flush()
        counts["lead"] = writer.count

        writer = Writer(
            conn,
            "marketing_follow_up",
            [
                "subject",
                "method",
                "followed_at",
                "lead_id",
                "result",
                "content",
                "duration_minutes",
                *META,
            ],
        )
        for lead in follow_lead:
            at = moment(lead_created[lead - 1])
            writer.add(
                "Follow-up",
                rng.choice(FOLLOW_UP_METHODS),
                at,
                lead,
                rng.choice(["connected", "no_answer", "interested"]),
                "-",
                rng.randint(1, 60) if rng.random() < 0.8 else None,
                *_meta(at, at, rng.choice(REPS)),
            )
        writer.flush()
        counts["follow_up"] = writer.count

        writer = Writer(
            conn,
            "marketing_activity",
            [
                "type",
                "occurred_at",
                "lead_id",
                "contact_id",
                "campaign_id",
                "channel",
                "duration_seconds",
                *META,
            ],
        )
        for _ in range(leads // 2):
            at = moment()
            writer.add(
                rng.choice(ACTIVITY_TYPES),
                at,
                rng.randint(1, leads),
                rng.randint(1, n_contacts) if rng.random() < 0.5 else None,
                rng.randint(1, n_campaigns) if rng.random() < 0.85 else None,
                _pick(rng, SOURCES),
                rng.randint(5, 600),
                *_meta(at, at, 1),
            )
        writer.flush()
        counts["activity"] = writer.count
        history.flush()
        counts["history"] = history.count
    _analyze(engine)
    return counts


def _analyze(engine: sa.Engine) -> None:
    """Statistics for the planner, and (PostgreSQL) the visibility map a bulk load lacks until
    autovacuum passes (index-only scans need it)."""
    if engine.dialect.name == "postgresql":
        with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
            conn.exec_driver_sql("VACUUM ANALYZE")
    else:
        with engine.begin() as conn:
            conn.exec_driver_sql("ANALYZE")
