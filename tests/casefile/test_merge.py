"""Two records of the same youth: suggested as likely duplicates at registration, and merged
by a team lead keeping every contact, marking, consent and handoff."""

from sqlalchemy import func, select

from outreach.audit import AuditAction, AuditEvent
from outreach.auth.models import User
from outreach.consent.models import Consent
from outreach.extensions import db
from outreach.handoffs.models import Handoff
from outreach.org.models import Area, Team
from outreach.risk.models import RiskMarking
from outreach.youths.models import Youth, YouthMerge, identified_contact_youth
from tests.addresses import address_for
from tests.factories import make_records, make_youth, personnummer_for, years_ago


def _register(client, **data):
    return client.post(address_for("youths.new_youth"), data={"legal_basis": "consent", **data})


def test_likely_duplicates_are_shown_before_registering(app, world, signed_in):
    with app.app_context():
        make_youth(
            db.session.get(User, world.worker_a),
            db.session.get(Team, world.team_a),
            "Kille i röd keps vid Värnhemstorget",
            name="Ömer Åkesson",
            birth_year=2010,
        )
        make_youth(
            db.session.get(User, world.worker_b),
            db.session.get(Team, world.team_b),
            "Kille i röd keps",
            birth_year=2010,
        )
        db.session.commit()
    worker = signed_in("falt_a")
    shown = _register(worker, alias="Kille i rod keps", birth_year="2010")
    assert shown.status_code == 200
    page = shown.get_data(as_text=True)
    assert "Är det någon av dessa?" in page and "Värnhemstorget" in page
    assert "Fältgruppen Norr" not in page  # team B's youth is not suggested
    by_name = _register(worker, alias="Ny", name="omer akesson", birth_year="2010")
    assert "Är det någon av dessa?" in by_name.get_data(as_text=True)
    other_year = _register(worker, alias="Kille i röd keps", birth_year="2005")
    assert other_year.status_code == 303  # born another year: not the same youth
    anyway = _register(
        worker, alias="Kille i röd keps vid torget", birth_year="2010", not_a_duplicate="y"
    )
    assert anyway.status_code == 303
    with app.app_context():
        assert db.session.scalar(select(func.count(Youth.id))) == 4


def test_the_same_personnummer_is_refused_and_points_at_the_record(app, world, signed_in):
    pnr = personnummer_for(years_ago(15, 10), 222)
    worker = signed_in("falt_a")
    assert _register(worker, alias="Först", personnummer=pnr).status_code == 303
    again = _register(worker, alias="Helt annat alias", personnummer=pnr)
    assert again.status_code == 422
    page = again.get_data(as_text=True)
    assert "Samma personnummer" in page and "Först" in page


def _two_records(world):
    team, area = db.session.get(Team, world.team_a), db.session.get(Area, world.area)
    worker = db.session.get(User, world.worker_a)
    kept = make_records(team, worker, area)
    kept["request"].delivered_on = kept["request"].received_on
    duplicate = make_youth(
        worker,
        team,
        "Kim på torget",
        school="Kvarnbyskolan",
        guardians=[("Förälder Två", "")],
    )
    db.session.commit()
    return kept, duplicate


def test_a_lead_merges_a_duplicate_keeping_everything(app, world, signed_in):
    with app.app_context():
        kept, duplicate = _two_records(world)
        # the duplicate's own history: a record made for it with the same kinds of rows
        moved = make_records(
            db.session.get(Team, world.team_a),
            db.session.get(User, world.worker_a),
            db.session.get(Area, world.area),
        )
        moved_youth = moved["youth"]
        moved_youth.personnummer = None
        db.session.execute(
            Handoff.__table__.update()
            .where(Handoff.youth_id == moved_youth.id)
            .values(status="closed")
        )
        db.session.commit()
        kept_id, kept_public = kept["youth"].id, kept["youth"].public_id
        duplicate_id, duplicate_public = moved_youth.id, moved_youth.public_id
        models = (RiskMarking, Consent, Handoff)
        before = {
            model: db.session.scalar(
                select(func.count(model.id)).where(model.youth_id.in_([kept_id, duplicate_id]))
            )
            for model in models
        }
    lead = signed_in("lead_a")
    compare = lead.get(
        address_for("casefile.merge_records", public_id=kept_public, med=duplicate_public)
    )
    assert compare.status_code == 200 and "Jämför" in compare.get_data(as_text=True)
    unconfirmed = lead.post(
        address_for("casefile.merge_records", public_id=kept_public),
        data={"duplicate": duplicate_public},
    )
    assert unconfirmed.status_code == 422
    merged = lead.post(
        address_for("casefile.merge_records", public_id=kept_public),
        data={"duplicate": duplicate_public, "confirm": "y"},
    )
    assert merged.status_code == 303
    with app.app_context():
        assert db.session.get(Youth, duplicate_id) is None
        for model, count in before.items():  # every row of both is on the kept record
            assert (
                db.session.scalar(select(func.count(model.id)).where(model.youth_id == kept_id))
                == count
            )
        links = db.session.execute(
            select(identified_contact_youth.c.youth_id).where(
                identified_contact_youth.c.youth_id == kept_id
            )
        ).all()
        assert len(links) == 2  # its own contact and the duplicate's
        record = db.session.execute(select(YouthMerge)).scalar_one()
        assert record.merged_youth_id == duplicate_id
        assert record.details["alias"] == "Barn i Fältgruppen Söder"
        assert record.moved_counts["contacts"] == 1
        assert record.moved_counts["handoffs"] == 1
        entry = db.session.execute(
            select(AuditEvent).where(
                AuditEvent.youth_id == kept_id,
                AuditEvent.action == AuditAction.UPDATE,
                AuditEvent.detail == f"merge:{duplicate_id}",
            )
        ).scalar_one()
        assert entry.user_id == world.lead_a
    page = lead.get(address_for("casefile.youth", public_id=kept_public)).get_data(as_text=True)
    assert "Sammanslagna poster" in page
    assert "En dubblettpost slogs ihop med den här" in page
    # the duplicate's address is gone; the log of the kept record includes its reads
    assert lead.get(address_for("casefile.youth", public_id=duplicate_public)).status_code == 404


def test_the_kept_record_takes_what_it_lacks_from_the_duplicate(app, world, signed_in):
    with app.app_context():
        kept, duplicate = _two_records(world)
        kept_public, duplicate_public = kept["youth"].public_id, duplicate.public_id
    lead = signed_in("lead_a")
    lead.post(
        address_for("casefile.merge_records", public_id=kept_public),
        data={"duplicate": duplicate_public, "confirm": "y"},
    )
    with app.app_context():
        youth = db.session.execute(select(Youth).where(Youth.public_id == kept_public)).scalar_one()
        assert youth.school == "Kvarnbyskolan"  # it had none
        assert [g.name for g in youth.guardians] == ["Förälder Exempel"]  # it had its own


def test_merges_that_may_not_be_made_are_refused(app, world, signed_in):
    with app.app_context():
        kept, duplicate = _two_records(world)
        other_team = make_youth(
            db.session.get(User, world.worker_b), db.session.get(Team, world.team_b), "B"
        )
        different = make_youth(
            db.session.get(User, world.worker_a),
            db.session.get(Team, world.team_a),
            "Annan",
            personnummer=personnummer_for(years_ago(13, 2), 333),
        )
        db.session.commit()
        kept_public = kept["youth"].public_id
        ids = duplicate.public_id, other_team.public_id, different.public_id
    worker = signed_in("falt_a")
    assert (
        worker.post(
            address_for("casefile.merge_records", public_id=kept_public),
            data={"duplicate": ids[0], "confirm": "y"},
        ).status_code
        == 403
    )
    lead = signed_in("lead_a")
    unknown = lead.post(
        address_for("casefile.merge_records", public_id=kept_public),
        data={"duplicate": ids[1], "confirm": "y"},
    )
    assert unknown.status_code == 422  # team B's youth is not found for team A's lead
    numbers = lead.post(
        address_for("casefile.merge_records", public_id=kept_public),
        data={"duplicate": ids[2], "confirm": "y"},
    )
    assert numbers.status_code == 422
    assert "olika personnummer" in numbers.get_data(as_text=True)
    with app.app_context():
        assert db.session.scalar(select(func.count(YouthMerge.id))) == 0
        assert db.session.scalar(select(func.count(Youth.id))) == 4


def test_two_records_with_a_hold_each_merge_and_both_holds_are_lifted_at_once(
    app, world, signed_in
):
    from outreach.privacy import services
    from outreach.privacy.models import LegalHold

    with app.app_context():
        kept, duplicate = _two_records(world)
        lead = db.session.get(User, world.lead_a)
        services.set_hold(lead, kept["youth"], "Rättegång.")
        services.set_hold(lead, duplicate, "Utredning.")
        db.session.commit()
        kept_public, duplicate_public = kept["youth"].public_id, duplicate.public_id
    client = signed_in("lead_a")
    assert (
        client.post(
            address_for("casefile.merge_records", public_id=kept_public),
            data={"duplicate": duplicate_public, "confirm": "y"},
        ).status_code
        == 303
    )
    assert "Häv bevarandebeslutet" in client.get(
        address_for("casefile.youth", public_id=kept_public)
    ).get_data(as_text=True)
    assert client.post(address_for("privacy.lift_hold", public_id=kept_public)).status_code == 303
    with app.app_context():
        holds = db.session.execute(select(LegalHold)).scalars().all()
        assert len(holds) == 2 and all(hold.lifted_at for hold in holds)
