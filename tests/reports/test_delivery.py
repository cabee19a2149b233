"""A report of concern is delivered to the kommun's intake unit inside Outreach: the unit sees
it in its inbox and acknowledges receipt (time and user), and the reporter sees that it was
received. A kommun whose intake unit does not work in Outreach sends it on paper."""

import pytest
from sqlalchemy import func, select

from outreach.audit import AuditEvent
from outreach.auth.models import Role, User
from outreach.extensions import db
from outreach.notifications.models import Notification, OutboxMail
from outreach.org.models import Team, TeamKind
from outreach.reports.models import ReportOfConcern
from tests.addresses import address_for
from tests.factories import make_kommun, make_team, make_user
from tests.reports.conftest import REPORT


@pytest.fixture
def intake(app, world):
    """Kommun 1's intake unit with a caseworker who has an address, and another kommun's
    intake unit with its own; the unit's id."""
    with app.app_context():
        unit = make_team("Socialtjänstens mottagning", TeamKind.INTAKE)
        make_user("mottagning", Role.CASEWORKER, [unit]).email = "mottagning@kommun.example"
        other = make_kommun("Grannkommun", "0002")
        make_user(
            "mottagning_c", Role.CASEWORKER, [make_team("Mottagningen", TeamKind.INTAKE, other)]
        )
        db.session.commit()
        return unit.id


def _draft(client, child) -> str:
    response = client.post(address_for("reports.new_report", public_id=child), data=REPORT)
    assert response.status_code == 303
    return response.location.rstrip("/").rsplit("/", 1)[-1]


def _report(app, public_id) -> ReportOfConcern:
    with app.app_context():
        report = db.session.execute(
            select(ReportOfConcern).where(ReportOfConcern.public_id == public_id)
        ).scalar_one()
        db.session.expunge(report)
        return report


def _count(app, model, *where) -> int:
    with app.app_context():
        return db.session.execute(select(func.count()).select_from(model).where(*where)).scalar()


def test_delivered_acknowledged_and_seen_received(app, signed_in, world, intake, child):
    author = signed_in("falt_a")
    public_id = _draft(author, child)
    draft_page = author.get(address_for("reports.report", public_id=public_id)).get_data(True)
    assert "Skicka till Socialtjänstens mottagning" in draft_page

    response = author.post(address_for("reports.deliver", public_id=public_id))
    assert response.status_code == 303
    report = _report(app, public_id)
    assert report.to_unit_id == intake and report.sent_at is not None
    assert report.received_at is None and report.child["name"] == "Omar Said"
    # the unit's caseworker is told in the app, and by mail with only a link
    with app.app_context():
        (mail,) = db.session.execute(select(OutboxMail)).scalars().all()
        assert mail.to_address == "mottagning@kommun.example" and mail.report_id == report.id
        assert "Omar" not in mail.body and public_id in mail.body
    assert _count(app, Notification, Notification.report_id == report.id) == 1
    shown = author.get(address_for("reports.report", public_id=public_id)).get_data(True)
    assert "Skickad till Socialtjänstens mottagning" in shown and "Inte mottagen än" in shown

    unit = signed_in("mottagning")
    inbox = unit.get(address_for("reports.inbox")).get_data(True)
    assert "Kille 14" in inbox and "Fatima Fält" in inbox
    page = unit.get(address_for("reports.printable", public_id=public_id)).get_data(True)
    assert "Omar Said" in page and "Leila Said" in page and "Bekräfta mottagen" in page
    # the unit sees the report, not the youth's record
    assert unit.get(address_for("casefile.youth", public_id=child)).status_code == 404

    acknowledge = address_for("reports.acknowledge", public_id=public_id)
    assert unit.post(acknowledge).status_code == 303
    assert unit.post(acknowledge).status_code == 303  # a double tap records nothing more
    report = _report(app, public_id)
    with app.app_context():
        assert report.received_at is not None
        assert db.session.get(User, report.received_by_id).username == "mottagning"
        details = db.session.execute(
            select(AuditEvent.detail)
            .where(AuditEvent.entity_type == "report_of_concern", AuditEvent.entity_id == report.id)
            .order_by(AuditEvent.seq)
        ).scalars()
        assert [d for d in details if d in {"received"} or d.startswith("delivered")] == [
            f"delivered to={intake}",
            "received",
        ]
    inbox = unit.get(address_for("reports.inbox")).get_data(True)
    assert "Ingen orosanmälan väntar" in inbox and "Kille 14" in inbox  # now among the received
    shown = author.get(address_for("reports.report", public_id=public_id)).get_data(True)
    assert "Mottagen" in shown and "av Mottagning" in shown
    assert _count(app, Notification, Notification.kind == "report_received") == 1
    notices = author.get(address_for("notifications.index")).get_data(True)
    assert "Mottagningen har tagit emot din orosanmälan" in notices


def test_only_the_unit_it_was_sent_to_sees_it(app, signed_in, world, intake, child):
    author = signed_in("falt_a")
    public_id = _draft(author, child)
    unit = signed_in("mottagning")
    # a draft is the author's team's alone
    assert unit.get(address_for("reports.printable", public_id=public_id)).status_code == 404
    assert author.post(address_for("reports.deliver", public_id=public_id)).status_code == 303
    for other in ("vpc", "mottagning_c"):
        client = signed_in(other)
        assert client.get(address_for("reports.printable", public_id=public_id)).status_code == 404
        answer = client.post(address_for("reports.acknowledge", public_id=public_id))
        assert answer.status_code == 404
        assert "Kille 14" not in client.get(address_for("reports.inbox")).get_data(True)
    assert _report(app, public_id).received_at is None


def test_without_an_intake_unit_in_outreach_it_goes_on_paper(app, signed_in, world, child):
    author = signed_in("falt_a")
    public_id = _draft(author, child)
    page = author.get(address_for("reports.report", public_id=public_id)).get_data(True)
    assert "Skicka till" not in page and "Markera som skickad på papper" in page
    # a forged delivery is refused, saying why, and nothing is sent
    refused = author.post(address_for("reports.deliver", public_id=public_id))
    assert refused.status_code == 403
    assert "skriv ut" in refused.get_data(True)
    assert _report(app, public_id).sent_at is None
    assert author.post(address_for("reports.mark_sent", public_id=public_id)).status_code == 303
    report = _report(app, public_id)
    assert report.sent_at is not None and report.to_unit_id is None
    shown = author.get(address_for("reports.report", public_id=public_id)).get_data(True)
    assert "Skickad på papper" in shown


def test_an_intake_unit_without_members_takes_no_reports(app, signed_in, world, child):
    """An intake unit no one works in (its caseworkers are disabled) does not use Outreach."""
    with app.app_context():
        unit = make_team("Socialtjänstens mottagning", TeamKind.INTAKE)
        make_user("borta", Role.CASEWORKER, [unit]).is_enabled = False
        db.session.commit()
    author = signed_in("falt_a")
    public_id = _draft(author, child)
    assert author.post(address_for("reports.deliver", public_id=public_id)).status_code == 403
    assert _report(app, public_id).sent_at is None


def test_a_handoff_cites_a_delivered_report(app, signed_in, world, intake, child):
    from outreach.reports.services import sent_report_of
    from outreach.youths.models import Youth

    author = signed_in("falt_a")
    public_id = _draft(author, child)
    with app.app_context():
        youth = db.session.execute(select(Youth).where(Youth.public_id == child)).scalar_one()
        assert sent_report_of(youth) is None  # a draft is not cited
    author.post(address_for("reports.deliver", public_id=public_id))
    with app.app_context():
        youth = db.session.execute(select(Youth).where(Youth.public_id == child)).scalar_one()
        assert sent_report_of(youth).public_id == public_id
        assert db.session.get(Team, intake).takes_reports
