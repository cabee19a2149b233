"""Registerutdrag: a request with its one-month deadline, a complete extract in three forms
(checked against every table of the database), its delivery, and the access log of it all."""

from datetime import date, timedelta

import pytest
import time_machine
from sqlalchemy import select

from outreach.audit import AuditAction, AuditEvent
from outreach.auth.models import User
from outreach.casefile import merge
from outreach.clock import today
from outreach.extensions import db
from outreach.org.models import Area, Team
from outreach.privacy import extract_sections, services
from outreach.privacy.models import AccessRequest
from outreach.vocabulary import Requester
from outreach.youths import protection
from outreach.youths.models import Youth
from tests.addresses import address_for
from tests.factories import local, make_records, make_youth


@pytest.fixture
def child(app, world):
    """A youth of team A with a record of every kind (see make_records), a lifted legal hold,
    a grant to see the protected identity, a merged duplicate and reads in the access log."""
    with app.app_context():
        team = db.session.get(Team, world.team_a)
        worker, lead = db.session.get(User, world.worker_a), db.session.get(User, world.lead_a)
        records = make_records(team, worker, db.session.get(Area, world.area), protected=True)
        youth = records["youth"]
        db.session.delete(records["request"])  # each test registers its own
        services.set_hold(lead, youth, "Utredning pågår.")
        services.lift_hold(lead, youth)
        protection.grant(lead, youth, world.worker_a2)
        duplicate = make_youth(
            worker, team, "Kim dubblett", birth_year=youth.birth_year, school="Kvarnbyskolan"
        )
        merge.merge(lead, youth, duplicate)
        db.session.commit()
        return youth.public_id


def _request(lead, youth_public_id: str, received: date | None = None) -> str:
    response = lead.post(
        address_for("privacy.register_request", public_id=youth_public_id),
        data={"requested_by": "youth", "received_on": (received or today()).isoformat()},
    )
    assert response.status_code == 303, response.get_data(as_text=True)
    return response.location.rsplit("/", 1)[1]


def test_the_due_date_is_one_calendar_month_on():
    assert services.due_date(date(2026, 1, 31)) == date(2026, 2, 28)
    assert services.due_date(date(2028, 1, 31)) == date(2028, 2, 29)
    assert services.due_date(date(2026, 12, 15)) == date(2027, 1, 15)


def test_a_lead_registers_a_request_and_is_warned_as_it_nears_its_due_date(
    app, world, signed_in, child
):
    lead = signed_in("lead_a")
    request_id = _request(lead, child, today() - timedelta(days=3))
    page = lead.get(address_for("privacy.request_detail", public_id=request_id)).get_data(
        as_text=True
    )
    due = services.due_date(today() - timedelta(days=3))
    assert "Senast" in page and "warning" not in page.split("Senast")[0][-200:]
    with app.app_context():
        access_request = db.session.execute(select(AccessRequest)).scalar_one()
        assert access_request.due_on == due
        assert access_request.requested_by == Requester.YOUTH
        assert services.urgency(access_request) == ""
    with time_machine.travel(local(f"{due - timedelta(days=5)} 09:00"), tick=False):
        listing = signed_in("lead_a").get(address_for("privacy.requests")).get_data(as_text=True)
        assert 'class="badge warning"' in listing
    with time_machine.travel(local(f"{due + timedelta(days=1)} 09:00"), tick=False):
        listing = signed_in("lead_a").get(address_for("privacy.requests")).get_data(as_text=True)
        assert "Försenat" in listing
        overview = signed_in("lead_a").get(address_for("privacy.overview")).get_data(as_text=True)
        assert "ska lämnas inom en vecka eller är försenad" in overview
        start = signed_in("lead_a").get(address_for("home.start")).get_data(as_text=True)
        assert "1 ska lämnas inom en vecka eller är försenad" in start


def test_bad_requests_are_refused_with_a_message(app, world, signed_in, child):
    lead = signed_in("lead_a")
    future = lead.post(
        address_for("privacy.register_request", public_id=child),
        data={"requested_by": "youth", "received_on": (today() + timedelta(days=1)).isoformat()},
    )
    assert future.status_code == 422
    assert "kan inte ligga i framtiden" in future.get_data(as_text=True)
    missing = lead.post(
        address_for("privacy.register_request", public_id=child), data={"received_on": "igår"}
    )
    assert missing.status_code == 422
    assert signed_in("falt_a").post(
        address_for("privacy.register_request", public_id=child),
        data={"requested_by": "youth", "received_on": today().isoformat()},
    ).status_code in (403, 404)
    with app.app_context():
        assert db.session.execute(select(AccessRequest)).first() is None


def test_the_extract_is_complete_against_every_table(app, world, signed_in, child):
    """Every table is either read by a section of the extract or listed with the reason it is
    not; each section that reads a table about the youth has something in it here."""
    tables = set(db.metadata.tables)
    read = {table for _key, _heading, names in extract_sections.SECTIONS for table in names}
    assert read | set(extract_sections.NOT_IN_EXTRACT) == tables, "place every table in the extract"
    assert not read & set(extract_sections.NOT_IN_EXTRACT)

    lead = signed_in("lead_a")
    assert (
        signed_in("falt_a2").get(address_for("casefile.youth", public_id=child)).status_code == 200
    )  # a read
    request_id = _request(lead, child)
    document = lead.get(address_for("privacy.extract_json", public_id=request_id)).get_json()
    for key, _heading, _tables in extract_sections.SECTIONS:
        assert document[key], f"the section {key} is empty"
    (record,) = document["youth"]
    assert record["alias"] == "Barn i Fältgruppen Söder"
    assert record["name"] == "Kim Exempel"
    assert record["personnummer"].count("-") == 1 and len(record["personnummer"]) == 13
    assert record["guardians"] == ["Förälder Exempel 070-000 00 00"]
    assert document["contacts"][0]["facts"]
    assert document["handoffs"][0]["shared"] == {"alias": record["alias"], "name": "Kim Exempel"}
    assert document["merges"][0]["merged_details"]["alias"] == "Kim dubblett"
    assert document["protected_access"][0]["user"]
    actions = {row["action"] for row in document["access_log"]}
    assert {"Läst", "Skapad", "Ändrad"} <= actions  # who read the record, and who changed it
    # what a change kept of the earlier values is held, so it is in the extract too
    merged = [row for row in document["access_log"] if "Skola" in row["changes"]]
    assert merged and "Kvarnbyskolan" in merged[0]["changes"]

    page = lead.get(address_for("privacy.extract_page", public_id=request_id)).get_data(
        as_text=True
    )
    for heading in ("Kontakter", "Orosmarkeringar", "Samtycken", "Vem som läst"):
        assert heading in page
    assert "Kim Exempel" in page and "Förälder Exempel" in page
    pdf = lead.get(address_for("privacy.extract_pdf", public_id=request_id))
    if pdf.status_code == 200:
        assert pdf.data.startswith(b"%PDF")
    else:
        assert pdf.status_code == 503  # WeasyPrint's libraries are missing here

    with app.app_context():
        youth_id = db.session.execute(select(Youth.id).where(Youth.public_id == child)).scalar()
        exports = db.session.execute(
            select(AuditEvent.detail).where(
                AuditEvent.youth_id == youth_id, AuditEvent.action == AuditAction.EXPORT
            )
        ).scalars()
        assert {"registerutdrag:json", "registerutdrag:html"} <= set(exports)


def test_delivery_is_recorded_once_after_the_extract_was_produced(app, world, signed_in, child):
    lead = signed_in("lead_a")
    request_id = _request(lead, child)
    address = address_for("privacy.deliver", public_id=request_id)
    early = lead.post(address, data={"delivered_on": today().isoformat()})
    assert early.status_code == 422
    assert "Ta fram utdraget" in early.get_data(as_text=True)
    lead.get(address_for("privacy.extract_page", public_id=request_id))
    done = lead.post(
        address, data={"delivered_on": today().isoformat(), "delivery_note": "Personligen."}
    )
    assert done.status_code == 303
    assert lead.post(address, data={"delivered_on": today().isoformat()}).status_code == 409
    with app.app_context():
        access_request = db.session.execute(select(AccessRequest)).scalar_one()
        assert access_request.delivered_on == today()
        assert access_request.delivered_by_id == world.lead_a
        assert access_request.delivery_note == "Personligen."
    assert "Inga begäranden väntar" in lead.get(address_for("privacy.requests")).get_data(
        as_text=True
    )


def test_only_the_lead_of_the_team_reaches_a_request(app, world, signed_in, child):
    request_id = _request(signed_in("lead_a"), child)
    for username in ("falt_a", "falt_b", "vpc", "admin"):
        client = signed_in(username)
        assert (
            client.get(address_for("privacy.request_detail", public_id=request_id)).status_code
            == 404
        )
        assert (
            client.get(address_for("privacy.extract_json", public_id=request_id)).status_code == 404
        )
