"""Sensitive fields at rest: a database dump alone does not reveal a personnummer, an exact
lookup still finds it, and a key rotation moves everything to the new key."""

import shutil
import subprocess
from pathlib import Path

import pytest
from sqlalchemy import inspect, select, text

from outreach import create_app
from outreach.auth.models import User
from outreach.crypto import FieldKeys
from outreach.extensions import db
from outreach.handoffs.models import Handoff
from outreach.reports.models import ReportOfConcern
from outreach.youths.models import Youth
from tests.conftest import test_config
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
        f"/ungdomar/{youth_id}/andra",
        data={
            "alias": "Barn",
            "legal_basis": "consent",
            "name": "Kim",
            "birth_year": pnr[:4],
            "personnummer": pnr,
        },
    )
    assert response.status_code == 303
    client.post(f"/overlamningar/{handoff_id}/withdraw", data={"note": "ny"})
    response = client.post(
        f"/ungdomar/{youth_id}/overlamning",
        data={
            "reason": "R",
            "summary": "S",
            "urgency": "normal",
            "basis": "osl_10_2",
            "secrecy_assessed_by": "Chef",
            "shared_fields": ["personnummer", "name"],
            "token": "spread-test",
        },
    )
    assert response.status_code == 303, response.get_data(as_text=True)
    assert client.post(f"/orosanmalningar/{report_id}/skickad").status_code == 303
    shown = client.get(f"/orosanmalningar/{report_id}/utskrift").get_data(as_text=True)
    assert f"{pnr[:8]}-{pnr[8:]}" in shown  # the printed report shows it: it is stored
    return youth_id


def _shapes(pnr: str) -> list[str]:
    """Every way the number could be written down."""
    return [pnr, pnr[2:], f"{pnr[:8]}-{pnr[8:]}", f"{pnr[2:8]}-{pnr[8:]}", pnr[-4:] + pnr[:8]]


def _dump_rows() -> str:
    """Every value of every table, as text."""
    parts = []
    for table in inspect(db.engine).get_table_names():
        # the names come from the database's own catalogue
        for row in db.session.execute(text(f'SELECT * FROM "{table}"')):  # noqa: S608
            parts.append(" ".join(str(value) for value in row))
    return "\n".join(parts)


def _dump_files(database_url: str, tmp_path: Path) -> bytes:
    """What an attacker with the database's files or a pg_dump would have."""
    if database_url.startswith("sqlite"):
        path = Path(database_url.removeprefix("sqlite:///"))
        db.session.execute(text("PRAGMA wal_checkpoint(FULL)"))
        return b"".join(p.read_bytes() for p in path.parent.glob(path.name + "*"))
    if shutil.which("pg_dump") is None:
        pytest.skip("pg_dump is not installed")
    url = database_url.replace("postgresql+psycopg://", "postgresql://")
    target = tmp_path / "dump.sql"
    subprocess.run(["pg_dump", "--file", str(target), url], check=True)
    return target.read_bytes()


def test_a_database_dump_does_not_reveal_a_personnummer(app, spread, pnr, database_url, tmp_path):
    with app.app_context():
        rows = _dump_rows()
        files = _dump_files(database_url, tmp_path)
        youth = db.session.execute(select(Youth).where(Youth.public_id == spread)).scalar_one()
        assert youth.personnummer == pnr  # read back through the key
    assert "Kim" in rows  # the dump holds the record's other, unencrypted details
    for shape in _shapes(pnr):
        assert shape not in rows
        assert shape.encode() not in files


def test_a_whole_personnummer_is_found_by_exact_lookup(app, spread, pnr, login):
    client = login("falt_a")
    found = client.post("/ungdomar", data={"q": f"{pnr[2:8]}-{pnr[8:]}"}).get_data(as_text=True)
    assert "Barn" in found
    other = personnummer_for(years_ago(15, 3), serial=483)
    assert "Barn" not in client.post("/ungdomar", data={"q": other}).get_data(as_text=True)
    assert "Barn" not in login("falt_b").post("/ungdomar", data={"q": pnr}).get_data(as_text=True)


def test_the_same_personnummer_twice_in_a_team_is_refused(spread, pnr, login):
    response = login("falt_a").post(
        "/ungdomar/ny", data={"alias": "Dubblett", "legal_basis": "consent", "personnummer": pnr}
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
    assert "audit_event.changes: 1 rows (append-only) still need a retired key" in result.output

    only_new = create_app(test_config(database_url, FIELD_KEY=new_key))
    with only_new.app_context():
        youth = db.session.execute(select(Youth).where(Youth.public_id == spread)).scalar_one()
        assert youth.personnummer == pnr
        assert youth.personnummer_lookup == FieldKeys(new_key).lookup_hash(pnr)
        shared = [h.shared for h in db.session.execute(select(Handoff)).scalars()]
        assert {"alias": "Barn", "name": "Kim", "personnummer": f"{pnr[:8]}-{pnr[8:]}"} in shared
        (report,) = db.session.execute(select(ReportOfConcern)).scalars()
        assert report.child["personnummer"] == f"{pnr[:8]}-{pnr[8:]}"
    client = only_new.test_client()
    client.post("/logga-in", data={"username": "falt_a", "password": "rätt-lösenord-123"})
    assert "Barn" in client.post("/ungdomar", data={"q": pnr}).get_data(as_text=True)


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
            "token": "pnr-in-summary",
        },
    }
    for url, data in attempts.items():
        response = client.post(url, data=data)
        assert response.status_code == 422, url
        assert "ser ut som ett personnummer" in response.get_data(as_text=True), url
