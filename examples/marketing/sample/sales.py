"""Conversion into accounts, contacts and opportunities; the pipeline; contracts; service."""

from __future__ import annotations

import math
from datetime import date, datetime, timedelta
from decimal import Decimal

import names as N
from catalog import (
    ANCHOR,
    CORE_PRODUCTS,
    PRICE_LIST,
    PRODUCT_LABELS,
    SERVICE_AGENTS,
    SIZE_SCALE,
    STAGE_PROBABILITY,
    TARGET,
)
from people import Company, Person
from state import Record, WorldState
from timeline import business_time, clamp_time, later, money, percent


class SalesSteps(WorldState):
    """From converted leads to accounts, opportunities, contracts and tickets."""

    def convert_leads(self) -> None:
        """Converted leads become (or join) accounts, contacts and opportunities."""
        for lead in sorted(self.records["lead"], key=lambda r: r["created_at"]):
            if lead["status"] != "converted":
                continue
            at: datetime = lead["converted_at"]
            existing = [a for a in self.records["account"] if a["created_at"] < at]
            if existing and self.rng.chance(0.12):
                account = self.rng.choice(existing)
                lead["company"] = account["name"]
                lead["region"], lead["city"] = account["region"], account["city"]
                lead["owner_id"] = account["owner_id"]  # the account's rep, of its region
            else:
                account = self._account(lead["_company"], lead["source"], at, lead["owner_id"])
            contact = self._contact(account, at, lead["_person"], lead)
            opportunity = self._opportunity(
                account, contact, at, lead["source"], lead["campaign"], lead.get("interests")
            )
            lead["converted_account"] = account
            lead["converted_contact"] = contact
            lead["converted_opportunity"] = opportunity

    def _account(self, company: Company, source: str, at: datetime, owner: int | None) -> Record:
        rng = self.rng
        location = None
        if company.city in N.PROVINCES:
            location = {"province": N.PROVINCES[company.city], "city": f"{company.city}市"}
        phone = None
        if rng.chance(0.7):
            phone = (
                self.people.mobile(company.city)
                if company.region == "international"
                else self.people.switchboard(company.city)
            )
        revenue = {"1_49": 8, "50_199": 40, "200_999": 220, "1000_4999": 1_200, "5000_plus": 6_000}[
            company.size
        ] * rng.uniform(0.5, 1.8)
        return self.add(
            "account",
            {
                "name": company.name,
                "short_name": company.short,
                "type": "prospect",
                "tier": "standard",
                "industry": company.industry,
                "company_size": company.size,
                "annual_revenue": money(round(revenue, 1) * 1_000_000) if rng.chance(0.6) else None,
                "region": company.region,
                "city": company.city,
                "location": location,
                "address": None,
                "website": f"https://www.{company.domain}",
                "phone": phone,
                "source": source,
                "_company": company,
                "created_at": at,
                "owner_id": owner or self.owner_for(company.region),
            },
        )

    def _contact(
        self,
        account: Record,
        at: datetime,
        person: Person | None = None,
        lead: Record | None = None,
    ) -> Record:
        rng = self.rng
        company: Company = account["_company"]
        if person is None:
            person = self.people.any(company.region == "international")
        siblings = [c for c in self.records["contact"] if c["account"] is account]
        title = lead["job_title"] if lead else self.people.job_title(person.english)
        return self.add(
            "contact",
            {
                "name": person.name,
                "account": account,
                "job_title": title,
                "department": department_of(title),
                "role": rng.weighted(
                    [
                        ("decision_maker", 15),
                        ("influencer", 25),
                        ("champion", 15),
                        ("user", 30),
                        ("procurement", 8),
                        ("gatekeeper", 7),
                    ]
                ),
                "mobile": (lead or {}).get("phone") or self.people.mobile(company.city),
                "email": (lead or {}).get("email") or self.people.email(person, company.domain),
                "wechat": (lead or {}).get("wechat"),
                "is_primary": not siblings,
                "preferred_language": "en" if person.english else "zh",
                "email_opt_in": rng.chance(0.8),
                "created_at": at,
                "owner_id": account["owner_id"],
            },
        )

    def build_direct_accounts(self) -> None:
        """Accounts sales found themselves (cold calls, referrals, partners), with contacts."""
        while len(self.records["account"]) < TARGET["account"]:
            company = self.companies.new()
            source = self.rng.weighted(
                [
                    ("cold_call", 35),
                    ("referral", 20),
                    ("partner", 20),
                    ("trade_show", 10),
                    ("offline_event", 8),
                    ("other", 7),
                ]
            )
            at = business_time(self.rng, self.cal.pick(self.rng, end=date(2026, 10, 25)))
            account = self._account(company, source, at, None)
            self._contact(account, at)
        accounts = self.records["account"]
        while len(self.records["contact"]) < TARGET["contact"]:
            account = self.rng.choices(
                accounts, weights=[SIZE_SCALE[a["company_size"]] for a in accounts]
            )[0]
            at = clamp_time(later(self.rng, account["created_at"], 1, 60 * 24))
            self._contact(account, at)

    # -------------------------------------------------------------- opportunities
    def _opportunity(
        self,
        account: Record,
        contact: Record | None,
        at: datetime,
        source: str,
        campaign: Record | None,
        interests: list[str] | None,
        kind: str = "new_business",
    ) -> Record:
        lines = self._quote(account["company_size"], interests)
        products = [line["product"] for line in lines]
        core = next((p for p in products if p in dict(CORE_PRODUCTS)), products[0])
        label = {
            "marketing_cloud": "营销云",
            "crm_pro": "CRM",
            "cdp": "CDP 建设",
            "marketing_automation": "营销自动化",
            "bi_analytics": "BI 数据分析",
            "scrm": "企微 SCRM",
        }.get(core, "数字化")
        suffix = {"new_business": "项目", "upsell": "增购", "renewal": "续约"}[kind]
        english = account["region"] == "international"
        name = (
            f"{account['short_name']} – {core.replace('_', ' ').title()} "
            f"{'expansion' if kind == 'upsell' else 'deal'}"
            if english
            else f"{account['short_name']} {label}{suffix}"
        )
        return self.add(
            "opportunity",
            {
                "name": name,
                "account": account,
                "contact": contact,
                "campaign": campaign,
                "source": source,
                "type": kind,
                "products": [p for p in PRICE_LIST if p in products],
                "_lines": lines,
                "created_at": at,
                "owner_id": account["owner_id"],
            },
        )

    def _quote(self, size: str, interests: list[str] | None) -> list[Record]:
        rng = self.rng
        products = list(interests or [rng.weighted(CORE_PRODUCTS)])
        if rng.chance(0.6):
            products.append("implementation")
        if rng.chance(0.3):
            products.append("training")
        if rng.chance(0.35):
            products.append("support_plan")
        scale = SIZE_SCALE[size]
        lines = []
        for product in products:
            unit, price, (lo, hi) = PRICE_LIST[product]
            quantity = max(1, round(rng.uniform(lo, hi) * (scale if hi > 3 else 1)))
            if unit == "year" and scale >= 1.8 and rng.chance(0.4):
                quantity += 1
            discount = rng.weighted([(0, 30), (5, 20), (10, 25), (15, 15), (20, 8), (25, 2)])
            lines.append(
                {
                    "product": product,
                    "unit": unit,
                    "quantity": quantity,
                    "unit_price": Decimal(price),
                    "discount": Decimal(discount),
                }
            )
        return lines

    @staticmethod
    def quote_total(lines: list[Record]) -> Decimal:
        total = Decimal(0)
        for line in lines:
            amount = line["quantity"] * line["unit_price"] * (1 - line["discount"] / 100)
            total += amount.quantize(Decimal("0.01"))
        return total

    def build_more_opportunities(self) -> None:
        """Direct accounts mostly get a first opportunity; some accounts a second (upsell)."""
        rng = self.rng
        accounts = sorted(self.records["account"], key=lambda a: a["created_at"])
        with_opportunity = {id(o["account"]) for o in self.records["opportunity"]}
        first_timers = [a for a in accounts if id(a) not in with_opportunity]
        while len(self.records["opportunity"]) < TARGET["opportunity"]:
            if first_timers and rng.chance(0.8):
                account = first_timers.pop(rng.randrange(len(first_timers)))
                kind, delay = "new_business", (24, 45 * 24)
            else:
                account = rng.choice(accounts)
                kind, delay = "upsell", (60 * 24, 240 * 24)
            at = later(rng, account["created_at"], *delay)
            if at >= ANCHOR - timedelta(days=1):
                continue
            contacts = [c for c in self.records["contact"] if c["account"] is account]
            self._opportunity(
                account,
                rng.choice(contacts) if contacts else None,
                at,
                account["source"],
                None,
                None,
                kind,
            )

    def progress_opportunities(self) -> None:
        rng = self.rng
        for opp in self.records["opportunity"]:
            created: datetime = opp["created_at"]
            total = self.quote_total(opp["_lines"])
            cycle = rng.uniform(45, 130) + 25 * math.log10(max(1.0, float(total) / 50_000))
            if opp["type"] == "upsell":
                cycle *= 0.6
            age = (ANCHOR - created).total_seconds() / 86400
            quality = 0.42 if opp["campaign"] is not None or opp["type"] == "upsell" else 0.3
            opp["amount"] = money(total)
            close = created + timedelta(days=cycle)
            if age > cycle:
                won = rng.chance(quality)
                opp["stage"] = "won" if won else "lost"
                if not won:
                    close = created + timedelta(days=cycle * rng.uniform(0.3, 1.0))
                    opp["lost_reason"] = rng.weighted(
                        [
                            ("price", 28),
                            ("competitor", 24),
                            ("no_budget", 14),
                            ("no_decision", 16),
                            ("product_fit", 8),
                            ("timing", 6),
                            ("relationship", 4),
                        ]
                    )
                    if opp["lost_reason"] == "competitor":
                        opp["competitor"] = rng.choice(N.COMPETITORS)
                    # the salesperson's last estimate before losing it was often trimmed
                    if rng.chance(0.4):
                        opp["amount"] = money((total * Decimal("0.85")).quantize(Decimal(1)))
                opp["closed_on"] = close.date().isoformat()
                opp["expected_close_date"] = (
                    (close + timedelta(days=rng.randint(-10, 5))).date().isoformat()
                )
                opp["updated_at"] = close
            else:
                share = age / cycle
                stage = (
                    "prospecting"
                    if share < 0.2
                    else "needs_analysis"
                    if share < 0.4
                    else "proposal"
                    if share < 0.6
                    else "negotiation"
                    if share < 0.82
                    else "commitment"
                )
                opp["stage"] = stage
                opp["expected_close_date"] = close.date().isoformat()
                opp["next_step"] = {
                    "prospecting": "安排首次需求沟通",
                    "needs_analysis": "整理需求清单并确认决策链",
                    "proposal": "提交方案与报价",
                    "negotiation": "商务条款谈判",
                    "commitment": "推进合同审批与盖章",
                }[stage]
                if opp["account"]["region"] == "international":
                    opp["next_step"] = "Follow up with the buying committee"
                opp["updated_at"] = clamp_time(later(rng, created, 1, max(2.0, age * 24)))
            opp["probability"] = percent(STAGE_PROBABILITY[opp["stage"]])
            opp["_closed_at"] = close
            need = rng.choice(
                N.NEEDS_EN if opp["account"]["region"] == "international" else N.NEEDS
            )
            opp["description"] = need

    # -------------------------------------------------------------- contracts and tickets
    def build_contracts(self) -> None:
        rng = self.rng
        won = [o for o in self.records["opportunity"] if o["stage"] == "won"]
        won.sort(key=lambda o: o["_closed_at"])
        eligible = [o for o in won if o["_closed_at"] < ANCHOR - timedelta(days=2)]
        if len(eligible) > TARGET["contract"]:
            keep = set(rng.sample(range(len(eligible)), TARGET["contract"]))
            eligible = [o for i, o in enumerate(eligible) if i in keep]
        chosen = eligible
        for opp in chosen:
            account = opp["account"]
            account["type"] = "customer"
            created = clamp_time(later(rng, opp["_closed_at"], 2, 8 * 24))
            signed = created + timedelta(days=rng.randint(1, 12))
            product_names = "、".join(
                PRODUCT_LABELS.get(line["product"], line["product"]) for line in opp["_lines"][:2]
            )
            contract: Record = {
                "name": f"{account['short_name']} {product_names}采购合同",
                "account": account,
                "opportunity": opp,
                "signer": opp["contact"],
                "payment_terms": rng.weighted(
                    [("one_time", 35), ("installments", 30), ("annual", 25), ("quarterly", 10)]
                ),
                "our_signer": opp["owner_id"],
                "created_at": created,
                "owner_id": opp["owner_id"],
            }
            if signed >= ANCHOR:
                contract["status"] = "in_approval"
                contract["received_amount"] = money(0)
                contract["updated_at"] = clamp_time(later(rng, created, 1, 48))
            else:
                start = signed.date() + timedelta(days=rng.randint(0, 14))
                contract["signed_on"] = signed.date().isoformat()
                contract["start_date"] = start.isoformat()
                contract["end_date"] = (start + timedelta(days=364)).isoformat()
                contract["status"] = "active" if start <= ANCHOR.date() else "signed"
                if rng.chance(0.03):
                    contract["status"] = "terminated"
                contract["received_amount"] = money(self._received(contract, opp, signed))
                contract["updated_at"] = signed
                contract["_start"] = start
            self.add("contract", contract)
            for line in opp["_lines"]:
                self.add(
                    "contract_line",
                    {
                        "contract": contract,
                        "product": line["product"],
                        "description": PRODUCT_LABELS.get(line["product"]),
                        "quantity": line["quantity"],
                        "unit": line["unit"],
                        "unit_price": money(line["unit_price"]),
                        "discount": percent(line["discount"]),
                        "created_at": created,
                        "owner_id": contract["owner_id"],
                    },
                )
            if account["tier"] == "standard" and self.quote_total(opp["_lines"]) > 400_000:
                account["tier"] = "strategic" if rng.chance(0.4) else "key"

    def _received(self, contract: Record, opp: Record, signed: datetime) -> Decimal:
        total = self.quote_total(opp["_lines"])
        months = (ANCHOR - signed).days / 30.4
        terms = contract["payment_terms"]
        if terms == "one_time":
            share = Decimal(1) if months > 1 else Decimal(0)
        elif terms == "installments":
            share = Decimal("0.3") if months < 3 else Decimal("0.6") if months < 6 else Decimal(1)
        elif terms == "annual":
            share = Decimal(1) if months > 0.5 else Decimal(0)
        else:
            share = Decimal(min(4, int(months / 3) + 1)) / 4
        return (total * share).quantize(Decimal("0.01"))

    def build_tickets(self) -> None:
        rng = self.rng
        contracts = [
            c
            for c in self.records["contract"]
            if "_start" in c and c["_start"] < ANCHOR.date() - timedelta(days=3)
        ]
        weights = [float((ANCHOR.date() - c["_start"]).days) for c in contracts]
        for _ in range(TARGET["service_ticket"]):
            contract = rng.choices(contracts, weights=weights)[0]
            account = contract["account"]
            contacts = [c for c in self.records["contact"] if c["account"] is account]
            last_day = ANCHOR.date() - timedelta(days=1)
            recent = rng.chance(0.12)  # keep some tickets in the queue on the anchor date
            first_day = last_day - timedelta(days=10) if recent else contract["_start"]
            day = self.cal.pick(rng, max(first_day, contract["_start"]), last_day)
            reported = business_time(rng, day)
            kind = rng.weighted(
                [
                    ("consultation", 30),
                    ("incident", 25),
                    ("feature_request", 15),
                    ("complaint", 6),
                    ("training", 12),
                    ("data_request", 12),
                ]
            )
            priority = rng.weighted([("low", 20), ("medium", 45), ("high", 25), ("urgent", 10)])
            if kind == "complaint" and priority == "low":
                priority = "high"
            sla_hours = {"low": 72, "medium": 24, "high": 8, "urgent": 4}[priority]
            subject = rng.choice(N.TICKET_SUBJECTS[kind])
            ticket: Record = {
                "subject": subject,
                "account": account,
                "contact": rng.choice(contacts) if contacts else None,
                "contract": contract,
                "type": kind,
                "priority": priority,
                "channel": rng.weighted(
                    [("phone", 30), ("wechat", 30), ("email", 20), ("portal", 15), ("onsite", 5)]
                ),
                "reported_at": reported,
                "assignee": rng.choice(SERVICE_AGENTS),
                "sla_due_at": reported + timedelta(hours=sla_hours),
                "description": f"客户反馈:{subject}。"
                if account["region"] != "international"
                else f"Customer reports: {subject}.",
                "created_at": reported,
                "owner_id": account["owner_id"],
            }
            age_hours = (ANCHOR - reported).total_seconds() / 3600
            took = sla_hours * rng.uniform(0.2, 1.6) * (3 if kind == "feature_request" else 1)
            if took < age_hours and not (recent and rng.chance(0.6)):
                resolved = reported + timedelta(hours=took)
                ticket["resolved_at"] = resolved
                ticket["status"] = "closed" if age_hours - took > 72 else "resolved"
                ticket["resolution"] = rng.choice(
                    [
                        "已远程协助处理,客户确认恢复正常。",
                        "已提供操作文档并电话讲解。",
                        "已修复配置问题,跟进观察一周无复发。",
                        "需求已记录并提交产品排期。",
                        "已完成培训,客户满意。",
                        "已按客户要求处理数据并确认。",
                    ]
                )
                if ticket["status"] == "closed" and rng.chance(0.8):
                    low = kind == "complaint" or took > sla_hours
                    ticket["satisfaction"] = rng.weighted(
                        [(5, 20), (4, 30), (3, 30), (2, 15), (1, 5)]
                        if low
                        else [(5, 55), (4, 30), (3, 10), (2, 4), (1, 1)]
                    )
                ticket["updated_at"] = clamp_time(resolved + timedelta(hours=rng.uniform(0, 72)))
            else:
                ticket["status"] = rng.weighted(
                    [("new", 2), ("in_progress", 5), ("waiting_customer", 2)]
                )
                ticket["updated_at"] = clamp_time(later(rng, reported, 0.2, max(0.3, age_hours)))
            self.add("service_ticket", ticket)


DEPARTMENT_WORDS = [
    ("marketing", ("市场", "营销", "品牌", "增长", "CMO", "Marketing", "Growth")),
    ("sales", ("销售", "Sales")),
    ("it", ("IT", "CIO")),
    ("procurement", ("采购", "Procurement")),
    ("customer_service", ("客服",)),
    ("operations", ("运营", "产品", "Operations")),
]


def department_of(job_title: str) -> str:
    """The department a job title belongs to (managers and executives: management)."""
    for department, words in DEPARTMENT_WORDS:
        if any(word in job_title for word in words):
            return department
    return "management"
