"""The connection to the mail relay: plain, STARTTLS or TLS from the start
(OUTREACH_SMTP_TLS), the relay's certificate checked against the system's authorities or the
deployment's own (OUTREACH_SMTP_CA_FILE), and logged in when the deployment has an account
there (OUTREACH_SMTP_USERNAME, OUTREACH_SMTP_PASSWORD). What goes wrong is said so that the
operator knows which setting to look at."""

import base64
import smtplib
import ssl
from collections.abc import Iterator
from contextlib import contextmanager


@contextmanager
def relay(config) -> Iterator[smtplib.SMTP]:
    """An open, secured and logged-in connection to the relay, closed after use."""
    host, port, timeout = config["SMTP_HOST"], config["SMTP_PORT"], config["SMTP_TIMEOUT"]
    mode = config["SMTP_TLS"]
    if mode == "tls":
        connection = smtplib.SMTP_SSL(host, port, timeout=timeout, context=_verifying(config))
    else:
        connection = smtplib.SMTP(host, port, timeout=timeout)
    with connection:
        if mode == "starttls":
            connection.starttls(context=_verifying(config))
        if config["SMTP_USERNAME"]:
            _log_in(connection, config["SMTP_USERNAME"], config["SMTP_PASSWORD"])
        yield connection


def _log_in(connection: smtplib.SMTP, username: str, password: str) -> None:
    """Log in with AUTH PLAIN, or LOGIN where the relay offers only that (Exchange Online), in
    UTF-8 as RFC 4616 and 4954 have it: smtplib's own login sends ASCII only (a password with
    å, ä or ö stopped the worker with UnicodeEncodeError) and tries one mechanism after another
    (the reason the admin reads would be the last one's). One refusal is one clear answer."""
    connection.ehlo_or_helo_if_needed()
    offered = (connection.esmtp_features.get("auth") or "").upper().split()
    if "PLAIN" in offered:
        _exchange(connection, f"PLAIN {_b64(f'{chr(0)}{username}{chr(0)}{password}')}", 235)
    elif "LOGIN" in offered:
        _exchange(connection, "LOGIN", 334)
        _exchange(connection, _b64(username), 334, command="")
        _exchange(connection, _b64(password), 235, command="")
    else:
        raise smtplib.SMTPNotSupportedError("the relay offers no AUTH PLAIN or LOGIN")


def _b64(text: str) -> str:
    return base64.b64encode(text.encode()).decode("ascii")


def _exchange(connection: smtplib.SMTP, line: str, expected: int, command: str = "AUTH"):
    code, reply = connection.docmd(command, line) if command else connection.docmd(line)
    if code != expected:
        raise smtplib.SMTPAuthenticationError(code, reply)


def _verifying(config) -> ssl.SSLContext:
    """TLS that checks the relay's certificate and name (never turned off): against the
    system's authorities, or the kommun's or supplier's own in OUTREACH_SMTP_CA_FILE."""
    return ssl.create_default_context(cafile=config.get("SMTP_CA_FILE") or None)


def explained(error: Exception) -> str:
    """What a fault of the connection means, and the setting to look at; "" when the fault is
    not the connection's (a refused recipient, a server saying later)."""
    if isinstance(error, smtplib.SMTPAuthenticationError):
        return "the relay refused the login: check OUTREACH_SMTP_USERNAME and the password"
    if isinstance(error, smtplib.SMTPNotSupportedError):
        return "the relay does not offer it: check OUTREACH_SMTP_TLS and OUTREACH_SMTP_PORT"
    if isinstance(error, ssl.SSLCertVerificationError):
        return (
            "the relay's certificate is not trusted or not for its name: check "
            "OUTREACH_SMTP_HOST, or give the authority in OUTREACH_SMTP_CA_FILE"
        )
    if isinstance(error, ssl.SSLError):
        return "no TLS with the relay: check OUTREACH_SMTP_TLS and OUTREACH_SMTP_PORT"
    return ""


def of_configuration(error: Exception) -> bool:
    """The fault is the deployment's settings (a login or TLS refused), not the mail's: it is
    tried again once they are put right, never set aside as refused for good."""
    return bool(explained(error))
