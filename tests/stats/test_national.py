"""The national statistics: every kommun's anonymous street contacts, per kommun and summed,
for the regional coordinator and the operator; small counts always hidden, nothing
identified read.

October 2026: the test kommun logs 6 anonymous contacts of 3 youths (2 of them girls) and a
named contact with a youth; Grannkommun 5 contacts of 2 youths; Liten kommun one contact of 4
youths; Tom kommun nothing.
"""

import re
from datetime import date

import pytest

from outreach.admin import services as admin_services
from outreach.auth import services as auth_services
from outreach.auth.models import Role, User
from outreach.errors import RuleViolation
from outreach.extensions import db
from outreach.org.models import Area, Kommun, Team
from outreach.stats import national, periods
from outreach.stats.tables import SUPPRESSED
from outreach.vocabulary import Gender, Period, Topic
from tests.addresses import address_for
from tests.factories import (
    PASSWORD,
    local,
    log_named,
    log_tally,
    make_area,
    make_kommun,
    make_past_shift,
    make_team,
    make_user,
    make_youth,
)
from tests.sql import statements_run

OCTOBER = periods.period_for(Period.MONTH, date(2026, 10, 14))
#: The only tables the national pages read: the kommuner and the anonymous contacts, and the
#: signed-in user's own account, teams (a coordinator has none), session and notifications.
READS = {"kommun", "contact_tally"} | {
    "user",
    "membership",
    "team",
    "kommun_member",
    "login_session",
    "notification",
}


def _contacts(team, area, worker, number, youths, girls=0):
    shift = make_past_shift(team, area, [worker], local("2026-10-09 18:00"))
    for minute in range(number):
        log_tally(
            shift,
            area.places[0],
            local(f"2026-10-09 19:{minute:02d}"),
            youths,
            {Gender.GIRL: girls} if girls else None,
            topics=[Topic.SCHOOL],
        )
    return shift


@pytest.fixture
def kommuner(app, world):
    """Four kommuner's October (see the module's docstring), a regional coordinator of the
    test kommun and the operator."""
    with app.app_context():
        worker_a = db.session.get(User, world.worker_a)
        team_a, area = db.session.get(Team, world.team_a), db.session.get(Area, world.area)
        shift = _contacts(team_a, area, worker_a, 6, 3, girls=2)
        child = make_youth(worker_a, team_a, "Kille med blå jacka", name="Namngiven Ungdom")
        log_named(shift, [child], local("2026-10-09 20:00"))
        for name, code, number, youths in (
            ("Grannkommun", "0002", 5, 2),
            ("Liten kommun", "0003", 1, 4),
        ):
            other = make_kommun(name, code)
            team = make_team("Fältgruppen", kommun=other)
            worker = make_user(f"falt_{code}", Role.FIELD_WORKER, [team])
            _contacts(team, make_area("Centrum", ["Torget"], kommun=other), worker, number, youths)
        make_kommun("Tom kommun", "0004")
        make_user("samordnare", Role.COORDINATOR, [])
        make_user("drift", Role.OPERATOR, [])
        db.session.commit()
    return world


def _table(stats, key):
    return next(table for table in stats.tables if table.key == key)


def test_every_kommun_side_by_side_with_small_counts_and_their_giveaways_hidden(app, kommuner):
    with app.app_context():
        stats = national.compute(OCTOBER)
        by_kommun = _table(stats, "kommuner")
        gender = _table(stats, "gender")
    assert by_kommun.rows == [
        ["Grannkommun", SUPPRESSED, SUPPRESSED],  # hidden so that Liten kommun's cannot be
        ["Liten kommun", SUPPRESSED, SUPPRESSED],  # worked out from the total
        ["Testkommun", 6, 18],
        ["Tom kommun", 0, 0],
    ]
    assert by_kommun.total == ["Alla kommuner", 12, 32]
    assert gender.rows[0] == ["Tjejer", 12]


def test_one_kommun_alone(app, kommuner):
    with app.app_context():
        neighbour = db.session.query(Kommun).filter_by(name="Grannkommun").one()
        stats = national.compute(OCTOBER, neighbour)
    assert [table.key for table in stats.tables] == ["months", "gender", "age", "topics", "actions"]
    assert _table(stats, "months").rows == [["okt. 2026", 5, 10]]
    assert _table(stats, "topics").rows[[t for t in Topic].index(Topic.SCHOOL)][1] == 5


def test_the_coordinator_lands_on_the_national_page_and_sees_nothing_identified(
    app, kommuner, login
):
    client = login("samordnare")
    start = client.get("/")
    assert start.status_code == 302 and start.location.endswith("/statistik/nationell")
    with statements_run(app) as statements:
        page = client.get(address_for("stats.national_overview", period="month", day="2026-10-01"))
        export = client.get(
            address_for("stats.national_export", fmt="csv", period="month", day="2026-10-01")
        )
    html = page.get_data(as_text=True)
    assert page.status_code == 200
    assert "Nationell statistik: oktober 2026" in html
    assert '<th scope="row">Testkommun</th><td>6</td><td>18</td>' in html
    assert "Kille med blå jacka" not in html and "Namngiven" not in html
    assert "Fältgruppen" not in html  # nothing per team
    assert export.status_code == 200
    csv = export.get_data(as_text=True)
    assert "Alla kommuner" in csv and "Testkommun;6;18" in csv
    read = {t for s in statements for t in re.findall(r'\b(?:from|join)\s+"?(\w+)', s, re.I)}
    assert "contact_tally" in read and read <= READS, read - READS


@pytest.mark.parametrize(
    ("username", "status"),
    [("samordnare", 200), ("drift", 200), ("falt_a", 403), ("lead_a", 403), ("admin", 403)],
)
def test_only_the_coordinator_and_the_operator_see_it(kommuner, login, username, status):
    assert login(username).get(address_for("stats.national_overview")).status_code == status


def test_the_coordinator_sees_nothing_else(kommuner, login):
    client = login("samordnare")
    assert client.get(address_for("stats.overview")).status_code == 403
    assert client.get(address_for("casefile.search")).status_code == 403
    assert client.get(address_for("handoffs.inbox")).status_code == 403
    assert client.get(address_for("admin.overview")).status_code == 403


@pytest.mark.parametrize(
    "query",
    ["kommun=999999", "period=custom", "period=fortnight", "day=2026-02-30", "show=handoffs"],
)
def test_bad_choices_answer_400_with_a_message(kommuner, login, query):
    response = login("samordnare").get(f"/statistik/nationell?{query}")
    assert response.status_code == 400
    assert 'class="error"' in response.get_data(as_text=True)


def test_a_coordinator_is_in_no_team(app, kommuner, login):
    admin = login("admin")
    coordinator = {
        "username": "samordnare2",
        "display_name": "Ny Samordnare",
        "role": "coordinator",
        "password": PASSWORD,
    }
    refused = admin.post(
        address_for("admin.new_user"), data={**coordinator, "teams": [kommuner.team_a]}
    )
    assert refused.status_code == 422
    assert "inte med i något team" in refused.get_data(as_text=True)
    with app.app_context():
        assert db.session.query(User).filter_by(username="samordnare2").count() == 0
        with pytest.raises(RuleViolation):  # nor from the command line
            auth_services.create_user(
                **{**coordinator, "role": Role.COORDINATOR},
                teams=[db.session.get(Team, kommuner.team_a)],
            )
    assert admin.post(address_for("admin.new_user"), data=coordinator).status_code == 303


def test_a_user_in_a_team_cannot_become_a_coordinator(app, kommuner):
    with app.app_context():
        worker = db.session.get(User, kommuner.worker_a)
        with pytest.raises(RuleViolation, match="inte med i något team"):
            admin_services.update_user(
                worker,
                by=db.session.get(User, kommuner.admin),
                display_name=worker.display_name,
                email=None,
                role=Role.COORDINATOR,
                teams=list(worker.all_teams),
                enabled=True,
            )
        db.session.rollback()
        assert db.session.get(User, kommuner.worker_a).role == Role.FIELD_WORKER
