"""Statistics against figures worked out by hand on a fixed month of one team's work.

October 2026 for team A. Summer time ends on 25 October, so the month's last evening is
UTC+1: 23:30 on the 31st is 22:30 UTC and belongs to October; 00:30 on 1 November is 23:30
UTC on the 31st and belongs to November.
"""

import json
from datetime import date, timedelta

import pytest
from sqlalchemy import select

from outreach.auth.models import User
from outreach.extensions import db
from outreach.handoffs.models import Handoff, HandoffEvent
from outreach.org.models import Area, Team, TeamKind
from outreach.risk import services as risk_services
from outreach.risk.models import WarningSign
from outreach.stats import handoff_figures, periods, tables
from outreach.stats import services as stats
from outreach.vocabulary import (
    Action,
    AgeBand,
    Gender,
    HandoffBasis,
    HandoffStatus,
    Period,
    RiskLevel,
    Topic,
    Urgency,
)
from tests.factories import local, log_named, log_tally, make_past_shift, make_youth, signs

OCTOBER = periods.period_for(Period.MONTH, date(2026, 10, 14))


def _handoff(youth, sender, sent_at, ack_hours, contact_hours, final, breached=False):
    handoff = Handoff(
        youth_id=youth.id,
        from_team_id=youth.team_id,
        to_unit_id=db.session.execute(
            select(Team.id).where(Team.kommun_id == youth.kommun_id, Team.kind == TeamKind.VPC)
        ).scalar_one(),
        sender_id=sender.id,
        reason="Oro",
        summary="Kort",
        urgency=Urgency.NORMAL,
        basis=HandoffBasis.OSL_10_18B,
        secrecy_assessed_by="Lead",
        shared_data=json.dumps({"alias": youth.alias}),
        status=final,
        sent_at=sent_at,
        first_contact_due_at=sent_at + timedelta(hours=24),
        first_contact_at=sent_at + timedelta(hours=contact_hours) if contact_hours else None,
        breached_at=sent_at + timedelta(hours=24) if breached else None,
    )
    db.session.add(handoff)
    db.session.flush()
    steps = [(HandoffStatus.SENT, 0), (HandoffStatus.ACKNOWLEDGED, ack_hours)]
    if contact_hours:
        steps.append((HandoffStatus.FIRST_CONTACT, contact_hours))
    steps.append((final, (contact_hours or ack_hours) + 1))
    for status, hours in steps:
        db.session.add(
            HandoffEvent(
                handoff_id=handoff.id,
                status=status,
                user_id=sender.id,
                at=sent_at + timedelta(hours=hours),
            )
        )


@pytest.fixture
def october(app, world):
    """The fixed month (see the module's docstring)."""
    with app.app_context():
        team_a, team_b = db.session.get(Team, world.team_a), db.session.get(Team, world.team_b)
        molle, rosengard = db.session.get(Area, world.area), db.session.get(Area, world.other_area)
        worker, worker2 = (
            db.session.get(User, world.worker_a),
            db.session.get(User, world.worker_a2),
        )
        worker_b = db.session.get(User, world.worker_b)
        torget, park = molle.places[0], molle.places[1]
        centrum = rosengard.places[0]

        s1 = make_past_shift(team_a, molle, [worker, worker2], local("2026-10-05 18:00"))
        log_tally(
            s1,
            torget,
            local("2026-10-05 19:00"),
            3,
            {Gender.GIRL: 1, Gender.BOY: 2, AgeBand.AGE_13_15: 3},
            [Topic.SCHOOL, Topic.DRUGS],
            [Action.CONVERSATION],
        )
        log_tally(
            s1,
            park,
            local("2026-10-05 20:00"),
            2,
            {Gender.BOY: 1, AgeBand.AGE_16_17: 2},
            [Topic.DRUGS],
            [Action.REFERRAL, Action.CONVERSATION],
        )
        s2 = make_past_shift(team_a, rosengard, [worker], local("2026-10-31 20:00"))
        log_tally(
            s2,
            centrum,
            local("2026-10-31 23:30"),
            5,
            {Gender.GIRL: 5, AgeBand.AGE_18_20: 1},
            [Topic.VIOLENCE],
            [Action.POLICE_CONTACT],
        )
        log_tally(s2, centrum, local("2026-11-01 00:30"), 4, {Gender.BOY: 4})  # November
        s0 = make_past_shift(team_a, molle, [worker], local("2026-09-30 20:00"))
        log_tally(s0, torget, local("2026-09-30 23:59"), 6)  # September
        sb = make_past_shift(team_b, molle, [worker_b], local("2026-10-10 18:00"))
        log_tally(sb, torget, local("2026-10-10 19:00"), 7, {Gender.GIRL: 2})  # team B

        y1 = make_youth(worker, team_a, "Kille i keps")
        y2 = make_youth(worker, team_a, "Tjej med cykel")
        y3 = make_youth(worker, team_a, "Åke på torget")
        named = log_named(s1, [y1, y2], local("2026-10-05 21:00"))
        log_named(s1, [y1, y2], local("2026-10-05 21:00"), corrects=named)  # not counted
        log_named(sb, [make_youth(worker_b, team_b, "B-ungdom")], local("2026-10-10 19:30"))

        sign = db.session.execute(signs(WarningSign.id).limit(1)).scalar_one()
        risk_services.mark(
            worker, y1, level=RiskLevel.ELEVATED, sign_ids=[sign], comment="", review_on=None
        )
        sign = db.session.execute(signs(WarningSign.id).limit(1)).scalar_one()
        risk_services.mark(
            worker, y1, level=RiskLevel.ACUTE, sign_ids=[sign], comment="", review_on=None
        )
        low = risk_services.mark(
            worker, y2, level=RiskLevel.LOW, sign_ids=[sign], comment="", review_on=None
        )
        risk_services.withdraw(worker, low, "Felregistrerad")

        _handoff(y1, worker, local("2026-10-10 10:00"), 2, 10, HandoffStatus.ACCEPTED)
        _handoff(
            y2, worker, local("2026-10-20 10:00"), 4, 30, HandoffStatus.DECLINED, breached=True
        )
        _handoff(y3, worker, local("2026-10-27 10:00"), 6, None, HandoffStatus.WITHDRAWN)
        db.session.commit()
    return world


def _figures(app, world, period=OCTOBER, suppressed=False):
    with app.app_context():
        team = db.session.get(Team, world.team_a)
        result = stats.compute([team], period, suppressed=suppressed)
        return stats.by_key(result), result.handoffs


def test_weeks_count_stockholm_days_of_the_month(app, october):
    tables, _handoffs = _figures(app, october)
    weeks = tables["weeks"]
    assert [row[0] for row in weeks.rows] == [
        "v. 40 2026",
        "v. 41 2026",
        "v. 42 2026",
        "v. 43 2026",
        "v. 44 2026",
    ]
    # [anonymous contacts, youths met, named contacts, meetings with named youths]
    assert [row[1:] for row in weeks.rows] == [
        [0, 0, 0, 0],
        [2, 5, 1, 2],
        [0, 0, 0, 0],
        [0, 0, 0, 0],
        [1, 5, 0, 0],
    ]
    assert weeks.total[1:] == [3, 10, 1, 2]


def test_the_night_after_the_last_day_belongs_to_the_next_month(app, october):
    november = periods.period_for(Period.MONTH, date(2026, 11, 3))
    tables, _handoffs = _figures(app, october, november)
    assert tables["weeks"].total[1:3] == [1, 4]
    september = periods.period_for(Period.MONTH, date(2026, 9, 3))
    tables, _handoffs = _figures(app, october, september)
    assert tables["weeks"].total[1:3] == [1, 6]


def test_areas_genders_ages_topics_and_actions(app, october):
    tables, _handoffs = _figures(app, october)
    assert tables["areas"].rows == [["Möllevången", 2, 5, 1], ["Rosengård", 1, 5, 0]]
    assert tables["gender"].rows == [
        ["Tjejer", 6],
        ["Killar", 3],
        ["Annat eller okänt kön", 0],
        ["Ej noterat", 1],
    ]
    assert tables["gender"].total == ["Totalt", 10]
    assert [row[1] for row in tables["age"].rows] == [0, 3, 2, 1, 0, 4]
    topics = {row[0]: row[1] for row in tables["topics"].rows}
    assert (topics["Skola"], topics["Droger"], topics["Våld"], topics["Fritid"]) == (1, 2, 1, 0)
    actions = {row[0]: row[1] for row in tables["actions"].rows}
    assert actions == {
        "Samtal": 2,
        "Information": 0,
        "Hänvisning": 1,
        "Kontakt med vårdnadshavare": 0,
        "Kontakt med polis": 1,
    }


def test_current_risk_levels_follow_the_latest_marking(app, october):
    tables, _handoffs = _figures(app, october)
    levels = {row[0]: row[1] for row in tables["risk"].rows}
    assert levels["Akut"] == 1
    assert levels["Låg"] == 0  # withdrawn
    assert levels["Ingen aktuell markering"] == 2
    assert tables["risk"].total[1] == 3


def test_handoff_counts_speed_and_clock(app, october):
    tables, handoffs = _figures(app, october)
    steps = {row[0]: row[1] for row in tables["handoffs"].rows}
    assert steps == {
        "Skickade": 3,
        "Kvitterade": 3,
        "Första kontakt tagen": 2,
        "Accepterade": 1,
        "Avböjda": 1,
        "Återkallade": 1,
        "Tidsfristen för första kontakt missades": 1,
    }
    assert handoff_figures.median(handoffs.to_acknowledge) == timedelta(hours=4)
    assert handoff_figures.percentile_90(handoffs.to_acknowledge) == timedelta(hours=6)
    assert handoff_figures.median(handoffs.to_first_contact) == timedelta(hours=20)
    assert handoff_figures.percentile_90(handoffs.to_first_contact) == timedelta(hours=30)
    assert (handoffs.within_clock, handoffs.clock_ended) == (1, 2)
    speed = tables["speed"]
    assert speed.rows[0][1:] == ["4 h 00 min", "6 h 00 min", 3]
    assert speed.rows[1][1:] == ["20 h 00 min", "30 h 00 min", 2]
    assert "50 %" in speed.note or "50%" in speed.note


def test_small_counts_are_hidden_with_the_cell_that_would_give_them_away(app, october):
    tables, _handoffs = _figures(app, october, suppressed=True)
    gender = tables["gender"]
    # girls 6, boys 3 (hidden), other 0, not noted 1 (hidden): two hidden, nothing more to hide
    assert [row[1] for row in gender.rows] == [6, "..", 0, ".."]
    assert gender.total == ["Totalt", 10]
    areas = tables["areas"]
    # 2 and 1 contacts: both hidden; the one named contact too (the other area has none)
    assert areas.rows == [["Möllevången", "..", 5, ".."], ["Rosengård", "..", 5, 0]]
    assert areas.total == ["Totalt", "..", 10, ".."]


def test_complementary_suppression_in_a_partition():
    table = tables.StatTable(
        "t",
        "T",
        ["Kön", "Antal"],
        [["a", 2], ["b", 9], ["c", 12]],
        total=["Totalt", 23],
        partition=True,
    )
    assert [row[1] for row in tables.suppress(table).rows] == ["..", "..", 12]
    not_partition = tables.StatTable("t", "T", ["Ämne", "Antal"], [["a", 2], ["b", 9]])
    assert [row[1] for row in tables.suppress(not_partition).rows] == ["..", 9]


@pytest.mark.parametrize(
    ("kind", "anchor", "start", "end"),
    [
        (Period.WEEK, date(2026, 11, 22), date(2026, 11, 16), date(2026, 11, 22)),
        (Period.MONTH, date(2026, 2, 10), date(2026, 2, 1), date(2026, 2, 28)),
        (Period.MONTH, date(2026, 12, 31), date(2026, 12, 1), date(2026, 12, 31)),
        (Period.YEAR, date(2026, 6, 1), date(2026, 1, 1), date(2026, 12, 31)),
    ],
)
def test_periods(kind, anchor, start, end):
    period = periods.period_for(kind, anchor)
    assert (period.start, period.end) == (start, end)


def test_hidden_cells_cannot_be_worked_out_from_the_total():
    ones = tables.StatTable(
        "t",
        "T",
        ["Kön", "Antal"],
        [["a", 1], ["b", 1], ["c", 50]],
        total=["Totalt", 52],
        partition=True,
    )
    assert [row[1] for row in tables.suppress(ones).rows] == ["..", "..", ".."]
    fours = tables.StatTable(
        "t",
        "T",
        ["Kön", "Antal"],
        [["a", 4], ["b", 4], ["c", 9], ["d", 30]],
        total=["Totalt", 47],
        partition=True,
    )
    assert [row[1] for row in tables.suppress(fours).rows] == ["..", "..", "..", 30]


def test_hidden_view_hides_few_handoffs_times_too(app, october):
    tables, _handoffs = _figures(app, october, suppressed=True)
    speed = tables["speed"]
    assert speed.rows[0][1:] == ["..", "..", ".."]  # 3 handoffs acknowledged
    assert "(.. av .. överlämningar" in speed.note
