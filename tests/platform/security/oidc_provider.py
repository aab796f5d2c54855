"""A small but real OpenID Connect provider for the tests, served over HTTP by uvicorn.

Discovery, ``/authorize`` (auto-approves ``provider.user``, checking client, redirect URI and
the PKCE S256 challenge), ``/token`` (client secret by HTTP Basic or form, code verifier,
single-use codes) and ``/jwks`` (an RSA key generated per run). ``provider.tamper`` makes the
next ID tokens bad on purpose: ``bad_signature``, ``wrong_nonce``, ``wrong_audience``,
``expired`` or ``wrong_issuer``.
"""

from __future__ import annotations

import base64
import hashlib
import secrets
import time
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlencode

from joserfc import jwt
from joserfc.jwk import RSAKey
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, RedirectResponse, Response
from starlette.routing import Route

CLIENT_ID = "jimu-test"
CLIENT_SECRET = "jimu-test-secret"


@dataclass
class Grant:
    client_id: str
    redirect_uri: str
    nonce: str
    challenge: str


@dataclass
class LocalProvider:
    issuer: str
    redirect_uri: str
    user: dict[str, Any] = field(default_factory=dict)
    tamper: str | None = None
    key: RSAKey = field(default_factory=lambda: _rsa_key("k1"))
    codes: dict[str, Grant] = field(default_factory=dict)
    token_requests: int = 0

    def app(self) -> Starlette:
        return Starlette(
            routes=[
                Route("/.well-known/openid-configuration", self.discovery),
                Route("/authorize", self.authorize),
                Route("/token", self.token, methods=["POST"]),
                Route("/jwks", self.jwks),
            ]
        )

    async def discovery(self, request: Request) -> Response:
        return JSONResponse(
            {
                "issuer": self.issuer,
                "authorization_endpoint": self.issuer + "/authorize",
                "token_endpoint": self.issuer + "/token",
                "jwks_uri": self.issuer + "/jwks",
                "response_types_supported": ["code"],
                "subject_types_supported": ["public"],
                "id_token_signing_alg_values_supported": ["RS256"],
                "code_challenge_methods_supported": ["S256"],
                "token_endpoint_auth_methods_supported": [
                    "client_secret_basic",
                    "client_secret_post",
                ],
            }
        )

    async def authorize(self, request: Request) -> Response:
        q = request.query_params
        problems = []
        if q.get("client_id") != CLIENT_ID:
            problems.append("client_id")
        if q.get("redirect_uri") != self.redirect_uri:
            problems.append("redirect_uri")
        if q.get("response_type") != "code" or "openid" not in q.get("scope", "").split():
            problems.append("response_type/scope")
        if q.get("code_challenge_method") != "S256" or not q.get("code_challenge"):
            problems.append("pkce")
        if not q.get("state") or not q.get("nonce"):
            problems.append("state/nonce")
        if problems:
            return JSONResponse({"error": "invalid_request", "bad": problems}, status_code=400)
        code = secrets.token_urlsafe(16)
        self.codes[code] = Grant(CLIENT_ID, q["redirect_uri"], q["nonce"], q["code_challenge"])
        query = urlencode({"code": code, "state": q["state"]})
        return RedirectResponse(f"{q['redirect_uri']}?{query}", status_code=302)

    async def token(self, request: Request) -> Response:
        self.token_requests += 1
        form = await request.form()
        client_id, secret = _client_credentials(request, dict(form))
        if client_id != CLIENT_ID or secret != CLIENT_SECRET:
            return JSONResponse({"error": "invalid_client"}, status_code=401)
        grant = self.codes.pop(str(form.get("code", "")), None)  # single use
        if grant is None or form.get("redirect_uri") != grant.redirect_uri:
            return JSONResponse({"error": "invalid_grant"}, status_code=400)
        verifier = str(form.get("code_verifier", ""))
        if _challenge(verifier) != grant.challenge:
            return JSONResponse(
                {"error": "invalid_grant", "error_description": "PKCE verifier does not match"},
                status_code=400,
            )
        return JSONResponse(
            {
                "access_token": secrets.token_urlsafe(16),
                "token_type": "Bearer",
                "expires_in": 300,
                "id_token": self.id_token(grant.nonce),
            }
        )

    async def jwks(self, request: Request) -> Response:
        return JSONResponse({"keys": [self.key.as_dict(private=False)]})

    def id_token(self, nonce: str) -> str:
        now = int(time.time())
        claims: dict[str, Any] = {
            "iss": self.issuer,
            "aud": CLIENT_ID,
            "iat": now,
            "exp": now + 300,
            "nonce": nonce,
            **self.user,
        }
        key = self.key
        if self.tamper == "bad_signature":
            key = _rsa_key("k1")  # same key id, another key
        elif self.tamper == "wrong_nonce":
            claims["nonce"] = "someone-elses-nonce"
        elif self.tamper == "wrong_audience":
            claims["aud"] = "another-client"
        elif self.tamper == "expired":
            claims["iat"], claims["exp"] = now - 3600, now - 1800
        elif self.tamper == "wrong_issuer":
            claims["iss"] = "https://evil.example.com"
        return jwt.encode({"alg": "RS256", "kid": "k1"}, claims, key)


def _rsa_key(kid: str) -> RSAKey:
    return RSAKey.generate_key(2048, parameters={"kid": kid, "use": "sig", "alg": "RS256"})


def _challenge(verifier: str) -> str:
    digest = hashlib.sha256(verifier.encode("ascii")).digest()
    return base64.urlsafe_b64encode(digest).rstrip(b"=").decode("ascii")


def _client_credentials(request: Request, form: dict[str, Any]) -> tuple[str, str]:
    scheme, _, value = request.headers.get("authorization", "").partition(" ")
    if scheme.lower() == "basic":
        client_id, _, secret = base64.b64decode(value).decode().partition(":")
        return client_id, secret
    return str(form.get("client_id", "")), str(form.get("client_secret", ""))
