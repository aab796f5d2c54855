"""Campaigns, content assets and the leads they bring in, moved through the lead funnel."""

from __future__ import annotations

from datetime import date, datetime, timedelta

import names as N
from catalog import (
    ANCHOR,
    CAMPAIGNS,
    CONTENT,
    CORE_PRODUCTS,
    MARKETING_OWNERS,
    ORGANIC,
    PRICE_LIST,
    SITE,
    TARGET,
    WINDOW_START,
    CampaignPlan,
)
from state import Record, WorldState
from timeline import business_time, clamp_time, later, money


class MarketingSteps(WorldState):
    """Campaigns and content first, then a year of leads and their progress."""

    def build_campaigns(self) -> None:
        for i, plan in enumerate(CAMPAIGNS):
            created = business_time(self.rng, plan.start - timedelta(days=self.rng.randint(20, 45)))
            created = clamp_time(max(created, WINDOW_START + timedelta(hours=2 + i)))
            if plan.end < ANCHOR.date():
                status = "completed"
            elif plan.start <= ANCHOR.date():
                status = "in_progress"
            else:
                status = "planned"
            source, medium, name = plan.utm
            self.add(
                "campaign",
                {
                    "name": plan.name,
                    "type": plan.type,
                    "channel": plan.channel,
                    "status": status,
                    "start_date": plan.start.isoformat(),
                    "end_date": plan.end.isoformat(),
                    "target_region": plan.region,
                    "target_industries": list(plan.industries) or None,
                    "budget": money(plan.budget),
                    "actual_cost": money(plan.cost),
                    "expected_leads": max(40, int(round(plan.leads * 1.1, -1)))
                    if plan.leads
                    else 300,
                    "utm_source": source,
                    "utm_medium": medium,
                    "utm_campaign": name,
                    "landing_page": f"{SITE}/lp/{name.replace('_', '-')}",
                    "description": plan.description,
                    "_plan": plan,
                    "created_at": created,
                    "updated_at": clamp_time(
                        business_time(self.rng, min(plan.end, date(2026, 10, 30)))
                    ),
                    "owner_id": MARKETING_OWNERS[i % 2],
                },
            )

    def build_content(self) -> None:
        campaigns = self.records["campaign"]
        for title, kind, lang, topics, campaign_index in CONTENT:
            campaign = None if campaign_index is None else campaigns[campaign_index]
            if campaign is not None:
                published = date.fromisoformat(campaign["start_date"])
                if kind == "webinar_recording":
                    published = date.fromisoformat(campaign["end_date"]) + timedelta(days=2)
            else:
                published = self.cal.pick(self.rng, end=date(2026, 9, 30))
            created = business_time(self.rng, published - timedelta(days=self.rng.randint(3, 20)))
            created = max(created, WINDOW_START + timedelta(hours=1))
            slug = f"asset-{len(self.records['content_asset']) + 1:02d}"
            self.add(
                "content_asset",
                {
                    "title": title,
                    "type": kind,
                    "status": "published",
                    "language": lang,
                    "topics": topics,
                    "industries": self._asset_industries(title),
                    "gated": kind
                    in ("whitepaper", "ebook", "industry_report", "webinar_recording"),
                    "published_on": published.isoformat(),
                    "url": f"{SITE}/resources/{slug}",
                    "campaign": campaign,
                    "summary": f"{title}。" if lang == "zh" else f"{title}.",
                    "_published": published,
                    "created_at": created,
                    "updated_at": business_time(self.rng, published),
                    "owner_id": MARKETING_OWNERS[0],
                },
            )

    @staticmethod
    def _asset_industries(title: str) -> list[str] | None:
        for word, industry in (
            ("制造", "manufacturing"),
            ("汽车", "automotive"),
            ("零售", "retail"),
            ("医疗", "healthcare"),
            ("Manufacturing", "manufacturing"),
            ("logistics", "logistics"),
        ):
            if word in title:
                return [industry]
        return None

    # -------------------------------------------------------------- leads
    def build_leads(self) -> None:
        campaigns = [c for c in self.records["campaign"] if c["_plan"].leads]
        planned = sum(c["_plan"].leads for c in campaigns)
        for campaign in campaigns:
            plan: CampaignPlan = campaign["_plan"]
            for _ in range(plan.leads):
                self._lead(plan.channel, plan.quality, campaign, self._campaign_day(plan))
        organic_pairs = [(source, spec[0]) for source, spec in ORGANIC.items()]
        for _ in range(TARGET["lead"] - planned):
            source = self.rng.weighted(organic_pairs)
            self._lead(source, ORGANIC[source][1], None, self.cal.pick(self.rng))

    def _campaign_day(self, plan: CampaignPlan) -> date:
        if (plan.end - plan.start).days <= 5:  # an event: registrations before, most on the day
            if self.rng.chance(0.7):
                days = (plan.end - plan.start).days
                return plan.start + timedelta(days=self.rng.randint(0, days))
            start = max(plan.start - timedelta(days=21), WINDOW_START.date())
            end = min(plan.end + timedelta(days=10), ANCHOR.date() - timedelta(days=1))
            return self.cal.pick(self.rng, start, end)
        end = min(plan.end + timedelta(days=14), ANCHOR.date() - timedelta(days=1))
        return self.cal.pick(self.rng, max(plan.start, WINDOW_START.date()), end)

    def _lead(self, source: str, quality: float, campaign: Record | None, day: date) -> None:
        rng = self.rng
        plan: CampaignPlan | None = campaign["_plan"] if campaign else None
        company = self.companies.new()
        if plan and plan.region:
            region = plan.region if rng.chance(0.75) else company.region
            if region != company.region:
                company.region, company.city = region, rng.weighted(N.CITIES[region])
        if plan and plan.industries and rng.chance(0.6):
            company.industry = rng.choice(plan.industries)
        person = self.people.any(company.region == "international")
        created = business_time(rng, day)
        lead: Record = {
            "name": person.name,
            "company": company.name,
            "job_title": self.people.job_title(person.english),
            "phone": self.people.mobile(company.city) if rng.chance(0.92) else None,
            "email": self.people.email(person, company.domain) if rng.chance(0.8) else None,
            "wechat": f"wx_{person.handle.replace('.', '_')}{rng.randrange(10, 99)}"
            if source in ("wechat", "offline_event", "trade_show") and rng.chance(0.5)
            else None,
            "source": source,
            "campaign": campaign,
            "region": company.region,
            "city": company.city,
            # the city's province as people write it (广东省); none for cities abroad
            "province": N.PROVINCES.get(company.city),
            "industry": company.industry if rng.chance(0.85) else None,
            "company_size": company.size if rng.chance(0.7) else None,
            "interests": self._interests(),
            "privacy_consent": source not in ("cold_call", "referral", "partner"),
            "_company": company,
            "_person": person,
            "_quality": quality,
            "created_at": created,
        }
        lead.update(self._utm(source, campaign))
        self.add("lead", lead)

    def _interests(self) -> list[str] | None:
        if not self.rng.chance(0.6):
            return None
        count = self.rng.weighted([(1, 6), (2, 3), (3, 1)])
        chosen: list[str] = []
        while len(chosen) < count:
            product = self.rng.weighted(CORE_PRODUCTS)
            if product not in chosen:
                chosen.append(product)
        order = list(PRICE_LIST)
        return sorted(chosen, key=order.index)

    def _utm(self, source: str, campaign: Record | None) -> Record:
        rng = self.rng
        if campaign is not None:
            name = campaign["utm_campaign"]
            utm: Record = {
                "utm_source": campaign["utm_source"],
                "utm_medium": campaign["utm_medium"],
                "utm_campaign": name,
                "landing_page": campaign["landing_page"],
            }
            if source == "baidu_sem":
                terms = N.SEM_INDUSTRY_TERMS if "industry" in name else N.SEM_TERMS
                utm["utm_term"] = rng.choice(terms)
                utm["utm_content"] = rng.choice(["ad_a", "ad_b", "ad_c", "sitelink"])
            elif source in ("wechat", "social_media"):
                utm["utm_content"] = rng.choice(["poster", "article", "menu", "moments_ad"])
            elif source == "email":
                utm["utm_content"] = f"issue_{rng.randint(1, 12):02d}"
            elif source in ("offline_event", "trade_show"):
                utm["utm_content"] = rng.choice(["badge_scan", "qr_booth", "qr_stage"])
            return utm
        spec = ORGANIC[source][2]
        if spec is None:
            return {}
        utm = {"utm_source": spec[0], "utm_medium": spec[1]}
        if source == "baidu_sem":
            utm["utm_campaign"] = "sem_always_on"
            utm["utm_term"] = rng.choice(N.SEM_TERMS)
        elif source == "partner":
            utm["utm_campaign"] = f"partner_{rng.randint(1, 9):02d}"
        path = {
            "website_form": "/trial",
            "content_download": "/resources",
            "wechat": "/wx/form",
            "social_media": "/contact",
            "baidu_sem": "/lp/trial",
            "partner": "/partners/lead",
        }[source]
        utm["landing_page"] = SITE + path
        return utm

    # -------------------------------------------------------------- lead funnel
    def progress_leads(self) -> None:
        for lead in self.records["lead"]:
            self._progress(lead)

    def _progress(self, lead: Record) -> None:
        rng = self.rng
        created: datetime = lead["created_at"]
        age = (ANCHOR - created).total_seconds() / 86400
        q = lead["_quality"]
        ramp = min(1.0, age / 45)
        lead["owner_id"] = self.owner_for(lead["region"])
        if age < 2:
            status = "contacted" if rng.chance(0.2) else "new"
        else:
            status = rng.weighted(
                [
                    ("converted", q * ramp),
                    ("sales_accepted", q * 1.1 * min(1.0, age / 20)),
                    ("qualified", q * 2.2 * min(1.0, age / 10)),
                    ("disqualified", 0.08),
                    ("in_public_pool", 0.05 if age > 7 else 0.0),
                    ("contacted", 0.27 * min(1.0, age / 4)),
                    ("new", 0.34 + (0.2 if age < 10 else 0.0)),
                ]
            )
        lead["status"] = status
        score_range = {
            "new": (5, 45),
            "contacted": (15, 60),
            "qualified": (50, 85),
            "sales_accepted": (60, 95),
            "converted": (65, 100),
            "disqualified": (0, 30),
            "in_public_pool": (10, 55),
        }[status]
        lead["score"] = int(rng.triangular(*score_range))
        if status == "new" and rng.chance(0.12):
            lead["owner_id"] = None  # not yet assigned
        if status == "disqualified":
            lead["disqualify_reason"] = rng.weighted(
                [
                    ("invalid_contact", 25),
                    ("no_need", 25),
                    ("no_budget", 15),
                    ("competitor", 5),
                    ("duplicate", 15),
                    ("job_seeker", 10),
                    ("unreachable", 5),
                ]
            )
        if status == "in_public_pool":
            lead["previous_owner"] = lead["owner_id"] or self.owner_for(lead["region"])
            lead["owner_id"] = None
            lead["pool_entered_at"] = clamp_time(later(rng, created, 48, 30 * 24))
        if status == "converted":
            lead["converted_at"] = clamp_time(later(rng, created, 3 * 24, min(60, age - 1) * 24))
