"""The first-contact clock (warning at 75 %, breach at 100 %, once, with catch-up), in-app
notifications with the header badge, and mail through the outbox over real SMTP."""

import threading
from datetime import timedelta

from sqlalchemy import func, select

from outreach.auth.models import User
from outreach.extensions import db
from outreach.handoffs import first_contact
from outreach.handoffs.models import Handoff
from outreach.notifications.cli import deliver_once
from outreach.notifications.models import Notification, OutboxMail
from tests.addresses import address_for
from tests.notifications.conftest import BASE


def _kinds(app, username) -> list[str]:
    with app.app_context():
        return list(
            db.session.execute(
                select(Notification.kind)
                .join(User, User.id == Notification.user_id)
                .where(User.username == username)
                .order_by(Notification.id)
            ).scalars()
        )


def _tick(app, hours: float):
    with app.app_context():
        sent_at = db.session.execute(select(Handoff.sent_at)).scalar_one()
        result = first_contact.tick(BASE, sent_at + timedelta(hours=hours))
        db.session.commit()
        return result


def test_a_new_handoff_reaches_vpc_in_the_app_and_by_mail(app, login, handoff):
    assert _kinds(app, "vpc") == ["new_handoff"] and _kinds(app, "vpc_lead") == ["new_handoff"]
    caseworker = login("vpc")
    badge = caseworker.get(
        address_for("notifications.badge"), headers={"HX-Request": "true"}
    ).get_data(as_text=True)
    assert '<span class="count">1</span>' in badge and 'data-hx-trigger="every 20s"' in badge
    page = caseworker.get(address_for("notifications.index")).get_data(as_text=True)
    assert "En ny överlämning väntar" in page
    badge = caseworker.get(address_for("notifications.badge")).get_data(as_text=True)
    assert 'class="count"' not in badge  # read now
    with app.app_context():
        assert db.session.execute(select(func.count(OutboxMail.id))).scalar_one() == 2


def test_the_polled_badge_is_answered_304_while_it_is_unchanged(login, handoff):
    caseworker = login("vpc")
    first = caseworker.get(address_for("notifications.badge"), headers={"HX-Request": "true"})
    tag = first.headers["ETag"]
    assert first.status_code == 200 and first.headers["Cache-Control"] == "private, no-cache"
    assert "X-Outreach-Polled" not in first.headers  # the hook's marker stays inside
    again = caseworker.get(
        address_for("notifications.badge"),
        headers={"HX-Request": "true", "If-None-Match": tag},
    )
    assert again.status_code == 304 and again.get_data() == b""
    caseworker.get(address_for("notifications.index"))  # read: the count changes
    changed = caseworker.get(
        address_for("notifications.badge"),
        headers={"HX-Request": "true", "If-None-Match": tag},
    )
    assert changed.status_code == 200 and changed.headers["ETag"] != tag
    assert 'class="count"' not in changed.get_data(as_text=True)


def test_the_sender_hears_of_each_step(app, login, handoff):
    vpc = login("vpc")
    vpc.post(address_for("handoffs.take_step", public_id=handoff, step="acknowledge"))
    vpc.post(
        address_for("handoffs.take_step", public_id=handoff, step="first_contact"),
        data={"note": "Ringde."},
    )
    assert _kinds(app, "falt_a") == ["acknowledged", "first_contact"]
    assert 'Notiser</span> <span class="count">2</span>' in login("falt_a").get(
        address_for("home.start")
    ).get_data(as_text=True)


def test_the_clock_warns_at_75_percent_and_records_the_breach_once(app, world, login, handoff):
    assert (_tick(app, 17.9).warned, _tick(app, 17.9).breached) == (0, 0)
    assert _tick(app, 18).warned == 1  # 75 % of 24 h
    assert _tick(app, 20).warned == 0  # once
    assert _tick(app, 23.9).breached == 0
    assert _tick(app, 24.01).breached == 1
    assert _tick(app, 30).breached == 0  # once
    assert _kinds(app, "vpc_lead") == ["new_handoff", "warning", "overdue"]
    assert _kinds(app, "vpc") == ["new_handoff"]  # warnings go to the VPC team lead
    with app.app_context():
        assert first_contact.breaches([world.vpc]) == 1
    inbox = login("vpc").get(address_for("handoffs.inbox")).get_data(as_text=True)
    assert "Tidsfristen för första kontakt missades" in inbox


def test_a_breach_missed_while_the_scheduler_was_down_is_caught_up(app, login, handoff):
    vpc = login("vpc")
    vpc.post(address_for("handoffs.take_step", public_id=handoff, step="acknowledge"))
    with app.app_context():
        late = db.session.execute(select(Handoff.first_contact_due_at)).scalar_one()
        late += timedelta(hours=2)
    vpc.post(
        address_for("handoffs.take_step", public_id=handoff, step="first_contact"),
        data={"note": "Träffades."},
    )
    with app.app_context():
        row = db.session.execute(select(Handoff)).scalar_one()
        row.first_contact_at = late  # first contact came after the deadline …
        db.session.commit()
    assert _tick(app, 27).breached == 1  # … and the first run afterwards records the breach


def test_first_contact_in_time_is_no_breach(app, login, handoff):
    vpc = login("vpc")
    vpc.post(address_for("handoffs.take_step", public_id=handoff, step="acknowledge"))
    vpc.post(
        address_for("handoffs.take_step", public_id=handoff, step="first_contact"),
        data={"note": "Ringde."},
    )
    result = _tick(app, 48)
    assert (result.warned, result.breached) == (0, 0)


def test_ticks_at_the_same_moment_on_several_machines_warn_once(app, handoff):
    results = []
    barrier = threading.Barrier(3)

    def run():
        barrier.wait()
        results.append(_tick(app, 19).warned)

    threads = [threading.Thread(target=run) for _ in range(3)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sum(results) == 1
    assert _kinds(app, "vpc_lead").count("warning") == 1


def test_the_tick_command(app, handoff):
    result = app.test_cli_runner().invoke(args=["handoffs", "tick"])
    assert result.exit_code == 0 and "warned 0" in result.output


def test_mail_goes_out_over_smtp_without_personal_data(app, handoff, smtp):
    with app.app_context():
        assert deliver_once() == (2, 0, 0)
        assert deliver_once() == (0, 0, 0)  # never twice
    recipients = sorted(r for tos, _ in smtp.messages for r in tos)
    assert recipients == ["chef@vpc.test", "handlaggare@vpc.test"]
    for _tos, content in smtp.messages:
        assert "/overlamningar/" in content
        for personal in ("Ali", "Östlin", "keps", "Rekryteras"):
            assert personal not in content


def test_an_smtp_outage_delays_mail_and_never_loses_or_doubles_it(app, handoff, smtp):
    smtp.stop()
    with app.app_context():
        assert deliver_once() == (0, 2, 0)
        waiting = db.session.execute(select(OutboxMail)).scalars().all()
        assert all(m.sent_at is None and m.attempts == 1 and m.last_error for m in waiting)
        assert deliver_once() == (0, 0, 0)  # backing off: not due yet
    smtp.start()
    with app.app_context():
        for mail in db.session.execute(select(OutboxMail)).scalars():
            mail.next_attempt_at -= timedelta(hours=1)  # the backoff has passed
        db.session.commit()
        assert deliver_once() == (2, 0, 0)
        assert deliver_once() == (0, 0, 0)
    assert len(smtp.messages) == 2
