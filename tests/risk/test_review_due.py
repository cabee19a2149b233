"""Each youth's `review_due_on` (what the start page's overdue markings read) is what a fresh
look at the youth's markings says, after every change to them: a marking, a newer one, one at
level none, a withdrawal, a merge."""

from datetime import timedelta

from sqlalchemy import select

from outreach.auth.models import User
from outreach.casefile import merge
from outreach.clock import today
from outreach.extensions import db
from outreach.org.models import Team
from outreach.risk import services as risk
from outreach.vocabulary import RiskLevel
from outreach.youths.models import Youth
from tests.factories import make_youth, signs


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


def test_the_start_page_lists_overdue_reviews_from_the_kept_date(app, world):
    with app.app_context():
        worker = db.session.get(User, world.worker_a)
        team = db.session.get(Team, world.team_a)
        youth = make_youth(worker, team, "Kille i keps")
        sign = db.session.execute(signs()).scalars().first()
        risk.mark(
            worker, youth, level=RiskLevel.ELEVATED, sign_ids=[sign.id], comment="", review_on=None
        )
        assert risk.due_for_review(worker) == []
        youth.review_due_on = today() - timedelta(days=1)  # as if marked long ago
        db.session.flush()
        (due,) = risk.due_for_review(worker)
        assert (due.public_id, due.alias, due.level) == (
            youth.public_id,
            "Kille i keps",
            RiskLevel.ELEVATED,
        )
