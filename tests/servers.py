"""Real servers the tests talk to: an SMTP server on localhost (aiosmtpd) that can be taken
down, slowed or made to refuse, free ports to start servers on, the app under gunicorn, and a
person's browser against it."""

import asyncio
import http.client
import http.cookiejar
import ipaddress
import socket
import ssl
import subprocess
import sys
import time
import urllib.error
import urllib.parse
import urllib.request
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

from aiosmtpd.controller import Controller
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID

from tests.html_forms import form_on


class Inbox:
    """An aiosmtpd handler that keeps what it receives."""

    def __init__(self):
        self.messages = []
        self.controller = None
        self.port = None
        #: the answer to each recipient: "250 OK", or a refusal ("451 …" later, "550 …" never)
        self.recipient_reply = "250 OK"
        #: seconds the server waits before greeting a client back (a slow server)
        self.delay = 0.0

    def start(self, port: int | None = None, **options) -> None:
        """(Re)start the server on its port. `options` are aiosmtpd's, kept for a restart:
        STARTTLS (tls_context, require_starttls), TLS from the start (ssl_context), and
        logins (authenticator, auth_required)."""
        self.port = port or self.port
        self.options = options or getattr(self, "options", {})
        self.controller = Controller(self, hostname="127.0.0.1", port=self.port, **self.options)
        self.controller.start()

    def stop(self) -> None:
        """Take the server down (an outage)."""
        if self.controller is not None:
            self.controller.stop()
            self.controller = None

    async def handle_EHLO(self, server, session, envelope, hostname, responses):  # noqa: N802
        await asyncio.sleep(self.delay)
        session.host_name = hostname
        return responses

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):  # noqa: N802
        if not self.recipient_reply.startswith("250"):
            return self.recipient_reply
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):  # noqa: N802 (aiosmtpd's name)
        self.messages.append((envelope.rcpt_tos, envelope.content.decode("utf-8", "replace")))
        return "250 OK"


def tls_certificate(directory: Path) -> tuple[Path, ssl.SSLContext]:
    """A self-signed certificate for 127.0.0.1 (not for the name localhost), written to the
    directory: its file (for a client to trust) and a server's TLS context with it and its
    key."""
    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "relay.outreach.test")])
    start = datetime.now(UTC) - timedelta(minutes=5)
    certificate = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(start)
        .not_valid_after(start + timedelta(days=1))
        .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
        .add_extension(
            x509.SubjectAlternativeName([x509.IPAddress(ipaddress.ip_address("127.0.0.1"))]),
            critical=False,
        )
        .sign(key, hashes.SHA256())
    )
    certificate_file, key_file = directory / "relay.pem", directory / "relay.key"
    certificate_file.write_bytes(certificate.public_bytes(serialization.Encoding.PEM))
    key_file.write_bytes(
        key.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        )
    )
    context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    context.load_cert_chain(certificate_file, key_file)
    return certificate_file, context


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def gunicorn(
    port: int, app: str = "outreach:create_app()", workers: int = 1, threads: int = 4
) -> list[str]:
    """The command that serves `app` under gunicorn as the README does, on localhost."""
    return [
        sys.executable,
        "-m",
        "gunicorn",
        "--workers",
        str(workers),
        "--worker-class",
        "gthread",
        "--threads",
        str(threads),
        "--bind",
        f"127.0.0.1:{port}",
        "--log-level",
        "warning",
        app,
    ]


def wait_until_ready(base: str, process: subprocess.Popen, seconds: float = 60) -> None:
    """Wait for a server just started to answer /healthz."""
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"the server for {base} stopped")
        if Browser().get(f"{base}/healthz").status == 200:
            return
        time.sleep(0.2)
    raise RuntimeError(f"{base} did not start")


@dataclass
class Answer:
    """A server's answer: its status (0 when none came: refused, cut off, timed out), where
    it redirects to, and its body."""

    status: int
    location: str = ""
    text: str = ""


class _NoRedirects(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *_args, **_kwargs):
        return None


class Browser:
    """One person's browser against served apps: a session cookie (good on every server that
    shares the secret and the database), redirects not followed, no error raised."""

    def __init__(self, timeout: float = 30):
        self.timeout = timeout
        self.cookies = http.cookiejar.CookieJar()
        self.opener = urllib.request.build_opener(
            urllib.request.HTTPCookieProcessor(self.cookies), _NoRedirects()
        )

    @property
    def cookie_header(self) -> str:
        """The cookies this browser holds, as its Cookie header sends them."""
        return "; ".join(f"{cookie.name}={cookie.value}" for cookie in self.cookies)

    def get(self, url: str) -> Answer:
        return self._open(url, None)

    def post(self, url: str, fields: dict) -> Answer:
        return self._open(url, urllib.parse.urlencode(fields, doseq=True).encode())

    def log_in(self, base: str, username: str, password: str) -> Answer:
        form = form_on(self.get(f"{base}/logga-in").text, "/logga-in")
        form.update(username=[username], password=[password])
        return self.post(f"{base}/logga-in", form)

    def _open(self, url: str, body: bytes | None) -> Answer:
        try:
            with self.opener.open(url, data=body, timeout=self.timeout) as answer:
                return Answer(answer.status, answer.headers.get("Location", ""), _text(answer))
        except urllib.error.HTTPError as answer:  # a redirect not followed, or a refusal
            return Answer(answer.code, answer.headers.get("Location", ""), _text(answer))
        except (OSError, http.client.HTTPException):  # no answer at all
            return Answer(0)


def _text(answer) -> str:
    return answer.read().decode("utf-8", "replace")
