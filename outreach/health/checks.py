"""What `flask ops check` asks of a production configuration before the service starts: keys
present and strong, cookies over HTTPS only, the database reachable and migrated, the SMTP
server answering, every kommun's identity provider reachable, and the clock and mail workers
recently alive. Each problem is one line saying what is wrong and what to do."""

import shutil
import smtplib
from datetime import timedelta

from outreach import workers
from outreach.auth import federation, oidc, provisioning, saml
from outreach.auth.models import ProviderKind
from outreach.clock import now
from outreach.errors import RuleViolation
from outreach.extensions import db
from outreach.health import services
from outreach.notifications.relay import RelaySettingError, explained, relay

#: Shorter than this, a key is guessable.
SHORTEST_KEY = 32
#: A worker that has not run for this long has stopped (the clock runs every minute, the mail
#: worker every ten seconds).
WORKER_SILENT_AFTER = timedelta(minutes=5)


def _keys(config) -> list[str]:
    problems = []
    for name, setting in (
        ("SECRET_KEY", "OUTREACH_SECRET_KEY"),
        ("FIELD_KEY", "OUTREACH_FIELD_KEY"),
    ):
        value = config.get(name) or ""
        if len(value) < SHORTEST_KEY:
            problems.append(
                f"{setting} is missing or shorter than {SHORTEST_KEY} characters: make one with "
                "`python -c 'import secrets; print(secrets.token_urlsafe(48))'`"
            )
    if config.get("SECRET_KEY") and config.get("SECRET_KEY") == config.get("FIELD_KEY"):
        problems.append("OUTREACH_SECRET_KEY and OUTREACH_FIELD_KEY are the same: use two keys")
    return problems


def _settings(config) -> list[str]:
    problems = []
    if config.get("DEMO_MODE"):
        problems.append("OUTREACH_DEMO is on: demo mode is never for production")
    if not config.get("SESSION_COOKIE_SECURE"):
        problems.append("OUTREACH_SECURE_COOKIES is off: session cookies must go over HTTPS only")
    if not config.get("REQUIRE_2FA"):
        problems.append(
            "OUTREACH_REQUIRE_2FA is off: staff who see youth data must use two factors"
        )
    if not str(config.get("BASE_URL", "")).startswith("https://"):
        problems.append("OUTREACH_BASE_URL is not an https:// address: links in mail must be")
    return problems


def _database() -> list[str]:
    try:
        if services.database_heads() != services.code_heads():
            return ["the database is not migrated: run `flask db upgrade`"]
    except Exception as error:  # the database is not there: any driver's error says so
        db.session.rollback()
        return [
            f"the database does not answer ({type(error).__name__}): check OUTREACH_DATABASE_URL"
        ]
    return []


def _smtp(config) -> list[str]:
    """The relay answers, with TLS and the login as set; a password is not sent unencrypted."""
    where = f"the SMTP server {config['SMTP_HOST']}:{config['SMTP_PORT']}"
    try:
        with relay(config) as smtp:
            smtp.noop()
    except RelaySettingError as error:
        return [str(error)]
    except (smtplib.SMTPException, OSError) as error:
        explanation = explained(error) or "check OUTREACH_SMTP_HOST and OUTREACH_SMTP_PORT"
        return [f"{where} does not answer as set ({error}): {explanation}"]
    return []


def _providers() -> list[str]:
    problems = []
    for provider in federation.login_choices():
        try:
            if provider.kind == ProviderKind.SAML:
                _saml_ready(provider)
            elif not federation.secure_address(provider.issuer):
                raise provisioning.LoginFailed(provider, "its issuer is not an https:// address")
            else:
                oidc.begin(provider, "https://outreach.invalid/check")
        except provisioning.LoginFailed as failed:
            problems.append(
                f"the identity provider of {provider.kommun.name} cannot be reached or does not "
                f"hold ({failed.reason}): check its issuer under Administration"
            )
    return problems


def _saml_ready(provider) -> None:
    """The SAML provider's metadata holds, and xmlsec1 is there to check its signatures."""
    if shutil.which("xmlsec1") is None:
        raise provisioning.LoginFailed(provider, "xmlsec1 is missing: apt-get install xmlsec1")
    try:
        saml.provider_entity_id(provider.idp_metadata or "")
    except RuleViolation as refusal:
        raise provisioning.LoginFailed(provider, "its metadata does not hold") from refusal


def _workers() -> list[str]:
    last = workers.last_runs()
    problems = []
    for name, command in (
        (workers.CLOCK, "the clock timer (`flask handoffs tick` every minute)"),
        (workers.MAIL, "the mail worker (`flask notifications send --loop`)"),
    ):
        ran = last.get(name)
        if ran is None or now() - ran > WORKER_SILENT_AFTER:
            since = f"since {ran:%Y-%m-%d %H:%M} UTC" if ran else "ever"
            problems.append(f"{command} has not run {since}: start it")
    return problems


def findings(config) -> list[str]:
    """Every problem found, each a line; none when the configuration is ready."""
    problems = _keys(config) + _settings(config) + _database()
    problems += _smtp(config)
    if not any(problem.startswith("the database") for problem in problems):
        problems += _providers() + _workers()
    return problems
