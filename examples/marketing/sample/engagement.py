"""Touchpoints and follow-ups, and the lead and account fields that summarise them."""

from __future__ import annotations

from datetime import datetime, timedelta

import names as N
from catalog import ACTIVITY_POINTS, ANCHOR, CST, SITE, SOURCE_VALUES, TARGET
from state import Record, WorldState
from timeline import business_time, clamp_time, later


class EngagementSteps(WorldState):
    """Touchpoints and follow-ups, then the summaries that depend on them."""

    def build_activities(self) -> None:
        assets = self.records["content_asset"]
        for lead in self.records["lead"]:
            self._first_touch(lead, assets)
        extra_per_status = {
            "new": 0.25,
            "contacted": 0.55,
            "qualified": 1.6,
            "sales_accepted": 1.9,
            "converted": 2.3,
            "disqualified": 0.15,
            "in_public_pool": 0.35,
        }
        leads = self.records["lead"]
        weights = [extra_per_status[lead["status"]] for lead in leads]
        contacts = self.records["contact"]
        contact_share = 250
        while len(self.records["activity"]) < TARGET["activity"] - contact_share:
            lead = self.rng.choices(leads, weights=weights)[0]
            self._nurture_touch(lead, None, assets)
        while len(self.records["activity"]) < TARGET["activity"]:
            self._nurture_touch(None, self.rng.choice(contacts), assets)

    def _first_touch(self, lead: Record, assets: list[Record]) -> None:
        source = lead["source"]
        kind = {
            "website_form": "form_submit",
            "baidu_sem": "form_submit",
            "wechat": "wechat_follow" if self.rng.chance(0.4) else "form_submit",
            "trade_show": "event_checkin",
            "offline_event": "event_checkin",
            "webinar": "webinar_attend" if self.rng.chance(0.6) else "event_register",
            "content_download": "download",
            "email": "email_click",
            "social_media": "form_submit",
            "partner": "form_submit",
            "other": "chat",
        }.get(source)
        if kind is None:  # cold calls and referrals start with a person, not a touchpoint
            return
        campaign = lead["campaign"]
        live = kind in ("event_checkin", "webinar_attend") and campaign is not None
        if live and (lead["created_at"] + CST).date() < campaign["_plan"].start:
            kind = "event_register"  # signed up before the day
        at = lead["created_at"] - timedelta(seconds=self.rng.randint(5, 180))
        asset = None
        if kind == "download":
            linked = [a for a in assets if campaign is not None and a["campaign"] is campaign]
            published = [a for a in assets if a["gated"] and a["_published"] <= at.date()]
            pool = linked or published or assets
            asset = self.rng.choice(pool)
        self._touch(kind, at, lead, None, lead["campaign"], asset, source, lead)

    def _nurture_touch(
        self, lead: Record | None, contact: Record | None, assets: list[Record]
    ) -> None:
        rng = self.rng
        subject = lead or contact
        assert subject is not None
        start: datetime = subject["created_at"]
        end = min(ANCHOR - timedelta(hours=1), start + timedelta(days=150))
        if end <= start:
            return
        at = start + (end - start) * rng.random() ** 1.6
        kind = rng.weighted(
            [
                ("page_view", 40),
                ("email_open", 22),
                ("email_click", 10),
                ("download", 10),
                ("webinar_attend", 4),
                ("event_register", 4),
                ("chat", 5),
                ("event_checkin", 5 if contact else 1),
            ]
        )
        campaign = None
        asset = None
        channel = "website_form"
        if kind in ("email_open", "email_click"):
            campaign = self._campaign_named("newsletter_2026")
            channel = "email"
        elif kind in ("webinar_attend", "event_register", "event_checkin"):
            events = [
                c
                for c in self.records["campaign"]
                if c["type"] in ("webinar", "conference", "seminar", "trade_show")
                and c["_plan"].leads
                and c["_plan"].start >= at.date() - timedelta(days=3)
            ]
            if not events:
                kind = "page_view"
            else:
                campaign = events[0]
                day = campaign["_plan"].start
                if kind == "event_register":
                    day = max(day - timedelta(days=rng.randint(1, 14)), at.date())
                at = business_time(rng, day)
                if at < start or at >= ANCHOR:
                    kind, campaign, at = "page_view", None, start + (end - start) * rng.random()
                channel = (
                    "webinar"
                    if campaign and campaign["type"] == "webinar"
                    else ("offline_event" if campaign else "website_form")
                )
        if kind == "download":
            published = [a for a in assets if a["_published"] <= at.date()]
            if not published:
                kind = "page_view"
            else:
                asset = rng.choice(published)
                channel = "content_download"
        if kind == "page_view" and rng.chance(0.3):
            published = [a for a in assets if a["_published"] <= at.date()]
            asset = rng.choice(published) if published else None
        self._touch(kind, at, lead, contact, campaign, asset, channel, lead or contact)

    def _campaign_named(self, utm_campaign: str) -> Record:
        return next(c for c in self.records["campaign"] if c["utm_campaign"] == utm_campaign)

    def _touch(
        self,
        kind: str,
        at: datetime,
        lead: Record | None,
        contact: Record | None,
        campaign: Record | None,
        asset: Record | None,
        channel: str,
        subject: Record,
    ) -> None:
        rng = self.rng
        page = {
            "page_view": rng.choice(
                [
                    "/",
                    "/pricing",
                    "/product/marketing-cloud",
                    "/product/crm",
                    "/customers",
                    "/product/cdp",
                    "/blog",
                    "/about",
                ]
            ),
            "form_submit": "/trial",
            "chat": "/contact",
        }.get(kind)
        if asset is not None:
            page = asset["url"].removeprefix(SITE)
        record: Record = {
            "type": kind,
            "occurred_at": at,
            "lead": lead,
            "contact": contact,
            "campaign": campaign,
            "content_asset": asset,
            "channel": channel if channel in SOURCE_VALUES else None,
            "page_url": SITE + page if page else None,
            "device": rng.weighted([("desktop", 55), ("mobile", 40), ("tablet", 5)])
            if kind not in ("event_checkin",)
            else None,
            "duration_seconds": rng.randint(8, 600)
            if kind in ("page_view", "download")
            else rng.randint(900, 5400)
            if kind == "webinar_attend"
            else None,
            "score_delta": ACTIVITY_POINTS.get(kind),
            "city": subject.get("city") or subject.get("account", {}).get("city"),
            "created_at": at,
            "owner_id": subject.get("owner_id"),  # the rep of the lead or contact
        }
        if campaign is not None:
            record["utm_source"] = campaign["utm_source"]
            record["utm_medium"] = campaign["utm_medium"]
            record["utm_campaign"] = campaign["utm_campaign"]
        elif (
            lead is not None and lead is subject and kind != "page_view" and lead.get("utm_source")
        ):
            record["utm_source"] = lead["utm_source"]
            record["utm_medium"] = lead.get("utm_medium")
            record["utm_campaign"] = lead.get("utm_campaign")
        self.add("activity", record)

    # -------------------------------------------------------------- follow-ups
    def build_follow_ups(self) -> None:
        per_status = {
            "contacted": (1, 1, 0.4),
            "qualified": (1, 2, 0.5),
            "sales_accepted": (1, 2, 0.8),
            "converted": (1, 2, 0.9),
            "disqualified": (1, 1, 0.2),
            "in_public_pool": (1, 1, 0.1),
        }
        for lead in self.records["lead"]:
            spec = per_status.get(lead["status"])
            if spec is None or not self.rng.chance(spec[2]):
                continue
            count = self.rng.randint(spec[0], spec[1])
            end = lead.get("converted_at") or lead.get("pool_entered_at") or ANCHOR
            for _ in range(count):
                self._lead_follow_up(lead, end)
        opps = sorted(self.records["opportunity"], key=lambda o: o["created_at"])
        while len(self.records["follow_up"]) < TARGET["follow_up"]:
            self._opportunity_follow_up(self.rng.choice(opps))

    def _when(self, start: datetime, end: datetime) -> datetime | None:
        end = min(end, ANCHOR - timedelta(hours=1))
        if end <= start + timedelta(minutes=30):
            return None
        first = start + timedelta(minutes=30)
        at = first + (end - first) * self.rng.random() ** 2
        local_day = (at + CST).date()
        candidate = business_time(self.rng, local_day)
        return candidate if first <= candidate <= end else at

    def _lead_follow_up(self, lead: Record, end: datetime) -> None:
        rng = self.rng
        at = self._when(lead["created_at"], end)
        if at is None:
            return
        english = lead["_person"].english
        status = lead["status"]
        method = rng.weighted(
            [
                ("call", 45),
                ("wechat", 25),
                ("email", 10),
                ("visit", 6),
                ("online_meeting", 8),
                ("sms", 6),
            ]
        )
        if status == "disqualified":
            result = "not_interested" if rng.chance(0.6) else "no_answer"
        elif status in ("qualified", "sales_accepted", "converted"):
            result = rng.weighted(
                [
                    ("interested", 4),
                    ("meeting_booked", 3),
                    ("connected", 2),
                    ("quote_sent", 1 if status != "qualified" else 0),
                ]
            )
        else:
            result = rng.weighted([("connected", 4), ("no_answer", 3), ("interested", 2)])
        need = rng.choice(N.NEEDS_EN if english else N.NEEDS)
        subject, content = follow_up_text(method, result, need, lead["company"], english)
        self.add(
            "follow_up",
            {
                "subject": subject,
                "method": method,
                "followed_at": at,
                "lead": lead,
                "result": result,
                "content": content,
                "duration_minutes": rng.randint(2, 25)
                if method == "call" and result != "no_answer"
                else rng.randint(30, 120)
                if method in ("visit", "online_meeting")
                else None,
                "created_at": at,
                "owner_id": lead.get("owner_id")
                or lead.get("previous_owner")
                or self.owner_for(lead["region"]),
            },
        )

    def _opportunity_follow_up(self, opp: Record) -> None:
        rng = self.rng
        end = opp["_closed_at"] if opp["stage"] in ("won", "lost") else ANCHOR
        at = self._when(opp["created_at"], end)
        if at is None:
            return
        english = opp["account"]["region"] == "international"
        method = rng.weighted(
            [("visit", 25), ("online_meeting", 25), ("call", 30), ("wechat", 15), ("email", 5)]
        )
        result = rng.weighted(
            [("connected", 4), ("meeting_booked", 2), ("quote_sent", 2), ("interested", 2)]
        )
        subject, content = follow_up_text(
            method, result, opp["description"], opp["account"]["name"], english
        )
        self.add(
            "follow_up",
            {
                "subject": subject,
                "method": method,
                "followed_at": at,
                "opportunity": opp,
                "contact": opp["contact"],
                "result": result,
                "content": content,
                "duration_minutes": rng.randint(30, 150)
                if method in ("visit", "online_meeting")
                else rng.randint(3, 30)
                if method == "call"
                else None,
                "created_at": at,
                "owner_id": opp["owner_id"],
            },
        )

    # -------------------------------------------------------------- finishing touches
    def finish_leads(self) -> None:
        """Follow-up dates and updated_at that agree with the follow-ups written."""
        last: dict[int, datetime] = {}
        for fu in self.records["follow_up"]:
            lead = fu.get("lead")
            if lead is not None:
                key = id(lead)
                last[key] = max(last.get(key, fu["followed_at"]), fu["followed_at"])
        for lead in self.records["lead"]:
            stamp = last.get(id(lead))
            lead["last_follow_up_at"] = stamp
            if stamp is not None and lead["status"] in ("contacted", "qualified", "sales_accepted"):
                lead["next_follow_up_at"] = stamp + timedelta(days=self.rng.randint(2, 14))
            moments = [
                lead["created_at"],
                stamp,
                lead.get("converted_at"),
                lead.get("pool_entered_at"),
            ]
            latest = max(m for m in moments if m is not None)
            if latest == lead["created_at"] and lead["status"] != "new":
                latest = clamp_time(later(self.rng, latest, 1, 72))
            lead["updated_at"] = latest
            if lead["status"] == "converted" and self.rng.chance(0.3):
                lead["description"] = "已转化为商机,由销售继续跟进。"

    def finish_accounts(self) -> None:
        for account in self.records["account"]:
            if account["type"] == "prospect" and account["source"] == "partner":
                account["type"] = "partner" if self.rng.chance(0.15) else "prospect"
            if account["type"] == "prospect" and self.rng.chance(0.03):
                account["type"] = "churned"
            touched = [account["created_at"]] + [
                c["created_at"] for c in self.records["contact"] if c["account"] is account
            ]
            account["updated_at"] = max(touched)
            if account["tier"] == "standard" and account["company_size"] == "5000_plus":
                account["tier"] = "key"
        for contact in self.records["contact"]:
            contact["updated_at"] = contact["created_at"]


def follow_up_text(
    method: str, result: str, need: str, company: str, english: bool
) -> tuple[str, str]:
    """A subject line and notes for a follow-up, in the customer's language."""
    if english:
        verb = {
            "call": "Call",
            "visit": "Visit",
            "wechat": "Message",
            "email": "Email",
            "sms": "Text",
            "online_meeting": "Video call",
        }[method]
        outcome = {
            "connected": "discussed their situation",
            "no_answer": "no answer, will try again",
            "interested": "interested, asked for a demo",
            "not_interested": "not a fit for now",
            "meeting_booked": "meeting booked with the team",
            "quote_sent": "quote sent for review",
        }[result]
        return f"{verb}: {company}", f"{verb} with {company}: {need}; {outcome}."
    verb = {
        "call": "电话沟通",
        "visit": "上门拜访",
        "wechat": "微信沟通",
        "email": "邮件跟进",
        "sms": "短信提醒",
        "online_meeting": "线上会议",
    }[method]
    outcome = {
        "connected": "已了解现状,保持联系",
        "no_answer": "未接通,稍后再联系",
        "interested": "有明确意向,约产品演示",
        "not_interested": "暂无需求",
        "meeting_booked": "已约定拜访时间",
        "quote_sent": "已发送报价,等待反馈",
    }[result]
    return f"{verb}:{company}", f"{verb}。客户情况:{need}。结果:{outcome}。"
