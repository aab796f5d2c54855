"""The backoff rules and the addresses failures are counted under (no database)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from jimu.platform.security.backoff import ACCOUNT, ADDRESS, Backoff, Failures, ThrottlePolicy
from jimu.platform.security.throttle import address_key
from jimu.platform.settings import Settings

NOW = datetime(2026, 12, 7, 9, 0, tzinfo=UTC)


def seconds(wait: timedelta) -> float:
    return wait.total_seconds()


def test_the_wait_doubles_after_the_free_failures_up_to_the_cap() -> None:
    backoff = Backoff(free_failures=5, base=timedelta(seconds=1), cap=timedelta(seconds=900))
    waits = [seconds(backoff.wait_after(n)) for n in range(0, 18)]
    assert waits == [0, 0, 0, 0, 0, 0, 1, 2, 4, 8, 16, 32, 64, 128, 256, 512, 900, 900]
    assert backoff.wait_after(10**9) == timedelta(seconds=900)  # no overflow
    assert Backoff(0, timedelta(seconds=3), timedelta(seconds=10)).wait_after(1) == timedelta(
        seconds=3
    )


def test_the_policy_comes_from_the_settings(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.setenv("JIMU_LOGIN_ADDRESS_FREE_FAILURES", "20")
    monkeypatch.setenv("JIMU_LOGIN_ACCOUNT_FREE_FAILURES", "3")
    monkeypatch.setenv("JIMU_LOGIN_BACKOFF_SECONDS", "2")
    monkeypatch.setenv("JIMU_LOGIN_BACKOFF_MAX_SECONDS", "600")
    monkeypatch.setenv("JIMU_LOGIN_FAILURE_MEMORY_MINUTES", "5")
    policy = ThrottlePolicy.of(Settings(data_dir=tmp_path, secret_key="k"))
    assert policy.address == Backoff(20, timedelta(seconds=2), timedelta(seconds=600))
    assert policy.account == Backoff(3, timedelta(seconds=2), timedelta(seconds=600))
    # failures are remembered at least as long as the longest wait
    assert policy.forget_after == timedelta(seconds=600)
    monkeypatch.setenv("JIMU_LOGIN_BACKOFF_SECONDS", "0")
    with pytest.raises(ValueError, match="login_backoff_seconds"):
        Settings(data_dir=tmp_path, secret_key="k")


def test_failures_wait_and_are_forgotten() -> None:
    policy = ThrottlePolicy(
        address=Backoff(10, timedelta(seconds=1), timedelta(seconds=900)),
        account=Backoff(2, timedelta(seconds=1), timedelta(seconds=900)),
        memory=timedelta(hours=1),
    )
    account = Failures(ACCOUNT, "alice", 4, NOW)
    assert account.waiting_until(policy, NOW) == NOW + timedelta(seconds=2)  # 2 over: 1, 2
    assert account.waiting_until(policy, NOW + timedelta(seconds=2)) is None
    assert account.remembered(policy, NOW + timedelta(minutes=59)) == 4
    assert account.remembered(policy, NOW + timedelta(hours=1)) == 0
    address = Failures(ADDRESS, "192.0.2.1", 4, NOW)
    assert address.waiting_until(policy, NOW) is None  # 4 of 10 free


@pytest.mark.parametrize(
    ("ip", "key"),
    [
        ("192.0.2.7", "192.0.2.7"),
        ("2001:db8:1:2:3:4:5:6", "2001:db8:1:2::/64"),
        ("2001:db8:1:2:ffff::1", "2001:db8:1:2::/64"),
        ("::ffff:192.0.2.7", "192.0.2.7"),
        ("testclient", "testclient"),
        (None, "unknown"),
        ("", "unknown"),
    ],
)
def test_addresses_are_counted_by_host_or_ipv6_network(ip: str | None, key: str) -> None:
    assert address_key(ip) == key


def test_every_throttling_setting_is_documented_with_its_default() -> None:
    docs = (Path(__file__).resolve().parents[3] / "docs" / "security.md").read_text("utf-8")
    rows = {
        line.split("|")[1].strip(" `"): line.split("|")[2].strip()
        for line in docs.splitlines()
        if line.startswith("| `JIMU_")
    }
    names = [name for name in Settings.model_fields if name.startswith("login_")]
    assert len(names) == 5
    for name in names:
        default = Settings.model_fields[name].default
        assert rows[f"JIMU_{name.upper()}"].startswith(f"`{default}`"), name
