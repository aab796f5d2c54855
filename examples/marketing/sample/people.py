"""Invented people and companies: Chinese and English names, phones, emails, company names."""

from __future__ import annotations

from dataclasses import dataclass

import names as N
from catalog import INDUSTRY_WEIGHTS, REGION_WEIGHTS, SIZE_WEIGHTS
from timeline import Rand


@dataclass
class Person:
    name: str
    handle: str  # ascii, for email addresses
    english: bool


class People:
    def __init__(self, rng: Rand) -> None:
        self.rng = rng
        self.surname_weights = [(s, 1.0 / (i + 8)) for i, s in enumerate(N.SURNAMES)]

    def chinese(self) -> Person:
        (sur, sur_py) = self.rng.weighted(self.surname_weights)
        count = 2 if self.rng.chance(0.72) else 1
        given = [self.rng.choice(N.GIVEN_CHARS) for _ in range(count)]
        name = sur + "".join(c for c, _ in given)
        given_py = "".join(p for _, p in given)
        handle = self.rng.weighted(
            [
                (f"{given_py}.{sur_py}", 3),
                (f"{sur_py}{given_py}", 3),
                (f"{sur_py}.{given_py}", 2),
                (f"{given_py[0]}{sur_py}", 1),
            ]
        )
        return Person(name, handle, False)

    def english(self) -> Person:
        first, last = self.rng.choice(N.EN_FIRST), self.rng.choice(N.EN_LAST)
        return Person(f"{first} {last}", f"{first}.{last}".lower(), True)

    def any(self, international: bool) -> Person:
        if international:
            return self.english() if self.rng.chance(0.8) else self.chinese()
        return self.english() if self.rng.chance(0.03) else self.chinese()

    def mobile(self, city: str) -> str:
        if city in N.INTL_PHONES:
            code, template = N.INTL_PHONES[city]
            return f"{code} {self.rng.digits(template)}"
        number = self.rng.choice(N.MOBILE_PREFIXES) + self.rng.digits("########")
        if self.rng.chance(0.1):
            return f"+86 {number[:3]} {number[3:7]} {number[7:]}"
        return number

    def switchboard(self, city: str) -> str:
        """A company landline in the usual Chinese form, e.g. 021-6123 4567."""
        area = N.AREA_CODES[city]
        local = self.rng.choice("5678") + self.rng.digits("### ####")
        return f"{area}-{local}"

    def email(self, person: Person, domain: str | None) -> str:
        if domain is None or self.rng.chance(0.25):
            webmail = N.WEBMAIL_EN if person.english else N.WEBMAIL_ZH
            domain = self.rng.weighted(webmail)
            if domain == "qq.com" and self.rng.chance(0.6):
                return f"{self.rng.randrange(10_000_000, 3_000_000_000)}@qq.com"
            return f"{person.handle}{self.rng.randrange(1, 999)}@{domain}"
        return f"{person.handle}@{domain}"

    def job_title(self, english: bool) -> str:
        return self.rng.weighted(N.JOB_TITLES_EN if english else N.JOB_TITLES_ZH)


@dataclass
class Company:
    name: str
    short: str
    domain: str
    industry: str
    region: str
    city: str
    size: str


class Companies:
    def __init__(self, rng: Rand) -> None:
        self.rng = rng
        self.taken: dict[str, bool] = {}

    def new(self) -> Company:
        region = self.rng.weighted(REGION_WEIGHTS)
        city = self.rng.weighted(N.CITIES[region])
        industry = self.rng.weighted(INDUSTRY_WEIGHTS)
        size = self.rng.weighted(SIZE_WEIGHTS)
        while True:
            company = self._make(region, city, industry, size)
            if company.name not in self.taken:
                self.taken[company.name] = True
                return company

    def _make(self, region: str, city: str, industry: str, size: str) -> Company:
        if region == "international":
            adj = self.rng.choice(N.EN_COMPANY_ADJ)
            noun = N.EN_COMPANY_NOUN[industry]
            name = f"{adj} {noun} {N.INTL_COMPANY_SUFFIX[city]}"
            domain = f"{adj.replace(' ', '').lower()}{noun.split()[0].lower()}.com"
            return Company(name, f"{adj} {noun}", domain, industry, region, city, size)
        first, second = self.rng.sample(N.BRAND_CHARS, 2)
        word, hint = self.rng.choice(N.INDUSTRY_WORDS[industry])
        suffix = self.rng.weighted(N.COMPANY_SUFFIXES)
        if size in ("1_49", "50_199") and suffix == "集团有限公司":
            suffix = "有限公司"
        prefix = city if self.rng.chance(0.75) else ""
        brand = first[0] + second[0]
        name = f"{prefix}{brand}{word}{suffix}"
        tld = self.rng.weighted([(".com", 5), (".cn", 3), (".com.cn", 2)])
        domain = f"{first[1]}{second[1]}-{hint}{tld}"
        return Company(name, brand + word[:2], domain, industry, region, city, size)
