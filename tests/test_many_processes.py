"""Several processes on one database, as production runs them: two gunicorn servers, two mail
workers and two schedulers starting `flask handoffs tick` as cron does, all at once.

The login limits are counted where both servers see them: attempts sent to one or the other
are refused at the limit, not at twice it.

Field workers hand youths over through both servers, each form sent to both at the same moment
(a resend that went to the other server); meanwhile the first-contact clock has run out on
handoffs sent earlier. At the end every handoff exists once, every warning and breach is
recorded once, and every mail reached the SMTP server exactly once.
"""

import os
import subprocess
import sys
import threading
import time
from collections import Counter
from contextlib import ExitStack, contextmanager
from datetime import timedelta
from email import message_from_string
from pathlib import Path

import pytest
from sqlalchemy import func, select, update

from outreach.audit import AuditEvent
from outreach.auth.models import Role, User
from outreach.clock import now
from outreach.config import DEFAULTS
from outreach.extensions import db
from outreach.handoffs.models import Handoff
from outreach.notifications.models import Notification, OutboxMail
from outreach.notifications.services import message_id
from outreach.org.models import Team
from tests.addresses import address_for
from tests.conftest import test_config
from tests.factories import PASSWORD, make_user, make_youth, send_handoff
from tests.html_forms import form_on
from tests.servers import Browser, Inbox, free_port, gunicorn, wait_until_ready

ROOT = Path(__file__).resolve().parent.parent
#: Youths each of the two field workers hands over through the servers.
HANDED_OVER_EACH = 6
#: Handoffs sent earlier whose clock is at the warning (75 %) and past the deadline.
WARNING_DUE, OVERDUE = 8, 8
TICKS_PER_SCHEDULER = 3


def _environment(database_url: str, smtp_port: int) -> dict[str, str]:
    """The settings of the test app, as a production process reads them."""
    config = test_config(database_url)
    return {
        **os.environ,
        "FLASK_APP": "outreach",
        "OUTREACH_DATABASE_URL": database_url,
        "OUTREACH_SECRET_KEY": config["SECRET_KEY"],
        "OUTREACH_FIELD_KEY": config["FIELD_KEY"],
        "OUTREACH_SMTP_HOST": "127.0.0.1",
        "OUTREACH_SMTP_PORT": str(smtp_port),
        "OUTREACH_REQUIRE_2FA": "0",
        "OUTREACH_SECURE_COOKIES": "0",
        "OUTREACH_BASE_URL": "http://outreach.test",
    }


def _flask(*arguments: str) -> list[str]:
    return [sys.executable, "-m", "flask", *arguments]


@contextmanager
def _process(command: list[str], environment: dict[str, str]):
    process = subprocess.Popen(
        command,
        cwd=ROOT,
        env=environment,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        yield process
    finally:
        process.terminate()
        try:
            _out, errors = process.communicate(timeout=20)
        except subprocess.TimeoutExpired:
            process.kill()
            _out, errors = process.communicate()
        assert "Traceback" not in (errors or ""), errors


@pytest.fixture
def staff(app, world):
    """VPC's two leads (who get the clock's warnings) with email; youths of team A to hand
    over; and handoffs sent earlier whose clock is at the warning or past the deadline."""
    with app.app_context():
        vpc = db.session.get(Team, world.vpc)
        team = db.session.get(Team, world.team_a)
        db.session.get(User, world.caseworker).email = "handlaggare@vpc.test"
        for number in (1, 2):
            make_user(f"vpc_lead{number}", Role.TEAM_LEAD, [vpc]).email = f"chef{number}@vpc.test"
        worker = db.session.get(User, world.worker_a)
        youths = {
            username: [
                make_youth(worker, team, f"Ungdom {username} {number}").public_id
                for number in range(HANDED_OVER_EACH)
            ]
            for username in ("falt_a", "falt_a2")
        }
        earlier = []
        for number in range(WARNING_DUE + OVERDUE):
            youth = make_youth(worker, team, f"Tidigare överlämnad {number}")
            handoff = send_handoff(worker, youth)
            hours_ago = 20 if number < WARNING_DUE else 30
            db.session.flush()
            db.session.execute(
                update(Handoff)
                .where(Handoff.id == handoff.id)
                .values(
                    sent_at=now() - timedelta(hours=hours_ago),
                    first_contact_due_at=now() - timedelta(hours=hours_ago - 24),
                )
            )
            earlier.append(handoff.id)
        db.session.commit()
    return youths, earlier


def _hand_over_twice(browser: Browser, servers: list[str], youth: str) -> list[tuple]:
    """Hand a youth over with one form sent to both servers at the same moment."""
    address = address_for("handoffs.new_handoff", public_id=youth)
    form = form_on(browser.get(f"{servers[0]}{address}").text, address)
    form.update(
        reason=["Rekryteras av ett nätverk."],
        summary=["Behöver stöd snabbt."],
        urgency=["normal"],
        basis=["osl_10_2"],
        secrecy_assessed_by=["Teamledare"],
    )
    start = threading.Barrier(len(servers))
    answers = [None] * len(servers)

    def send(index: int) -> None:
        start.wait()
        answer = browser.post(f"{servers[index]}{address}", form)
        answers[index] = (answer.status, answer.location)

    senders = [threading.Thread(target=send, args=(index,)) for index in range(len(servers))]
    for sender in senders:
        sender.start()
    for sender in senders:
        sender.join()
    return answers


def _schedule_ticks(environment: dict[str, str], start: threading.Barrier, failures: list):
    """A cron: `flask handoffs tick` a few times in a row."""
    start.wait()
    for _ in range(TICKS_PER_SCHEDULER):
        run = subprocess.run(
            _flask("handoffs", "tick"),
            cwd=ROOT,
            env=environment,
            capture_output=True,
            text=True,
            timeout=120,
        )
        if run.returncode != 0:
            failures.append(run.stderr)


def _all_mail_sent(app) -> bool:
    with app.app_context():
        waiting = db.session.scalar(
            select(func.count(OutboxMail.id)).where(OutboxMail.sent_at.is_(None))
        )
        db.session.rollback()
        return waiting == 0


def test_servers_workers_and_schedulers_at_once_do_everything_exactly_once(
    app, world, database_url, staff
):
    youths, earlier = staff
    inbox = Inbox()
    inbox.start(free_port())
    environment = _environment(database_url, inbox.port)
    ports = [free_port(), free_port()]
    servers = [f"http://127.0.0.1:{port}" for port in ports]
    try:
        with ExitStack() as running:
            for port, base in zip(ports, servers, strict=True):
                server = running.enter_context(_process(gunicorn(port), environment))
                wait_until_ready(base, server)
            for _worker in range(2):
                running.enter_context(
                    _process(
                        _flask("notifications", "send", "--loop", "--interval", "1"),
                        environment,
                    )
                )
            start, failures = threading.Barrier(2 + len(youths)), []
            schedulers = [
                threading.Thread(target=_schedule_ticks, args=(environment, start, failures))
                for _ in range(2)
            ]
            answers: dict[str, list] = {}

            def hand_over(username: str) -> None:
                browser = Browser()
                assert browser.log_in(servers[0], username, PASSWORD).status == 303
                start.wait()
                for youth in youths[username]:
                    answers[youth] = _hand_over_twice(browser, servers, youth)

            people = [threading.Thread(target=hand_over, args=(name,)) for name in youths]
            for thread in [*schedulers, *people]:
                thread.start()
            for thread in [*schedulers, *people]:
                thread.join(timeout=300)
            assert not failures, failures[0]

            deadline = time.monotonic() + 60
            while not _all_mail_sent(app) and time.monotonic() < deadline:
                time.sleep(0.5)
            time.sleep(2)  # the workers' next rounds: nothing may go out twice
    finally:
        inbox.stop()

    # every handoff once: both sends of one form were answered with the same handoff
    for youth, pair in answers.items():
        assert [status for status, _ in pair] == [303, 303], (youth, pair)
        assert pair[0][1] == pair[1][1], (youth, pair)
    with app.app_context():
        handed_over = db.session.scalars(
            select(Handoff.youth_id).where(Handoff.id.not_in(earlier))
        ).all()
        assert len(handed_over) == len(set(handed_over)) == 2 * HANDED_OVER_EACH

        # every warning and breach recorded once, each lead told once
        warned = db.session.scalars(select(Handoff.id).where(Handoff.warned_at.is_not(None))).all()
        breached = db.session.scalars(
            select(Handoff.id).where(Handoff.breached_at.is_not(None))
        ).all()
        assert sorted(warned) == sorted(earlier)
        assert sorted(breached) == sorted(earlier[WARNING_DUE:])
        told = Counter(
            db.session.execute(
                select(Notification.kind, Notification.handoff_id, Notification.user_id).where(
                    Notification.kind.in_(("warning", "overdue"))
                )
            ).all()
        )
        assert set(told.values()) == {1}
        assert len(told) == 2 * (len(warned) + len(breached))
        recorded = db.session.scalar(
            select(func.count(AuditEvent.id)).where(AuditEvent.detail == "first contact overdue")
        )
        assert recorded == len(breached)

        # every mail sent, and received exactly once
        outbox = db.session.execute(select(OutboxMail.dedupe_key, OutboxMail.sent_at)).all()
    assert outbox and all(sent_at is not None for _key, sent_at in outbox)
    received = Counter(
        message_from_string(content)["Message-ID"] for _to, content in inbox.messages
    )
    expected = {message_id(key) for key, _sent in outbox}
    assert set(received) == expected
    assert set(received.values()) == {1}
    print(
        f"{2 * HANDED_OVER_EACH} handoffs sent twice through two servers, "
        f"{len(warned)} warnings and {len(breached)} breaches from "
        f"{2 * TICKS_PER_SCHEDULER} ticks, {len(outbox)} mails by two workers, each received once"
    )


def test_login_attempts_are_counted_across_servers(app, world, database_url):
    """Wrong passwords from one address, sent to two servers in turn: the limit a minute
    (10 by default) holds for both together."""
    per_minute = int(DEFAULTS["LOGIN_RATE_LIMIT"].split()[0])
    environment = _environment(database_url, free_port())
    ports = [free_port(), free_port()]
    servers = [f"http://127.0.0.1:{port}" for port in ports]
    with ExitStack() as running:
        for port, base in zip(ports, servers, strict=True):
            wait_until_ready(base, running.enter_context(_process(gunicorn(port), environment)))
        answers = [
            Browser().log_in(servers[attempt % 2], "falt_a", "fel-lösenord").status
            for attempt in range(per_minute + 2)
        ]
    assert answers == [422] * per_minute + [429, 429], answers
