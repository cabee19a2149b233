"""A real SAML 2.0 identity provider on localhost for the tests, built on pysaml2's IdP side.

It publishes its metadata, shows a login page where a person of its directory signs in, and
answers Outreach's signed authentication request with a signed assertion posted back through
the browser, as ADFS does. A test can make it misbehave (`misbehave`): an assertion for
another service provider, one already expired, one unsigned, one signed with a key it never
published. It takes Outreach's logout requests, and sends its own (single logout).
"""

import re
import shutil
import tempfile
import threading
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import requests
from flask import Flask, Response, redirect, request
from saml2 import BINDING_HTTP_POST, BINDING_HTTP_REDIRECT
from saml2.assertion import Policy
from saml2.config import IdPConfig, SPConfig
from saml2.metadata import entity_descriptor
from saml2.saml import NAMEID_FORMAT_PERSISTENT, NameID
from saml2.server import Server
from werkzeug.serving import make_server

from outreach.auth.saml import new_key_pair

LOGIN_PAGE = """<!doctype html><html lang="sv"><head><meta charset="utf-8">
<title>Test-IdP</title></head><body><main><h1>Test-IdP</h1>
<form method="post"><label for="username">Användarnamn</label>
<input id="username" name="username"><button type="submit">Logga in hos IdP</button>
</form></main></body></html>"""
MULTI_FACTOR = "urn:oasis:names:tc:SAML:2.0:ac:classes:SmartcardPKI"
PASSWORD = "urn:oasis:names:tc:SAML:2.0:ac:classes:PasswordProtectedTransport"
URI_FORM = "urn:oasis:names:tc:SAML:2.0:attrname-format:uri"


@dataclass
class Person:
    username: str
    name: str
    groups: list[str]
    #: How they logged in (the AuthnContextClassRef).
    method: str = MULTI_FACTOR
    name_id: str = field(default="")


class SamlIdentityProvider:
    """The identity provider: `start()` serves it; `entity_id` is its metadata's address."""

    def __init__(self):
        self.people: dict[str, Person] = {}
        self.misbehave: set[str] = set()
        #: NameIDs whose sessions Outreach asked to end here.
        self.ended: list[str] = []
        self.folder = Path(tempfile.mkdtemp(prefix="test-idp-"))
        for name in ("idp", "other"):
            key, cert = new_key_pair(name)
            (self.folder / f"{name}.key").write_text(key)
            (self.folder / f"{name}.crt").write_text(cert)
        self.service_providers: list[str] = []
        self.base = ""
        self._server = None

    @property
    def entity_id(self) -> str:
        return f"{self.base}/metadata"

    def add_person(self, username: str, name: str, groups: list[str], **details) -> Person:
        person = Person(username, name, groups, name_id=f"id-{username}", **details)
        self.people[username] = person
        return person

    def trust(self, sp_metadata: str) -> None:
        """Know a service provider (Outreach for a kommun) by its metadata."""
        self.service_providers.append(sp_metadata)

    def metadata(self) -> str:
        return str(entity_descriptor(self._config("idp")))

    def _config(self, key: str) -> IdPConfig:
        config = IdPConfig()
        config.load(
            {
                "entityid": self.entity_id,
                "key_file": str(self.folder / f"{key}.key"),
                "cert_file": str(self.folder / f"{key}.crt"),
                "xmlsec_binary": shutil.which("xmlsec1"),
                "metadata": {"inline": list(self.service_providers)},
                "service": {
                    "idp": {
                        "endpoints": {
                            "single_sign_on_service": [(f"{self.base}/sso", BINDING_HTTP_REDIRECT)],
                            "single_logout_service": [(f"{self.base}/slo", BINDING_HTTP_REDIRECT)],
                        },
                        "name_id_format": [NAMEID_FORMAT_PERSISTENT],
                        "policy": {"default": {"lifetime": {"minutes": 5}, "name_form": URI_FORM}},
                    }
                },
            }
        )
        return config

    def _server_for(self) -> Server:
        server = Server(config=self._config("other" if "foreign_key" in self.misbehave else "idp"))
        if "expired" in self.misbehave:
            expired = {"default": {"lifetime": {"minutes": -10}, "name_form": URI_FORM}}
            server.config.setattr("idp", "policy", Policy(expired, server.metadata))
        return server

    # --- serving -----------------------------------------------------------------------------

    def start(self) -> "SamlIdentityProvider":
        self._server = make_server("127.0.0.1", 0, self._app(), threaded=True)
        self.base = f"http://127.0.0.1:{self._server.server_port}"
        threading.Thread(target=self._server.serve_forever, daemon=True).start()
        return self

    def stop(self) -> None:
        if self._server is not None:
            self._server.shutdown()
        shutil.rmtree(self.folder, ignore_errors=True)

    def log_in(self, sso_url: str, username: str) -> tuple[str, dict]:
        """What a browser does at the login page: the address and fields of the form the
        provider answers with (posted on to Outreach's assertion consumer service)."""
        page = requests.post(sso_url, data={"username": username}, timeout=30)
        assert page.status_code == 200, page.text
        action = re.search(r'action="([^"]+)"', page.text).group(1)
        fields = dict(re.findall(r'name="(\w+)" value="([^"]*)"', page.text))
        return action, fields

    def logout_request(self, username: str, sp_entity_id: str, slo: str, signed=True) -> str:
        """The address of a logout request from here (the person logged out at the provider),
        for the browser to take to Outreach (unsigned, or signed with the key it never
        published, when it misbehaves so)."""
        server = self._server_for()
        _id, message = server.create_logout_request(
            slo,
            sp_entity_id,
            name_id=NameID(format=NAMEID_FORMAT_PERSISTENT, text=self.people[username].name_id),
            sign=False,
        )
        info = server.apply_binding(BINDING_HTTP_REDIRECT, str(message), slo, sign=signed)
        return dict(info["headers"])["Location"]

    def _answer(self, person: Person, saml_request: str, relay_state: str) -> str:
        server = self._server_for()
        parsed = server.parse_authn_request(saml_request, BINDING_HTTP_REDIRECT).message
        audience = parsed.issuer.text
        if "audience" in self.misbehave:
            other = SPConfig()
            audience = "http://another-service.invalid/metadata"
            other.load(
                {
                    "entityid": audience,
                    "xmlsec_binary": shutil.which("xmlsec1"),
                    "service": {
                        "sp": {
                            "endpoints": {
                                "assertion_consumer_service": [
                                    (parsed.assertion_consumer_service_url, BINDING_HTTP_POST)
                                ]
                            }
                        }
                    },
                }
            )
            server.metadata.load("inline", str(entity_descriptor(other)))
        signed = "unsigned" not in self.misbehave
        response = server.create_authn_response(
            {"displayName": [person.name], "upn": [person.username], "groups": person.groups},
            parsed.id,
            parsed.assertion_consumer_service_url,
            audience,
            name_id=NameID(format=NAMEID_FORMAT_PERSISTENT, text=person.name_id),
            authn={"class_ref": person.method, "authn_auth": self.entity_id},
            sign_assertion=signed,
            sign_response=signed,
        )
        info = server.apply_binding(
            BINDING_HTTP_POST,
            str(response),
            parsed.assertion_consumer_service_url,
            relay_state,
            response=True,
        )
        return info["data"]

    def _app(self) -> Flask:
        app = Flask("test_saml_idp")
        idp = self

        @app.get("/metadata")
        def metadata():
            return Response(idp.metadata(), mimetype="application/samlmetadata+xml")

        @app.get("/favicon.ico")
        def favicon():
            return "", 204

        @app.route("/sso", methods=["GET", "POST"])
        def sso():
            if request.method == "GET":
                return LOGIN_PAGE
            person = idp.people.get(request.form.get("username", ""))
            if person is None:
                return LOGIN_PAGE, 401
            return idp._answer(
                person, request.args["SAMLRequest"], request.args.get("RelayState", "")
            )

        @app.get("/slo")
        def slo():
            if "SAMLResponse" in request.args:  # Outreach answers our logout request
                return "Utloggad hos IdP."
            server = idp._server_for()
            query = parse_qs(urlsplit(request.url).query)
            parsed = server.parse_logout_request(query["SAMLRequest"][0], BINDING_HTTP_REDIRECT)
            idp.ended.append(parsed.message.name_id.text)
            answer = server.create_logout_response(parsed.message, [BINDING_HTTP_REDIRECT])
            sp_slo = server.metadata.single_logout_service(
                parsed.message.issuer.text, BINDING_HTTP_REDIRECT, "spsso"
            )[0]["location"]
            info = server.apply_binding(
                BINDING_HTTP_REDIRECT, str(answer), sp_slo, response=True, sign=True
            )
            return redirect(dict(info["headers"])["Location"])

        return app
