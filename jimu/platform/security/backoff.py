"""How long failed password checks make an address or a username wait (pure rules, no I/O).

Each scope (a client address, a typed username) has some free failures; every failure past
them makes the next attempt wait, twice as long as the one before, from ``base`` up to
``cap``: with the defaults (5 free, 1 s, 900 s) the 6th failure means a wait of 1 s, the 7th
2 s, the 8th 4 s, ... the 16th and later 15 minutes. The wait runs from the last failure.
Failures are forgotten ``forget_after`` after the last one (never before its wait is over).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from jimu.platform.settings import Settings

#: The two scopes failures are counted in.
ADDRESS = "address"
ACCOUNT = "account"
SCOPES = (ADDRESS, ACCOUNT)
#: Doubling stops here long before any sensible cap (2**30 seconds is 34 years).
_MAX_DOUBLINGS = 30


@dataclass(frozen=True)
class Backoff:
    """The wait after failures in one scope."""

    free_failures: int
    base: timedelta
    cap: timedelta

    def wait_after(self, failures: int) -> timedelta:
        """The wait after ``failures`` failures in a row (zero while they are free)."""
        over = failures - self.free_failures
        if over <= 0:
            return timedelta(0)
        doublings: int = min(over - 1, _MAX_DOUBLINGS)
        return min(self.cap, self.base * (1 << doublings))


@dataclass(frozen=True)
class ThrottlePolicy:
    """The backoff of addresses and of usernames, and how long failures are remembered."""

    address: Backoff
    account: Backoff
    memory: timedelta

    @classmethod
    def of(cls, settings: Settings) -> ThrottlePolicy:
        base = timedelta(seconds=settings.login_backoff_seconds)
        cap = max(base, timedelta(seconds=settings.login_backoff_max_seconds))
        return cls(
            address=Backoff(settings.login_address_free_failures, base, cap),
            account=Backoff(settings.login_account_free_failures, base, cap),
            memory=timedelta(minutes=settings.login_failure_memory_minutes),
        )

    def backoff(self, scope: str) -> Backoff:
        return self.address if scope == ADDRESS else self.account

    @property
    def forget_after(self) -> timedelta:
        """Failures older than this (after the last one) are forgotten: the memory, but at
        least the longest wait, so a wait is never cut short by forgetting."""
        return max(self.memory, self.address.cap, self.account.cap)


@dataclass(frozen=True)
class Failures:
    """The failures remembered for one address or username."""

    scope: str
    key: str
    count: int
    last_at: datetime

    def remembered(self, policy: ThrottlePolicy, now: datetime) -> int:
        """How many failures still count at ``now`` (0 once they are forgotten)."""
        return self.count if now - self.last_at < policy.forget_after else 0

    def wait_ends(self, policy: ThrottlePolicy) -> datetime:
        """When the wait after the last failure ends (the last failure itself if none)."""
        return self.last_at + policy.backoff(self.scope).wait_after(self.count)

    def waiting_until(self, policy: ThrottlePolicy, now: datetime) -> datetime | None:
        """Until when a password check in this scope must wait, or None if it may go on."""
        if not self.remembered(policy, now):
            return None
        ends = self.wait_ends(policy)
        return ends if ends > now else None
