"""Sensitive fields at rest: a database dump alone does not reveal a personnummer, an exact
lookup still finds it, and a key rotation moves everything to the new key."""

import pytest
from sqlalchemy import select

from outreach import create_app
from outreach.audit import AuditAction, AuditEvent
from outreach.auth.models import User
from outreach.crypto import FieldKeys
from outreach.extensions import db
from outreach.handoffs.models import Handoff
from outreach.reports.models import ReportOfConcern
from outreach.youths.models import Youth
from tests.addresses import address_for
from tests.conftest import test_config
from tests.dumps import dump_files, dump_rows, personnummer_shapes
from tests.factories import make_records, personnummer_for, years_ago


@pytest.fixture
def pnr():
    return personnummer_for(years_ago(15, 3), serial=482)


@pytest.fixture
def spread(app, world, login, pnr):
    """A personnummer in every place it travels: the youth record, a change in the audit
    trail, a handoff that shares it and a sent report of concern."""
    from outreach.org.models import Area, Team

    with app.app_context():
        records = make_records(
            db.session.get(Team, world.team_a),
            db.session.get(User, world.worker_a),
            db.session.get(Area, world.area),
        )
        youth, report, handoff = records["youth"], records["report"], records["handoff"]
        public = youth.public_id, report.public_id, handoff.public_id
    client = login("falt_a")
    youth_id, report_id, handoff_id = public
    response = client.post(
        address_for("youths.edit_youth", public_id=youth_id),
        data={
            "alias": "Barn",
            "legal_basis": "consent",
            "name": "Kim",
            "birth_year": pnr[:4],
            "personnummer": pnr,
        },
    )
    assert response.status_code == 303
    client.post(
        address_for("handoffs.take_step", public_id=handoff_id, step="withdraw"),
        data={"note": "ny"},
    )
    response = client.post(
        address_for("handoffs.new_handoff", public_id=youth_id),
        data={
            "reason": "R",
            "summary": "S",
            "urgency": "normal",
            "basis": "osl_10_2",
            "secrecy_assessed_by": "Chef",
            "shared_fields": ["personnummer", "name"],
        },
    )
    assert response.status_code == 303, response.get_data(as_text=True)
    assert client.post(address_for("reports.mark_sent", public_id=report_id)).status_code == 303
    shown = client.get(address_for("reports.printable", public_id=report_id)).get_data(as_text=True)
    assert f"{pnr[:8]}-{pnr[8:]}" in shown  # the printed report shows it: it is stored
    return youth_id


def test_a_database_dump_does_not_reveal_a_personnummer(app, spread, pnr, database_url, tmp_path):
    with app.app_context():
        rows = dump_rows()
        files = dump_files(database_url, tmp_path)
        youth = db.session.execute(select(Youth).where(Youth.public_id == spread)).scalar_one()
        assert youth.personnummer == pnr  # read back through the key
    assert "Kim" in rows  # the dump holds the record's other, unencrypted details
    for shape in personnummer_shapes(pnr):
        assert shape not in rows
        assert shape.encode() not in files


def test_a_whole_personnummer_is_found_by_exact_lookup(app, spread, pnr, login):
    client = login("falt_a")
    found = client.post(
        address_for("casefile.search"), data={"q": f"{pnr[2:8]}-{pnr[8:]}"}
    ).get_data(as_text=True)
    assert "Barn" in found
    other = personnummer_for(years_ago(15, 3), serial=483)
    assert "Barn" not in client.post(address_for("casefile.search"), data={"q": other}).get_data(
        as_text=True
    )
    assert "Barn" not in login("falt_b").post(
        address_for("casefile.search"), data={"q": pnr}
    ).get_data(as_text=True)


def test_the_same_personnummer_twice_in_a_team_is_refused(spread, pnr, login):
    response = login("falt_a").post(
        address_for("youths.new_youth"),
        data={"alias": "Dubblett", "legal_basis": "consent", "personnummer": pnr},
    )
    assert response.status_code == 422
    assert "redan registrerad" in response.get_data(as_text=True)


def test_key_rotation_moves_every_field_to_the_new_key(app, spread, pnr, database_url):
    old_key = app.config["FIELD_KEY"]
    new_key = "a-brand-new-field-key-for-the-rotation-test-0123"
    rotating = create_app(
        test_config(database_url, FIELD_KEY=new_key, FIELD_KEYS_RETIRED=(old_key,))
    )
    result = rotating.test_cli_runner().invoke(args=["crypto", "rotate-key", "--batch", "2"])
    assert result.exit_code == 0, result.output
    assert "youth.personnummer: 1 rows on the current key" in result.output
    assert "handoff.shared_data: 2 rows on the current key" in result.output
    # the youth's edit is kept under the youth's own key, which the rotation re-encrypts
    assert "subject_key.key: 1 rows on the current key" in result.output
    assert "audit_event.changes: every row on the current key" in result.output

    only_new = create_app(test_config(database_url, FIELD_KEY=new_key))
    with only_new.app_context():
        youth = db.session.execute(select(Youth).where(Youth.public_id == spread)).scalar_one()
        assert youth.personnummer == pnr
        assert youth.personnummer_lookup == FieldKeys(new_key).lookup_hash(pnr)
        shared = [h.shared for h in db.session.execute(select(Handoff)).scalars()]
        assert {"alias": "Barn", "name": "Kim", "personnummer": f"{pnr[:8]}-{pnr[8:]}"} in shared
        (report,) = db.session.execute(select(ReportOfConcern)).scalars()
        assert report.child["personnummer"] == f"{pnr[:8]}-{pnr[8:]}"
        edit = db.session.execute(
            select(AuditEvent).where(
                AuditEvent.action == AuditAction.UPDATE, AuditEvent.entity_type == "youth"
            )
        ).scalar_one()
        assert edit.changed  # readable through the youth's key, re-encrypted with the new one
    client = only_new.test_client()
    client.post(
        address_for("auth.login"), data={"username": "falt_a", "password": "rätt-lösenord-123"}
    )
    assert "Barn" in client.post(address_for("casefile.search"), data={"q": pnr}).get_data(
        as_text=True
    )


def test_a_short_or_missing_field_key_is_refused(database_url):
    with pytest.raises(RuntimeError, match="OUTREACH_FIELD_KEY"):
        create_app(test_config(database_url, FIELD_KEY=None))
    with pytest.raises(ValueError, match="at least 32"):
        create_app(test_config(database_url, FIELD_KEY="short"))


def test_a_personnummer_typed_into_free_text_is_refused(app, spread, pnr, login):
    """Free text about a youth is stored as it is typed: a personnummer there would be in a
    dump, so it is refused with a message pointing to the encrypted field."""
    client = login("falt_a")
    shaped = f"Sa att hans nummer är {pnr[2:8]}-{pnr[8:]}."
    with app.app_context():
        from outreach.shifts.models import Shift

        shift = db.session.execute(select(Shift.public_id)).scalar()
    attempts = {
        "/ungdomar/ny": {"alias": shaped, "legal_basis": "consent"},
        f"/faltpass/{shift}/namngiven-kontakt": {"youths": [spread], "facts": shaped},
        f"/ungdomar/{spread}/orosanmalan": {
            "kinds": ["crime"],
            "concern": shaped,
            "relation": "Fältarbetare",
        },
        f"/ungdomar/{spread}/overlamning": {
            "reason": "R",
            "summary": shaped,
            "urgency": "normal",
            "basis": "osl_10_2",
            "secrecy_assessed_by": "Chef",
        },
    }
    for url, data in attempts.items():
        response = client.post(url, data=data)
        assert response.status_code == 422, url
        assert "ser ut som ett personnummer" in response.get_data(as_text=True), url
