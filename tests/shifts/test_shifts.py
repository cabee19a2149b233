"""Starting and ending a fältpass."""

from datetime import timedelta

from sqlalchemy import select

from outreach.clock import now, to_local
from outreach.extensions import db
from outreach.shifts.models import Shift
from tests.addresses import address_for


def _local(moment) -> str:
    return to_local(moment).strftime("%Y-%m-%dT%H:%M")


def _shifts(app):
    with app.app_context():
        shifts = db.session.execute(select(Shift)).scalars().all()
        for shift in shifts:
            _ = shift.workers
            db.session.expunge(shift)
        return shifts


def test_start_defaults_to_now_with_colleagues(app, world, login):
    client = login("falt_a")
    form = client.get(address_for("shifts.new_shift")).get_data(as_text=True)
    assert _local(now())[:13] in form  # start time prefilled with the Stockholm clock
    response = client.post(
        address_for("shifts.new_shift"),
        data={
            "team": world.team_a,
            "area": world.area,
            "colleagues": [world.worker_a2],
            "situation_note": "Lugnt vid torget.",
        },
    )
    assert response.status_code == 303
    (shift,) = _shifts(app)
    assert abs((shift.started_at - now()).total_seconds()) < 60
    assert {w.id for w in shift.workers} == {world.worker_a, world.worker_a2}
    assert shift.situation_note == "Lugnt vid torget."
    start = client.get(address_for("home.start")).get_data(as_text=True)
    assert f"/faltpass/{shift.public_id}/anonym-kontakt" in start


def test_start_time_entered_is_stockholm_time(app, world, login):
    client = login("falt_a")
    client.post(
        address_for("shifts.new_shift"),
        data={
            "team": world.team_a,
            "area": world.area,
            "started_at": _local(now() - timedelta(hours=2)),
        },
    )
    (shift,) = _shifts(app)
    assert abs((shift.started_at - (now() - timedelta(hours=2))).total_seconds()) < 120


def _refused(client, data, world) -> str:
    data = {"team": world.team_a, "area": world.area, **data}
    response = client.post(address_for("shifts.new_shift"), data=data)
    assert response.status_code == 422, response.status_code
    return response.get_data(as_text=True)


def test_bad_shift_input_is_refused_and_nothing_saved(app, world, login):
    client = login("falt_a")
    cases = [
        {"team": world.team_b},  # not the user's team
        {"team": "abc"},
        {"area": 999999},
        {"area": ""},
        {"colleagues": [world.worker_b]},  # in another team
        {"colleagues": [999999]},
        {"started_at": _local(now() + timedelta(hours=3))},  # future
        {"started_at": _local(now() - timedelta(days=3))},  # too far back
        {"started_at": "i går kväll"},
        {"started_at": "0001-01-01T00:00"},
        {"started_at": "9999-12-31T23:59"},
        {"situation_note": "Såg 19811218-9876 vid torget"},  # personnummer in the note
        {"situation_note": "x" * 1001},
    ]
    for case in cases:
        _refused(client, case, world)
    assert _shifts(app) == []


def test_one_open_shift_at_a_time(app, world, login):
    client = login("falt_a")
    assert (
        client.post(
            address_for("shifts.new_shift"), data={"team": world.team_a, "area": world.area}
        ).status_code
        == 303
    )
    page = _refused(client, {}, world)
    assert "form-errors" in page
    colleague = login("falt_a2")
    # a worker already out cannot be taken along on a second shift
    response = colleague.post(
        address_for("shifts.new_shift"),
        data={"team": world.team_a, "area": world.area, "colleagues": [world.worker_a]},
    )
    assert response.status_code == 422
    assert len(_shifts(app)) == 1


def test_end_shift_by_worker_or_lead_only(app, world, login):
    worker = login("falt_a")
    worker.post(address_for("shifts.new_shift"), data={"team": world.team_a, "area": world.area})
    (shift,) = _shifts(app)
    outsider = login("falt_a2")  # same team, not on the shift
    assert (
        outsider.post(address_for("shifts.end_shift", public_id=shift.public_id)).status_code == 403
    )
    lead = login("lead_a")
    assert (
        lead.post(
            address_for("shifts.end_shift", public_id=shift.public_id),
            data={"situation_note": "Klart."},
        ).status_code
        == 303
    )
    (shift,) = _shifts(app)
    assert shift.ended_at is not None
    # ending twice is refused; logging in an ended shift is refused
    assert (
        worker.post(address_for("shifts.end_shift", public_id=shift.public_id)).status_code == 403
    )
    assert (
        worker.get(address_for("shifts.new_contact", public_id=shift.public_id)).status_code == 403
    )
    assert "/anonym-kontakt" not in worker.get(address_for("home.start")).get_data(as_text=True)


def test_situation_note_saved_through_htmx_returns_the_fragment(app, world, login):
    worker = login("falt_a")
    worker.post(address_for("shifts.new_shift"), data={"team": world.team_a, "area": world.area})
    (shift,) = _shifts(app)
    response = worker.post(
        address_for("shifts.save_note", public_id=shift.public_id),
        data={"situation_note": "Många vid stationen."},
        headers={"HX-Request": "true", "HX-Request-Type": "partial"},
    )
    body = response.get_data(as_text=True)
    assert response.status_code == 200
    assert body.lstrip().startswith('<form id="note-form"') and "<html" not in body
    bad = worker.post(
        address_for("shifts.save_note", public_id=shift.public_id),
        data={"situation_note": "pnr 8112189876"},
        headers={"HX-Request": "true", "HX-Request-Type": "partial"},
    )
    assert bad.status_code == 422 and "<html" not in bad.get_data(as_text=True)
    (shift,) = _shifts(app)
    assert shift.situation_note == "Många vid stationen."


def test_ending_a_shift_never_overwrites_the_note(app, world, login):
    worker = login("falt_a")
    worker.post(address_for("shifts.new_shift"), data={"team": world.team_a, "area": world.area})
    (shift,) = _shifts(app)
    lead = login("lead_a")
    lead.get(
        address_for("shifts.shift_detail", public_id=shift.public_id)
    )  # the lead has the page open …
    worker.post(
        address_for("shifts.save_note", public_id=shift.public_id),
        data={"situation_note": "Stökigt."},
    )
    # … and ends the shift with whatever the page held: the note stays
    assert (
        lead.post(
            address_for("shifts.end_shift", public_id=shift.public_id), data={"situation_note": ""}
        ).status_code
        == 303
    )
    (shift,) = _shifts(app)
    assert shift.ended_at is not None and shift.situation_note == "Stökigt."
