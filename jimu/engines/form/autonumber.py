"""Auto-number patterns such as ``LD-{YYYY}{MM}-{0000}``.

``{YYYY}``, ``{YY}``, ``{MM}`` and ``{DD}`` are the date of the record's ``created_at`` (UTC;
an import may give an earlier one); ``{000..}`` is the counter, zero-padded to the number of
zeros. The counter restarts in every *period*: the date
parts the pattern uses (``LD-{YYYY}{MM}-{0000}`` counts per month, ``{0000}`` alone never
restarts). The platform keeps one counter row per (app, entity, field, period).
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date

_TOKEN = re.compile(r"\{(YYYY|YY|MM|DD|0+)\}")


@dataclass(frozen=True)
class AutonumberPattern:
    pattern: str
    width: int
    date_tokens: tuple[str, ...]

    @classmethod
    def parse(cls, pattern: str) -> AutonumberPattern:
        tokens = _TOKEN.findall(pattern)
        counters = [t for t in tokens if t.startswith("0")]
        if len(counters) != 1:
            raise ValueError("the pattern needs exactly one counter such as {0000}")
        leftover = _TOKEN.sub("", pattern)
        if "{" in leftover or "}" in leftover:
            raise ValueError("only {YYYY}, {YY}, {MM}, {DD} and {000...} may appear in braces")
        dates = tuple(t for t in tokens if not t.startswith("0"))
        return cls(pattern, len(counters[0]), dates)

    def period(self, day: date) -> str:
        """The counter's period key for ``day``: the date parts the pattern shows."""
        tokens = set(self.date_tokens)
        key = f"{day.year:04d}" if tokens & {"YYYY", "YY"} else ""
        if tokens & {"MM", "DD"}:
            key += f"{day.month:02d}"
        if "DD" in tokens:
            key += f"{day.day:02d}"
        return key

    def formatter(self, day: date) -> Callable[[int], str]:
        """The numbers of ``day`` as a function of the counter (date parts filled in once)."""
        values = {
            "YYYY": f"{day.year:04d}",
            "YY": f"{day.year % 100:02d}",
            "MM": f"{day.month:02d}",
            "DD": f"{day.day:02d}",
        }
        marked = _TOKEN.sub(
            lambda m: "\0" if m.group(1).startswith("0") else values[m.group(1)], self.pattern
        )
        prefix, _, suffix = marked.partition("\0")
        width = self.width

        def render(counter: int) -> str:
            return f"{prefix}{str(counter).zfill(width)}{suffix}"

        return render

    def format(self, day: date, counter: int) -> str:
        return self.formatter(day)(counter)
