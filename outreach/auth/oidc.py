"""Login through a kommun's OpenID Connect provider (Entra ID, or any other), with Authlib.

The authorization code flow with PKCE (S256): begin() gives the address to send the browser
to, with a fresh state, nonce and code verifier that the login view keeps in the browser's
session; finish() exchanges the code and verifies the ID token against the provider's
discovery document and keys (signature, issuer, audience, expiry, nonce). An ID token signed
with a key the provider did not publish before makes it fetch the keys again (a rotated key).
Nothing here reads the request: the views pass what came back.
"""

import time

import requests
from authlib.common.errors import AuthlibBaseError
from authlib.integrations.flask_client import FlaskIntegration, FlaskOAuth2App
from joserfc import jwt
from joserfc.errors import JoseError
from joserfc.jwk import KeySet

from outreach.auth.models import IdentityProvider
from outreach.auth.provisioning import Assertion, LoginFailed

#: How long a provider's discovery document is trusted before it is fetched again.
METADATA_SECONDS = 3600
#: Seconds a request to the provider may take.
TIMEOUT = 10
BACKCHANNEL_EVENT = "http://schemas.openid.net/event/backchannel-logout"


#: provider id → (what the client was built from, the client)
_clients: dict[int, tuple[tuple, FlaskOAuth2App]] = {}


def _client(provider: IdentityProvider) -> FlaskOAuth2App:
    """The provider's client, its discovery document loaded (again after METADATA_SECONDS, or
    when the provider's settings changed)."""
    built_from = (provider.issuer, provider.client_id, provider.client_secret)
    cached = _clients.get(provider.id)
    if cached and cached[0] == built_from:
        client = cached[1]
        if time.time() - client.server_metadata.get("_loaded_at", 0) < METADATA_SECONDS:
            return client
    issuer = provider.issuer.rstrip("/")
    client = FlaskOAuth2App(
        FlaskIntegration(f"provider{provider.id}"),
        name=f"provider{provider.id}",
        client_id=provider.client_id,
        client_secret=provider.client_secret,
        server_metadata_url=f"{issuer}/.well-known/openid-configuration",
        client_kwargs={
            "scope": "openid profile email",
            "code_challenge_method": "S256",
            "default_timeout": TIMEOUT,
        },
    )
    try:
        metadata = client.load_server_metadata()
    except (requests.RequestException, ValueError) as error:
        raise LoginFailed(provider, f"discovery document: {error}") from error
    if metadata.get("issuer", "").rstrip("/") != issuer:
        raise LoginFailed(provider, f"discovery names another issuer: {metadata.get('issuer')}")
    _clients[provider.id] = (built_from, client)
    return client


def begin(provider: IdentityProvider, redirect_uri: str) -> dict:
    """Where to send the browser, and what to keep until it comes back: `url`, `state`,
    `nonce`, `code_verifier`."""
    try:
        return _client(provider).create_authorization_url(redirect_uri)
    except RuntimeError as error:  # a discovery document without an authorization endpoint
        raise LoginFailed(provider, str(error)) from error


def finish(
    provider: IdentityProvider, *, code: str, redirect_uri: str, code_verifier: str, nonce: str
) -> tuple[Assertion, str]:
    """The person the provider vouches for, from the code it sent back, and the ID token (to
    end the provider's session at logout). LoginFailed when anything does not hold."""
    client = _client(provider)
    try:
        token = client.fetch_access_token(
            redirect_uri=redirect_uri, code=code, code_verifier=code_verifier
        )
        claims = dict(client.parse_id_token(token, nonce=nonce))
        if provider.groups_claim not in claims and client.server_metadata.get("userinfo_endpoint"):
            claims = {**client.userinfo(token=token), **claims}
    except (
        AuthlibBaseError,
        JoseError,
        requests.RequestException,
        ValueError,
        TypeError,  # a token answer without an ID token
        KeyError,
        RuntimeError,  # a discovery document without a key set or token endpoint
    ) as error:
        raise LoginFailed(provider, f"{type(error).__name__}: {error}") from error
    return _assertion(provider, claims), token["id_token"]


def _assertion(provider: IdentityProvider, claims: dict) -> Assertion:
    subject = claims.get(provider.subject_claim)
    if not subject:
        raise LoginFailed(provider, f"no {provider.subject_claim} claim")
    groups = claims.get(provider.groups_claim) or []
    if isinstance(groups, str):
        groups = [groups]
    amr = claims.get("amr") or []
    vouched = set(amr if isinstance(amr, list) else [amr]) | {claims.get("acr")}
    return Assertion(
        provider=provider,
        subject=str(subject),
        username=str(claims.get(provider.username_claim) or subject),
        name=str(claims.get("name") or ""),
        email=claims.get("email") or None,
        groups=[str(group) for group in groups],
        multi_factor=bool(vouched & provider.mfa_value_set),
    )


def logout_url(provider: IdentityProvider, id_token: str, then: str) -> str | None:
    """Where to end the person's session at the provider too (its end-session endpoint), or
    None when it has none or cannot be reached."""
    try:
        client = _client(provider)
        if not client.server_metadata.get("end_session_endpoint"):
            return None
        return client.create_logout_url(post_logout_redirect_uri=then, id_token_hint=id_token)[
            "url"
        ]
    except (LoginFailed, RuntimeError):
        return None


def logged_out_subject(provider: IdentityProvider, logout_token: str) -> str:
    """The subject of a back-channel logout token from the provider, verified (signature,
    issuer, audience, the logout event, no nonce); LoginFailed otherwise."""
    client = _client(provider)
    try:
        keys = KeySet.import_key_set(client.fetch_jwk_set(force=True))
        token = jwt.decode(logout_token, keys)
        jwt.JWTClaimsRegistry(
            iss={"essential": True, "value": client.server_metadata["issuer"]},
            aud={"essential": True, "value": provider.client_id},
            iat={"essential": True},
            events={"essential": True},
        ).validate(token.claims)
    except (JoseError, requests.RequestException, ValueError, RuntimeError) as error:
        raise LoginFailed(provider, f"logout token: {error}") from error
    if BACKCHANNEL_EVENT not in token.claims["events"] or "nonce" in token.claims:
        raise LoginFailed(provider, "not a logout token")
    # the person as their identity at the provider names them (the subject claim), or sub
    subject = token.claims.get(provider.subject_claim) or token.claims.get("sub")
    if not subject:
        raise LoginFailed(provider, "logout token without sub")
    return str(subject)
