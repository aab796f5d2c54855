"""Single sign-on through OpenID Connect: the authorization-code flow with PKCE, state and nonce.

1. :func:`begin` picks a random ``state``, ``nonce`` and PKCE verifier and gives the URL of the
   provider's authorization endpoint (found by discovery at
   ``<issuer>/.well-known/openid-configuration``); the three secrets travel in a signed,
   short-lived cookie (see ``pages/oidc_routes.py``).
2. :func:`complete` checks ``state``, exchanges the code (with the verifier and the client
   secret) at the token endpoint and checks the ID token: its RS256 signature against the
   provider's JWKS, ``iss``, ``aud`` (and ``azp``), ``exp`` and ``nonce``.

JOSE (signatures, keys) is joserfc's; the flow is ours. Every refusal is an :class:`OidcError`
with a short ``reason`` for the audit log and a message for people.
"""

from __future__ import annotations

import base64
import hashlib
import time
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlencode

import httpx
from joserfc import jwt
from joserfc.errors import JoseError
from joserfc.jwk import KeySet

from jimu.platform.auth.crypto import new_token, tokens_match
from jimu.platform.settings import Settings

DISCOVERY_PATH = "/.well-known/openid-configuration"
CALLBACK_PATH = "/login/oidc/callback"
ALGORITHMS = ["RS256"]
#: Clock difference tolerated when checking ``exp`` and ``iat``.
LEEWAY_SECONDS = 60
HTTP_TIMEOUT_SECONDS = 10.0


class OidcError(Exception):
    """A refused single sign-on; ``reason`` is a short code, the message is for people."""

    def __init__(self, reason: str, message: str) -> None:
        super().__init__(message)
        self.reason = reason
        self.message = message


@dataclass(frozen=True)
class OidcConfig:
    issuer: str
    client_id: str
    client_secret: str
    scopes: str
    redirect_uri: str
    username_claim: str
    create_users: bool

    @classmethod
    def of(cls, settings: Settings, request_base_url: str) -> OidcConfig | None:
        """The configuration, or None when single sign-on is not set up.

        The redirect address is ``base_url``'s when set, else that of the request's address.
        """
        if not (settings.oidc_issuer and settings.oidc_client_id):
            return None
        return cls(
            issuer=settings.oidc_issuer.rstrip("/"),
            client_id=settings.oidc_client_id,
            client_secret=settings.oidc_client_secret,
            scopes=settings.oidc_scopes,
            redirect_uri=settings.public_url(request_base_url) + CALLBACK_PATH,
            username_claim=settings.oidc_username_claim,
            create_users=settings.oidc_create_users,
        )


@dataclass(frozen=True)
class Provider:
    issuer: str
    authorization_endpoint: str
    token_endpoint: str
    jwks_uri: str


@dataclass(frozen=True)
class Flow:
    """What the browser carries (signed) between :func:`begin` and :func:`complete`."""

    state: str
    nonce: str
    verifier: str
    next_url: str

    def as_dict(self) -> dict[str, str]:
        return {"s": self.state, "n": self.nonce, "v": self.verifier, "next": self.next_url}

    @classmethod
    def from_dict(cls, data: Any) -> Flow:
        if not isinstance(data, dict) or not all(
            isinstance(data.get(k), str) for k in ("s", "n", "v", "next")
        ):
            raise OidcError("bad_flow", "The sign-in attempt is not valid; start again.")
        return cls(data["s"], data["n"], data["v"], data["next"])


def http_client() -> httpx.Client:
    return httpx.Client(timeout=HTTP_TIMEOUT_SECONDS, follow_redirects=False)


def discover(client: httpx.Client, issuer: str) -> Provider:
    """The provider's endpoints from its discovery document (its issuer must be ``issuer``)."""
    document = _get_json(client, issuer + DISCOVERY_PATH, "discovery")
    endpoints = {}
    for key in ("issuer", "authorization_endpoint", "token_endpoint", "jwks_uri"):
        value = document.get(key)
        if not isinstance(value, str) or not value:
            raise OidcError("discovery", f"The provider's discovery document has no {key}.")
        endpoints[key] = value
    if endpoints["issuer"].rstrip("/") != issuer:
        raise OidcError(
            "discovery",
            f"The provider says its issuer is {endpoints['issuer']!r}, not {issuer!r}.",
        )
    return Provider(**endpoints)


def begin(config: OidcConfig, provider: Provider, next_url: str) -> tuple[str, Flow]:
    """The URL to send the browser to, and the flow to keep until it comes back."""
    flow = Flow(state=new_token(), nonce=new_token(), verifier=new_token(48), next_url=next_url)
    query = {
        "response_type": "code",
        "client_id": config.client_id,
        "redirect_uri": config.redirect_uri,
        "scope": config.scopes,
        "state": flow.state,
        "nonce": flow.nonce,
        "code_challenge": pkce_challenge(flow.verifier),
        "code_challenge_method": "S256",
    }
    separator = "&" if "?" in provider.authorization_endpoint else "?"
    return provider.authorization_endpoint + separator + urlencode(query), flow


def pkce_challenge(verifier: str) -> str:
    digest = hashlib.sha256(verifier.encode("ascii")).digest()
    return base64.urlsafe_b64encode(digest).rstrip(b"=").decode("ascii")


def complete(
    client: httpx.Client,
    config: OidcConfig,
    provider: Provider,
    flow: Flow,
    params: dict[str, str],
) -> dict[str, Any]:
    """The checked claims of the ID token the provider sends back for this flow."""
    if not tokens_match(flow.state, params.get("state")):
        raise OidcError("state", "The sign-in answer does not belong to this attempt (state).")
    if params.get("error"):
        text = params.get("error_description") or params["error"]
        raise OidcError("provider_error", f"The identity provider refused: {text}")
    code = params.get("code")
    if not code:
        raise OidcError("no_code", "The identity provider sent no authorization code.")
    id_token = _exchange(client, config, provider, flow, code)
    return check_id_token(id_token, _key_set(client, provider), config, flow.nonce)


def check_id_token(
    id_token: str, keys: KeySet, config: OidcConfig, nonce: str, now: float | None = None
) -> dict[str, Any]:
    """The claims of ``id_token`` once its signature, issuer, audience, expiry and nonce hold."""
    try:
        token = jwt.decode(id_token, keys, algorithms=ALGORITHMS)
    except JoseError as error:
        raise OidcError(
            "bad_signature",
            f"The ID token's signature could not be verified ({error.error}).",
        ) from error
    claims = dict(token.claims)
    moment = time.time() if now is None else now
    if claims.get("iss") != config.issuer:
        raise OidcError("wrong_issuer", f"The ID token was issued by {claims.get('iss')!r}.")
    audience = claims.get("aud")
    audiences = audience if isinstance(audience, list) else [audience]
    if config.client_id not in audiences:
        raise OidcError("wrong_audience", "The ID token was issued for another application.")
    if len(audiences) > 1 and claims.get("azp") != config.client_id:
        raise OidcError("wrong_audience", "The ID token's authorized party is another one.")
    expiry = claims.get("exp")
    if not isinstance(expiry, int | float) or expiry + LEEWAY_SECONDS < moment:
        raise OidcError("expired", "The ID token has expired.")
    issued = claims.get("iat")
    if isinstance(issued, int | float) and issued - LEEWAY_SECONDS > moment:
        raise OidcError("expired", "The ID token was issued in the future.")
    if not tokens_match(
        nonce, claims.get("nonce") if isinstance(claims.get("nonce"), str) else None
    ):
        raise OidcError("wrong_nonce", "The ID token does not belong to this sign-in (nonce).")
    if not isinstance(claims.get("sub"), str) or not claims["sub"]:
        raise OidcError("no_subject", "The ID token names no subject.")
    return claims


def _exchange(
    client: httpx.Client, config: OidcConfig, provider: Provider, flow: Flow, code: str
) -> str:
    form = {
        "grant_type": "authorization_code",
        "code": code,
        "redirect_uri": config.redirect_uri,
        "code_verifier": flow.verifier,
        "client_id": config.client_id,
    }
    try:
        response = client.post(
            provider.token_endpoint,
            data=form,
            auth=(config.client_id, config.client_secret),
            headers={"Accept": "application/json"},
        )
    except httpx.HTTPError as error:
        raise OidcError(
            "token_endpoint", f"The token endpoint did not answer ({error})."
        ) from error
    body = _json_of(response, "token")
    if response.status_code != 200:
        detail = body.get("error_description") or body.get("error") or response.status_code
        raise OidcError("token_endpoint", f"The token endpoint refused the code: {detail}.")
    id_token = body.get("id_token")
    if not isinstance(id_token, str):
        raise OidcError("token_endpoint", "The token endpoint sent no ID token.")
    return id_token


def _key_set(client: httpx.Client, provider: Provider) -> KeySet:
    document = _get_json(client, provider.jwks_uri, "jwks")
    try:
        return KeySet.import_key_set(document)  # type: ignore[arg-type]
    except (JoseError, ValueError, KeyError, TypeError) as error:
        raise OidcError("jwks", f"The provider's keys (JWKS) are not valid: {error}") from error


def _get_json(client: httpx.Client, url: str, what: str) -> dict[str, Any]:
    try:
        response = client.get(url, headers={"Accept": "application/json"})
    except httpx.HTTPError as error:
        raise OidcError(
            what, f"The identity provider did not answer at {url} ({error})."
        ) from error
    if response.status_code != 200:
        raise OidcError(what, f"The identity provider answered {response.status_code} at {url}.")
    return _json_of(response, what)


def _json_of(response: httpx.Response, what: str) -> dict[str, Any]:
    try:
        body = response.json()
    except ValueError as error:
        raise OidcError(what, f"The identity provider's {what} answer is not JSON.") from error
    if not isinstance(body, dict):
        raise OidcError(what, f"The identity provider's {what} answer is not a JSON object.")
    return body
