"""Hostile input, generated: hypothesis makes submissions for every form of the app and every
answer must be below 500, with the database consistent after each one.

Every POST endpoint of `app.url_map` is posted to by a user the authorization matrix says may
use it, on fresh records of that user's team, so that the submissions reach the form and the
service behind it. Which form an endpoint reads is not listed here: a first, empty submission
finds the form class the view builds from the request, and the data is made from that class's
fields (their kinds, choices, required flags, length and number limits), each field valid,
hostile, a list where one value is expected, empty or left out, with unknown fields besides.
Hostile values: any unicode (å ä ö, emoji, right-to-left, combining marks, control characters),
huge strings, numbers at and past every bound, impossible dates, choices that are not offered,
markup, and bytes that are not UTF-8; sent as a form or as multipart, by htmx or not.

After each submission:
- the answer is below 500; one with a control character or a file in it is refused with 400
  (or 413 when it is too large as well);
- a refused submission (4xx) changes no row count: the audit trail may only have logged reads;
- a saved one makes or removes at most one record of each addressable kind, and a creating
  form's one-time token names a record that exists and was made by this submission;
- the audit trail's hash chain is intact (audit_verify.verify()).

How many submissions ran, per form and in all, is written to test-artifacts/hostile-forms.json
and shown at the end of the test run. HOSTILE_FORM_EXAMPLES=<factor> runs more of them.
"""

import inspect
import json
import os
import re
import time
from collections import Counter
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import date, timedelta
from io import BytesIO
from pathlib import Path
from unittest import mock
from urllib.parse import urlencode

import pytest
from flask_babel import force_locale
from flask_wtf import FlaskForm
from flask_wtf.form import _Auto
from hypothesis import HealthCheck, example, find, given, settings
from hypothesis import strategies as st
from markupsafe import escape
from sqlalchemy import Enum, String, func, select
from wtforms import (
    BooleanField,
    DateField,
    DateTimeField,
    EmailField,
    HiddenField,
    IntegerField,
    PasswordField,
    SelectField,
    SelectMultipleField,
    StringField,
)
from wtforms.validators import DataRequired, InputRequired, Length, NumberRange, Optional, Regexp

from outreach import audit_verify, policy
from outreach.audit import AuditAction, AuditEvent
from outreach.auth.models import Role, User
from outreach.clock import now, to_local, today
from outreach.extensions import db
from outreach.fields import (
    EARLIEST_YEAR,
    LATEST_YEAR,
    NOT_A_TICK,
    NOT_OFFERED,
    CheckboxField,
    ChoiceField,
    MultiCheckboxField,
    RadioChoiceField,
)
from outreach.ids import PUBLIC_ID_LENGTH, RECORD_KINDS
from outreach.org.models import Area, Place, Team, TeamKind
from outreach.risk.models import WarningSign
from outreach.submissions import FormSubmission
from outreach.youths.models import Youth
from tests.addresses import address_for
from tests.factories import (
    make_dead_letter,
    make_identity_provider,
    make_records,
    make_team,
    make_user,
    make_youth,
    signs,
)
from tests.routes import ENDPOINTS, address_of, form_classes
from tests.test_authorization_matrix import SETUP, _expected
from tests.test_input_handling import RAW, payload, stored  # noqa: F401 (its fixture)

ARTIFACTS = Path(__file__).resolve().parent.parent / "test-artifacts"
POSTS = [e for e in ENDPOINTS if "POST" in e[2]]

#: Submissions per form: a base, more for forms with more fields, times the environment's
#: factor (HOSTILE_FORM_EXAMPLES=5 for a long run).
FACTOR = float(os.environ.get("HOSTILE_FORM_EXAMPLES", "1"))
BASE_EXAMPLES, PER_FIELD, MOST_EXAMPLES = 5, 2, 22

#: How the records must be for an endpoint's form to be saved (make_records arguments): the
#: authorization matrix's, and a worker whose shift has ended (one open shift at a time).
STAGES = {**SETUP, "shifts.new_shift": {"shift_state": "ended"}}

#: Who may post, tried in this order; the first the authorization matrix lets in is used.
ROLES = ("falt_a", "lead_a", "vpc", "vpc_lead", "mottagning", "admin", "drift")

# --- hostile values ---------------------------------------------------------------------

_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")

TEXTS = [
    "",
    " ",
    " \t  ",
    "\r\n\r\n",
    "åäö ÅÄÖ é ü ß",
    "😀👩‍👩‍👧‍👦🇸🇪",
    "\u202egnölöv\u202c",
    "שלום עולם",
    "مرحبا بالعالم",
    "e\u0301\u0302\u0303\u0304\u0305\u0306",
    "\u200b\u200d\ufeff",
    "\U0010fffd\U000e0001",
    "ǅ ﬁ ẞ ℌ",
    "Ｆｕｌｌ ｗｉｄｔｈ",
    "１２３",
    "٣٤",
    "' OR '1'='1' --",
    "%_\\",
    "None",
    "null",
    "[]",
    "{}",
    "../../etc/passwd",
    "20090315-1234",
    payload("h0"),
    "\x00",
    "a\x00b",
    "\x1b[31m",
    "\x7f",
]
NUMBERS = [
    "0",
    "-0",
    "-1",
    "1",
    "2147483647",
    str(2**31),
    str(2**63),
    str(-(2**63) - 1),
    str(2**64),
    "9" * 400,
    "1e308",
    "-1e308",
    "1e309",
    "NaN",
    "inf",
    "-Infinity",
    "1.5",
    "0x10",
    "1_000",
    " 7 ",
    "+3",
]
DATES = [
    "0000-01-01",
    "0001-01-01",
    "1899-12-31",
    "1970-01-01",
    "1999-12-31",
    "2026-02-29",
    "2024-02-29",
    "2026-02-30",
    "2026-13-01",
    "2026-00-10",
    "2026-12-32",
    "9999-12-31",
    "10000-01-01",
    "2026-1-1",
    "0001-01-01T00:00",
    "1999-12-31T23:59",
    "2100-12-31T23:59",
    "2101-01-01T00:00",
    "9999-12-31T23:59",
    # the spring gap and the autumn fold of Stockholm's clock
    "2026-03-29T02:30",
    "2026-10-25T02:30",
    "2026-06-15T25:00",
    "2026-06-15T12:00:60",
    "2026-06-15T12:00+02:00",
    "now",
]
#: Unknown fields named like columns of records, in case a view copied a submission onto one.
MASS_ASSIGNMENT = [
    "id",
    "public_id",
    "status",
    "author_id",
    "created_by_id",
    "team_id",
    "youth_id",
    "user_id",
    "role",
    "is_enabled",
    "deleted_at",
    "csrf_token",
]


def _names_views_read() -> list[str]:
    """The names views read from request.form/values themselves, from their source."""
    root = Path(__file__).resolve().parent.parent / "outreach"
    found = set()
    for path in root.glob("*/views.py"):
        found |= set(
            re.findall(r"request\.(?:form|values)\.get(?:list)?\(\"(\w+)\"", path.read_text())
        )
    return sorted(found)


EXTRA_NAMES = _names_views_read() + MASS_ASSIGNMENT

#: Any unicode but control characters (TEXTS has those: a few, so most cases pass the gate).
any_text = st.text(st.characters(exclude_categories=("Cc", "Cs")), max_size=60)
huge_text = st.builds(
    lambda unit, size: (unit * size)[:size],
    st.sampled_from(["x", "å", "😀", "Ab1-_", "a b\n"]),
    st.sampled_from([1_000, 10_000, 100_000]),
)
hostile_text = st.one_of(
    st.sampled_from(TEXTS),
    any_text,
    st.sampled_from(NUMBERS),
    st.sampled_from(DATES),
    huge_text,
)


# --- the forms ----------------------------------------------------------------------------


@dataclass
class Spec:
    """What hypothesis needs to know of one form field."""

    name: str
    kind: str
    required: bool = False
    optional: bool = False
    choices: list[str] | None = None
    longest: int | None = None
    low: int | None = None
    high: int | None = None
    pattern: str | None = None
    #: The choice is a record's number (else a public id or a code).
    numeric: bool = False


def _specs(form: FlaskForm) -> list[Spec]:
    """The form's fields as the view left them: validators, and the choices it gave them."""
    return [_spec(bound) for bound in form]


def _spec(bound) -> Spec:
    validators = bound.validators
    spec = Spec(bound.name, _kind(bound))
    spec.required = any(isinstance(v, (InputRequired, DataRequired)) for v in validators)
    spec.optional = any(isinstance(v, Optional) for v in validators)
    for validator in validators:
        if isinstance(validator, Length) and validator.max >= 0:
            spec.longest = validator.max
        elif isinstance(validator, NumberRange):
            spec.low, spec.high = validator.min, validator.max
        elif isinstance(validator, Regexp):
            spec.pattern = validator.regex.pattern
    spec.numeric = getattr(bound, "coerce", str) is not str
    if isinstance(bound, SelectField) and bound.choices:
        spec.choices = [str(choice[0]) for choice in bound.iter_choices()]
    return spec


def _kind(bound) -> str:
    for kind, classes in (
        ("boolean", BooleanField),
        ("multiple", SelectMultipleField),
        ("choice", SelectField),
        ("integer", IntegerField),
        ("date", DateField),  # a DateTimeField in WTForms: asked first
        ("datetime", DateTimeField),
        ("hidden", HiddenField),
        ("email", EmailField),
        ("password", PasswordField),
        ("text", StringField),
    ):
        if isinstance(bound, classes):
            return kind
    return "text"


def _valid(spec: Spec, known: list[str]):
    """A value the field accepts (as far as its own definition tells)."""
    numbers = [value for value in known if value.isdigit()]
    public_ids = [value for value in known if not value.isdigit()]
    choices = spec.choices or (numbers if spec.numeric else public_ids)
    if spec.kind == "boolean":
        return st.just("y") if spec.required else st.sampled_from(["y", ""])
    if spec.kind == "multiple":
        return st.lists(st.sampled_from(choices), min_size=1, max_size=3, unique=True)
    if spec.kind == "choice":
        return st.sampled_from(choices)
    if spec.kind == "integer":
        low = spec.low if spec.low is not None else 0
        high = spec.high if spec.high is not None else 1000
        return st.integers(low, high).map(str)
    if spec.kind == "datetime":
        any_day = st.builds(
            lambda day, hour, minute: f"{day.isoformat()}T{hour:02d}:{minute:02d}",
            st.dates(date(EARLIEST_YEAR, 1, 1), date(LATEST_YEAR, 12, 31)),
            st.integers(0, 23),
            st.integers(0, 59),
        )
        recent = st.integers(-48 * 60, 60).map(
            lambda minutes: (to_local(now()) + timedelta(minutes=minutes)).strftime(
                "%Y-%m-%dT%H:%M"
            )
        )
        return st.one_of(recent, any_day)
    if spec.kind == "date":
        days = st.dates(date(EARLIEST_YEAR, 1, 1), date(LATEST_YEAR, 12, 31))
        near = st.integers(-60, 30).map(lambda n: today() + timedelta(days=n))
        return st.one_of(near, days).map(date.isoformat)
    if spec.kind == "hidden":
        if spec.pattern:
            return st.one_of(st.just(""), st.from_regex(spec.pattern, fullmatch=True))
        return st.one_of(
            st.from_regex(r"[A-Za-z0-9_-]{16,40}", fullmatch=True), st.sampled_from(public_ids)
        )
    if spec.kind == "email":
        return st.from_regex(r"[a-z]{1,20}@[a-z]{1,20}\.se", fullmatch=True)
    if spec.kind == "password":
        return st.text(alphabet="abcdefghijklmnopqrstuvwxyzåäö-123", min_size=12, max_size=40)
    longest = min(spec.longest or 200, 200)
    words = st.text(
        alphabet=st.sampled_from("abcdefghijklmnopqrstuvwxyzåäöÅÄÖ .,-!?"),
        min_size=1,
        max_size=longest,
    ).filter(str.strip)
    return words if spec.required else st.one_of(st.just(""), words)


#: What is put after a valid value: a line break (a pattern ending in $ lets one through),
#: a blank, a character no pattern allows, and enough to pass any column's length.
TAILS = ["\n", " ", "!", "x" * 70, "0" * 400]


def _hostile(spec: Spec, known: list[str]):
    """A value the field should refuse, or at least survive."""
    strategies = [
        hostile_text,
        st.builds(
            lambda value, tail: (value if isinstance(value, str) else "") + tail,
            _valid(spec, known),
            st.sampled_from(TAILS),
        ),
        st.sampled_from([" " * 80, "\n" * 80]),
    ]
    if spec.longest is not None:
        strategies.append(st.sampled_from(["x" * spec.longest, "å" * (spec.longest + 1)]))
    if spec.choices:
        strategies.append(st.sampled_from([f"{spec.choices[0]} ", spec.choices[0].upper()]))
    return st.one_of(strategies)


@dataclass
class Case:
    """One submission: its fields (a list where several values are sent), how it is sent."""

    fields: dict[str, object]
    encoding: str = "form"
    htmx: bool = False

    def values(self) -> list:
        found = []
        for value in self.fields.values():
            found += value if isinstance(value, list) else [value]
        return found


FILE = "<file>"

#: How a spoiled field is spoiled; the first is what shrinking tends to.
SPOILS = ["hostile", "missing", "empty", "list", "file"]


@st.composite
def cases(draw, specs: list[Spec], known: list[str]):
    """A submission of the form: most fields valid, some spoiled, unknown fields besides.
    Shrinking spoils fewer fields, so a failing case shows the fields that matter."""
    encoding = draw(st.sampled_from(["form", "multipart", "raw"]))
    names = [spec.name for spec in specs]
    spoiled = draw(st.lists(st.sampled_from(names), unique=True)) if names else []
    fields: dict[str, object] = {}
    for spec in specs:
        if spec.name not in spoiled:
            fields[spec.name] = draw(_valid(spec, known))
            continue
        spoil = draw(st.sampled_from(SPOILS))
        if spoil == "missing":
            continue
        if spoil == "hostile":
            fields[spec.name] = draw(_hostile(spec, known))
        elif spoil == "list":
            one = st.one_of(_valid(spec, known), _hostile(spec, known))
            values = draw(st.lists(one, min_size=2, max_size=4))
            fields[spec.name] = [v for value in values for v in _as_list(value)]
        elif spoil == "file" and encoding == "multipart":
            fields[spec.name] = FILE
        else:
            fields[spec.name] = ""
    extra = draw(
        st.dictionaries(
            st.one_of(st.sampled_from(EXTRA_NAMES), st.text(min_size=1, max_size=20)).filter(
                lambda name: name not in names
            ),
            st.one_of(hostile_text, st.sampled_from(known)),
            max_size=3,
        )
    )
    fields.update(extra)
    return Case(fields, encoding, draw(st.booleans()))


def _send(client, url: str, case: Case):
    headers = {"HX-Request": "true", "HX-Request-Type": "partial"} if case.htmx else {}
    if case.encoding == "raw":
        # urlencoded by hand, with bytes that are not UTF-8 at the end
        pairs = [(k, v) for k, values in case.fields.items() for v in _as_list(values)]
        body = urlencode(pairs, doseq=False).encode() + b"&junk=%FF%FE%C0%80"
        return client.post(
            url, data=body, content_type="application/x-www-form-urlencoded", headers=headers
        )
    data = {}
    for name, value in case.fields.items():
        if value == FILE:
            data[name] = (BytesIO(b"%PDF-1.4\n\x00\xff"), "bilaga.pdf")
        else:
            data[name] = value
    kind = "multipart/form-data" if case.encoding == "multipart" else None
    return client.post(url, data=data, content_type=kind, headers=headers)


def _as_list(value) -> list:
    return value if isinstance(value, list) else [value]


# --- the database -------------------------------------------------------------------------

#: What the audit trail may note of a refused request: reads of what the page shows (rule 4
#: of DOMAIN.md: every read of a youth is logged) and failed logins.
LOGGED_WHEN_REFUSED = {AuditAction.READ, AuditAction.LIST, AuditAction.LOGIN_FAILED}


def _counts() -> dict[str, int]:
    """Rows of every table, and audit events that are not reads, in one query."""
    tables = db.metadata.sorted_tables
    columns = [select(func.count()).select_from(t).scalar_subquery().label(t.name) for t in tables]
    changes = (
        select(func.count())
        .select_from(AuditEvent)
        .where(AuditEvent.action.notin_(LOGGED_WHEN_REFUSED))
        .scalar_subquery()
        .label("audit changes")
    )
    row = db.session.execute(select(*columns, changes)).one()
    return dict(row._mapping)


#: Tables of records with an address of their own (one per kind a form makes).
RECORDS = sorted(t.name for t in db.metadata.sorted_tables if "public_id" in t.columns)


def _check_consistent(before: dict, after: dict, status: int, what: str) -> None:
    changed = {t: after[t] - before[t] for t in before if after[t] != before[t]}
    if status >= 400:
        allowed = {"audit_event", "audit_chain"}
        assert not set(changed) - allowed and "audit changes" not in changed, (
            f"{what}: refused with {status} but changed rows: {changed}"
        )
        return
    for table in RECORDS:
        assert abs(changed.get(table, 0)) <= 1, f"{what}: {table} changed by {changed[table]}"
    made = changed.get("form_submission", 0)
    assert made in (0, 1), f"{what}: {made} one-time tokens remembered"
    if made:
        newest = db.session.execute(
            select(FormSubmission).order_by(FormSubmission.created_at.desc()).limit(1)
        ).scalar_one()
        assert changed.get(newest.record_table) == 1, (
            f"{what}: a token remembered, but {newest.record_table} changed by "
            f"{changed.get(newest.record_table, 0)}"
        )
        table = db.metadata.tables[newest.record_table]
        made_record = select(func.count()).where(table.c.id == newest.record_id)
        assert db.session.execute(made_record).scalar() == 1, f"{what}: the token's record"


def _chain_intact(what: str) -> None:
    report = audit_verify.verify()
    assert report.intact, f"{what}: audit chain broken at {report.broken_at}: {report.problem}"


# --- the stage: records to post to, and who posts ------------------------------------------


@dataclass
class Stage:
    """Where one endpoint's submissions go and who sends them."""

    rule: str
    setup: dict
    who: str | None = None
    url: str = ""
    known: list[str] = field(default_factory=list)


def _build(app, world, stage: Stage) -> None:
    """Fresh records of team A (as the matrix makes them) and the address filled with them."""
    with app.app_context():
        records = make_records(
            db.session.get(Team, world.team_a),
            db.session.get(User, world.worker_a),
            db.session.get(Area, world.area),
            **stage.setup,
        )
        numbers = {
            "sign_id": db.session.execute(
                signs(WarningSign.id).order_by(WarningSign.id).limit(1)
            ).scalar_one(),
            "user_id": db.session.execute(
                select(User.id).where(User.username == "spare")
            ).scalar_one(),
            "mail_id": make_dead_letter().id,
            "team_id": world.vpc,
        }
        stage.url = address_of(
            stage.rule, {kind: r.public_id for kind, r in records.items()}, numbers
        ).url
        ids = set()
        for model in (Team, Area, Place, User):
            ids |= set(db.session.execute(select(model.id)).scalars())
        ids |= set(
            db.session.execute(signs(WarningSign.id).order_by(WarningSign.id).limit(5)).scalars()
        )
        youths = db.session.execute(select(Youth.public_id)).scalars()
        stage.known = sorted(str(i) for i in ids) + sorted(youths)


@contextmanager
def _forms_read(given: bool = False):
    """The forms built from the request's data while inside (a spy on FlaskForm); after the
    request they hold the choices the view gave them. `given`: forms given the data by the
    view (a filter's, from the address) too."""
    read: list[FlaskForm] = []
    original = FlaskForm.__init__

    def spy(self, formdata=_Auto, **kwargs):
        original(self, formdata=formdata, **kwargs)
        if formdata is _Auto or (given and formdata is not None):
            read.append(self)

    with mock.patch.object(FlaskForm, "__init__", spy):
        yield read


#: An address filled in with ids that name nothing: enough to know its shape.
ANY_RECORDS = {kind: "A" * PUBLIC_ID_LENGTH for kind in RECORD_KINDS}
ANY_NUMBERS = {"sign_id": 1, "user_id": 1, "mail_id": 1, "team_id": 1}


def _candidates(app, endpoint: str, rule: str) -> list[str | None]:
    """Who may post: the roles the authorization matrix lets in (a visitor too for a public
    endpoint)."""
    view_policy = app.view_functions[endpoint].access_policy
    address = address_of(rule, ANY_RECORDS, ANY_NUMBERS)
    if view_policy == policy.PUBLIC:
        return ["falt_a", None]
    return [r for r in ROLES if _expected(endpoint, view_policy, r, "A", address) == "ok"]


def _reach_form(app, world, stage: Stage, endpoint: str, client_of) -> FlaskForm | None:
    """The endpoint's form as its view built it, found by an empty submission by each who may
    post until one reaches a form; the stage is built, and built again if that saved."""
    _build(app, world, stage)
    form, candidates, changed = None, _candidates(app, endpoint, stage.rule), False
    for who in candidates:
        with _forms_read() as read:
            response = client_of(who).post(stage.url)
        assert response.status_code < 500, f"{endpoint}: empty submission: {response.status}"
        changed |= response.status_code < 400
        if read:
            form, stage.who = read[0], who
            break
    else:
        stage.who = candidates[0]
    if changed:
        _build(app, world, stage)
    return form


# --- counting -------------------------------------------------------------------------------

#: Per endpoint: the form, who posted, the submissions and their answers.
REPORT: dict[str, dict] = {}
#: Per text field: its length limit and the columns its text was found in.
LIMITS: dict[str, dict] = {}
#: Per endpoint: its choice fields and how many off-choice submissions each had.
REPORT_CHOICES: dict[str, dict] = {}


@pytest.fixture(scope="module", autouse=True)
def _report(request):
    """Write what ran to test-artifacts/hostile-forms.json, and show it at the end of the run."""
    started = time.perf_counter()
    yield
    if not REPORT and not LIMITS and not REPORT_CHOICES:
        return
    total = sum(entry["cases"] for entry in REPORT.values())
    dialect = os.environ.get("TEST_DATABASE_URL", "sqlite").split(":")[0].split("+")[0]
    summary = {
        "database": dialect or "sqlite",
        "total_cases": total,
        "seconds": round(time.perf_counter() - started, 1),
        "forms": REPORT,
        "length_limits": LIMITS,
        "choices": REPORT_CHOICES,
    }
    ARTIFACTS.mkdir(exist_ok=True)
    (ARTIFACTS / "hostile-forms.json").write_text(json.dumps(summary, indent=1, ensure_ascii=False))
    lines = [
        f"{endpoint} ({entry['form']}, as {entry['who'] or 'visitor'}): {entry['cases']} cases, "
        + ", ".join(f"{s}×{n}" for s, n in sorted(entry["statuses"].items()))
        for endpoint, entry in sorted(REPORT.items())
    ]
    lines.append(f"in all: {total} submissions to {len(REPORT)} forms on {summary['database']}")
    if REPORT_CHOICES:
        fields = sum(len(entry["fields"]) for entry in REPORT_CHOICES.values())
        cases = sum(entry["cases"] for entry in REPORT_CHOICES.values())
        lines.append(
            f"choices sent blank, padded or in other letters: {cases} submissions to {fields} "
            f"fields of {len(REPORT_CHOICES)} forms"
        )
    request.config.pluginmanager.register(_Summary(lines), "hostile-forms-summary")


class _Summary:
    """Shows the counts in pytest's terminal summary."""

    def __init__(self, lines: list[str]):
        self.lines = lines

    def pytest_terminal_summary(self, terminalreporter):
        terminalreporter.write_sep(
            "-", "hostile form submissions (test-artifacts/hostile-forms.json)"
        )
        for line in self.lines:
            terminalreporter.write_line(line)


# --- the tests ----------------------------------------------------------------------------


@pytest.fixture
def stage_world(app, world):
    """The world plus a VPC team lead, the intake unit's caseworker, a user for the admin's
    user pages to act on, and the operator."""
    with app.app_context():
        make_user("vpc_lead", Role.TEAM_LEAD, [db.session.get(Team, world.vpc)])
        make_user("mottagning", Role.CASEWORKER, [make_team("Mottagningen", TeamKind.INTAKE)])
        make_user("spare", Role.FIELD_WORKER, [db.session.get(Team, world.team_b)])
        make_user("drift", Role.OPERATOR, [])
        db.session.commit()
    return world


@pytest.mark.parametrize(("endpoint", "rule", "methods"), POSTS, ids=[e[0] for e in POSTS])
def test_generated_submissions_never_break_a_form(
    app, stage_world, signed_in, endpoint, rule, methods
):
    """Generated submissions to the endpoint's form: below 500, consistent, chain intact."""
    stage = Stage(rule, STAGES.get(endpoint, {}))

    def client_of(who):
        return signed_in(who) if who else app.test_client()

    form = _reach_form(app, stage_world, stage, endpoint, client_of)
    specs = _specs(form) if form else []
    entry = REPORT.setdefault(
        endpoint,
        {
            "form": type(form).__name__ if form else "no form",
            "who": stage.who,
            "fields": [s.name for s in specs],
            "cases": 0,
            "statuses": Counter(),
        },
    )
    #: The signed-in client, and the row counts as the last submission left them (None: to
    #: be made again, after new records or a submission that may have logged the user out).
    current = {"client": None, "counts": None}

    examples = min(MOST_EXAMPLES, BASE_EXAMPLES + PER_FIELD * len(specs))

    @settings(
        max_examples=max(1, round(examples * FACTOR)),
        derandomize=True,
        database=None,
        deadline=None,
        suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
    )
    @given(case=cases(specs, stage.known))
    @example(case=Case({}))
    @example(case=Case({s.name: "x" * 100_000 for s in specs}, "multipart"))
    @example(case=Case({s.name: "\x00" for s in specs} or {"x": "\x00"}, htmx=True))
    def submit(case: Case):
        if current["client"] is None:
            current["client"], current["counts"] = client_of(stage.who), None
        if current["counts"] is None:
            with app.app_context():
                current["counts"] = _counts()
        before, current["counts"] = current["counts"], None
        what = f"{endpoint} as {stage.who or 'visitor'}: {case}"
        response = _send(current["client"], stage.url, case)
        body = response.get_data(as_text=True)
        status = response.status_code
        entry["cases"] += 1
        entry["statuses"][str(status)] += 1
        assert status < 500, f"{what}: answered {status}"
        sent = case.values()
        if FILE in sent or any(_CONTROL.search(value) for value in sent):
            assert status in (400, 413), f"{what}: a control character or a file answered {status}"
        assert RAW.search(body) is None, f"{what}: markup came back unescaped"
        with app.app_context():
            after = _counts()
            _check_consistent(before, after, status, what)
            _chain_intact(what)
        if status < 400:
            # what the submission changed is not posted to again (it may have logged out too)
            _build(app, stage_world, stage)
            current["client"] = None
        else:
            current["counts"] = after

    submit()


# --- choices sent as no page sends them -------------------------------------------------------

#: A blank that is no choice, a choice padded, and in other letters (issue 26: a blank gender
#: on the youth's edit form reached Gender(" ") in the view, 500).
BLANKS = [" ", "\t\u00a0\n"]


def _off_choices(value: str) -> list[tuple[str, str]]:
    """The ways an offered value is sent that no page sends: padded, and in other letters."""
    cases = [("padded", f" {value} "), ("trailing line break", f"{value}\n")]
    for label, changed in (("upper case", value.upper()), ("capitalized", value.capitalize())):
        if changed != value and changed not in [case for _label, case in cases]:
            cases.append((label, changed))
    return cases


#: The simplest valid values found, by field and the records known.
PLAIN: dict[tuple[str, tuple[str, ...]], object] = {}


def _plain_valid(spec: Spec, known: list[str]):
    """The simplest value the field accepts: what hypothesis shrinks its valid values to."""
    key = (repr(spec), tuple(known))
    if key not in PLAIN:
        strategy = _valid(spec, known)
        PLAIN[key] = find(strategy, lambda _value: True, settings=settings(database=None))
    return PLAIN[key]


def _offered(spec: Spec) -> str | None:
    """An offered value of a choice field (a box's own value for a checkbox); None when the
    view offered nothing."""
    if spec.kind == "boolean":
        return "y"
    return next((choice for choice in spec.choices or [] if choice), None)


def _sv(app, message) -> str:
    """A form message as a Swedish user reads it in the page."""
    with app.test_request_context(), force_locale("sv"):
        return str(escape(str(message)))


def _required_message(app, bound) -> str:
    """What a required field says when nothing is chosen: its validator's own message."""
    for validator in bound.validators:
        if isinstance(validator, (InputRequired, DataRequired)) and validator.message:
            return _sv(app, validator.message)
    return _sv(app, NOT_OFFERED)


def _reaching(app, world, endpoint: str) -> dict:
    """What a submission needs besides the form's fields for the view to read the form: the
    kommun's identity provider for its group mappings, another record of the team to merge."""
    with app.app_context():
        if endpoint == "admin.add_group_mapping":
            make_identity_provider("https://idp.example.se/outreach")
            db.session.commit()
        if endpoint == "casefile.merge_records":
            twin = make_youth(
                db.session.get(User, world.worker_a), db.session.get(Team, world.team_a), "Tvilling"
            )
            db.session.commit()
            return {"duplicate": twin.public_id}
    return {}


CHOOSING = ("choice", "multiple", "boolean")
#: The app's own choice fields: each checks what is sent against what it offers.
OFFERED_ONLY = (ChoiceField, RadioChoiceField, MultiCheckboxField, CheckboxField)
NOT_OFFERED_BY_KIND = {"choice": NOT_OFFERED, "boolean": NOT_A_TICK}


@pytest.mark.parametrize(("endpoint", "rule", "methods"), POSTS, ids=[e[0] for e in POSTS])
def test_choices_are_only_what_the_form_offers(
    app, stage_world, signed_in, endpoint, rule, methods
):
    """Every choice, select, radio and checkbox field of the endpoint's form, sent blank
    (whitespace only), padded and in other letters, the other fields valid: never a 500.
    Padded and other letters are refused (4xx) with the field's message when the form comes
    back (422), nothing saved. A blank is no choice: refused with the field's own message
    where one must be chosen, else it is as if left empty (never refused as a bad choice)."""
    stage = Stage(rule, STAGES.get(endpoint, {}))

    def client_of(who):
        return signed_in(who) if who else app.test_client()

    form = _reach_form(app, stage_world, stage, endpoint, client_of)
    if form is None:
        pytest.skip("no form")
    specs = _specs(form)
    choosing = [(spec, form[spec.name]) for spec in specs if spec.kind in CHOOSING]
    if not choosing:
        pytest.skip("no choice fields")
    for _spec, bound in choosing:
        assert isinstance(bound, OFFERED_ONLY), f"{endpoint}: {bound.name} is {type(bound)}"
    reaching = _reaching(app, stage_world, endpoint)
    current = {"client": None}
    tried = REPORT_CHOICES.setdefault(endpoint, {"fields": {}, "cases": 0, "not_reached": 0})

    def send(spec: Spec, value, label: str) -> tuple[int, str, list[str] | None]:
        """Post the form with the field's value; the answer, and the field's errors as the view
        left them (None: the view answered without validating the form)."""
        sent = {other.name: _plain_valid(other, stage.known) for other in specs} | reaching
        sent[spec.name] = [value] if spec.kind == "multiple" else value
        if current["client"] is None:
            current["client"] = client_of(stage.who)
        with app.app_context():
            before = _counts()
        with _forms_read() as read:
            response = current["client"].post(stage.url, data=sent)
        status, body = response.status_code, response.get_data(as_text=True)
        what = f"{endpoint} as {stage.who or 'visitor'}: {spec.name}={value!r} ({label})"
        assert status < 500, f"{what}: answered {status}"
        with app.app_context():
            after = _counts()
        built = next((form for form in read if spec.name in form), None)
        errors, status_checked = None, status
        if built is not None and isinstance(built[spec.name].errors, list):  # validated
            with app.test_request_context():
                errors = [str(error) for error in built[spec.name].errors]
        else:  # answered before the form (a record it names is not there): nothing saved
            tried["not_reached"] += 1
            status_checked = max(status, 400)
        _check_consistent(before, after, status_checked, what)
        if status < 400:
            _build(app, stage_world, stage)
            current["client"] = None
        tried["cases"] += 1
        tried["fields"][spec.name] = tried["fields"].get(spec.name, 0) + 1
        return status, body, errors

    for spec, bound in choosing:
        refusal = NOT_A_TICK if spec.kind == "boolean" else NOT_OFFERED
        with app.test_request_context():
            refused_as = str(refusal)
        must_choose = spec.required or (
            spec.kind == "choice" and not spec.optional and "" not in (spec.choices or [])
        )
        for value in BLANKS:
            status, body, errors = send(spec, value, "blank")
            what = f"{endpoint}: {spec.name}={value!r} (blank)"
            if errors is None:
                continue
            if not must_choose:  # as if left empty: the view's own rules may still refuse
                assert refused_as not in errors, f"{what}: refused as no choice, {status}"
                continue
            message = _required_message(app, bound)
            assert errors, f"{what}: a choice must be made, answered {status}"
            assert 400 <= status < 500, f"{what}: answered {status}"
            if status == 422:
                assert message in body, f"{what}: the form shows no {message!r}"
        offered = _offered(spec)
        for label, value in _off_choices(offered) if offered else []:
            status, body, errors = send(spec, value, label)
            what = f"{endpoint}: {spec.name}={value!r} ({label})"
            if errors is None:
                continue
            assert refused_as in errors, f"{what}: not refused ({errors}), answered {status}"
            assert 400 <= status < 500, f"{what}: answered {status}"
            if status == 422:
                assert _sv(app, refusal) in body, f"{what}: the form shows no message"


#: The pages whose filters are forms read from the address, and who opens them.
FILTER_PAGES = [
    ("/granskning", "lead_a"),
    ("/statistik", "lead_a"),
    ("/statistik/nationell", "drift"),
    ("/loggkontroll", "lead_a"),
]


@pytest.mark.parametrize(("url", "who"), FILTER_PAGES)
def test_a_filters_choices_are_only_what_it_offers(app, stage_world, signed_in, url, who):
    """A filter's choices in the address, blank, padded or in other letters: a blank is no
    choice (the page as unfiltered); the others are refused at the field, with a 4xx."""
    client = signed_in(who)
    with _forms_read(given=True) as read:
        assert client.get(url).status_code == 200
    specs = [spec for spec in _specs(read[0]) if spec.kind in CHOOSING]
    assert specs, f"{url}: no choices"
    tried = REPORT_CHOICES.setdefault(url, {"fields": {}, "cases": 0, "not_reached": 0})
    for spec in specs:
        with app.test_request_context():
            refused_as = str(NOT_A_TICK if spec.kind == "boolean" else NOT_OFFERED)
        offered = _offered(spec)
        cases = [("blank", blank) for blank in BLANKS] + (_off_choices(offered) if offered else [])
        for label, value in cases:
            with _forms_read(given=True) as read:
                response = client.get(url, query_string={spec.name: value})
            what = f"{url}: {spec.name}={value!r} ({label})"
            with app.test_request_context():
                errors = [str(error) for error in read[0][spec.name].errors]
            assert response.status_code < 500, f"{what}: answered {response.status}"
            if label == "blank":
                assert response.status_code == 200, f"{what}: answered {response.status}"
                assert errors == [], f"{what}: refused ({errors})"
            else:
                assert refused_as in errors, f"{what}: not refused ({errors})"
                assert 400 <= response.status_code < 500, f"{what}: answered {response.status}"
            tried["cases"] += 1
            tried["fields"][spec.name] = tried["fields"].get(spec.name, 0) + 1


# --- the gate: control characters, files, and the size of a request -------------------------


def test_control_characters_and_files_are_refused_at_every_form(app, world, signed_in):
    """NUL or another control character in any value (a later value of a name too, or the
    address's query), or a file where no form takes one: 400 before anything else runs."""
    client = signed_in("falt_a")
    sent = Counter()
    for endpoint, rule, _methods in POSTS:
        url = address_of(rule, ANY_RECORDS, ANY_NUMBERS).url
        for label, kwargs in (
            ("NUL in a first value", {"data": {"note": "a\x00b"}}),
            ("NUL in a later value", {"data": {"note": ["fint", "a\x00b"]}}),
            ("escape in a later value", {"data": {"youths": ["1", "\x1b[2J"]}}),
            ("NUL in the query", {"data": {"note": "fint"}, "query_string": {"q": "\x00"}}),
            ("a file", {"data": {"note": (BytesIO(b"%PDF-1.4"), "bilaga.pdf")}}),
        ):
            response = client.post(url, **kwargs)
            assert response.status_code == 400, f"{endpoint}: {label}: {response.status}"
            assert "Begäran kunde inte tolkas" in response.get_data(as_text=True)
            sent[label] += 1
    assert sum(sent.values()) == 5 * len(POSTS)
    REPORT["(gate) control characters and files"] = {
        "form": "every POST endpoint",
        "who": "falt_a",
        "fields": sorted(sent),
        "cases": sum(sent.values()),
        "statuses": Counter({"400": sum(sent.values())}),
    }


TOO_LARGE_SV = "Det du skickade är för stort."


@pytest.mark.parametrize("htmx", [False, True], ids=["page", "htmx"])
@pytest.mark.parametrize("encoding", ["form", "multipart"])
def test_a_body_over_the_limit_gets_413_in_swedish(app, world, signed_in, htmx, encoding):
    """A request body over MAX_CONTENT_LENGTH is refused with 413 and the app's own Swedish
    page (or fragment), not a 500 or Werkzeug's English page; nothing is saved."""
    limit = app.config["MAX_CONTENT_LENGTH"]
    headers = {"HX-Request": "true", "HX-Request-Type": "partial"} if htmx else {}
    kind = "multipart/form-data" if encoding == "multipart" else None
    worker, visitor = signed_in("falt_a"), app.test_client()
    with app.app_context():
        before = _counts()
    for client, url, data in (
        (worker, "/ungdomar/ny", {"alias": "x" * limit, "legal_basis": "consent"}),
        (visitor, "/logga-in", {"username": "falt_a", "password": "å" * limit}),
    ):
        response = client.post(url, data=data, content_type=kind, headers=headers)
        body = response.get_data(as_text=True)
        assert response.status_code == 413, f"{url}: {response.status}"
        assert TOO_LARGE_SV in body, body[:500]
        assert "Request Entity Too Large" not in body
        assert ("<html" in body) is not htmx  # a fragment for htmx, a whole page otherwise
    with app.app_context():
        _check_consistent(before, _counts(), 413, "a body over the limit")


# --- regressions hypothesis found ----------------------------------------------------------


@pytest.fixture
def records_a(app, world):
    """Team A's records, by kind, as public ids."""
    with app.app_context():
        made = make_records(
            db.session.get(Team, world.team_a),
            db.session.get(User, world.worker_a),
            db.session.get(Area, world.area),
        )
        return {kind: record.public_id for kind, record in made.items()}


def test_a_number_past_a_floats_range_is_refused_not_a_crash(app, world, signed_in, records_a):
    """400 nines in a count or a birth year: WTForms' NumberRange raised OverflowError (500)."""
    client = signed_in("falt_a")
    huge = "9" * 400
    contact = client.post(
        address_for("shifts.new_contact", public_id=records_a["shift"]),
        data={"place": world.place, "youth_count": "1", "gender_girl": huge},
    )
    youth = client.post(
        address_for("youths.new_youth"),
        data={"alias": "Kille i keps", "legal_basis": "consent", "birth_year": huge},
    )
    assert (contact.status_code, youth.status_code) == (422, 422)
    assert "Inte ett giltigt heltal" in youth.get_data(as_text=True)


def test_a_one_time_token_longer_than_its_column_is_refused(app, world, signed_in):
    """A token that starts like one but goes on (past the column's 64 characters: a 500 on
    PostgreSQL), or is blank: refused, and nothing is saved."""
    client = signed_in("admin")
    with app.app_context():
        before = _counts()
    for token in ("A" * 65, "A" * 16 + "!", " " * 80, "A" * 16 + "\n"):
        response = client.post(address_for("admin.new_area"), data={"name": "Ny", "once": token})
        assert response.status_code == 422, (token, response.status)
    with app.app_context():
        _check_consistent(before, _counts(), 422, "one-time tokens that are not")


def test_a_blank_version_in_an_edit_form_is_not_a_crash(app, world, signed_in, records_a):
    """An edit form's version sent as a blank passes Optional() and reached int() in
    the version check (then editing.is_stale): ValueError, 500 (found by hypothesis on
    reports.report)."""
    client = signed_in("falt_a")
    for url, data in (
        (f"/orosanmalningar/{records_a['report']}", {"concern": "Oro.", "relation": "Fält"}),
        (f"/faltpass/{records_a['shift']}/lagesbild", {"situation_note": "Lugnt."}),
        (f"/ungdomar/{records_a['youth']}/andra", {"alias": "Kille", "legal_basis": "consent"}),
    ):
        response = client.post(url, data={**data, "version": " "})
        assert response.status_code < 500, f"{url}: {response.status}"


# --- length limits --------------------------------------------------------------------------

#: What stores a field's text elsewhere than in a column of its own: hashed (a password) or
#: encrypted (a personnummer), or nowhere (the login name, a code, a lookup by public id).
NOT_STORED_AS_TYPED = {"password", "personnummer", "code", "duplicate"}


def _text_fields(form) -> list[tuple[str, object]]:
    """The form's fields that take text (StringField and its kinds), unbound."""
    return [
        (name, unbound)
        for name, unbound in inspect.getmembers(form)
        if hasattr(unbound, "field_class") and issubclass(unbound.field_class, StringField)
    ]


def _longest(unbound) -> int | None:
    """The field's length limit: a max_length, or a pattern that holds the whole value."""
    validators = unbound.kwargs.get("validators") or (unbound.args[1:2] or [[]])[0]
    limits = [v.max for v in validators if isinstance(v, Length) and v.max >= 0]
    for validator in validators:
        pattern = getattr(validator, "regex", None)
        if isinstance(validator, Regexp) and pattern.pattern.endswith(("$", "\\Z")):
            width = re._parser.parse(pattern.pattern).getwidth()[1]
            if width < 2**16:
                limits.append(width)
    return min(limits) if limits else None


def _columns_holding(tag: str) -> set[tuple[str, str, int | None]]:
    """The (table, column, length) of every text column where the payload with `tag` is."""
    found = set()
    for table in db.metadata.sorted_tables:
        for column in table.columns:
            if not isinstance(column.type, String) or isinstance(column.type, Enum):
                continue
            hit = db.session.execute(
                select(func.count()).select_from(table).where(column.like(f"%onerror=x{tag}>%"))
            ).scalar()
            if hit:
                found.add((table.name, column.name, column.type.length))
    return found


def test_every_text_field_has_a_length_limit_within_its_column(app, request):
    """Every field that takes text has a length limit; where its text is stored in a
    String(n) column (found by where the payloads of test_input_handling's `stored` landed,
    one in every text field of every form), the limit is at most n."""
    filled = request.getfixturevalue("stored")
    with app.app_context():
        landed = {field: _columns_holding(tag) for field, tag in filled["tags"].items()}
    by_field = {}
    for form in form_classes():
        for name, unbound in _text_fields(form):
            if (form.__name__, name) in landed:
                by_field[id(unbound)] = landed[(form.__name__, name)]

    def by_name(form, name: str) -> set:
        """Columns named like the field (`token` → `submission_token`) in the tables of the
        form's own area, or of any area when it has none (admin)."""
        area = form.__module__.rsplit(".", 1)[0]
        tables = [
            m.local_table
            for m in db.Model.registry.mappers
            if m.class_.__module__ == f"{area}.models"
        ] or db.metadata.sorted_tables
        return {
            (table.name, column.name, column.type.length)
            for table in tables
            for column in table.columns
            if isinstance(column.type, String)
            and not isinstance(column.type, Enum)
            and (column.name == name or column.name.endswith(f"_{name}"))
        }

    problems, checked = [], 0
    for form in form_classes():
        for name, unbound in _text_fields(form):
            checked += 1
            longest = _longest(unbound)
            hidden = issubclass(unbound.field_class, HiddenField)
            columns = by_field.get(id(unbound)) or set()
            if not columns and name not in NOT_STORED_AS_TYPED:
                columns = by_name(form, name)  # not given a payload: found by name
            sized = [c for c in columns if c[2]]
            LIMITS[f"{form.__name__}.{name}"] = {
                "limit": longest,
                "columns": sorted(f"{t}.{c}({n or 'text'})" for t, c, n in columns),
            }
            if longest is None and (not hidden or sized):
                problems.append(f"{form.__name__}.{name}: no length limit")
                continue
            for table, column, length in sized:
                if longest is not None and longest > length:
                    problems.append(
                        f"{form.__name__}.{name}: at most {longest}, but {table}.{column} "
                        f"holds {length}"
                    )
    assert not problems, "\n".join(problems)
    assert checked > 60
