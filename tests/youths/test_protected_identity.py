"""Protected identity (skyddad identitet): seen only by the team's leads and the workers a lead
grants access; masked as "Skyddad" in the lists of everyone else; every access audited."""

import pytest
from sqlalchemy import select

from outreach.audit import AuditAction, AuditEvent
from outreach.auth.models import Role, User
from outreach.extensions import db
from outreach.org.models import Area, Team
from outreach.shifts.models import Shift
from outreach.youths.models import Youth
from tests.addresses import address_for
from tests.factories import log_named, make_records, make_user, make_youth


@pytest.fixture
def protected(app, world):
    """Team A's records with the child under protected identity, registered by falt_a."""
    with app.app_context():
        make_user("falt_a3", Role.FIELD_WORKER, [db.session.get(Team, world.team_a)])
        records = make_records(
            db.session.get(Team, world.team_a),
            db.session.get(User, world.worker_a),
            db.session.get(Area, world.area),
            protected=True,
        )
        return {kind: record.public_id for kind, record in records.items()} | {
            "youth_id": records["youth"].id
        }


def _shift_and_child(protected):
    """The shift and the protected child of the fixture, in the current app context."""
    shift = db.session.execute(
        select(Shift).where(Shift.public_id == protected["shift"])
    ).scalar_one()
    child = db.session.execute(
        select(Youth).where(Youth.public_id == protected["youth"])
    ).scalar_one()
    return shift, child


def _page(client, protected):
    return client.get(address_for("casefile.youth", public_id=protected["youth"]))


def test_seen_by_the_lead_and_the_worker_who_marked_it_only(signed_in, protected):
    assert _page(signed_in("falt_a"), protected).status_code == 200
    assert _page(signed_in("lead_a"), protected).status_code == 200
    for outsider in ("falt_a2", "falt_b", "vpc", "admin"):
        assert _page(signed_in(outsider), protected).status_code == 404, outsider
    colleague = signed_in("falt_a2")
    for query in ("barn", "Kim Exempel", "Barn i Fältgruppen"):
        found = colleague.post(address_for("casefile.search"), data={"q": query}).get_data(
            as_text=True
        )
        assert protected["youth"] not in found and "Ingen ungdom hittades" in found


def test_a_lead_grants_and_revokes_access(app, world, signed_in, protected):
    lead, colleague = signed_in("lead_a"), signed_in("falt_a2")
    page = _page(lead, protected).get_data(as_text=True)
    assert "Vem ser uppgifterna" in page and "Fatima Fält" in page  # the marker's grant
    response = lead.post(
        address_for("casefile.grant_access", public_id=protected["youth"]),
        data={"user": world.worker_a2},
    )
    assert response.status_code == 303
    assert _page(colleague, protected).status_code == 200
    response = lead.post(
        address_for("casefile.revoke_access", public_id=protected["youth"], user_id=world.worker_a2)
    )
    assert response.status_code == 303
    assert _page(colleague, protected).status_code == 404
    # revoking twice: nothing left to revoke
    again = lead.post(
        address_for("casefile.revoke_access", public_id=protected["youth"], user_id=world.worker_a2)
    )
    assert again.status_code == 409
    with app.app_context():
        steps = db.session.execute(
            select(AuditEvent.action, AuditEvent.user_id, AuditEvent.detail)
            .where(AuditEvent.entity_type == "protected_access")
            .order_by(AuditEvent.seq)
        ).all()
    assert [(a.value, u) for a, u, _d in steps] == [
        ("grant", world.worker_a),  # when falt_a registered the child as protected
        ("grant", world.lead_a),
        ("revoke", world.lead_a),
    ]
    assert steps[1].detail == f"user={world.worker_a2}"


def test_only_a_lead_of_the_team_decides(world, signed_in, protected):
    url = address_for("casefile.grant_access", public_id=protected["youth"])
    assert signed_in("falt_a").post(url, data={"user": world.worker_a2}).status_code == 403
    assert signed_in("falt_b").post(url, data={"user": world.worker_a2}).status_code == 404
    lead = signed_in("lead_a")
    assert lead.post(url, data={"user": world.worker_b}).status_code == 422  # other team
    assert lead.post(url, data={"user": world.lead_a}).status_code == 422  # sees it anyway
    assert lead.post(url, data={"user": "x"}).status_code == 422


def test_masked_in_the_lists_of_those_without_access(app, world, signed_in, protected):
    colleague = signed_in("falt_a2")
    shift = colleague.get(
        address_for("shifts.shift_detail", public_id=protected["shift"])
    ).get_data(as_text=True)
    assert '<span class="badge warning">Skyddad</span>' in shift
    assert "Barn i" not in shift and "Pratade en stund" not in shift  # nor the entry's text
    inbox = signed_in("vpc").get(address_for("handoffs.inbox")).get_data(as_text=True)
    assert "Skyddad" in inbox and "Barn i" not in inbox
    listing = (
        signed_in("lead_a")
        .post(address_for("casefile.search"), data={"q": "barn"})
        .get_data(as_text=True)
    )
    assert "Barn i" in listing and "Kim Exempel" not in listing  # the lead: alias, no name


def test_every_access_is_audited(app, world, signed_in, protected):
    _page(signed_in("falt_a"), protected)
    _page(signed_in("lead_a"), protected)
    signed_in("falt_a2").get(
        address_for("casefile.youth", public_id=protected["youth"])
    )  # refused: not a read
    with app.app_context():
        readers = (
            db.session.execute(
                select(AuditEvent.user_id).where(
                    AuditEvent.action == AuditAction.READ,
                    AuditEvent.youth_id == protected["youth_id"],
                    AuditEvent.entity_type == "youth",
                )
            )
            .scalars()
            .all()
        )
    assert sorted(readers) == sorted([world.worker_a, world.lead_a])


def test_marking_an_existing_record_protected_keeps_the_marker_only(app, world, signed_in):
    with app.app_context():
        worker_a2 = db.session.get(User, world.worker_a2)
        youth = make_youth(worker_a2, db.session.get(Team, world.team_a), "Kim")
        db.session.commit()
        public_id = youth.public_id
    marker, other = signed_in("falt_a2"), signed_in("falt_a")
    assert _page(other, {"youth": public_id}).status_code == 200
    response = marker.post(
        address_for("youths.edit_youth", public_id=public_id),
        data={"alias": "Kim", "legal_basis": "consent", "protected_identity": "y"},
    )
    assert response.status_code == 303
    assert _page(marker, {"youth": public_id}).status_code == 200
    assert _page(other, {"youth": public_id}).status_code == 404


def test_authors_of_contacts_need_a_grant_too(app, world, signed_in, protected):
    with app.app_context():
        shift, child = _shift_and_child(protected)
        log_named(shift, [child], shift.started_at, by=db.session.get(User, world.worker_a2))
        db.session.commit()
    assert _page(signed_in("falt_a2"), protected).status_code == 404


def test_an_entry_naming_a_hidden_youth_is_not_shown(app, world, signed_in, protected):
    """A contact with an ordinary youth and a protected one: a colleague without access sees
    the ordinary youth's page, not what the entry says (it may tell where the protected one
    lives), and cannot open the entry to correct it."""
    with app.app_context():
        shift, child = _shift_and_child(protected)
        friend = make_youth(db.session.get(User, world.worker_a), shift.team, "Kompisen")
        entry = log_named(shift, [child, friend], shift.started_at)
        entry.facts = "Bor nu hos mormor på Storgatan 5."
        db.session.commit()
        friend_id, entry_id = friend.public_id, entry.public_id
    colleague = signed_in("falt_a2")
    page = colleague.get(address_for("casefile.youth", public_id=friend_id)).get_data(as_text=True)
    assert "Storgatan" not in page and "Anteckningen visas inte" in page
    assert (
        colleague.get(address_for("youths.correct_contact", public_id=entry_id)).status_code == 404
    )
    assert "Storgatan" in signed_in("lead_a").get(
        address_for("casefile.youth", public_id=friend_id)
    ).get_data(as_text=True)


def test_only_a_lead_lifts_protected_identity(world, signed_in, protected):
    data = {"alias": "Barn", "legal_basis": "consent", "birth_year": "2012"}
    url = address_for("youths.edit_youth", public_id=protected["youth"])
    refused = signed_in("falt_a").post(url, data=data)  # the marker, who has access
    assert refused.status_code == 422
    assert "Bara en teamledare" in refused.get_data(as_text=True)
    assert (
        signed_in("falt_a2")
        .get(address_for("casefile.youth", public_id=protected["youth"]))
        .status_code
        == 404
    )
    assert signed_in("lead_a").post(url, data=data).status_code == 303
    assert (
        signed_in("falt_a2")
        .get(address_for("casefile.youth", public_id=protected["youth"]))
        .status_code
        == 200
    )


def test_registering_the_same_personnummer_points_to_the_lead(app, world, signed_in, protected):
    with app.app_context():
        pnr = (
            db.session.execute(select(Youth).where(Youth.public_id == protected["youth"]))
            .scalar_one()
            .personnummer
        )
    response = signed_in("falt_a2").post(
        address_for("youths.new_youth"),
        data={"alias": "Ny", "legal_basis": "consent", "personnummer": pnr},
    )
    assert response.status_code == 422
    body = response.get_data(as_text=True)
    assert "skyddad identitet" in body and "teamledare" in body and "Barn i" not in body


def test_a_refused_grant_still_logs_the_page_it_shows(app, world, signed_in, protected):
    lead = signed_in("lead_a")
    assert (
        lead.post(
            address_for("casefile.grant_access", public_id=protected["youth"]), data={"user": "x"}
        ).status_code
        == 422
    )
    huge = f"/ungdomar/{protected['youth']}/skyddad/99999999999999999999/aterkalla"
    assert lead.post(huge).status_code == 404
    with app.app_context():
        reads = (
            db.session.execute(
                select(AuditEvent.user_id).where(
                    AuditEvent.action == AuditAction.READ,
                    AuditEvent.youth_id == protected["youth_id"],
                )
            )
            .scalars()
            .all()
        )
    assert reads == [world.lead_a]
