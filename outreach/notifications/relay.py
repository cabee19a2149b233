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


class RelaySettingError(smtplib.SMTPException):
    """The deployment's relay settings cannot work as they are; says which to look at."""


@contextmanager
def relay(config) -> Iterator[smtplib.SMTP]:
    """An open, secured and logged-in connection to the relay, closed after use."""
    host, port, timeout = config["SMTP_HOST"], config["SMTP_PORT"], config["SMTP_TIMEOUT"]
    mode = config["SMTP_TLS"]
    if config["SMTP_USERNAME"] and mode == "none":
        raise RelaySettingError(
            "OUTREACH_SMTP_USERNAME is set and OUTREACH_SMTP_TLS is none: the password would "
            "cross the network unencrypted; set OUTREACH_SMTP_TLS to starttls or tls"
        )
    context = _verifying(config) if mode != "none" else None
    if mode == "tls":
        connection = smtplib.SMTP_SSL(host, port, timeout=timeout, context=context)
    else:
        connection = smtplib.SMTP(host, port, timeout=timeout)
    with connection:
        if mode == "starttls":
            connection.starttls(context=context)
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
    # surrogateescape: a password the environment gave in another encoding is sent as its bytes
    return base64.b64encode(text.encode("utf-8", "surrogateescape")).decode("ascii")


def _exchange(connection: smtplib.SMTP, line: str, expected: int, command: str = "AUTH"):
    code, reply = connection.docmd(command, line) if command else connection.docmd(line)
    if code != expected:
        raise smtplib.SMTPAuthenticationError(code, reply)


def _verifying(config) -> ssl.SSLContext:
    """TLS that checks the relay's certificate and name (never turned off): against the
    system's authorities, or the kommun's or supplier's own in OUTREACH_SMTP_CA_FILE."""
    authorities = config.get("SMTP_CA_FILE") or None
    try:
        return ssl.create_default_context(cafile=authorities)
    except (OSError, ssl.SSLError) as error:  # missing, unreadable, or no certificate in it
        raise RelaySettingError(
            f"OUTREACH_SMTP_CA_FILE ({authorities}) holds no certificate that can be read: "
            f"{getattr(error, 'strerror', None) or error}"
        ) from None


#: What a relay answers a sender before TLS or a login it requires (RFC 3207, 4954):
#: "530 Must issue a STARTTLS command first", "530 5.7.57 Client not authenticated" …
WANTS_LOGIN_OR_TLS = {530, 534, 538}


def explained(error: Exception) -> str:
    """What a fault of the connection means, and the setting to look at; "" when the fault is
    not the connection's (a refused recipient, a server saying later)."""
    if isinstance(error, RelaySettingError):
        return str(error)
    if isinstance(error, smtplib.SMTPAuthenticationError):
        return "the relay refused the login: check OUTREACH_SMTP_USERNAME and the password"
    if getattr(error, "smtp_code", None) in WANTS_LOGIN_OR_TLS:
        return (
            "the relay wants TLS or a login first: check OUTREACH_SMTP_TLS and "
            "OUTREACH_SMTP_USERNAME"
        )
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
