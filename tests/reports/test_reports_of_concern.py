"""Orosanmälan: a child under 18, the contents DOMAIN.md lists, the family never told about
violence, sexual abuse or honour, drafts not sent the same day alert the team lead, and a sent
report can be the legal basis of a handoff."""

from datetime import timedelta

import pytest
from sqlalchemy import select

from outreach.audit import AuditAction, AuditEvent
from outreach.auth.models import User
from outreach.clock import now
from outreach.extensions import db
from outreach.org.models import Team
from outreach.reports.models import ReportOfConcern
from tests.addresses import address_for
from tests.factories import make_youth, personnummer_for, years_ago
from tests.reports.conftest import REPORT


def _reports(app):
    with app.app_context():
        found = db.session.execute(select(ReportOfConcern)).scalars().all()
        for report in found:
            db.session.expunge(report)
        return found


def test_draft_send_and_print(app, login, child):
    client = login("falt_a")
    assert (
        client.post(address_for("reports.new_report", public_id=child), data=REPORT).status_code
        == 303
    )
    (report,) = _reports(app)
    assert report.sent_at is None and report.author_id is not None
    assert (
        client.post(address_for("reports.mark_sent", public_id=report.public_id)).status_code == 303
    )
    page = client.get(address_for("reports.printable", public_id=report.public_id)).get_data(
        as_text=True
    )
    for text in (
        "Omar Said",
        "Leila Said",
        "arabiska",
        "Sa att han får betalt.",
        "Nya dyra kläder.",
        "Fatima Fält",
        "Springer ärenden",
    ):
        assert text in page
    (report,) = _reports(app)
    assert report.sent_at is not None and report.child["name"] == "Omar Said"
    # a sent report is never changed, nor sent twice: sent again (a double tap), it is shown
    changed = client.post(
        address_for("reports.report", public_id=report.public_id), data={**REPORT, "concern": "x"}
    )
    assert changed.status_code == 422
    again = client.post(address_for("reports.mark_sent", public_id=report.public_id))
    assert again.status_code == 303 and again.location.endswith("/utskrift")
    (unchanged,) = _reports(app)
    assert unchanged.sent_at == report.sent_at


def test_a_revised_draft_keeps_its_earlier_wording_in_the_audit_trail(app, login, child):
    client = login("falt_a")
    client.post(address_for("reports.new_report", public_id=child), data=REPORT)
    (report,) = _reports(app)
    revised = {**REPORT, "concern": "Sågs med en väska vid stationen, två gånger."}
    assert (
        client.post(
            address_for("reports.report", public_id=report.public_id), data=revised
        ).status_code
        == 303
    )
    with app.app_context():
        (update,) = db.session.execute(
            select(AuditEvent).where(
                AuditEvent.entity_type == "report_of_concern",
                AuditEvent.action == AuditAction.UPDATE,
            )
        ).scalars()
        assert update.detail == "concern"
        assert update.changed == {"concern": [REPORT["concern"], revised["concern"]]}
        assert REPORT["concern"] not in update.changes  # encrypted at rest


def test_the_family_is_not_told_about_violence_abuse_or_honour(app, login, child):
    client = login("falt_a")
    for kind in ("violence", "sexual_abuse", "honour"):
        data = {**REPORT, "kinds": [kind, "crime"], "family_informed": "y"}
        response = client.post(address_for("reports.new_report", public_id=child), data=data)
        assert response.status_code == 422
    assert _reports(app) == []
    ok = client.post(
        address_for("reports.new_report", public_id=child), data={**REPORT, "family_informed": "y"}
    )
    assert ok.status_code == 303


@pytest.mark.parametrize(
    "data",
    [
        {"kinds": []},
        {"kinds": ["gossip"]},
        {"concern": " "},
        {"relation": ""},
        {"concern": "x" * 4001},
    ],
)
def test_bad_reports_are_refused(app, login, child, data):
    assert (
        login("falt_a")
        .post(address_for("reports.new_report", public_id=child), data={**REPORT, **data})
        .status_code
        == 422
    )
    assert _reports(app) == []


def test_only_for_children(app, world, login):
    with app.app_context():
        adult = make_youth(
            db.session.get(User, world.worker_a),
            db.session.get(Team, world.team_a),
            "Vuxen",
            personnummer=personnummer_for(years_ago(19, 30)),
        )
        unknown = make_youth(
            db.session.get(User, world.worker_a), db.session.get(Team, world.team_a), "Okänd ålder"
        )
        db.session.commit()
        ids = adult.public_id, unknown.public_id
    for youth in ids:
        assert (
            login("falt_a")
            .post(address_for("reports.new_report", public_id=youth), data=REPORT)
            .status_code
            == 422
        )


def test_drafts_older_than_the_day_alert_the_team_lead(app, login, child):
    login("falt_a").post(address_for("reports.new_report", public_id=child), data=REPORT)
    assert "inte skickats samma dag" not in login("lead_a").get(address_for("home.start")).get_data(
        as_text=True
    )
    with app.app_context():
        report = db.session.execute(select(ReportOfConcern)).scalar_one()
        report.created_at = now() - timedelta(days=1, hours=1)
        db.session.commit()
    start = login("lead_a").get(address_for("home.start")).get_data(as_text=True)
    assert "inte skickats samma dag" in start and "Kille 14" in start
    assert "inte skickats samma dag" not in login("falt_a2").get(
        address_for("home.start")
    ).get_data(as_text=True)


def test_a_handoff_can_cite_a_sent_report(app, login, child):
    client = login("falt_a")
    handoff = {
        "once": "r1-0123456789abcdef",
        "reason": "Rekryteras.",
        "summary": "Stöd.",
        "urgency": "urgent",
        "basis": "report_of_concern",
        "secrecy_assessed_by": "Eva Chef",
    }
    assert (
        client.post(address_for("handoffs.new_handoff", public_id=child), data=handoff).status_code
        == 422
    )
    client.post(address_for("reports.new_report", public_id=child), data=REPORT)
    (report,) = _reports(app)
    assert (
        client.post(address_for("handoffs.new_handoff", public_id=child), data=handoff).status_code
        == 422
    )  # draft
    client.post(address_for("reports.mark_sent", public_id=report.public_id))
    assert (
        client.post(address_for("handoffs.new_handoff", public_id=child), data=handoff).status_code
        == 303
    )


def test_other_teams_and_roles_see_no_report(app, login, child):
    login("falt_a").post(address_for("reports.new_report", public_id=child), data=REPORT)
    (report,) = _reports(app)
    for username in ("falt_b", "vpc", "admin"):
        client = login(username)
        assert (
            client.get(address_for("reports.printable", public_id=report.public_id)).status_code
            == 404
        )
        assert (
            client.post(address_for("reports.new_report", public_id=child), data=REPORT).status_code
            == 404
        )
    assert (
        login("falt_a2")
        .post(address_for("reports.mark_sent", public_id=report.public_id))
        .status_code
        == 403
    )
