"""A real OpenID provider on localhost for the tests, built on Authlib's server side.

It publishes its discovery document and keys, shows a login page where a person of its
directory signs in, and issues signed ID tokens through the authorization code flow with PKCE,
as Entra ID or any other provider does. A test can make it misbehave the way a broken or
hostile provider would (`misbehave`): tokens for another audience, tokens already expired,
tokens signed with a key it does not publish, another issuer. It can rotate its signing key,
and it sends back-channel logout tokens to the relying party.
"""

import threading
import time
import uuid
from dataclasses import dataclass, field
from urllib.parse import urlencode

import requests
from authlib.integrations.flask_oauth2 import AuthorizationServer
from authlib.oauth2.rfc6749 import ClientMixin, grants
from authlib.oauth2.rfc7636 import CodeChallenge
from authlib.oidc.core import UserInfo
from authlib.oidc.core.grants import OpenIDCode
from flask import Flask, jsonify, redirect, request
from joserfc import jwt
from joserfc.jwk import KeySet, RSAKey
from werkzeug.serving import make_server

LOGIN_PAGE = """<!doctype html><html lang="sv"><head><meta charset="utf-8">
<title>Testleverantören</title></head><body><main><h1>Testleverantören</h1>
<form method="post"><label for="username">Användarnamn</label>
<input id="username" name="username"><button type="submit">Logga in hos leverantören</button>
</form></main></body></html>"""


@dataclass
class Person:
    """Someone in the provider's directory."""

    username: str
    name: str
    groups: list[str]
    #: How they logged in: ["pwd"], or ["pwd", "mfa"] when the provider vouches for two factors.
    amr: list[str] = field(default_factory=lambda: ["pwd"])
    sub: str = field(default_factory=lambda: uuid.uuid4().hex)
    email: str = ""


@dataclass
class Client(ClientMixin):
    """A relying party registered at the provider."""

    client_id: str
    client_secret: str
    redirect_uris: list[str]
    backchannel_logout_uri: str = ""

    def get_client_id(self):
        return self.client_id

    def get_default_redirect_uri(self):
        return self.redirect_uris[0]

    def get_allowed_scope(self, scope):
        return " ".join(s for s in scope.split() if s in {"openid", "profile", "email"})

    def check_redirect_uri(self, redirect_uri):
        return redirect_uri in self.redirect_uris

    def check_client_secret(self, client_secret):
        return client_secret == self.client_secret

    def check_endpoint_auth_method(self, method, endpoint):
        return method in {"client_secret_basic", "client_secret_post"}

    def check_response_type(self, response_type):
        return response_type == "code"

    def check_grant_type(self, grant_type):
        return grant_type == "authorization_code"


@dataclass
class Code:
    """An authorization code, until it is exchanged."""

    code: str
    client_id: str
    redirect_uri: str
    scope: str
    person: Person
    nonce: str | None
    code_challenge: str | None
    code_challenge_method: str | None
    auth_time: int = field(default_factory=lambda: int(time.time()))

    def get_redirect_uri(self):
        return self.redirect_uri

    def get_scope(self):
        return self.scope

    def get_nonce(self):
        return self.nonce

    def get_auth_time(self):
        return self.auth_time

    def get_acr(self):
        return None

    def get_amr(self):
        return self.person.amr


class OpenIDProvider:
    """The provider: `start()` serves it; `issuer` is its address."""

    def __init__(self):
        self.people: dict[str, Person] = {}
        self.clients: dict[str, Client] = {}
        self.codes: dict[str, Code] = {}
        self.tokens: dict[str, Person] = {}
        self.keys = [RSAKey.generate_key(2048, parameters={"kid": "key-1", "use": "sig"})]
        #: What it gets wrong on purpose: "audience", "expired", "foreign_key", "issuer".
        self.misbehave: set[str] = set()
        #: The people logged out at the provider (its end-session endpoint was visited).
        self.ended: list[str] = []
        self.issuer = ""
        self._server = None

    # --- the directory and the relying parties ---------------------------------------------

    def add_person(self, username: str, name: str, groups: list[str], **details) -> Person:
        person = Person(username, name, groups, **details)
        self.people[username] = person
        return person

    def add_client(self, client_id: str, secret: str, redirect_uri: str, **details) -> Client:
        client = Client(client_id, secret, [redirect_uri], **details)
        self.clients[client_id] = client
        return client

    def rotate_keys(self) -> None:
        """A new signing key (the old one stays published a while, as providers do)."""
        self.keys.insert(
            0, RSAKey.generate_key(2048, parameters={"kid": f"key-{len(self.keys) + 1}"})
        )

    # --- serving -----------------------------------------------------------------------------

    def start(self) -> "OpenIDProvider":
        self._server = make_server("127.0.0.1", 0, self._app(), threaded=True)
        self.issuer = f"http://127.0.0.1:{self._server.server_port}"
        threading.Thread(target=self._server.serve_forever, daemon=True).start()
        return self

    def stop(self) -> None:
        if self._server is not None:
            self._server.shutdown()

    def log_in(self, authorize_url: str, username: str) -> str:
        """What a browser does at the provider's login page: returns where the provider sends
        the browser back to (the relying party's callback with code and state)."""
        response = requests.post(
            authorize_url, data={"username": username}, allow_redirects=False, timeout=10
        )
        assert response.status_code == 302, response.text
        return response.headers["Location"]

    def logout_token(self, username: str, client_id: str) -> str:
        """A back-channel logout token saying that the person logged out here."""
        now = int(time.time())
        claims = {
            "iss": self.issuer,
            "aud": client_id,
            "iat": now,
            "exp": now + 120,
            "jti": uuid.uuid4().hex,
            "sub": self.people[username].sub,
            "events": {"http://schemas.openid.net/event/backchannel-logout": {}},
        }
        return jwt.encode({"alg": "RS256", "kid": self.keys[0].kid}, claims, self.keys[0])

    def log_out(self, username: str, client_id: str) -> requests.Response:
        """Back-channel logout: tell the relying party that the person logged out here."""
        return requests.post(
            self.clients[client_id].backchannel_logout_uri,
            data={"logout_token": self.logout_token(username, client_id)},
            timeout=10,
        )

    def _signing_key(self) -> RSAKey:
        if "foreign_key" in self.misbehave:  # same key id, a key nobody published
            return RSAKey.generate_key(2048, parameters={"kid": self.keys[0].kid})
        return self.keys[0]

    def _app(self) -> Flask:
        app = Flask("test_openid_provider")
        provider = self

        class IDToken(OpenIDCode):
            def exists_nonce(self, nonce, request):
                return False

            def resolve_client_private_key(self, client):
                return provider._signing_key()

            def get_encode_header(self, client):
                return {"alg": "RS256", "kid": provider.keys[0].kid}

            def get_client_claims(self, client):
                now = int(time.time())
                lifetime = -600 if "expired" in provider.misbehave else 300
                audience = "another-app" if "audience" in provider.misbehave else client.client_id
                issuer = "http://elsewhere.invalid" if "issuer" in provider.misbehave else None
                return {
                    "iss": issuer or provider.issuer,
                    "aud": [audience],
                    "iat": now + min(lifetime, 0) - 60,
                    "exp": now + lifetime,
                }

            def generate_user_info(self, person, scope):
                return UserInfo(
                    sub=person.sub,
                    name=person.name,
                    preferred_username=person.username,
                    email=person.email,
                    groups=person.groups,
                )

        class CodeGrant(grants.AuthorizationCodeGrant):
            TOKEN_ENDPOINT_AUTH_METHODS = ["client_secret_basic", "client_secret_post"]

            def save_authorization_code(self, code, request):
                data = request.payload.data
                provider.codes[code] = Code(
                    code,
                    request.client.client_id,
                    request.payload.redirect_uri,
                    request.scope,
                    request.user,
                    data.get("nonce"),
                    data.get("code_challenge"),
                    data.get("code_challenge_method"),
                )

            def query_authorization_code(self, code, client):
                found = provider.codes.get(code)
                return found if found and found.client_id == client.client_id else None

            def delete_authorization_code(self, authorization_code):
                provider.codes.pop(authorization_code.code, None)

            def authenticate_user(self, authorization_code):
                return authorization_code.person

        def save_token(token, request):
            provider.tokens[token["access_token"]] = request.user

        server = AuthorizationServer(app, query_client=provider.clients.get, save_token=save_token)
        server.register_grant(CodeGrant, [IDToken(require_nonce=True), CodeChallenge()])

        @app.get("/.well-known/openid-configuration")
        def discovery():
            base = provider.issuer
            return jsonify(
                issuer=base,
                authorization_endpoint=f"{base}/authorize",
                token_endpoint=f"{base}/token",
                userinfo_endpoint=f"{base}/userinfo",
                jwks_uri=f"{base}/jwks",
                end_session_endpoint=f"{base}/logout",
                response_types_supported=["code"],
                subject_types_supported=["public"],
                id_token_signing_alg_values_supported=["RS256"],
                code_challenge_methods_supported=["S256"],
                backchannel_logout_supported=True,
            )

        @app.get("/favicon.ico")
        def favicon():
            return "", 204

        @app.get("/jwks")
        def jwks():
            return jsonify(KeySet(provider.keys).as_dict(private=False))

        @app.route("/authorize", methods=["GET", "POST"])
        def authorize():
            if request.method == "GET":
                return LOGIN_PAGE
            person = provider.people.get(request.form.get("username", ""))
            if person is None:
                return LOGIN_PAGE, 401
            # the form posts to the address it was shown at, with the request's parameters
            grant = server.get_consent_grant(end_user=person)
            return server.create_authorization_response(grant=grant, grant_user=person)

        @app.post("/token")
        def token():
            return server.create_token_response()

        @app.get("/userinfo")
        def userinfo():
            bearer = request.headers.get("Authorization", "").removeprefix("Bearer ")
            person = provider.tokens.get(bearer)
            if person is None:
                return jsonify(error="invalid_token"), 401
            return jsonify(sub=person.sub, name=person.name, groups=person.groups)

        @app.get("/logout")
        def end_session():
            provider.ended.append(request.args.get("id_token_hint", ""))
            target = request.args.get("post_logout_redirect_uri")
            if target:
                state = request.args.get("state")
                return redirect(target + ("?" + urlencode({"state": state}) if state else ""))
            return "Utloggad hos leverantören."

        return app
