"""Single sign-on against a real OpenID Connect provider (oidc_provider.py) over HTTP: Jimu and
the provider each served by uvicorn (the ``sso`` fixture in conftest.py), a browser-like httpx
client following the redirects."""

from __future__ import annotations

import time
from urllib.parse import parse_qs, urlsplit

import httpx
import pytest
import sqlalchemy as sa
from fastapi.testclient import TestClient
from joserfc import jwt
from joserfc.jwk import KeySet, OctKey, RSAKey
from oidc_provider import CLIENT_ID
from platform_testing import add_user
from security_testing import HTML, audit_events, free_port, text_of
from sso_testing import ALICE, Sso

from jimu.platform.auth.sessions import COOKIE_NAME
from jimu.platform.models import OidcIdentity, User
from jimu.platform.security.oidc import OidcConfig, OidcError, check_id_token
from jimu.platform.state import Platform


def test_the_login_page_offers_single_sign_on(sso: Sso) -> None:
    with sso.browser() as web:
        page = web.get("/login")
    assert 'id="sso-login"' in page.text and "Sign in with Example SSO" in text_of(page.text)


def test_first_sign_in_creates_and_links_the_user(sso: Sso) -> None:
    with sso.browser() as web:
        landed = sso.sign_in(web, "/apps?from=sso")
        assert landed.status_code == 200, landed.text
        assert landed.url.path == "/apps" and landed.url.query == b"from=sso"
        hops = [str(r.url) for r in landed.history]
        assert hops[1].startswith(sso.provider.issuer + "/authorize?")
        authorize = parse_qs(urlsplit(hops[1]).query)
        assert authorize["code_challenge_method"] == ["S256"]
        assert authorize["state"] and authorize["nonce"]
        assert hops[2].startswith(sso.jimu + "/login/oidc/callback?code=")
        me = web.get("/api/auth/me").json()["user"]
    assert me["username"] == "alice.w" and me["display_name"] == "Alice Wang"
    assert me["email"] == "alice@example.com"
    with sso.platform.sessions() as db:
        identity = db.scalars(sa.select(OidcIdentity)).one()
        assert (identity.issuer, identity.subject) == (sso.provider.issuer, ALICE["sub"])
    event = audit_events(sso.platform, "sign_in")[0]
    assert event["username"] == "alice.w" and event["detail"]["method"] == "oidc"


def test_the_next_sign_in_finds_the_linked_user_even_after_a_rename(sso: Sso) -> None:
    with sso.browser() as web:
        assert sso.sign_in(web).status_code == 200
    sso.provider.user = {**ALICE, "preferred_username": "alice.new", "email": "a@new.example"}
    with sso.browser() as web:
        assert sso.sign_in(web).status_code == 200
        assert web.get("/api/auth/me").json()["user"]["username"] == "alice.w"
    assert sso.user("alice.new") is None


def test_an_existing_user_is_matched_by_verified_email(sso: Sso) -> None:
    existing = add_user(sso.platform, "awang", "granite-kite-2026")
    with sso.platform.sessions() as db:
        db.execute(sa.update(User).where(User.id == existing.id).values(email="Alice@Example.com"))
        db.commit()
    with sso.browser() as web:
        assert sso.sign_in(web).status_code == 200
        assert web.get("/api/auth/me").json()["user"]["id"] == existing.id
    assert sso.user("alice.w") is None


def test_an_unverified_email_matches_nobody(sso: Sso) -> None:
    existing = add_user(sso.platform, "awang", "granite-kite-2026")
    with sso.platform.sessions() as db:
        db.execute(sa.update(User).where(User.id == existing.id).values(email=ALICE["email"]))
        db.commit()
    sso.provider.user = {**ALICE, "email_verified": False}
    with sso.browser() as web:
        assert sso.sign_in(web).status_code == 200
        me = web.get("/api/auth/me").json()["user"]
    assert me["username"] == "alice.w" and me["id"] != existing.id and me["email"] is None


def test_a_taken_username_gets_a_suffix(sso: Sso) -> None:
    add_user(sso.platform, "alice.w", "granite-kite-2026")
    sso.provider.user = {**ALICE, "email_verified": False}
    with sso.browser() as web:
        assert sso.sign_in(web).status_code == 200
        assert web.get("/api/auth/me").json()["user"]["username"] == "alice.w-2"


def test_without_auto_creation_an_unknown_identity_is_refused(sso: Sso) -> None:
    sso.platform.settings.oidc_create_users = False
    with sso.browser() as web:
        page = sso.sign_in(web)
        assert page.status_code == 401
        assert "There is no Jimu account for you yet" in text_of(page.text)
        assert web.get("/api/auth/me").status_code == 401
    failed = audit_events(sso.platform, "sign_in_failed")[0]
    assert failed["username"] == "alice.w"
    assert failed["detail"]["method"] == "oidc" and failed["detail"]["reason"] == "no_account"


@pytest.mark.parametrize(
    ("tamper", "message"),
    [
        ("bad_signature", "The ID token's signature could not be verified"),
        ("wrong_nonce", "The ID token does not belong to this sign-in (nonce)."),
        ("wrong_audience", "The ID token was issued for another application."),
        ("expired", "The ID token has expired."),
        ("wrong_issuer", "The ID token was issued by 'https://evil.example.com'."),
    ],
)
def test_bad_id_tokens_are_refused_and_audited(sso: Sso, tamper: str, message: str) -> None:
    sso.provider.tamper = tamper
    with sso.browser() as web:
        page = sso.sign_in(web)
        assert page.status_code == 401
        assert f"Single sign-on did not work: {message}" in text_of(page.text)
        assert COOKIE_NAME not in web.cookies
        assert web.get("/api/auth/me").status_code == 401
    assert sso.user("alice.w") is None
    failed = audit_events(sso.platform, "sign_in_failed")
    assert len(failed) == 1 and failed[0]["detail"]["reason"] == tamper
    assert failed[0]["detail"]["method"] == "oidc" and failed[0]["ip"] == "127.0.0.1"
    assert audit_events(sso.platform, "sign_in") == []


def test_a_callback_with_a_forged_state_is_refused(sso: Sso) -> None:
    with sso.browser() as web:
        web.follow_redirects = False
        start = sso.sign_in(web)
        assert start.status_code == 303
        authorize = httpx.get(start.headers["location"], follow_redirects=False)
        callback = httpx.URL(authorize.headers["location"])
        forged = callback.copy_set_param("state", "forged")
        page = web.get(str(forged))
        assert page.status_code == 401 and "(state)" in text_of(page.text)
        assert sso.provider.token_requests == 0  # the code was never exchanged
    assert audit_events(sso.platform, "sign_in_failed")[0]["detail"]["reason"] == "state"


def test_a_callback_without_the_flow_cookie_is_refused(sso: Sso) -> None:
    with sso.browser() as web:
        page = web.get("/login/oidc/callback", params={"code": "x", "state": "y"})
    assert page.status_code == 401 and "try again" in text_of(page.text)
    assert audit_events(sso.platform, "sign_in_failed")[0]["detail"]["reason"] == "no_flow"


def test_a_deactivated_user_is_refused(sso: Sso) -> None:
    with sso.browser() as web:
        assert sso.sign_in(web).status_code == 200
    with sso.platform.sessions() as db:
        db.execute(sa.update(User).where(User.username == "alice.w").values(is_active=False))
        db.commit()
    with sso.browser() as web:
        page = sso.sign_in(web)
        assert page.status_code == 401 and "deactivated" in text_of(page.text)


def test_without_configuration_there_is_no_button_and_no_route(client: TestClient) -> None:
    page = client.get("/login", headers=HTML)
    assert 'id="sso-login"' not in page.text
    assert client.get("/login/oidc", headers=HTML, follow_redirects=False).status_code == 404


def test_a_wrong_client_secret_is_refused_by_the_provider(sso: Sso) -> None:
    sso.platform.settings.oidc_client_secret = "not-the-secret"
    with sso.browser() as web:
        page = sso.sign_in(web)
        assert page.status_code == 401
        assert "The token endpoint refused the code: invalid_client." in text_of(page.text)
    failed = audit_events(sso.platform, "sign_in_failed")[0]
    assert failed["detail"]["reason"] == "token_endpoint"


def test_several_audiences_need_jimu_as_the_authorized_party() -> None:
    key = RSAKey.generate_key(2048, parameters={"kid": "k"})
    keys = KeySet([key])
    config = OidcConfig(
        issuer="https://id.example.com",
        client_id="jimu",
        client_secret="s",
        scopes="openid",
        redirect_uri="https://jimu.example.com/login/oidc/callback",
        username_claim="preferred_username",
        create_users=False,
    )
    now = int(time.time())
    claims = {"iss": config.issuer, "sub": "1", "exp": now + 60, "nonce": "n"}

    def token(**extra: object) -> str:
        return jwt.encode({"alg": "RS256", "kid": "k"}, {**claims, **extra}, key)

    both = ["jimu", "other"]
    assert check_id_token(token(aud=both, azp="jimu"), keys, config, "n")["sub"] == "1"
    with pytest.raises(OidcError, match="authorized party"):
        check_id_token(token(aud=both, azp="other"), keys, config, "n")
    with pytest.raises(OidcError) as refused:
        check_id_token(token(aud="jimu", exp=now - 61), keys, config, "n")
    assert refused.value.reason == "expired"
    assert check_id_token(token(aud="jimu", exp=now - 30), keys, config, "n")  # clock leeway
    hs256 = jwt.encode({"alg": "HS256"}, {**claims, "aud": "jimu"}, OctKey.import_key("k" * 32))
    with pytest.raises(OidcError) as unsigned:
        check_id_token(hs256, keys, config, "n")
    assert unsigned.value.reason == "bad_signature"


def test_an_unreachable_provider_is_reported_on_the_login_page(
    client: TestClient, platform: Platform
) -> None:
    platform.settings.oidc_issuer = f"http://127.0.0.1:{free_port()}"  # nobody listens
    platform.settings.oidc_client_id = CLIENT_ID
    page = client.get("/login/oidc", headers=HTML, follow_redirects=False)
    assert page.status_code == 502
    assert "Single sign-on did not work: The identity provider did not answer" in text_of(page.text)
    assert audit_events(platform, "sign_in_failed")[0]["detail"]["reason"] == "discovery"


def test_a_provider_claiming_another_issuer_is_refused(sso: Sso) -> None:
    port = urlsplit(sso.provider.issuer).port
    sso.platform.settings.oidc_issuer = f"http://localhost:{port}"
    with sso.browser() as web:
        page = sso.sign_in(web)
    assert page.status_code == 502
    assert f"The provider says its issuer is '{sso.provider.issuer}'" in text_of(page.text)
