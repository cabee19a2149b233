"""Exports of the review list and of the statistics, parsed back and compared."""

import csv
import io
from datetime import timedelta

import pytest
from openpyxl import load_workbook
from sqlalchemy import select

from outreach.audit import AuditAction, AuditEvent
from outreach.auth.models import User
from outreach.extensions import db
from outreach.org.models import Area, Team
from outreach.vocabulary import Action, AgeBand, Gender, Topic
from tests.addresses import address_for
from tests.factories import local, log_named, log_tally, make_past_shift, make_youth


@pytest.fixture
def log(app, world):
    """Two anonymous contacts and one with a named youth (with protected identity)."""
    with app.app_context():
        team = db.session.get(Team, world.team_a)
        area = db.session.get(Area, world.area)
        fatima, johan = db.session.get(User, world.worker_a), db.session.get(User, world.worker_a2)
        shift = make_past_shift(team, area, [fatima, johan], local("2026-10-31 20:00"))
        log_tally(
            shift,
            area.places[0],
            local("2026-10-31 23:30"),
            3,
            {Gender.GIRL: 2, AgeBand.AGE_13_15: 3},
            [Topic.SCHOOL, Topic.DRUGS],
            [Action.CONVERSATION],
        )
        log_tally(shift, area.places[1], local("2026-10-31 21:00"), 1, by=johan)
        åsa = make_youth(fatima, team, '=HYPERLINK("x") Åsa', protected_identity=True)
        log_named(shift, [åsa], local("2026-10-31 22:00"))
        db.session.commit()
        return {"youth": åsa.id}


def _csv(response) -> list[list[str]]:
    text = response.get_data(as_text=True)
    assert text.startswith("\ufeff")
    return list(csv.reader(io.StringIO(text[1:]), delimiter=";"))


def test_csv_of_the_filtered_list(app, world, login, log):
    response = login("lead_a").get(address_for("review.export", fmt="csv", date_from="2026-10-31"))
    assert response.status_code == 200
    assert response.mimetype == "text/csv"
    assert "attachment" in response.headers["Content-Disposition"]
    header, *rows = _csv(response)
    assert header[:6] == ["Tid", "Typ", "Team", "Område", "Plats", "Ungdomar"]
    assert [row[0] for row in rows] == ["2026-10-31 23:30", "2026-10-31 22:00", "2026-10-31 21:00"]
    first = dict(zip(header, rows[0], strict=True))
    assert first["Typ"] == "Anonym kontakt"
    assert first["Plats"] == "Folkets park"
    assert (first["Ungdomar"], first["Tjejer"], first["13–15 år"]) == ("3", "2", "3")
    assert first["Ämnen"] == "Skola, Droger"
    assert first["Ute tillsammans"] == "Fatima Fält, Johan Lind"
    named = dict(zip(header, rows[1], strict=True))
    # a cell a spreadsheet would run as a formula is quoted
    assert named["Namngivna ungdomar"] == '\'=HYPERLINK("x") Åsa (skyddad identitet)'
    assert named["Tjejer"] == ""


def test_xlsx_holds_the_same_rows(app, world, login, log):
    client = login("lead_a")
    as_csv = _csv(client.get(address_for("review.export", fmt="csv")))
    response = client.get(address_for("review.export", fmt="xlsx"))
    assert response.status_code == 200
    assert response.mimetype.endswith("spreadsheetml.sheet")
    sheet = load_workbook(io.BytesIO(response.get_data()), read_only=True).active
    rows = [
        ["" if value is None else value for value in row]
        for row in sheet.iter_rows(values_only=True)
    ]
    assert rows[0] == as_csv[0]
    assert [row[0].strftime("%Y-%m-%d %H:%M") for row in rows[1:]] == [r[0] for r in as_csv[1:]]
    assert [[str(v) for v in row[1:]] for row in rows[1:]] == [r[1:] for r in as_csv[1:]]


def test_each_export_of_named_youths_is_in_the_access_log(app, world, login, log):
    client = login("lead_a")
    client.get(address_for("review.export", fmt="csv"))
    client.get(address_for("review.export", fmt="xlsx", kind="anonymous"))  # no named youth in it
    with app.app_context():
        exports = db.session.execute(
            select(AuditEvent.youth_id, AuditEvent.detail).where(
                AuditEvent.action == AuditAction.EXPORT
            )
        ).all()
    assert exports == [(log["youth"], "review list csv")]


def test_only_field_team_leads_export_the_list(world, login, log):
    assert login("falt_a").get(address_for("review.export", fmt="csv")).status_code == 403
    assert login("vpc").get(address_for("review.export", fmt="xlsx")).status_code == 403
    bad = login("lead_a").get(address_for("review.export", fmt="csv", date_to="31-10-2026"))
    assert bad.status_code == 400


def test_statistics_exports_hide_small_counts(app, world, login, log):
    client = login("lead_a")
    response = client.get(address_for("stats.export", fmt="csv", period="month", day="2026-10-15"))
    assert response.status_code == 200
    rows = _csv(response)
    text = "\n".join(";".join(row) for row in rows)
    assert "Fältgruppen Söder" in text and "oktober 2026" in text
    gender_at = rows.index(["Mötta ungdomar efter kön (anonyma kontakter)"])
    assert rows[gender_at + 1] == ["Kön", "Ungdomar"]
    assert rows[gender_at + 2] == ["Tjejer", ".."]  # 2 girls
    assert "Åsa" not in text  # no personal data
    workbook = load_workbook(
        io.BytesIO(
            client.get(
                address_for("stats.export", fmt="xlsx", period="month", day="2026-10-15")
            ).get_data()
        ),
        read_only=True,
    )
    assert workbook.sheetnames[0] == "Om uttaget"
    gender = workbook["Mötta ungdomar efter kön (anony"]
    values = [list(row) for row in gender.iter_rows(values_only=True)]
    assert values[1] == ["Tjejer", ".."]
    assert values[-1] == ["Totalt", ".."]  # 4 youths in all
    with app.app_context():
        exported = db.session.execute(
            select(AuditEvent.id).where(AuditEvent.action == AuditAction.EXPORT)
        ).all()
    assert exported == []  # anonymous figures: nothing about a youth to log


def test_a_large_export_streams_in_pieces(app, world, login):
    with app.app_context():
        team = db.session.get(Team, world.team_a)
        area = db.session.get(Area, world.area)
        worker = db.session.get(User, world.worker_a)
        shift = make_past_shift(team, area, [worker], local("2026-06-01 18:00"))
        for second in range(1200):
            log_tally(shift, area.places[0], shift.started_at + timedelta(seconds=second), 1)
        db.session.commit()
    response = login("lead_a").get(address_for("review.export", fmt="csv"))
    pieces = list(response.response)
    assert len(pieces) >= 3  # written while sent, not built whole in memory
    assert sum(piece.count(b"\r\n") for piece in pieces) == 1201
