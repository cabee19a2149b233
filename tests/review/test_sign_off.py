"""Sign-off: a team lead marks an ended shift as reviewed, or returns it with a comment; the
workers see it on their start page, answer and send it back."""

import pytest
from sqlalchemy import select

from outreach.auth.models import Role, User
from outreach.extensions import db
from outreach.org.models import Area, Team
from outreach.review.models import ShiftReview
from outreach.shifts.models import Shift
from outreach.vocabulary import ReviewDecision, ReviewStatus
from tests.addresses import address_for
from tests.factories import local, make_past_shift, make_shift, make_user


@pytest.fixture
def ended(app, world):
    """An ended shift of falt_a and falt_a2; its public id."""
    with app.app_context():
        shift = make_past_shift(
            db.session.get(Team, world.team_a),
            db.session.get(Area, world.area),
            [db.session.get(User, world.worker_a), db.session.get(User, world.worker_a2)],
            local("2026-11-20 18:00"),
        )
        db.session.commit()
        return shift.public_id


def _shift(app, public_id) -> tuple[ReviewStatus, list[tuple]]:
    with app.app_context():
        shift = db.session.execute(select(Shift).where(Shift.public_id == public_id)).scalar_one()
        steps = db.session.execute(
            select(ShiftReview.decision, ShiftReview.comment, User.username)
            .join(User, User.id == ShiftReview.user_id)
            .where(ShiftReview.shift_id == shift.id)
            .order_by(ShiftReview.id)
        ).all()
        return shift.review_status, [tuple(step) for step in steps]


def test_the_lead_signs_off_an_ended_shift(app, world, login, ended):
    client = login("lead_a")
    page = client.get(address_for("shifts.shift_detail", public_id=ended)).get_data(as_text=True)
    assert "Markera som granskat" in page
    response = client.post(address_for("review.sign_off", public_id=ended))
    assert response.status_code == 303
    assert _shift(app, ended) == (
        ReviewStatus.REVIEWED,
        [(ReviewDecision.REVIEWED, "", "lead_a")],
    )
    page = client.get(address_for("shifts.shift_detail", public_id=ended)).get_data(as_text=True)
    assert "Granskad och godkänd" in page and "Tomas Lead" in page
    again = client.post(address_for("review.sign_off", public_id=ended))
    assert again.status_code == 422
    assert "Fältpasset är redan granskat." in again.get_data(as_text=True)


def test_from_the_list_the_lead_comes_back_to_the_list(world, login, ended):
    client = login("lead_a")
    response = client.post(
        address_for("review.sign_off", public_id=ended),
        data={"next": "/granskning?show=shifts&status=pending"},
    )
    assert response.headers["Location"] == "/granskning?show=shifts&status=pending"
    elsewhere = client.post(
        address_for("review.sign_off", public_id=ended), data={"next": "https://evil.example/"}
    )
    assert elsewhere.status_code == 422  # already reviewed; never sent elsewhere


def test_an_open_shift_cannot_be_reviewed(app, world, login):
    with app.app_context():
        shift = make_shift(
            db.session.get(User, world.worker_a),
            db.session.get(Team, world.team_a),
            db.session.get(Area, world.area),
        )
        db.session.commit()
        public_id = shift.public_id
    response = login("lead_a").post(address_for("review.sign_off", public_id=public_id))
    assert response.status_code == 422
    assert "Fältpasset pågår fortfarande" in response.get_data(as_text=True)
    assert _shift(app, public_id) == (ReviewStatus.PENDING, [])


def test_workers_and_other_teams_cannot_review(app, world, login, ended):
    assert login("falt_a").post(address_for("review.sign_off", public_id=ended)).status_code == 404
    with app.app_context():
        make_user("lead_b", Role.TEAM_LEAD, [db.session.get(Team, world.team_b)])
        db.session.commit()
    assert login("lead_b").post(address_for("review.sign_off", public_id=ended)).status_code == 404
    assert (
        login("lead_b")
        .post(address_for("review.return_shift", public_id=ended), data={})
        .status_code
        == 404
    )
    assert _shift(app, ended) == (ReviewStatus.PENDING, [])


def test_a_return_needs_a_comment_without_personnummer(app, world, login, ended):
    client = login("lead_a")
    empty = client.post(address_for("review.return_shift", public_id=ended), data={"comment": "  "})
    assert empty.status_code == 422
    assert "Skriv vad fältarbetarna ska titta på." in empty.get_data(as_text=True)
    pnr = client.post(
        address_for("review.return_shift", public_id=ended),
        data={"comment": "Gäller 811218-9876"},
    )
    assert pnr.status_code == 422
    assert "Det här ser ut som ett personnummer." in pnr.get_data(as_text=True)
    too_long = client.post(
        address_for("review.return_shift", public_id=ended), data={"comment": "x" * 2001}
    )
    assert too_long.status_code == 422
    assert _shift(app, ended) == (ReviewStatus.PENDING, [])


def test_returned_shift_reaches_its_workers_who_answer(app, world, login, ended):
    lead = login("lead_a")
    comment = "Lägesbilden saknas. Vad hände vid Folkets park?"
    assert (
        lead.post(
            address_for("review.return_shift", public_id=ended), data={"comment": comment}
        ).status_code
        == 303
    )
    assert _shift(app, ended)[0] == ReviewStatus.RETURNED

    johan = login("falt_a2")
    start = johan.get(address_for("home.start")).get_data(as_text=True)
    assert "Fältpass som återlämnats till dig" in start
    assert "Vad hände vid Folkets park?" in start
    assert "återlämnat av Tomas Lead" in start
    assert (
        login("falt_b").get(address_for("home.start")).get_data(as_text=True).count("Folkets park?")
        == 0
    )

    # the workers may now complete the situation note, and send the shift back
    note = johan.post(
        address_for("shifts.save_note", public_id=ended), data={"situation_note": "Lugnt i parken."}
    )
    assert note.status_code == 303
    answer = johan.post(
        address_for("review.resubmit", public_id=ended), data={"comment": "Kompletterat."}
    )
    assert answer.status_code == 303
    status, steps = _shift(app, ended)
    assert status == ReviewStatus.PENDING
    assert steps[-1] == (ReviewDecision.RESUBMITTED, "Kompletterat.", "falt_a2")
    assert "Fältpass som återlämnats till dig" not in johan.get(address_for("home.start")).get_data(
        as_text=True
    )
    assert lead.post(address_for("review.sign_off", public_id=ended)).status_code == 303
    assert _shift(app, ended)[0] == ReviewStatus.REVIEWED


def test_only_the_workers_answer_and_only_a_returned_shift(app, world, login, ended):
    assert (
        login("falt_a").post(address_for("review.resubmit", public_id=ended), data={}).status_code
        == 422
    )
    login("lead_a").post(
        address_for("review.return_shift", public_id=ended), data={"comment": "Titta på tiderna."}
    )
    assert (
        login("falt_b").post(address_for("review.resubmit", public_id=ended), data={}).status_code
        == 404
    )
    assert _shift(app, ended)[0] == ReviewStatus.RETURNED


def test_the_lead_start_page_counts_shifts_waiting(world, login, ended):
    page = login("lead_a").get(address_for("home.start")).get_data(as_text=True)
    assert "1 avslutat fältpass väntar på din granskning." in page


def test_two_leads_at_once_one_wins_the_other_hears_409(app, world, ended):
    from sqlalchemy import update

    from outreach.errors import Conflict
    from outreach.review import services

    with app.app_context():
        shift = db.session.execute(select(Shift).where(Shift.public_id == ended)).scalar_one()
        lead = db.session.get(User, world.lead_a)
        # another lead signs it off in the meantime; this lead's page still shows it pending
        db.session.execute(
            update(Shift)
            .where(Shift.id == shift.id)
            .values(review_status=ReviewStatus.REVIEWED)
            .execution_options(synchronize_session=False)
        )
        with pytest.raises(Conflict):
            services.return_to_workers(lead, shift, "Titta på tiderna.")
        db.session.rollback()
    assert _shift(app, ended) == (ReviewStatus.PENDING, [])


def test_saving_the_note_in_place_lists_no_youths(app, world, login, ended):
    from outreach.audit import AuditAction, AuditEvent
    from tests.factories import log_named, make_youth

    with app.app_context():
        shift = db.session.execute(select(Shift).where(Shift.public_id == ended)).scalar_one()
        worker = db.session.get(User, world.worker_a)
        log_named(shift, [make_youth(worker, shift.team, "Åsa")], shift.started_at)
        shift.review_status = ReviewStatus.RETURNED
        db.session.commit()
    client = login("falt_a")
    response = client.post(
        address_for("shifts.save_note", public_id=ended),
        data={"situation_note": "Lugnt."},
        headers={"HX-Request": "true", "HX-Request-Type": "partial"},
    )
    assert response.status_code == 200
    with app.app_context():
        listed = db.session.execute(
            select(AuditEvent.id).where(AuditEvent.action == AuditAction.LIST)
        ).all()
    assert listed == []  # the note form alone came back: no youth was shown
    client.get(address_for("shifts.shift_detail", public_id=ended))
    with app.app_context():
        listed = db.session.execute(
            select(AuditEvent.detail).where(AuditEvent.action == AuditAction.LIST)
        ).scalars()
        assert list(listed) == ["shift"]
