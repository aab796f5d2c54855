from __future__ import annotations

import stat
from pathlib import Path

import pytest

from jimu.platform.settings import Settings


def test_defaults_put_sqlite_and_secret_in_the_data_dir(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    settings = Settings(_env_file=None)
    data = tmp_path / "data"
    assert settings.data_dir == data
    assert settings.database_url == f"sqlite:///{data / 'jimu.db'}"
    key_file = data / "secret_key"
    assert key_file.read_text().strip() == settings.secret_key
    assert len(settings.secret_key) >= 40
    assert stat.S_IMODE(key_file.stat().st_mode) == 0o600


def test_secret_key_is_stable_across_runs(tmp_path: Path) -> None:
    first = Settings(data_dir=tmp_path, _env_file=None)
    second = Settings(data_dir=tmp_path, _env_file=None)
    assert first.secret_key == second.secret_key


def test_environment_variables_with_prefix(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("JIMU_DATA_DIR", str(tmp_path / "elsewhere"))
    monkeypatch.setenv("JIMU_DATABASE_URL", "postgresql://u@db:5432/jimu")
    monkeypatch.setenv("JIMU_SECRET_KEY", "from-env")
    monkeypatch.setenv("JIMU_SMTP_HOST", "mail.example.com")
    monkeypatch.setenv("JIMU_SMTP_PORT", "587")
    monkeypatch.setenv("JIMU_BASE_URL", "https://jimu.example.com")
    monkeypatch.setenv("JIMU_PORT", "9000")
    settings = Settings(_env_file=None)
    assert settings.data_dir == tmp_path / "elsewhere"
    assert settings.database_url == "postgresql://u@db:5432/jimu"
    assert settings.secret_key == "from-env"
    assert settings.smtp_enabled and settings.smtp_port == 587
    assert settings.base_url == "https://jimu.example.com"
    assert settings.port == 9000
    assert not (tmp_path / "elsewhere" / "secret_key").exists()


def test_smtp_is_off_without_a_host(tmp_path: Path) -> None:
    assert not Settings(data_dir=tmp_path, _env_file=None).smtp_enabled


def test_cookie_is_secure_behind_https_unless_told_otherwise(tmp_path: Path) -> None:
    plain = Settings(data_dir=tmp_path, _env_file=None)
    https = Settings(data_dir=tmp_path, base_url="https://jimu.example.com", _env_file=None)
    forced = Settings(
        data_dir=tmp_path, base_url="https://jimu.example.com", cookie_secure=False, _env_file=None
    )
    assert (plain.cookie_secure, https.cookie_secure, forced.cookie_secure) == (False, True, False)
