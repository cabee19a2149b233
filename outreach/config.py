"""Settings, read from OUTREACH_* environment variables.

SQLite in instance/ is the embedded default; production sets OUTREACH_DATABASE_URL to
PostgreSQL. Demo mode (OUTREACH_DEMO=1, set by `make run`) may generate local secret and field
keys and load demo data; production must set OUTREACH_SECRET_KEY and OUTREACH_FIELD_KEY.

Every secret (SECRETS) may instead be given in a file: `<NAME>_FILE` names it, as systemd
credentials and container secrets do. Both at once, or a file that cannot be read, and the
service does not start (SettingError).
"""

import ipaddress
import os
import re
import secrets
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
INSTANCE = ROOT / "instance"


class SettingError(RuntimeError):
    """A setting the service cannot run with: it does not start, and says which and why."""


#: The settings that are secrets: each may be given in the file `<NAME>_FILE` names.
SECRETS = (
    "OUTREACH_SECRET_KEY",
    "OUTREACH_FIELD_KEY",
    "OUTREACH_FIELD_KEYS_RETIRED",
    "OUTREACH_DATABASE_URL",
    "OUTREACH_SMTP_PASSWORD",
    "OUTREACH_METRICS_TOKEN",
)

#: How mail reaches the relay: in the clear (a relay on the same host or network), upgraded
#: with STARTTLS (port 587, Exchange Online), or TLS from the start (port 465).
SMTP_TLS_MODES = ("none", "starttls", "tls")


def given(variable: str) -> str:
    """A secret setting: from the environment, or from the file `<variable>_FILE` names (its
    BOM and last line break dropped); "" when neither is given."""
    value = os.environ.get(variable, "")
    path = os.environ.get(f"{variable}_FILE", "")
    if value and path:
        raise SettingError(f"{variable} and {variable}_FILE are both set: give the secret one way")
    if not path:
        return value
    try:
        return Path(path).read_text(encoding="utf-8-sig").rstrip("\r\n")  # without a BOM
    except (OSError, UnicodeDecodeError) as error:
        reason = getattr(error, "strerror", None) or str(error)
        raise SettingError(
            f"{variable}_FILE names {path}, which cannot be read: {reason}"
        ) from None


def _one_of(variable: str, choices: tuple[str, ...], default: str) -> str:
    value = os.environ.get(variable, default).strip().lower() or default
    if value not in choices:
        raise SettingError(f"{variable} is {value!r}: it must be one of {', '.join(choices)}")
    return value


def _flag(name: str, default: bool = False) -> bool:
    value = os.environ.get(name)
    if value is None:
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def _database_url() -> str:
    url = given("OUTREACH_DATABASE_URL").strip()
    if not url:
        return f"sqlite:///{INSTANCE / 'outreach.sqlite'}"
    return normalise_database_url(url)


def normalise_database_url(url: str) -> str:
    """Point plain postgresql:// URLs at the psycopg 3 driver."""
    if url.startswith("postgres://"):
        url = "postgresql://" + url[len("postgres://") :]
    if url.startswith("postgresql://"):
        url = "postgresql+psycopg://" + url[len("postgresql://") :]
    return url


def _secret(variable: str, demo: bool) -> str | None:
    """A key from the environment (or its file); in demo mode only, a random one kept in
    instance/ (so sessions and encrypted demo data survive a restart)."""
    value = given(variable)
    if value:
        return value
    if not demo:
        return None
    path = INSTANCE / variable.removeprefix("OUTREACH_").lower()
    if not path.exists():
        INSTANCE.mkdir(exist_ok=True)
        path.write_text(secrets.token_urlsafe(48))
        path.chmod(0o600)
    return path.read_text().strip()


def _networks(value: str) -> tuple:
    """Comma-separated networks (10.1.2.0/24, 127.0.0.1) as ip_network objects."""
    return tuple(ipaddress.ip_network(part.strip()) for part in value.split(",") if part.strip())


def from_environment() -> dict:
    """Build the Flask configuration from the environment."""
    demo = _flag("OUTREACH_DEMO")
    return {
        "DEMO_MODE": demo,
        "SECRET_KEY": _secret("OUTREACH_SECRET_KEY", demo),
        "FIELD_KEY": _secret("OUTREACH_FIELD_KEY", demo),
        # comma-separated, or one a line in a file
        "FIELD_KEYS_RETIRED": tuple(
            key.strip()
            for key in re.split(r"[,\n]", given("OUTREACH_FIELD_KEYS_RETIRED"))
            if key.strip()
        ),
        "SQLALCHEMY_DATABASE_URI": _database_url(),
        "IDLE_TIMEOUT_SECONDS": int(os.environ.get("OUTREACH_IDLE_TIMEOUT", "600")),
        "HANDOFF_HOURS_NORMAL": int(os.environ.get("OUTREACH_HANDOFF_HOURS", "24")),
        "SMTP_HOST": os.environ.get("OUTREACH_SMTP_HOST", "127.0.0.1"),
        "SMTP_PORT": int(os.environ.get("OUTREACH_SMTP_PORT", "25")),
        "SMTP_TLS": _one_of("OUTREACH_SMTP_TLS", SMTP_TLS_MODES, "none"),
        "SMTP_USERNAME": os.environ.get("OUTREACH_SMTP_USERNAME", ""),
        "SMTP_PASSWORD": given("OUTREACH_SMTP_PASSWORD"),
        "SMTP_CA_FILE": os.environ.get("OUTREACH_SMTP_CA_FILE", ""),
        "MAIL_FROM": os.environ.get("OUTREACH_MAIL_FROM", "outreach@localhost"),
        "BASE_URL": os.environ.get("OUTREACH_BASE_URL", "http://127.0.0.1:5000"),
        "HANDOFF_HOURS_URGENT": int(os.environ.get("OUTREACH_HANDOFF_URGENT_HOURS", "4")),
        "SESSION_COOKIE_SECURE": _flag("OUTREACH_SECURE_COOKIES", default=not demo),
        "SESSION_LIFETIME_SECONDS": int(os.environ.get("OUTREACH_SESSION_LIFETIME", "43200")),
        "REQUIRE_2FA": _flag("OUTREACH_REQUIRE_2FA", default=not demo),
        "RATELIMIT_STORAGE_URI": os.environ.get("OUTREACH_RATELIMIT_STORAGE", "database://"),
        "PROXY_COUNT": int(os.environ.get("OUTREACH_PROXY_COUNT", "0")),
        "RETENTION_YEARS": int(os.environ.get("OUTREACH_RETENTION_YEARS", "5")),
        "METRICS_TOKEN": given("OUTREACH_METRICS_TOKEN"),
        "ACCESSIBILITY_CONTACT": os.environ.get("OUTREACH_ACCESSIBILITY_CONTACT", ""),
        "METRICS_NETWORKS": _networks(os.environ.get("OUTREACH_METRICS_NETWORKS", "")),
        "ANONYMOUS_NOTE_MONTHS": int(os.environ.get("OUTREACH_ANONYMOUS_NOTE_MONTHS", "12")),
        "ARCHIVE_DIR": os.environ.get("OUTREACH_ARCHIVE_DIR", str(INSTANCE / "archive")),
        "MAIL_MAX_ATTEMPTS": int(os.environ.get("OUTREACH_MAIL_MAX_ATTEMPTS", "12")),
    }


#: Defaults that hold in every environment; from_environment() and tests override them.
DEFAULTS = {
    "DEMO_MODE": False,
    # hide_parameters: a database error never writes the values (personal data) to the log.
    "SQLALCHEMY_ENGINE_OPTIONS": {"pool_pre_ping": True, "hide_parameters": True},
    "SESSION_COOKIE_HTTPONLY": True,
    "SESSION_COOKIE_SAMESITE": "Lax",
    "SESSION_COOKIE_NAME": "outreach_session",
    "SESSION_COOKIE_SECURE": True,
    "IDLE_TIMEOUT_SECONDS": 600,
    "SMTP_HOST": "127.0.0.1",
    "SMTP_PORT": 25,
    "SMTP_TIMEOUT": 10,
    #: "none", "starttls" or "tls" (SMTP_TLS_MODES); the relay's certificate is always checked,
    #: against the system's authorities or those in SMTP_CA_FILE.
    "SMTP_TLS": "none",
    "SMTP_CA_FILE": "",
    #: The deployment's account at the relay (none: mail is sent without logging in).
    "SMTP_USERNAME": "",
    "SMTP_PASSWORD": "",
    #: Delivery attempts before a mail is set aside for the admin (with the backoff doubling
    #: up to an hour, 12 attempts span about seven hours; OUTREACH_MAIL_MAX_ATTEMPTS).
    "MAIL_MAX_ATTEMPTS": 12,
    "MAIL_FROM": "outreach@localhost",
    #: How often the notification badge asks for news (seconds).
    "BADGE_POLL_SECONDS": 20,
    #: Where links in mail point.
    "BASE_URL": "http://127.0.0.1:5000",
    #: Hours VPC has to make first contact, by urgency.
    "HANDOFF_HOURS_NORMAL": 24,
    "HANDOFF_HOURS_URGENT": 4,
    "LOGIN_MAX_FAILURES": 5,
    "LOGIN_LOCK_SECONDS": 15 * 60,
    #: Longest a login lasts, however active (seconds).
    "SESSION_LIFETIME_SECONDS": 12 * 3600,
    #: Second factor for every role that sees identified youths (and the admin).
    "REQUIRE_2FA": True,
    #: Login and second-factor attempts per client address (Flask-Limiter notation).
    "LOGIN_RATE_LIMIT": "10 per minute; 60 per hour",
    #: Where they are counted: the database (every process sees the same counts), or Redis.
    "RATELIMIT_STORAGE_URI": "database://",
    "RATELIMIT_HEADERS_ENABLED": True,
    #: How many proxies in front set X-Forwarded-For/-Proto (0: none, the default).
    "PROXY_COUNT": 0,
    "MAX_CONTENT_LENGTH": 1024 * 1024,
    #: Gallring: an identified youth with no activity for this many years is deleted (by the
    #: end of the following calendar year).
    "RETENTION_YEARS": 5,
    #: Who may read /metrics: a bearer token, or an address of these networks (none by
    #: default: without either, /metrics answers 404 to everyone).
    "METRICS_TOKEN": "",
    "METRICS_NETWORKS": (),
    #: Where the accessibility statement sends reports of problems (an address of the
    #: deployment's; without one, to the kommun's system administrator).
    "ACCESSIBILITY_CONTACT": "",
    #: Free-text notes of anonymous contacts are cleared after this many months (the tally
    #: itself stays for statistics).
    "ANONYMOUS_NOTE_MONTHS": 12,
    #: Where gallring writes the archive file of the youths kept for research (born on the
    #: 5th, 15th or 25th) before deleting them.
    "ARCHIVE_DIR": str(INSTANCE / "archive"),
    #: Loggkontroll: a user who read at least this many youths outside their shifts' areas in
    #: the period is flagged.
    "ACCESS_REVIEW_MANY_YOUTHS": 10,
    #: Refused accesses (a record out of scope) of one user this many within this many
    #: minutes are flagged as unusual access.
    "ACCESS_REVIEW_MANY_REFUSALS": 5,
    "ACCESS_REVIEW_REFUSAL_MINUTES": 10,
    #: A register extract is warned about this many days before it is due.
    "ACCESS_REQUEST_WARN_DAYS": 7,
    "WTF_CSRF_TIME_LIMIT": None,
    "BABEL_DEFAULT_LOCALE": "sv",
    "BABEL_DEFAULT_TIMEZONE": "Europe/Stockholm",
    "REMEMBER_COOKIE_DURATION": 0,
}
