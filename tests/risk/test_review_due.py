"""Each youth's `review_due_on` (what the start page's overdue markings read) is what a fresh
look at the youth's markings says, after every change to them: a marking, a newer one, one at
level none, a withdrawal, a merge."""

import importlib.util
from datetime import timedelta
from pathlib import Path

from sqlalchemy import select, text, update

from outreach import scopes
from outreach.auth.models import Role, User
from outreach.casefile import merge
from outreach.clock import today
from outreach.extensions import db
from outreach.org.models import Team
from outreach.risk import services as risk
from outreach.risk.models import WarningSign
from outreach.vocabulary import RiskLevel
from outreach.youths.models import Youth
from tests.factories import make_kommun, make_team, make_user, make_youth, signs


def _fresh(youth_ids: list[int]) -> dict[int, object]:
    """The review date each youth's markings say, counted anew."""
    current = risk.current(youth_ids)
    return {
        youth_id: (
            current[youth_id].review_on
            if youth_id in current and current[youth_id].level != RiskLevel.NONE
            else None
        )
        for youth_id in youth_ids
    }


def _kept(youth_ids: list[int]) -> dict[int, object]:
    db.session.expire_all()
    rows = db.session.execute(
        select(Youth.id, Youth.review_due_on).where(Youth.id.in_(youth_ids))
    ).all()
    return dict(rows)


def test_the_review_date_kept_with_the_youth_is_always_a_fresh_count(app, world):
    with app.app_context():
        worker = db.session.get(User, world.worker_a)
        lead = db.session.get(User, world.lead_a)
        team = db.session.get(Team, world.team_a)
        first, second, third = (
            make_youth(worker, team, alias) for alias in ("Kille i keps", "K. i keps", "Tjej")
        )
        ids = [first.id, second.id, third.id]
        sign = db.session.execute(signs()).scalars().first()
        seen = []

        def check():
            kept = _kept([i for i in ids if db.session.get(Youth, i) is not None])
            assert kept == _fresh(list(kept))
            seen.append(kept)

        check()  # no markings: none due
        soon, later = today() + timedelta(days=10), today() + timedelta(days=40)
        low = risk.mark(
            worker, first, level=RiskLevel.LOW, sign_ids=[sign.id], comment="", review_on=soon
        )
        check()
        risk.mark(
            worker, second, level=RiskLevel.ACUTE, sign_ids=[sign.id], comment="", review_on=later
        )
        check()
        # a newer marking is the current one, whatever its date
        acute = risk.mark(
            worker, first, level=RiskLevel.ACUTE, sign_ids=[sign.id], comment="", review_on=later
        )
        check()
        # withdrawing an older marking changes nothing; the current one leaves none current
        risk.withdraw(lead, low, "Fel ungdom.")
        check()
        risk.withdraw(lead, acute, "Inaktuell.")
        check()
        # "no concern" is current but due for no review
        risk.mark(
            worker, third, level=RiskLevel.LOW, sign_ids=[sign.id], comment="", review_on=soon
        )
        risk.mark(worker, third, level=RiskLevel.NONE, sign_ids=[], comment="", review_on=later)
        check()
        risk.mark(
            worker, first, level=RiskLevel.LOW, sign_ids=[sign.id], comment="", review_on=soon
        )
        check()
        # a merge: the kept record's current marking may be the duplicate's
        merge.merge(lead, second, first)
        check()
        assert seen[0] == {first.id: None, second.id: None, third.id: None}
        assert seen[-1] == {second.id: soon, third.id: None}
        # what the whole table would be counted as, from nothing
        risk.keep_review_due()
        check()


def _overdue(worker, team, alias: str, days_ago: int, level=RiskLevel.ELEVATED, **details):
    """A youth whose marking's review was due `days_ago` days ago (as if marked long ago)."""
    youth = make_youth(worker, team, alias, **details)
    sign = (
        db.session.execute(signs().where(WarningSign.kommun_id == team.kommun_id)).scalars().first()
    )
    marking = risk.mark(
        worker,
        youth,
        level=level,
        sign_ids=[] if level == RiskLevel.NONE else [sign.id],
        comment="",
        review_on=None,
    )
    marking.review_on = today() - timedelta(days=days_ago)
    db.session.flush()
    risk.keep_review_due([youth.id])
    return youth, marking


def _expected(user, limit: int) -> list[tuple]:
    """The overdue markings the user may see, counted from the markings themselves."""
    visible = list(
        db.session.execute(scopes.visible_youths(user).with_only_columns(Youth.id)).scalars()
    )
    current = risk.current(visible)
    overdue = sorted(
        (marking.review_on, youth_id, marking.level)
        for youth_id, marking in current.items()
        if marking.level != RiskLevel.NONE and marking.review_on < today()
    )
    public = dict(db.session.execute(select(Youth.id, Youth.public_id)).all())
    return [(public[youth_id], level, review_on) for review_on, youth_id, level in overdue[:limit]]


def test_the_start_page_lists_the_overdue_reviews_the_user_may_see_earliest_first(app, world):
    with app.app_context():
        worker = db.session.get(User, world.worker_a)
        lead = db.session.get(User, world.lead_a)
        team = db.session.get(Team, world.team_a)
        other = db.session.get(User, world.worker_b)
        _overdue(worker, team, "Tre dagar", 3)
        _overdue(worker, team, "Tio dagar", 10, level=RiskLevel.ACUTE)
        _overdue(worker, team, "En dag", 1, level=RiskLevel.LOW)
        _overdue(worker, team, "Ingen oro", 20, level=RiskLevel.NONE)
        _overdue(worker, team, "Skyddad", 30, protected_identity=True)
        _youth, withdrawn = _overdue(worker, team, "Återtagen", 40)
        risk.withdraw(lead, withdrawn, "Fel ungdom.")
        _overdue(other, db.session.get(Team, world.team_b), "Annat team", 50)
        not_yet = make_youth(worker, team, "Inte än")
        sign = db.session.execute(signs()).scalars().first()
        risk.mark(
            worker, not_yet, level=RiskLevel.ACUTE, sign_ids=[sign.id], comment="", review_on=None
        )
        colleague = db.session.get(User, world.worker_a2)
        for user in (worker, colleague, lead, other):
            for limit in (20, 2):
                rows = [
                    (row.public_id, row.level, row.review_on)
                    for row in risk.due_for_review(user, limit=limit)
                ]
                assert rows == _expected(user, limit)
        # the registrar sees the youth with protected identity; a colleague without a grant not
        aliases = [row.alias for row in risk.due_for_review(worker)]
        assert aliases == ["Skyddad", "Tio dagar", "Tre dagar", "En dag"]
        aliases = [row.alias for row in risk.due_for_review(colleague)]
        assert aliases == ["Tio dagar", "Tre dagar", "En dag"]
        assert [row.alias for row in risk.due_for_review(other)] == ["Annat team"]


def test_the_migration_fills_the_dates_as_they_are_kept(app, world):
    """0032 fills the column from the markings there are, by the rule keep_review_due keeps."""
    migration = importlib.util.spec_from_file_location(
        "review_due", Path(__file__).parents[2] / "migrations/versions/0032_youth_review_due.py"
    )
    module = importlib.util.module_from_spec(migration)
    migration.loader.exec_module(module)
    with app.app_context():
        worker = db.session.get(User, world.worker_a)
        lead = db.session.get(User, world.lead_a)
        team = db.session.get(Team, world.team_a)
        _overdue(worker, team, "Tre dagar", 3)
        _overdue(worker, team, "Ingen oro", 20, level=RiskLevel.NONE)
        _youth, withdrawn = _overdue(worker, team, "Återtagen", 40)
        risk.withdraw(lead, withdrawn, "Fel ungdom.")
        make_youth(worker, team, "Omärkt")
        ids = list(db.session.execute(select(Youth.id)).scalars())
        kept = _kept(ids)
        db.session.execute(update(Youth).values(review_due_on=None))
        db.session.execute(text(module.BACKFILL))
        assert _kept(ids) == kept == _fresh(ids)
        assert sum(date is not None for date in kept.values()) == 1  # "Tre dagar"


def test_the_start_page_lists_no_overdue_review_of_another_kommun(app, world):
    """Nothing crosses a kommun's boundary: one who works for two kommuner sees the overdue
    reviews of the kommun they act for only."""
    with app.app_context():
        team_a = db.session.get(Team, world.team_a)
        botkyrka = make_kommun("Botkyrka", "0127")
        tumba = make_team("Fältgruppen Tumba", kommun=botkyrka)
        _overdue(db.session.get(User, world.worker_a), team_a, "Här", 2)
        _overdue(make_user("falt_c", Role.FIELD_WORKER, [tumba]), tumba, "Där", 2)
        both = make_user("falt_ac", Role.FIELD_WORKER, [team_a, tumba])
        both.act_for(team_a.kommun_id)
        assert [row.alias for row in risk.due_for_review(both)] == ["Här"]
        both.act_for(botkyrka.id)
        assert [row.alias for row in risk.due_for_review(both)] == ["Där"]
