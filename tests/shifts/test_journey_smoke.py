"""The field worker's whole day through the test client: pages render and data lands."""

from sqlalchemy import select

from outreach.extensions import db
from outreach.shifts.models import AnonymousContact, Shift
from outreach.youths.models import IdentifiedContact, Youth
from tests.addresses import address_for


def test_field_worker_day(app, world, login):
    worker = login("falt_a")
    assert worker.get(address_for("home.start")).status_code == 200
    page = worker.get(address_for("shifts.new_shift"))
    assert page.status_code == 200
    response = worker.post(
        address_for("shifts.new_shift"),
        data={"team": world.team_a, "area": world.area, "colleagues": [world.worker_a2]},
    )
    assert response.status_code == 303, response.get_data(as_text=True)
    with app.app_context():
        shift = db.session.execute(select(Shift)).scalar_one()
        shift_id = shift.public_id
    start = worker.get(address_for("home.start")).get_data(as_text=True)
    assert "Möllevången" in start
    assert worker.get(address_for("shifts.new_contact", public_id=shift_id)).status_code == 200
    response = worker.post(
        address_for("shifts.new_contact", public_id=shift_id),
        data={
            "place": world.place,
            "youth_count": 3,
            "gender_boy": 2,
            "age_age_16_17": 3,
            "topics": ["school", "drugs"],
            "actions": ["conversation"],
        },
    )
    assert response.status_code == 303, response.get_data(as_text=True)
    response = worker.post(
        address_for("youths.new_youth"),
        data={
            "alias": "Kille i röd keps",
            "legal_basis": "consent",
            "name": "Ali Östlin",
            "birth_year": "2010",
            "team": world.team_a,
        },
    )
    assert response.status_code == 303, response.get_data(as_text=True)
    with app.app_context():
        youth = db.session.execute(select(Youth)).scalar_one()
        youth_id = youth.public_id
    found = worker.post(address_for("casefile.search"), data={"q": "ostlin"}).get_data(as_text=True)
    assert "Kille i röd keps" in found
    assert (
        worker.get(
            address_for("youths.new_contact", public_id=shift_id, ungdom=youth_id)
        ).status_code
        == 200
    )
    response = worker.post(
        address_for("youths.new_contact", public_id=shift_id),
        data={"youths": [youth_id], "facts": "Sågs med äldre killar.", "assessment": "Orolig."},
    )
    assert response.status_code == 303, response.get_data(as_text=True)
    page = worker.get(address_for("casefile.youth", public_id=youth_id)).get_data(as_text=True)
    assert "Sågs med äldre killar." in page
    with app.app_context():
        contact = db.session.execute(select(IdentifiedContact)).scalar_one()
        contact_id = contact.public_id
        assert db.session.execute(select(AnonymousContact)).scalar_one().youth_count == 3
    assert (
        worker.get(
            address_for("youths.correct_contact", public_id=contact_id, ungdom=youth_id)
        ).status_code
        == 200
    )
    response = worker.post(
        address_for("youths.correct_contact", public_id=contact_id),
        data={"facts": "Sågs med två äldre killar.", "assessment": "Orolig.", "ungdom": youth_id},
    )
    assert response.status_code == 303, response.get_data(as_text=True)
    page = worker.get(address_for("casefile.youth", public_id=youth_id)).get_data(as_text=True)
    assert "Sågs med äldre killar." in page and "Sågs med två äldre killar." in page
    assert worker.get(address_for("youths.edit_youth", public_id=youth_id)).status_code == 200
    assert worker.get(address_for("shifts.shift_detail", public_id=shift_id)).status_code == 200
    assert worker.get(address_for("shifts.shift_list")).status_code == 200
    assert worker.get(address_for("auth.settings")).status_code == 200
    response = worker.post(
        address_for("shifts.end_shift", public_id=shift_id), data={"situation_note": "Lugnt."}
    )
    assert response.status_code == 303


def test_other_roles_pages(world, login):
    admin = login("admin")
    assert admin.get(address_for("home.start")).status_code == 302
    assert admin.get(address_for("admin.overview")).status_code == 200
    assert admin.get(address_for("admin.new_user")).status_code == 200
    assert login("vpc").get(address_for("home.start")).status_code == 302  # to the VPC inbox
    assert login("vpc").get(address_for("handoffs.inbox")).status_code == 200
    assert login("lead_a").get(address_for("home.start")).status_code == 200
