"""Anonymous contacts: a tally in a few taps, never personal data, every bad input a 4xx."""

from datetime import timedelta

import pytest
from sqlalchemy import func, select

from outreach.auth.models import User
from outreach.clock import now, to_local
from outreach.extensions import db
from outreach.org.models import Area, Place, Team
from outreach.shifts.models import AnonymousContact, ContactCount
from tests.addresses import address_for
from tests.factories import make_area, make_past_shift, make_shift


@pytest.fixture
def shift(app, world):
    """An open shift of falt_a in Möllevången; its public id."""
    with app.app_context():
        worker = db.session.get(User, world.worker_a)
        shift = make_shift(
            worker, db.session.get(Team, world.team_a), db.session.get(Area, world.area)
        )
        db.session.commit()
        return shift.public_id


def _count(app) -> int:
    with app.app_context():
        return db.session.execute(select(func.count(AnonymousContact.id))).scalar_one()


def _post(client, shift, htmx=False, **data):
    headers = {"HX-Request": "true", "HX-Request-Type": "partial"} if htmx else {}
    return client.post(
        address_for("shifts.new_contact", public_id=shift), data=data, headers=headers
    )


def test_minimal_contact_is_place_and_count(app, world, login, shift):
    client = login("falt_a")
    response = _post(client, shift, place=world.place, youth_count=1)
    assert response.status_code == 303
    assert _count(app) == 1


def test_full_contact_is_stored_as_a_tally(app, world, login, shift):
    client = login("falt_a")
    response = _post(
        client,
        shift,
        place=world.place,
        youth_count=4,
        gender_girl=1,
        gender_boy=2,
        age_age_13_15=2,
        age_age_16_17=1,
        topics=["school", "social_media"],
        actions=["conversation", "referral"],
        note="Pratade om skolavslutningen.",
    )
    assert response.status_code == 303
    with app.app_context():
        contact = db.session.execute(select(AnonymousContact)).scalar_one()
        assert contact.youth_count == 4
        assert contact.count_of("girl") == 1 and contact.count_of("boy") == 2
        assert contact.count_of("age_13_15") == 2 and contact.count_of("age_16_17") == 1
        assert sorted(t.topic.value for t in contact.topics) == ["school", "social_media"]
        assert sorted(a.action.value for a in contact.actions) == ["conversation", "referral"]
        assert contact.created_by_id == world.worker_a
        # zero counts are not stored
        assert db.session.execute(select(func.count()).select_from(ContactCount)).scalar_one() == 4


@pytest.mark.parametrize(
    "note",
    [
        "19811218-9876",
        "811218-9876",
        "8112189876",
        "198112189876",
        "Ali 811218 9876 vid torget",
        "080315\u20131232",
        "080315 - 1232",
        "080315\u22121232",
        "pnr:20101218+9872",
    ],
)
def test_note_with_a_personnummer_shape_is_refused(app, world, login, shift, note):
    client = login("falt_a")
    response = _post(client, shift, place=world.place, youth_count=2, note=note)
    assert response.status_code == 422
    assert "personnummer" in response.get_data(as_text=True)
    assert _count(app) == 0


@pytest.mark.parametrize(
    "data",
    [
        {"youth_count": 0},
        {"youth_count": -3},
        {"youth_count": 201},
        {"youth_count": "tre"},
        {"youth_count": ""},
        {"youth_count": 2, "gender_boy": 3},  # more boys than youths
        {"youth_count": 2, "gender_boy": 1, "gender_girl": 2},
        {"youth_count": 2, "age_age_16_17": 3},
        {"youth_count": 2, "gender_boy": -1},
        {"youth_count": 2, "topics": ["not_a_topic"]},
        {"youth_count": 2, "actions": ["arrest"]},
        {"youth_count": 2, "place": 999999},  # unknown place
        {"youth_count": 2, "place": "torget"},
        {"youth_count": 2, "place": ""},
        {"youth_count": 2, "note": "x" * 1001},
        {"youth_count": 2, "occurred_at": "2999-01-01T20:00"},  # far future
        {"youth_count": 2, "occurred_at": "igår"},
        {"youth_count": 2, "occurred_at": "0001-01-01T00:00"},
    ],
)
def test_bad_input_is_a_4xx_and_nothing_is_saved(app, world, login, shift, data):
    client = login("falt_a")
    data = {"place": world.place, **data}
    response = _post(client, shift, **data)
    assert response.status_code == 422
    assert _count(app) == 0


def test_time_before_the_shift_started_is_refused(app, world, login, shift):
    client = login("falt_a")
    before = to_local(now() - timedelta(hours=3)).strftime("%Y-%m-%dT%H:%M")
    assert (
        _post(client, shift, place=world.place, youth_count=1, occurred_at=before).status_code
        == 422
    )


def test_htmx_submit_returns_a_fresh_form_fragment(app, world, login, shift):
    client = login("falt_a")
    response = _post(client, shift, htmx=True, place=world.place, youth_count=3, topics=["drugs"])
    body = response.get_data(as_text=True)
    assert response.status_code == 200
    assert body.lstrip().startswith('<form id="contact-form"') and "<html" not in body
    assert "HX-Request" in response.headers["Vary"]
    assert 'role="status"' in body  # the saved message
    assert 'value="drugs" checked' not in body  # the form is blank for the next contact
    bad = _post(client, shift, htmx=True, place=world.place, youth_count=0)
    assert bad.status_code == 422
    bad_body = bad.get_data(as_text=True)
    assert bad_body.lstrip().startswith('<form id="contact-form"')
    assert 'aria-describedby="youth_count-error"' in bad_body
    assert _count(app) == 1


def test_places_of_the_shift_area_come_first_most_recent_first(app, world, login, shift):
    """Then the places of the other areas the team worked in during the last year; an area
    the team never worked in (elsewhere in the country) is not offered."""
    client = login("falt_a")
    with app.app_context():
        places = {p.name: p.id for p in db.session.execute(select(Place)).scalars()}
    _post(client, shift, place=places["Folkets park"], youth_count=1)
    page = client.get(address_for("shifts.new_contact", public_id=shift)).get_data(as_text=True)
    order = [page.index(name) for name in ("Folkets park", "Möllevångstorget")]
    assert order == sorted(order)
    assert "Rosengårds centrum" not in page
    with app.app_context():
        team, rosengard = db.session.get(Team, world.team_a), db.session.get(Area, world.other_area)
        worker = db.session.get(User, world.worker_a)
        make_past_shift(team, rosengard, [worker], now() - timedelta(days=20))
        hyllie = make_area("Hyllie", ["Hyllie torg"])
        make_past_shift(team, hyllie, [worker], now() - timedelta(days=800))
        db.session.commit()
    page = client.get(address_for("shifts.new_contact", public_id=shift)).get_data(as_text=True)
    assert page.index("Möllevångstorget") < page.index("Rosengårds centrum")
    assert "Hyllie torg" not in page


def test_the_form_needs_at_most_six_taps_from_the_start_page(world, login, shift):
    """Start page → form link (1), place (2), a gender + (3), an age + (4), a topic (5), save (6):
    everything else has a usable default, so those fields alone make a valid contact."""
    client = login("falt_a")
    start = client.get(address_for("home.start")).get_data(as_text=True)
    assert f'href="/faltpass/{shift}/anonym-kontakt"' in start
    form = client.get(address_for("shifts.new_contact", public_id=shift)).get_data(as_text=True)
    assert 'name="youth_count" type="number" value="1"' in form or 'value="1"' in form
    response = _post(
        client,
        shift,
        place=world.place,
        youth_count=1,
        gender_boy=1,
        age_age_16_17=1,
        topics=["leisure"],
    )
    assert response.status_code == 303


def test_only_the_shifts_workers_log_in_it(app, world, login, shift):
    assert _post(login("falt_a2"), shift, place=world.place, youth_count=1).status_code == 403
    assert _post(login("falt_b"), shift, place=world.place, youth_count=1).status_code == 404
    assert _count(app) == 0


def test_anonymous_contacts_have_no_link_to_any_youth(app):
    columns = set(AnonymousContact.__table__.columns.keys())
    assert not any("youth_id" in c or "personnummer" in c or "name" in c for c in columns)


def test_a_form_sent_again_logs_the_contact_once(app, world, login, shift):
    """A resent form, or a tablet sending its queue again after the answer was lost, carries
    the same token: the contact is logged once and the sender is answered as if it was new."""
    client = login("falt_a")
    form = client.get(address_for("shifts.new_contact", public_id=shift)).get_data(as_text=True)
    token = form.split('name="token" type="hidden" value="')[1].split('"')[0]
    assert len(token) == 32
    for _attempt in range(3):
        response = _post(client, shift, place=world.place, youth_count=2, token=token)
        assert response.status_code == 303
    assert _count(app) == 1
    partial = _post(client, shift, htmx=True, place=world.place, youth_count=1, token="t" * 32)
    assert partial.status_code == 200
    fresh = partial.get_data(as_text=True).split('name="token" type="hidden" value="')[1]
    assert not fresh.startswith("t" * 32)  # the blank form after a save has a new token
    assert _count(app) == 2
    # without a token (an older page) each submission is logged
    _post(client, shift, place=world.place, youth_count=1)
    assert _count(app) == 3


def test_a_token_of_another_shift_or_worker_is_refused(app, world, login, shift):
    client = login("falt_a")
    assert _post(client, shift, place=world.place, youth_count=2, token="x" * 32).status_code == 303
    with app.app_context():
        other = make_shift(
            db.session.get(User, world.worker_a2),
            db.session.get(Team, world.team_a),
            db.session.get(Area, world.area),
        )
        db.session.commit()
        other_shift = other.public_id
    refused = _post(login("falt_a2"), other_shift, place=world.place, youth_count=2, token="x" * 32)
    assert refused.status_code == 422
    assert "Ladda om sidan" in refused.get_data(as_text=True)
    too_long = _post(client, shift, place=world.place, youth_count=2, token="y" * 65)
    assert too_long.status_code == 422
    assert _count(app) == 1
