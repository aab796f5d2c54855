"""Sign-ins at the same moment: no failure is lost, and one address's burst is held back;
forgotten failures are swept."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from datetime import timedelta

from platform_testing import USER_PASSWORD
from security_testing import audit_events
from throttle_testing import START, remembered

from jimu.platform.models import User
from jimu.platform.security import throttle_store as store
from jimu.platform.security.backoff import ThrottlePolicy
from jimu.platform.security.sign_in import SignInAttempt, sign_in_with_password
from jimu.platform.security.throttle_store import Sweeper
from jimu.platform.state import Platform

THREADS = 8


def attempt(platform: Platform, username: str, password: str, ip: str) -> SignInAttempt:
    with platform.write_sessions() as db:
        found = sign_in_with_password(
            db, username, password, ThrottlePolicy.of(platform.settings), ip=ip, now=START
        )
        db.commit()
        return found


def test_failures_at_the_same_moment_all_count(platform: Platform, user: User) -> None:
    def fail(i: int) -> SignInAttempt:
        return attempt(platform, "alice", "wrong-password-1", f"192.0.2.{i + 1}")

    with ThreadPoolExecutor(THREADS) as pool:
        outcomes = list(pool.map(fail, range(THREADS)))
    # every address had a clean record, so none was held back by alice's failures
    assert all(o.user is None and o.throttled is None for o in outcomes)
    assert remembered(platform)[("account", "alice")] == THREADS
    assert len(audit_events(platform, "sign_in_failed")) == THREADS


def test_a_burst_from_one_address_is_checked_one_at_a_time(platform: Platform, user: User) -> None:
    platform.settings.login_address_free_failures = 2

    def guess(i: int) -> SignInAttempt:
        return attempt(platform, f"user{i}", "guess-password-1", "203.0.113.30")

    with ThreadPoolExecutor(THREADS) as pool:
        outcomes = list(pool.map(guess, range(THREADS)))
    # two free failures and a third that starts the wait; the rest saw that wait
    assert sum(o.throttled is None for o in outcomes) == 3
    assert remembered(platform)[("address", "203.0.113.30")] == 3
    assert attempt(platform, "alice", USER_PASSWORD, "198.51.100.30").user is not None


def test_forgotten_failures_are_swept_now_and_then(platform: Platform) -> None:
    policy = ThrottlePolicy.of(platform.settings)  # failures are remembered for 60 minutes
    sweeper = Sweeper()
    with platform.write_sessions() as db:
        for key, minute in (("old", 0), ("middle", 1), ("recent", 30)):
            store.count_failure(db, "account", key, START + timedelta(minutes=minute), policy)
        db.commit()

    def sweep(minute: int) -> int:
        with platform.write_sessions() as db:
            swept = sweeper.sweep(db, policy, START + timedelta(minutes=minute))
            db.commit()
            return swept

    assert sweep(60) == 1  # "old" is forgotten
    assert sweep(65) == 0  # "middle" is too, but the last sweep was 5 minutes ago
    assert sweep(71) == 1
    assert remembered(platform) == {("account", "recent"): 1}
