"""The marketing app's reports (examples/marketing/reports/) on its sample data, loaded
through the write path, against the same figures worked out in Python from the samples."""

from __future__ import annotations

import itertools
from collections import Counter, defaultdict
from collections.abc import Iterator
from datetime import UTC, datetime
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa

from jimu.engines.report import Target, compile_report, shape_rows, time_zone_of
from jimu.metadata.folder import read_folder, read_samples
from jimu.platform.models import RecordHistory

MARKETING = Path(__file__).resolve().parents[2] / "examples" / "marketing"


@pytest.fixture
def loaded(db_url: str) -> Iterator[tuple[Any, sa.Engine, dict[str, list[dict[str, Any]]]]]:
    from test_marketing_app_runtime import add_demo_users, context, load_order, marketing_model

    from jimu.platform.db import create_engine
    from jimu.platform.models import Base
    from jimu.platform.records import Records

    engine = create_engine(db_url)
    Base.metadata.create_all(engine)
    add_demo_users(engine)
    service = Records(marketing_model())
    service.runtime.metadata.create_all(engine)
    samples = read_samples(MARKETING)
    with engine.begin() as conn:
        for entity in load_order():
            rows = samples[entity]
            for start in range(0, len(rows), 500):
                service.bulk_create(conn, entity, rows[start : start + 500], context())
    try:
        yield service, engine, samples
    finally:
        engine.dispose()


def reports() -> dict[str, dict[str, Any]]:
    folder = read_folder(MARKETING)
    return {d["name"]: d for d in folder.documents if d["kind"] == "report"}


def run(service: Any, engine: sa.Engine, spec: dict[str, Any]) -> list[dict[str, Any]]:
    runtime = service.runtime
    target = Target(
        runtime.model,
        {name: rt.tables for name, rt in runtime.entities.items()},
        engine.dialect.name,
        time_zone_of(runtime.model.spec),
        datetime(2026, 6, 1, tzinfo=UTC),
        history=RecordHistory.__table__,  # type: ignore[arg-type]
    )
    compiled = compile_report(spec, target)
    with engine.connect() as conn:
        return shape_rows(compiled.columns, conn.execute(compiled.statement))


def money(value: Any) -> Decimal:
    return Decimal(str(value or 0)).quantize(Decimal("0.01"))


def test_every_marketing_report_runs_and_agrees_with_the_samples(loaded: Any) -> None:
    service, engine, samples = loaded
    specs = reports()
    assert set(specs) >= {
        "pipeline_by_stage",
        "leads_by_month_and_source",
        "campaign_roi",
        "win_rate_by_industry",
        "leads_by_region",
    }
    opportunities, leads, campaigns = samples["opportunity"], samples["lead"], samples["campaign"]

    pipeline = run(service, engine, specs["pipeline_by_stage"])
    assert {r["stage"]: r["deals"] for r in pipeline} == Counter(o["stage"] for o in opportunities)
    amounts: dict[str, Decimal] = defaultdict(Decimal)
    for o in opportunities:
        amounts[o["stage"]] += money(o["amount"])
    assert {r["stage"]: money(r["amount"]) for r in pipeline} == amounts

    by_month = run(service, engine, specs["leads_by_month_and_source"])
    assert sum(r["leads"] for r in by_month) == len(leads)
    months = Counter(lead["created_at"][:7] + "-01" for lead in leads)
    found: Counter[str] = Counter()
    for r in by_month:
        found[r["month"]] += r["leads"]
    assert found == months  # the app's zone is UTC: the month of the UTC time

    roi = run(service, engine, specs["campaign_roi"])
    type_of = {c["id"]: c["type"] for c in campaigns}
    leads_per_type = Counter(type_of[lead["campaign"]] for lead in leads if lead.get("campaign"))
    assert {r["type"]: r["leads"] for r in roi} == {
        t: leads_per_type.get(t, 0) for t in {r["type"] for r in roi}
    }
    won: dict[str, Decimal] = defaultdict(Decimal)
    for o in opportunities:
        if o.get("campaign") and o["stage"] == "won":
            won[type_of[o["campaign"]]] += money(o["amount"])
    for r in roi:
        assert money(r["won"]) == won.get(r["type"], Decimal(0))
    ratios = [r["roi"] for r in roi if r["roi"] is not None]
    assert ratios == sorted(ratios, reverse=True)

    rates = run(service, engine, specs["win_rate_by_industry"])
    industry = {a["id"]: a.get("industry") for a in samples["account"]}
    closed = Counter(
        industry.get(o.get("account")) for o in opportunities if o["stage"] in ("won", "lost")
    )
    assert {r["industry"]: r["closed"] for r in rates} == {
        k: closed.get(k, 0) for k in {r["industry"] for r in rates}
    }

    regions = run(service, engine, specs["leads_by_region"])
    assert sum(r["leads"] for r in regions) == len(leads)
    assert len(regions) <= 6 and regions[-1]["others"] is (len(regions) == 6)


def test_the_analytics_reports_agree_with_the_samples(loaded: Any) -> None:
    service, engine, samples = loaded
    specs = reports()
    leads, accounts = samples["lead"], samples["account"]

    funnel = run(service, engine, specs["lead_funnel"])
    steps = ["new", "contacted", "qualified", "sales_accepted", "converted"]
    reached = [
        sum(1 for lead in leads if lead["status"] in steps and steps.index(lead["status"]) >= i)
        for i in range(len(steps))
    ]
    assert [r["status"] for r in funnel] == steps
    assert [r["leads"] for r in funnel] == reached
    assert funnel[0]["leads_conversion"] is None
    for before, row in itertools.pairwise(funnel):
        assert row["leads_conversion"] == pytest.approx(row["leads"] / before["leads"])
        assert row["leads_overall"] == pytest.approx(row["leads"] / funnel[0]["leads"])

    # MQL -> SQL -> opportunity -> won: the last step from the converted opportunity's stage
    marketing = run(service, engine, specs["marketing_funnel"])
    stage_of = {o["id"]: o["stage"] for o in samples["opportunity"]}
    lead_steps = ["qualified", "sales_accepted", "converted"]

    def furthest(lead: dict[str, Any]) -> int:
        if stage_of.get(lead.get("converted_opportunity")) == "won":
            return len(lead_steps)
        status = lead["status"]
        return lead_steps.index(status) if status in lead_steps else -1

    tops = [furthest(lead) for lead in leads]
    expected = [sum(1 for top in tops if top >= i) for i in range(len(lead_steps) + 1)]
    assert [r["status"] for r in marketing] == [*lead_steps, "won"]
    assert [r["leads"] for r in marketing] == expected
    assert 0 < expected[-1] < expected[-2]  # some converted leads were won, not all
    assert marketing[-1]["leads_conversion"] == pytest.approx(expected[-1] / expected[-2])
    assert marketing[-1]["leads_overall"] == pytest.approx(expected[-1] / expected[0])

    # leads by province, for the map: the samples' province of each lead's city
    by_province = run(service, engine, specs["leads_by_province"])
    assert {r["province"]: r["leads"] for r in by_province} == Counter(
        lead.get("province") for lead in leads
    )
    assert {"广东省", "北京市", "新疆维吾尔自治区"} <= {r["province"] for r in by_province}

    kpi = run(service, engine, specs["new_leads_this_month"])
    june = sum(1 for lead in leads if lead["created_at"].startswith("2026-06"))
    may = sum(1 for lead in leads if lead["created_at"].startswith("2026-05"))
    assert (kpi[0]["leads"], kpi[0]["leads_previous"]) == (june, may)
    assert kpi[0]["leads_change"] == june - may
    assert kpi[0]["leads_change_pct"] == pytest.approx((june - may) / may)

    retention = run(service, engine, specs["account_retention"])

    def month_number(text: str) -> int:
        return int(text[:4]) * 12 + int(text[5:7]) - 1

    cohort_of = {a["id"]: month_number(a["created_at"]) for a in accounts}
    active = {
        (o["account"], month_number(o["created_at"]))
        for o in samples["opportunity"]
        if o.get("account") and o.get("created_at")
    }
    now = month_number("2026-06")
    expected = []
    for cohort in sorted(set(cohort_of.values())):
        members = [a for a, c in cohort_of.items() if c == cohort]
        for k in range(0, 7):
            if cohort + k > now:
                break
            hits = sum(1 for a in members if (a, cohort + k) in active)
            expected.append((cohort, k, hits, len(members)))
    found = [
        (month_number(r["cohort"]), r["period"], r["accounts"], r["accounts_cohort_size"])
        for r in retention
    ]
    assert found == expected
    assert any(r["accounts"] for r in retention if r["period"] > 0)


def test_campaign_attribution_shares_out_exactly_the_won_revenue(loaded: Any) -> None:
    service, engine, samples = loaded
    rows = run(service, engine, reports()["campaign_attribution"])
    won = sum(money(o["amount"]) for o in samples["opportunity"] if o["stage"] == "won")
    models = ["first_touch", "last_touch", "linear", "time_decay", "position_based"]
    for model in models:
        total = sum(Decimal(str(r[f"won_{model}"] or 0)) for r in rows)
        assert abs(total - won) < Decimal("0.01"), model
    credited = [r for r in rows if r["campaign"] is not None]
    assert credited, "the samples' contacts have campaign touchpoints"
    # first touch: each won deal's whole amount to the campaign of its contact's earliest touch
    touches: dict[Any, list[tuple[str, int, Any]]] = defaultdict(list)
    for a in samples["activity"]:
        if a.get("contact") and a.get("occurred_at"):
            touches[a["contact"]].append((a["occurred_at"], a["id"], a.get("campaign")))
    first: dict[Any, Decimal] = defaultdict(Decimal)
    for o in samples["opportunity"]:
        if o["stage"] != "won" or o.get("amount") is None:
            continue
        mine = sorted(touches.get(o.get("contact"), []))
        first[mine[0][2] if mine else None] += money(o["amount"])
    assert {r["campaign"]: money(r["won_first_touch"]) for r in rows} == {
        k: v for k, v in first.items() if v
    } | {r["campaign"]: money(r["won_first_touch"]) for r in rows if not r["won_first_touch"]}
