"""Login through a kommun's SAML 2.0 identity provider (ADFS, a SITHS or Freja eID federation),
with pysaml2 and Debian's xmlsec1.

Outreach is a service provider of its own for each kommun, with a key pair that signs its
requests (made when the admin sets SAML up). The provider's assertions must be signed with the
key its metadata names, address this service provider (audience and recipient), be within
their time (NotOnOrAfter), answer a request this browser made (InResponseTo), and never have
been used before. Nothing here reads the request: the views pass what came back.
"""

import atexit
import datetime as dt
import hashlib
import json
import os
import shutil
import tempfile
from dataclasses import dataclass
from datetime import timedelta

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from cryptography.x509.oid import NameOID
from flask_babel import lazy_gettext as _l
from saml2 import BINDING_HTTP_POST, BINDING_HTTP_REDIRECT
from saml2.client import Saml2Client
from saml2.config import SPConfig
from saml2.ident import code as encode_name_id
from saml2.ident import decode as decode_name_id
from saml2.mdstore import MetadataStore
from saml2.metadata import entity_descriptor
from sqlalchemy import delete

from outreach.auth.models import IdentityProvider, SeenAssertion
from outreach.auth.provisioning import Assertion, LoginFailed
from outreach.clock import now
from outreach.errors import RuleViolation
from outreach.extensions import db

#: The attribute that means the SAML NameID itself (the subject or username "claim").
NAME_ID = "NameID"
#: Seconds of clock difference allowed between the provider and Outreach.
CLOCK_SKEW = 60
#: How long an assertion ID is remembered (longer than any assertion lives).
REMEMBERED = timedelta(hours=12)
#: Attributes that hold the person's name or e-mail address, as providers name them.
NAME_ATTRIBUTES = (
    "displayName",
    "http://schemas.microsoft.com/identity/claims/displayname",
    "http://schemas.xmlsoap.org/ws/2005/05/identity/claims/name",
    "cn",
)
EMAIL_ATTRIBUTES = (
    "mail",
    "email",
    "http://schemas.xmlsoap.org/ws/2005/05/identity/claims/emailaddress",
)
NOT_METADATA = _l("This is not the SAML metadata of an identity provider (with a login address).")


@dataclass
class Addresses:
    """Outreach's addresses as the kommun's service provider."""

    entity_id: str
    acs: str
    slo: str


def new_key_pair(name: str) -> tuple[str, str]:
    """A private key and a self-signed certificate (ten years) for a kommun's service
    provider, as PEM."""
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    subject = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, f"Outreach {name}"[:64])])
    start = dt.datetime.now(dt.UTC) - timedelta(days=1)
    certificate = (
        x509.CertificateBuilder()
        .subject_name(subject)
        .issuer_name(subject)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(start)
        .not_valid_after(start + timedelta(days=3652))
        .sign(key, hashes.SHA256())
    )
    key_pem = key.private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption(),
    ).decode()
    return key_pem, certificate.public_bytes(serialization.Encoding.PEM).decode()


def provider_entity_id(metadata_xml: str) -> str:
    """The entity id of the identity provider the metadata describes; RuleViolation when it
    describes none (or one without a single sign-on address)."""
    store = MetadataStore(None, _config(None, None))
    try:
        store.load("inline", metadata_xml)
        found = [
            entity
            for entity in store.identity_providers()
            if store.single_sign_on_service(entity, BINDING_HTTP_REDIRECT)
        ]
    except Exception as error:  # pysaml2 raises many kinds on bad XML
        raise RuleViolation(NOT_METADATA, "idp_metadata") from error
    if len(found) != 1:
        raise RuleViolation(NOT_METADATA, "idp_metadata")
    return found[0]


# --- the service provider --------------------------------------------------------------------

_KEY_FOLDER = None


def _key_files(provider: IdentityProvider) -> tuple[str, str]:
    """The provider's key and certificate as files, as xmlsec1 wants them (readable by this
    process only, in a folder of its own)."""
    global _KEY_FOLDER
    if _KEY_FOLDER is None:
        _KEY_FOLDER = tempfile.mkdtemp(prefix="outreach-saml-")  # mode 700
        atexit.register(shutil.rmtree, _KEY_FOLDER, ignore_errors=True)
    digest = hashlib.sha256(provider.sp_certificate.encode()).hexdigest()[:16]
    paths = []
    for suffix, content in (("key", provider.sp_private_key), ("crt", provider.sp_certificate)):
        path = os.path.join(_KEY_FOLDER, f"{provider.id}-{digest}.{suffix}")
        if not os.path.exists(path):
            descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
            with os.fdopen(descriptor, "w") as file:
                file.write(content)
        paths.append(path)
    return paths[0], paths[1]


def _xmlsec() -> str:
    found = shutil.which("xmlsec1")
    if found is None:
        raise RuntimeError("xmlsec1 is missing: `apt-get install xmlsec1` (the Makefile does)")
    return found


def _config(provider: IdentityProvider | None, addresses: Addresses | None) -> SPConfig:
    config = SPConfig()
    settings = {
        "entityid": addresses.entity_id if addresses else "urn:outreach:check",
        "xmlsec_binary": _xmlsec(),
        "accepted_time_diff": CLOCK_SKEW,
        "allow_unknown_attributes": True,
    }
    if provider is not None and addresses is not None:
        key_file, cert_file = _key_files(provider)
        settings |= {
            "key_file": key_file,
            "cert_file": cert_file,
            "metadata": {"inline": [provider.idp_metadata]},
            "service": {
                "sp": {
                    "endpoints": {
                        "assertion_consumer_service": [(addresses.acs, BINDING_HTTP_POST)],
                        "single_logout_service": [(addresses.slo, BINDING_HTTP_REDIRECT)],
                    },
                    "want_assertions_signed": True,
                    "want_response_signed": False,
                    "authn_requests_signed": True,
                    "logout_requests_signed": True,
                    "allow_unsolicited": False,
                }
            },
        }
    config.load(settings)
    return config


def _client(provider: IdentityProvider, addresses: Addresses) -> Saml2Client:
    return Saml2Client(_config(provider, addresses))


def metadata(provider: IdentityProvider, addresses: Addresses) -> str:
    """Outreach's metadata as the kommun's service provider, for the admin to register."""
    return str(entity_descriptor(_config(provider, addresses)))


def begin(provider: IdentityProvider, addresses: Addresses) -> tuple[str, str]:
    """A signed authentication request: its id (to keep until the answer comes) and the
    address to send the browser to."""
    client = _client(provider, addresses)
    request_id, info = client.prepare_for_authenticate(
        entityid=provider_entity_id(provider.idp_metadata), binding=BINDING_HTTP_REDIRECT
    )
    return request_id, dict(info["headers"])["Location"]


def _first(ava: dict, names) -> str | None:
    for name in names:
        values = ava.get(name)
        if values:
            return str(values[0])
    return None


def finish(
    provider: IdentityProvider, addresses: Addresses, saml_response: str, request_id: str
) -> tuple[Assertion, str]:
    """The person the provider vouches for, from the response the browser posted, and what
    the provider needs to end its session (the NameID and session index). LoginFailed when
    anything does not hold."""
    client = _client(provider, addresses)
    try:
        response = client.parse_authn_request_response(
            saml_response, BINDING_HTTP_POST, outstanding={request_id: "/"}
        )
        if response is None:
            raise ValueError("no response")
    except Exception as error:  # pysaml2 raises many kinds: each is a refusal
        raise LoginFailed(provider, f"{type(error).__name__}: {error}") from error
    assertion_id = response.assertion.id
    _remember(provider, assertion_id)
    ava, name_id = response.ava, response.name_id

    def claim(name: str) -> str | None:
        return name_id.text if name == NAME_ID else _first(ava, [name])

    subject = claim(provider.subject_claim)
    if not subject:
        raise LoginFailed(provider, f"no {provider.subject_claim}")
    username = claim(provider.username_claim)
    classes = {class_ref for class_ref, _authorities, _instant in response.authn_info()}
    held = json.dumps(
        {
            "name_id": encode_name_id(name_id),
            "session_index": response.session_info().get("session_index"),
        }
    )
    return (
        Assertion(
            provider=provider,
            subject=subject,
            username=username or subject,
            name=_first(ava, NAME_ATTRIBUTES) or "",
            email=_first(ava, EMAIL_ATTRIBUTES),
            groups=[str(group) for group in ava.get(provider.groups_claim, [])],
            multi_factor=bool(classes & provider.mfa_value_set),
        ),
        held,
    )


def _remember(provider: IdentityProvider, assertion_id: str) -> None:
    """Refuse an assertion used before; remember this one."""
    db.session.execute(delete(SeenAssertion).where(SeenAssertion.expires_at < now()))
    if db.session.get(SeenAssertion, assertion_id) is not None:
        raise LoginFailed(provider, f"assertion {assertion_id} was used before (a replay)")
    db.session.add(
        SeenAssertion(id=assertion_id, provider_id=provider.id, expires_at=now() + REMEMBERED)
    )
    db.session.flush()


# --- logging out -----------------------------------------------------------------------------


def _logout_address(client: Saml2Client, entity: str) -> str | None:
    """The provider's single logout address for the Redirect binding, if it has one."""
    try:
        found = client.metadata.single_logout_service(entity, BINDING_HTTP_REDIRECT, "idpsso")
    except Exception:  # pysaml2 raises when the provider has no such binding
        return None
    return found[0]["location"] if found else None


def logout_url(provider: IdentityProvider, addresses: Addresses, held: str) -> str | None:
    """Where to end the person's session at the provider too (a signed logout request to its
    single logout address), or None when it has none."""
    client = _client(provider, addresses)
    entity = provider_entity_id(provider.idp_metadata)
    destination = _logout_address(client, entity)
    if destination is None or not held:
        return None
    kept = json.loads(held)
    _request_id, request = client.create_logout_request(
        destination,
        entity,
        name_id=decode_name_id(kept["name_id"]),
        session_indexes=[kept["session_index"]] if kept.get("session_index") else None,
        sign=False,  # signed by the redirect binding below
    )
    info = client.apply_binding(BINDING_HTTP_REDIRECT, str(request), destination, sign=True)
    return dict(info["headers"])["Location"]


def logged_out(provider: IdentityProvider, addresses: Addresses, query: dict) -> tuple[str, str]:
    """The provider's logout request, which must be signed by it (the Redirect binding's
    signature, checked against its metadata): the NameID of the person who logged out there,
    and where to send the browser with Outreach's answer. LoginFailed otherwise."""
    client = _client(provider, addresses)
    # a service provider's settings do not ask for signed requests: a logout request must be
    client.config.setattr("idp", "want_authn_requests_signed", True)
    entity = provider_entity_id(provider.idp_metadata)
    try:
        request = client.parse_logout_request(
            query.get("SAMLRequest", ""),
            BINDING_HTTP_REDIRECT,
            relay_state=query.get("RelayState"),
            sigalg=query.get("SigAlg"),
            signature=query.get("Signature"),
        )
        if request is None or request.message.issuer.text != entity:
            raise ValueError("not from the kommun's provider")
        name_id = request.message.name_id.text
    except Exception as error:  # pysaml2 raises many kinds: each is a refusal
        raise LoginFailed(provider, f"logout request: {type(error).__name__}") from error
    response = client.create_logout_response(request.message, [BINDING_HTTP_REDIRECT])
    destination = _logout_address(client, entity)
    if destination is None:
        raise LoginFailed(provider, "logout request from a provider with no logout address")
    info = client.apply_binding(
        BINDING_HTTP_REDIRECT,
        str(response),
        destination,
        query.get("RelayState", ""),
        response=True,
        sign=True,
    )
    return name_id, dict(info["headers"])["Location"]
