"""The ``sso`` fixture: Jimu and a local OpenID Connect provider, both served by uvicorn."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from oidc_provider import CLIENT_ID, CLIENT_SECRET, LocalProvider
from security_testing import free_port, serve
from sso_testing import ALICE, Sso

from jimu.app import create_app
from jimu.platform.migrate import upgrade
from jimu.platform.settings import Settings
from jimu.platform.state import Platform


@pytest.fixture
def sso(db_url: str, migrated: None, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Sso]:
    jimu_port, provider_port = free_port(), free_port()
    jimu_url = f"http://127.0.0.1:{jimu_port}"
    provider = LocalProvider(
        issuer=f"http://127.0.0.1:{provider_port}",
        redirect_uri=jimu_url + "/login/oidc/callback",
        user=dict(ALICE),
    )
    settings = Settings(
        data_dir=tmp_path_factory.mktemp("data"),
        database_url=db_url,
        secret_key="test-secret",
        base_url=jimu_url,
        oidc_issuer=provider.issuer,
        oidc_client_id=CLIENT_ID,
        oidc_client_secret=CLIENT_SECRET,
        oidc_label="Example SSO",
        oidc_create_users=True,
    )
    platform = Platform.from_settings(settings)
    upgrade(platform.engine)
    with serve(provider.app(), provider_port), serve(create_app(platform=platform), jimu_port):
        yield Sso(jimu_url, provider, platform)
    platform.engine.dispose()
