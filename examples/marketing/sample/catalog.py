"""The business the sample data describes: dates, territories, campaigns, content, prices.

Plain data; the generator's steps read it. Changing a number here changes the sample data
(regenerate with ``python generate.py`` and commit the .jsonl files with it).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta

# fmt: off
SEED = 20261101
ANCHOR = datetime(2026, 11, 1, tzinfo=UTC)  # "now" for the sample data; nothing happens later
WINDOW_START = ANCHOR - timedelta(days=365)
CST = timedelta(hours=8)  # China Standard Time; business hours are CST, stored as UTC

TARGET = {
    "lead": 3000,
    "account": 300,
    "contact": 600,
    "opportunity": 400,
    "activity": 5000,
    "follow_up": 1500,
    "contract": 80,
    "service_ticket": 150,
}

# Relative monthly volume of inbound interest (Chinese B2B: Spring Festival dip in February,
# spring and autumn peaks, summer lull, Golden Week in October).
MONTH_WEIGHT = {
    11: 1.15,
    12: 1.0,
    1: 0.85,
    2: 0.45,
    3: 1.2,
    4: 1.15,
    5: 1.0,
    6: 1.05,
    7: 0.85,
    8: 0.75,
    9: 1.25,
    10: 0.9,
}

# Sales territories: region -> user ids of the reps who own it, the members of the region's
# sales department in org/ (the demo's ids: admin 1, then jimu/platform/demo.py DEMO_TEAM), as
# the rule rules/assign_new_leads.json assigns them: East China 2 and 13, North China 3,
# South China 4, West 5, Northeast & Northwest 6, International 7.
TERRITORY = {
    "east": [2, 13],
    "north": [3],
    "south": [4],
    "southwest": [5],
    "central": [5],
    "northeast": [6],
    "northwest": [6],
    "international": [7],
}
MARKETING_OWNERS = [8, 1]  # own campaigns and content
SERVICE_AGENTS = [7, 8]

REGION_WEIGHTS = [
    ("east", 35),
    ("north", 20),
    ("south", 20),
    ("southwest", 8),
    ("central", 8),
    ("northeast", 3),
    ("northwest", 2),
    ("international", 4),
]
INDUSTRY_WEIGHTS = [
    ("manufacturing", 20),
    ("internet", 15),
    ("finance", 8),
    ("retail", 10),
    ("healthcare", 9),
    ("education", 7),
    ("real_estate", 4),
    ("energy", 5),
    ("logistics", 6),
    ("automotive", 7),
    ("professional_services", 6),
    ("public_sector", 3),
]
SIZE_WEIGHTS = [("1_49", 18), ("50_199", 30), ("200_999", 28), ("1000_4999", 15), ("5000_plus", 9)]


@dataclass
class CampaignPlan:
    name: str
    type: str
    channel: str
    start: date
    end: date
    budget: int
    cost: int
    utm: tuple[str, str, str]
    leads: int
    quality: float  # share of its leads that end up converted
    region: str | None = None
    industries: tuple[str, ...] = ()
    description: str = ""


CAMPAIGNS = [
    CampaignPlan("2025 数字化营销年终峰会", "conference", "offline_event", date(2025, 11, 20),
                 date(2025, 11, 21), 800_000, 762_400, ("summit", "offline", "summit_2025"),
                 200, 0.09, "east", (), "上海国际会议中心,600 人规模,含 CMO 圆桌与产品发布。"),
    CampaignPlan("百度搜索推广 · 2026 Q1 品牌词", "sem", "baidu_sem", date(2026, 1, 1),
                 date(2026, 3, 31), 300_000, 296_540, ("baidu", "cpc", "sem_brand_2026q1"),
                 230, 0.05, None, (), "品牌词与核心产品词投放,落地页为免费试用表单。"),
    CampaignPlan("公众号裂变:免费领取《私域运营手册》", "social", "wechat", date(2026, 3, 2),
                 date(2026, 3, 31), 60_000, 48_200, ("wechat", "social", "private_domain_kit"),
                 160, 0.025, None, ("retail", "education"), "转发海报领取手册,拉新为主。"),
    CampaignPlan("春季线上研讨会:B2B 线索培育实战", "webinar", "webinar", date(2026, 4, 16),
                 date(2026, 4, 16), 50_000, 41_800, ("webinar", "live", "spring_webinar_2026"),
                 130, 0.07, None, ("manufacturing", "internet"), "90 分钟直播 + 回放。"),
    CampaignPlan("《2026 中国 B2B 营销数字化白皮书》", "content", "content_download",
                 date(2026, 5, 10), date(2026, 7, 31), 120_000, 110_300,
                 ("content", "whitepaper", "b2b_whitepaper_2026"), 180, 0.05, None, (),
                 "联合行业协会发布,官网与公众号留资下载。"),
    CampaignPlan("上海 CMO 闭门沙龙", "seminar", "offline_event", date(2026, 6, 12),
                 date(2026, 6, 12), 90_000, 97_300, ("salon", "offline", "cmo_salon_sh_2026"),
                 45, 0.16, "east", (), "30 位 CMO 闭门交流,邀请制。"),
    CampaignPlan("LinkedIn ABM: Global Manufacturers", "abm", "social_media",
                 date(2026, 2, 2), date(2026, 6, 30), 200_000, 185_600,
                 ("linkedin", "paid_social", "abm_global_mfg"), 70, 0.06, "international",
                 ("manufacturing", "automotive"), "Account-based ads to 150 target accounts."),
    CampaignPlan("百度搜索推广 · 2026 Q3 行业词", "sem", "baidu_sem", date(2026, 7, 1),
                 date(2026, 9, 30), 350_000, 338_900, ("baidu", "cpc", "sem_industry_2026q3"),
                 210, 0.04, None, ("manufacturing", "healthcare", "automotive"),
                 "行业解决方案词投放。"),
    CampaignPlan("中国国际工业博览会 2026", "trade_show", "trade_show", date(2026, 9, 22),
                 date(2026, 9, 26), 650_000, 702_500, ("expo", "offline", "ciif_2026"),
                 230, 0.06, "east", ("manufacturing", "automotive", "energy"),
                 "国家会展中心 108 平米特装展位,现场扫码留资。"),
    CampaignPlan("老客户推荐有礼", "referral", "referral", date(2026, 1, 15),
                 date(2026, 12, 31), 100_000, 36_000,
                 ("referral", "word_of_mouth", "referral_2026"), 60, 0.18, None, (),
                 "推荐成交返 5% 服务时长。"),
    CampaignPlan("EDM 月度产品通讯", "email", "email", date(2025, 11, 1), date(2026, 10, 31),
                 30_000, 26_400, ("edm", "email", "newsletter_2026"), 100, 0.035, None, (),
                 "每月第二个周二发送,订阅用户约 2 万。"),
    CampaignPlan("双 11 营销自动化直播周", "webinar", "webinar", date(2026, 10, 20),
                 date(2026, 10, 24), 80_000, 71_200, ("webinar", "live", "double11_live_2026"),
                 120, 0.06, None, ("retail",), "5 场直播,面向零售与消费品牌。"),
    CampaignPlan("2026 数字化营销年终峰会", "conference", "offline_event", date(2026, 12, 10),
                 date(2026, 12, 11), 900_000, 120_000, ("summit", "offline", "summit_2026"),
                 0, 0.0, "east", (), "筹备中,已支付场地定金。"),
]

# Organic (no campaign) leads: source -> (weight, quality, utm source/medium or None).
ORGANIC = {
    "website_form": (30, 0.06, ("baidu", "organic")),
    "baidu_sem": (8, 0.045, ("baidu", "cpc")),
    "wechat": (12, 0.03, ("wechat", "social")),
    "content_download": (8, 0.04, ("website", "content")),
    "social_media": (6, 0.025, ("zhihu", "social")),
    "cold_call": (10, 0.03, None),
    "referral": (6, 0.15, None),
    "partner": (7, 0.10, ("partner", "referral")),
    "offline_event": (3, 0.05, None),
    "other": (4, 0.02, None),
}

CONTENT = [
    ("2026 中国 B2B 营销数字化白皮书", "whitepaper", "zh", ["marketing_cloud", "cdp"], 4),
    ("制造业线索管理最佳实践", "whitepaper", "zh", ["crm_pro"], 0),
    ("私域运营手册:从企微到成交", "ebook", "zh", ["scrm", "marketing_automation"], 2),
    ("某汽车零部件集团:线索转化率提升 38%", "case_study", "zh", ["crm_pro", "cdp"], None),
    ("某连锁零售品牌会员营销案例", "case_study", "zh", ["marketing_automation"], None),
    ("某医疗器械企业学术会议数字化案例", "case_study", "zh", ["marketing_cloud"], None),
    ("营销 ROI 归因方法论", "ebook", "zh", ["bi_analytics"], None),
    ("线索评分模型设计指南", "blog_post", "zh", ["marketing_automation"], None),
    ("CDP 选型十问", "blog_post", "zh", ["cdp"], None),
    ("2026 年展会营销数字化报告", "industry_report", "zh", ["marketing_cloud"], 8),
    ("春季研讨会回放:B2B 线索培育实战", "webinar_recording", "zh", ["marketing_automation"], 3),
    ("营销云产品手册", "datasheet", "zh", ["marketing_cloud"], None),
    ("CRM 专业版产品手册", "datasheet", "zh", ["crm_pro"], None),
    ("BI 数据分析演示视频", "video", "zh", ["bi_analytics"], None),
    (
        "Global Manufacturing Marketing Benchmark 2026",
        "industry_report",
        "en",
        ["marketing_cloud"],
        6,
    ),
    ("Customer story: a Singapore logistics leader", "case_study", "en", ["crm_pro"], 6),
    ("Marketing Cloud datasheet", "datasheet", "en", ["marketing_cloud"], None),
    ("双 11 直播回放合集", "webinar_recording", "zh", ["marketing_automation", "scrm"], 11),
    ("公众号增长 30 天训练营讲义", "ebook", "zh", ["scrm"], 2),
    ("销售与市场协同 SLA 模板", "whitepaper", "zh", ["crm_pro"], None),
]

# product -> (unit, unit price in CNY, quantity range at "medium" company size)
PRICE_LIST = {
    "marketing_cloud": ("year", 98_000, (1, 2)),
    "crm_pro": ("license_year", 1_980, (10, 120)),
    "cdp": ("year", 280_000, (1, 1)),
    "marketing_automation": ("year", 120_000, (1, 2)),
    "bi_analytics": ("license_year", 3_600, (5, 40)),
    "scrm": ("license_year", 1_200, (20, 300)),
    "implementation": ("person_day", 2_800, (8, 60)),
    "training": ("package", 15_000, (1, 2)),
    "support_plan": ("year", 36_000, (1, 2)),
}
CORE_PRODUCTS = [
    ("crm_pro", 30),
    ("marketing_cloud", 20),
    ("marketing_automation", 18),
    ("scrm", 14),
    ("cdp", 8),
    ("bi_analytics", 10),
]
SIZE_SCALE = {"1_49": 0.35, "50_199": 0.7, "200_999": 1.0, "1000_4999": 1.8, "5000_plus": 3.0}
STAGE_PROBABILITY = {
    "prospecting": 10,
    "needs_analysis": 20,
    "proposal": 40,
    "negotiation": 60,
    "commitment": 80,
    "won": 100,
    "lost": 0,
}

# A touchpoint's points, as the lead scoring table (decision_tables/lead_scoring.json) gives
# them; the other kinds of touchpoint earn none (no row of the table matches them).
ACTIVITY_POINTS = {
    "page_view": 10,
    "form_submit": 20,
    "download": 15,
    "email_click": 5,
    "event_checkin": 25,
}
SITE = "https://www.jimu-marketing.example"


SOURCE_VALUES = (
    "website_form",
    "wechat",
    "baidu_sem",
    "trade_show",
    "webinar",
    "content_download",
    "email",
    "social_media",
    "referral",
    "partner",
    "cold_call",
    "offline_event",
    "other",
)
PRODUCT_LABELS = {
    "marketing_cloud": "营销云",
    "crm_pro": "CRM 专业版",
    "cdp": "客户数据平台 CDP",
    "marketing_automation": "营销自动化 MA",
    "bi_analytics": "BI 数据分析",
    "scrm": "企微 SCRM",
    "implementation": "实施服务",
    "training": "培训服务",
    "support_plan": "年度运维服务",
}
# fmt: on
