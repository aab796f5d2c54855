"""Sign-in throttling: password checks slowed down per client address and per username.

Every password check (signing in, and the current password when changing it) first asks
:func:`check_throttle`, and then reports how it went (:func:`count_failure`,
:func:`count_success`):

- failures from one address make that address wait (:mod:`jimu.platform.security.backoff`),
  whichever usernames it tries, so one address cannot try many usernames quickly;
- failures against one username, from anywhere, make that username wait too, but only for
  addresses that have failures of their own on record: an address with a clean record is never
  held back by a username's wait, so an outsider's failures cannot lock a real user out;
- a success forgets the username's failures (not the address's: anyone with one account could
  otherwise wipe their address's record between guesses); failures are forgotten after a
  while without another, and an administrator can forget them at once.

Unknown usernames are throttled exactly like users, so the answers do not tell whether a user
exists. A throttled check is refused before the password is looked at, and does not count.
"""

from __future__ import annotations

import ipaddress
import math
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy.orm import Session

from jimu.errors import JimuError
from jimu.platform.security import throttle_store as store
from jimu.platform.security.backoff import ACCOUNT, ADDRESS, ThrottlePolicy

#: The address of a request whose client the server does not know.
UNKNOWN_ADDRESS = "unknown"
#: IPv6 clients are counted by their /64 network (one host usually holds a whole /64).
IPV6_PREFIX = 64
REASONS = {ADDRESS: "address_backoff", ACCOUNT: "account_backoff"}
MESSAGES = {
    ADDRESS: "Too many failed sign-ins from your address",
    ACCOUNT: "Too many failed sign-ins for this username",
}


def address_key(ip: str | None) -> str:
    """What failures are counted under for a client at ``ip``: the address itself, its /64
    network for IPv6, or ``unknown``."""
    if not ip:
        return UNKNOWN_ADDRESS
    try:
        parsed = ipaddress.ip_address(ip)
    except ValueError:
        return ip
    if isinstance(parsed, ipaddress.IPv6Address):
        if parsed.ipv4_mapped is not None:
            return str(parsed.ipv4_mapped)
        return str(ipaddress.ip_network(f"{parsed}/{IPV6_PREFIX}", strict=False))
    return str(parsed)


@dataclass(frozen=True)
class Wait:
    """A password check must wait until ``until`` because of failures in ``scope``."""

    scope: str
    until: datetime

    def seconds(self, now: datetime) -> int:
        """Whole seconds from ``now`` until the wait is over (at least 1)."""
        return max(1, math.ceil((self.until - now).total_seconds()))


class SignInThrottled(JimuError):
    """A password check refused because of earlier failures (429, with ``Retry-After``)."""

    def __init__(self, wait: Wait, now: datetime) -> None:
        self.wait = wait
        seconds = wait.seconds(now)
        super().__init__(
            f"{MESSAGES[wait.scope]}; try again after {wait.until:%Y-%m-%d %H:%M:%S} UTC "
            f"(in {seconds} s).",
            code="rate_limited",
            status=429,
            extra={
                "reason": REASONS[wait.scope],
                "retry_after": seconds,
                "retry_at": wait.until.isoformat(),
            },
        )

    @property
    def retry_after(self) -> int:
        return int(self.extra["retry_after"])


def check_throttle(
    db: Session, policy: ThrottlePolicy, address: str, username: str, now: datetime
) -> Wait | None:
    """The wait a password check of ``username`` from ``address`` must first sit out, if any.

    Takes the throttle's locks (see :func:`throttle_store.lock`) for the rest of the
    transaction, so the check and the count that follows it are not interleaved."""
    store.lock(db, [(ADDRESS, address), (ACCOUNT, username)])
    waits: list[Wait] = []
    from_address = store.read(db, ADDRESS, address)
    if from_address is not None and from_address.remembered(policy, now):
        until = from_address.waiting_until(policy, now)
        if until is not None:
            waits.append(Wait(ADDRESS, until))
        for_account = store.read(db, ACCOUNT, username)
        until = for_account.waiting_until(policy, now) if for_account else None
        if until is not None:
            waits.append(Wait(ACCOUNT, until))
    return max(waits, key=lambda wait: wait.until, default=None)


def count_failure(
    db: Session, policy: ThrottlePolicy, address: str, username: str, now: datetime
) -> dict[str, int]:
    """Count a failed password check against the address and the username; the failures
    each now has (for the audit log)."""
    counted = {
        scope: store.count_failure(db, scope, key, now, policy).count
        for scope, key in ((ADDRESS, address), (ACCOUNT, username))
    }
    store.SWEEPER.sweep(db, policy, now)
    return counted


def count_success(db: Session, username: str) -> None:
    """The password was right: forget the username's failures."""
    store.forget(db, ACCOUNT, username)
