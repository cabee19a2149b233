"""The fault run: `python -m bench.faults` (`make faults`).

Field workers register youths and hand some over to VPC, against the app under gunicorn with
its mail worker, while things break for real: PostgreSQL is stopped and started again
(pg_ctlcluster, which needs root), and the mail server is down for a while. A tablet that got no
answer or the 503 page sends the same form again with the same one-time token, as the app's
offline queue does, and some forms are sent a second time right after their answer (a double
tap, or a resend after an answer the tablet lost).

Afterwards it checks what must hold: no answer but the 503 page was a server error, every youth
a worker was told is registered exists once and no other does, each has its audit row and the
audit chain is whole, every handoff exists once, and every mail reached the SMTP server exactly
once. It prints what the workers saw and writes it to bench/results/faults-<database>.json;
it exits 1 when something did not hold. It empties the database it is given, which must be on
this machine, and stops this machine's whole PostgreSQL cluster for a while: run it where
nothing else uses that cluster.
"""

import argparse
import json
import os
import secrets
import subprocess
import sys
import threading
import time
from collections import Counter
from contextlib import suppress
from email import message_from_string
from pathlib import Path

from flask_migrate import upgrade
from sqlalchemy import create_engine, func, select, text
from sqlalchemy.engine import make_url

from bench.common import bench_app
from bench.harness import RESULTS
from outreach import audit_verify
from outreach.audit import AuditAction, AuditEvent
from outreach.auth.models import Role, User
from outreach.auth.services import hash_password
from outreach.extensions import db
from outreach.handoffs.models import Handoff
from outreach.notifications.models import OutboxMail
from outreach.notifications.services import message_id
from outreach.org.models import Area, Place, PlaceKind, Team, TeamKind
from outreach.youths.models import Youth
from tests.servers import Browser, Inbox, free_port, gunicorn, wait_until_ready

ROOT = Path(__file__).resolve().parent.parent
DATABASE = "postgresql://postgres@127.0.0.1:5432/outreach_faults"
PASSWORD = "faults-password-2026"  # noqa: S105 (generated accounts only, never a real user)
#: Answers after which a tablet sends the same form again: none at all, or the 503 page.
RESEND_ON = {0, 502, 503, 504}
#: How long the mail left over may take to go out once the server is back (the backoff
#: after a failed attempt is 2, 4, 8 … minutes).
MAIL_DRAIN_SECONDS = 600


def served():
    """The app gunicorn and the mail worker run (`bench.faults:served()`)."""
    return bench_app(
        os.environ["OUTREACH_FAULTS_DATABASE"],
        LOGIN_RATE_LIMIT="100000 per minute",
        SMTP_HOST="127.0.0.1",
        SMTP_PORT=int(os.environ["OUTREACH_FAULTS_SMTP_PORT"]),
        SMTP_TIMEOUT=5,
    )


def prepare(url: str, people: int):
    """An empty, migrated database with a field team of `people` workers and VPC's two
    with email; the app on it."""
    _create_database(url)
    app = bench_app(url)
    with app.app_context():
        if db.engine.dialect.name == "postgresql":
            db.session.execute(text("DROP SCHEMA public CASCADE; CREATE SCHEMA public"))
            db.session.commit()
        upgrade()
        field, vpc = (
            Team(name="Fältgruppen", kind=TeamKind.FIELD),
            Team(name="Våldspreventivt centrum", kind=TeamKind.VPC),
        )
        area = Area(name="Möllevången")
        db.session.add_all([field, vpc, area])
        db.session.add(Place(area=area, name="Möllevångstorget", kind=PlaceKind.SQUARE))
        hashed = hash_password(PASSWORD)
        for number in range(people):
            db.session.add(
                User(
                    username=f"falt{number}",
                    display_name=f"Fältarbetare {number}",
                    role=Role.FIELD_WORKER,
                    password_hash=hashed,
                    teams=[field],
                )
            )
        for username, role in (("vpcchef", Role.TEAM_LEAD), ("handlaggare", Role.CASEWORKER)):
            db.session.add(
                User(
                    username=username,
                    display_name=username.title(),
                    role=role,
                    password_hash=hashed,
                    teams=[vpc],
                    email=f"{username}@vpc.test",
                )
            )
        db.session.commit()
    return app


def _create_database(url: str) -> None:
    address = make_url(url)
    if address.get_backend_name() != "postgresql":
        return
    server = create_engine(
        address.set(drivername="postgresql+psycopg", database="postgres"),
        isolation_level="AUTOCOMMIT",
    )
    with server.connect() as connection:
        if not connection.scalar(
            text("SELECT 1 FROM pg_database WHERE datname = :name"), {"name": address.database}
        ):
            connection.execute(text(f'CREATE DATABASE "{address.database}"'))
    server.dispose()


class Tally:
    """What the workers saw, from every thread."""

    def __init__(self):
        self.lock = threading.Lock()
        self.statuses: Counter = Counter()
        self.resends = 0
        #: alias → the answer its last send got (303 and the youth's address when registered)
        self.youths: dict[str, tuple[int, str]] = {}
        self.handoffs: dict[str, int] = {}
        #: seconds from the start of the run of each answer that was no answer or a 503
        self.unanswered: list[float] = []

    def saw(self, status: int, at: float) -> None:
        with self.lock:
            self.statuses[status] += 1
            if status in RESEND_ON:
                self.unanswered.append(at)


class Run:
    """The workers at work and the faults, on a clock from the run's start."""

    def __init__(self, base: str, people: int, seconds: float):
        self.base, self.people, self.seconds = base, people, seconds
        self.tally = Tally()
        self.stop = threading.Event()
        self.started = time.monotonic()
        self.events: list[tuple[float, str]] = []

    def clock(self) -> float:
        return round(time.monotonic() - self.started, 2)

    def note(self, what: str) -> None:
        self.events.append((self.clock(), what))
        print(f"{self.clock():7.1f} s  {what}", flush=True)

    def send(self, browser: Browser, address: str, fields: dict, twice: bool = False):
        """Send a form until it is answered, the same form again after no answer or a 503;
        `twice`: sent a second time at once as a double tap does."""
        for attempt in range(600):
            if attempt:
                with self.tally.lock:
                    self.tally.resends += 1
                time.sleep(0.5)
            answer = browser.post(f"{self.base}{address}", fields)
            self.tally.saw(answer.status, self.clock())
            if twice and answer.status not in RESEND_ON:
                again = browser.post(f"{self.base}{address}", fields)
                self.tally.saw(again.status, self.clock())
            if answer.status not in RESEND_ON:
                return answer
        return answer

    def work(self, person: int) -> None:
        browser = Browser(timeout=15)
        while browser.log_in(self.base, f"falt{person}", PASSWORD).status != 303:
            time.sleep(0.5)
        number = 0
        while not self.stop.is_set():
            number += 1
            alias = f"Ungdom {person}-{number} vid torget"
            answer = self.send(
                browser,
                "/ungdomar/ny",
                {
                    "alias": alias,
                    "legal_basis": "consent",
                    "not_a_duplicate": "y",
                    "once": secrets.token_urlsafe(24),
                },
                twice=number % 7 == 0,
            )
            with self.tally.lock:
                self.tally.youths[alias] = (answer.status, answer.location)
            if answer.status == 303 and number % 4 == 0:
                youth = answer.location.rstrip("/").rsplit("/", 1)[-1]
                handed = self.send(
                    browser,
                    f"/ungdomar/{youth}/overlamning",
                    {
                        "reason": "Rekryteras av ett nätverk.",
                        "summary": "Behöver stöd.",
                        "urgency": "normal",
                        "basis": "osl_10_2",
                        "secrecy_assessed_by": "Teamledare",
                        "once": secrets.token_urlsafe(24),
                    },
                    twice=number % 8 == 0,
                )
                with self.tally.lock:
                    self.tally.handoffs[youth] = handed.status
            page = browser.get(f"{self.base}/ungdomar")
            self.tally.saw(page.status, self.clock())


def _cluster() -> list[str]:
    version = sorted(os.listdir("/etc/postgresql"))[-1]
    return ["pg_ctlcluster", "--skip-systemctl-redirect", version, "main"]


def database_outage(run: Run, at: float, seconds: float) -> None:
    """Stop PostgreSQL at `at` seconds into the run and start it `seconds` later."""
    time.sleep(max(0, at - run.clock()))
    run.note("PostgreSQL stopped")
    subprocess.run([*_cluster(), "stop", "-m", "fast"], check=True)  # noqa: S603
    time.sleep(seconds)
    subprocess.run([*_cluster(), "start"], check=True)  # noqa: S603
    run.note("PostgreSQL started")


def mail_outage(run: Run, inbox: Inbox, at: float, seconds: float) -> None:
    time.sleep(max(0, at - run.clock()))
    inbox.stop()
    run.note("SMTP server down")
    time.sleep(seconds)
    inbox.start()
    run.note("SMTP server up")


def check(app, tally: Tally, inbox: Inbox) -> dict[str, bool]:
    """What must hold after the run."""
    registered = {
        alias: location for alias, (status, location) in tally.youths.items() if status == 303
    }
    with app.app_context():
        stored = Counter(db.session.scalars(select(Youth.alias)).all())
        ids = dict(db.session.execute(select(Youth.public_id, Youth.id)).all())
        audited = set(
            db.session.scalars(
                select(AuditEvent.entity_id).where(
                    AuditEvent.entity_type == "youth", AuditEvent.action == AuditAction.CREATE
                )
            )
        )
        handoffs = Counter(db.session.scalars(select(Handoff.youth_id)).all())
        chain = audit_verify.verify()
        outbox = db.session.execute(
            select(OutboxMail.dedupe_key, OutboxMail.sent_at, OutboxMail.dead_at)
        ).all()
    received = Counter(
        message_from_string(content)["Message-ID"] for _to, content in inbox.messages
    )
    expected = {message_id(key) for key, _s, _d in outbox}
    handed = {youth for youth, status in tally.handoffs.items() if status == 303}
    return {
        "no server error but the 503 page": not any(
            status >= 500 and status not in RESEND_ON for status in tally.statuses
        ),
        "every form was answered in the end": all(
            status not in RESEND_ON for status, _where in tally.youths.values()
        ),
        "every youth registered exists once": all(stored[alias] == 1 for alias in registered),
        "no youth exists that nobody was told of": set(stored) == set(registered),
        "each youth's answer shows that youth": all(
            location.rsplit("/", 1)[-1] in ids for location in registered.values()
        ),
        "every youth has its audit row": set(ids.values()) <= audited,
        "the audit chain is whole": chain.intact,
        "every handoff exists once": set(handoffs.values()) <= {1}
        and {ids[youth] for youth in handed} == set(handoffs),
        "every mail was sent": all(sent is not None and dead is None for _k, sent, dead in outbox),
        "every mail was received exactly once": set(received) == expected
        and set(received.values()) <= {1},
    }


def _mail_waiting(app) -> int:
    with app.app_context():
        waiting = db.session.scalar(
            select(func.count(OutboxMail.id)).where(
                OutboxMail.sent_at.is_(None), OutboxMail.dead_at.is_(None)
            )
        )
        db.session.rollback()
        return waiting


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(
        prog="python -m bench.faults", description=__doc__.split("\n")[0]
    )
    parser.add_argument("--database", default=os.environ.get("FAULTS_DATABASE_URL", DATABASE))
    parser.add_argument("--people", type=int, default=8, help="field workers at work at once")
    parser.add_argument("--seconds", type=float, default=90, help="how long they work")
    parser.add_argument("--workers", type=int, default=2, help="gunicorn processes")
    parser.add_argument("--database-down-at", type=float, default=20)
    parser.add_argument("--database-down-for", type=float, default=8)
    parser.add_argument("--mail-down-at", type=float, default=45)
    parser.add_argument("--mail-down-for", type=float, default=20)
    options = parser.parse_args(argv)
    address = make_url(options.database)
    postgres = address.get_backend_name() == "postgresql"
    if postgres and address.host not in ("127.0.0.1", "localhost", "::1"):
        raise SystemExit(
            "the fault run empties its database and stops PostgreSQL: this machine's only"
        )
    if postgres and os.geteuid() != 0:
        raise SystemExit("stopping PostgreSQL takes root (pg_ctlcluster); run as root")

    app = prepare(options.database, options.people)
    inbox = Inbox()
    inbox.start(free_port())
    port = free_port()
    environment = {
        **os.environ,
        "OUTREACH_FAULTS_DATABASE": options.database,
        "OUTREACH_FAULTS_SMTP_PORT": str(inbox.port),
    }
    served_app = "bench.faults:served()"
    processes = [
        subprocess.Popen(  # noqa: S603 (our own command)
            gunicorn(port, served_app, options.workers), env=environment, cwd=ROOT
        ),
        subprocess.Popen(  # noqa: S603
            [
                sys.executable,
                "-m",
                "flask",
                "--app",
                served_app,
                "notifications",
                "send",
                "--loop",
                "--interval",
                "1",
            ],
            env=environment,
            cwd=ROOT,
            stdout=subprocess.DEVNULL,
        ),
    ]
    base = f"http://127.0.0.1:{port}"
    try:
        wait_until_ready(base, processes[0])
        run = Run(base, options.people, options.seconds)
        faults = [
            threading.Thread(
                target=mail_outage,
                args=(run, inbox, options.mail_down_at, options.mail_down_for),
            )
        ]
        if postgres:
            faults.append(
                threading.Thread(
                    target=database_outage,
                    args=(run, options.database_down_at, options.database_down_for),
                )
            )
        people = [threading.Thread(target=run.work, args=(n,)) for n in range(options.people)]
        for thread in [*faults, *people]:
            thread.start()
        time.sleep(options.seconds)
        run.stop.set()
        for thread in [*faults, *people]:
            thread.join()
        run.note("the workers stopped; waiting for the mail left over")
        deadline = time.monotonic() + MAIL_DRAIN_SECONDS
        while _mail_waiting(app) and time.monotonic() < deadline:
            time.sleep(2)
        run.note("the outbox is empty")
        time.sleep(3)  # the worker's next rounds: nothing may go out twice
    finally:
        for process in processes:
            process.terminate()
            with suppress(subprocess.TimeoutExpired):
                process.wait(timeout=20)
        inbox.stop()

    held = check(app, run.tally, inbox)
    tally = run.tally
    report = {
        "database": make_url(options.database).get_backend_name(),
        "people": options.people,
        "seconds": options.seconds,
        "gunicorn_workers": options.workers,
        "events": run.events,
        "answers": dict(sorted(tally.statuses.items())),
        "resends": tally.resends,
        "youths_registered": sum(1 for s, _l in tally.youths.values() if s == 303),
        "handoffs_sent": sum(1 for s in tally.handoffs.values() if s == 303),
        "mails_received": len(inbox.messages),
        "unanswered_from_s": min(tally.unanswered, default=None),
        "unanswered_until_s": max(tally.unanswered, default=None),
        "held": held,
    }
    RESULTS.mkdir(parents=True, exist_ok=True)
    (RESULTS / f"faults-{report['database']}.json").write_text(
        json.dumps(report, indent=1, ensure_ascii=False), encoding="utf-8"
    )
    print()
    print(f"answers by status: {report['answers']}; forms sent again: {tally.resends}")
    print(
        f"youths registered: {report['youths_registered']}, handoffs: "
        f"{report['handoffs_sent']}, mails received: {report['mails_received']}"
    )
    if tally.unanswered:
        print(
            f"no answer or the 503 page from {report['unanswered_from_s']} s "
            f"to {report['unanswered_until_s']} s into the run"
        )
    for what, ok in held.items():
        print(f"  {'ok    ' if ok else 'FAILED'} {what}")
    if not all(held.values()):
        raise SystemExit(1)


if __name__ == "__main__":
    main()
