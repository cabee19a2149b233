"""The sign-off of shifts: a team lead marks an ended shift as reviewed or returns it to its
workers with a comment, and the workers answer and send it back; what waits for whom. Services
flush; the request commits."""

from flask_babel import lazy_gettext as _l
from sqlalchemy import func, select, update
from sqlalchemy.orm.attributes import set_committed_value

from outreach import identifiers, policy, scopes
from outreach.auth.models import User
from outreach.errors import Conflict, RuleViolation
from outreach.extensions import db
from outreach.review.models import ShiftReview
from outreach.shifts.models import Shift, shift_worker
from outreach.vocabulary import ReviewDecision, ReviewStatus

MAX_COMMENT = 2000


def _check_comment(comment: str, required: bool) -> str:
    comment = comment.strip()
    if required and not comment:
        raise RuleViolation(_l("Write what the workers should look at."), "comment")
    if len(comment) > MAX_COMMENT:
        raise RuleViolation(_l("At most %(max)d characters.", max=MAX_COMMENT), "comment")
    why = identifiers.refusal(comment)
    if why:
        raise RuleViolation(why, "comment")
    return comment


#: Where each step takes a shift, and from where.
STEPS = {
    ReviewDecision.REVIEWED: (ReviewStatus.PENDING, ReviewStatus.REVIEWED),
    ReviewDecision.RETURNED: (ReviewStatus.PENDING, ReviewStatus.RETURNED),
    ReviewDecision.RESUBMITTED: (ReviewStatus.RETURNED, ReviewStatus.PENDING),
}


def _decide(user: User, shift: Shift, decision: ReviewDecision, comment: str) -> ShiftReview:
    """Move the shift on, if nobody moved it first (two leads, a double click): the status
    changes only where it still is what the step starts from."""
    start, end = STEPS[decision]
    moved = db.session.execute(
        update(Shift)
        .where(Shift.id == shift.id, Shift.review_status == start)
        .values(review_status=end)
        .execution_options(synchronize_session=False)
    ).rowcount
    if moved != 1:
        raise Conflict(_l("Someone else reviewed or answered the shift just now. Reload the page."))
    set_committed_value(shift, "review_status", end)
    step = ShiftReview(shift_id=shift.id, decision=decision, comment=comment, user_id=user.id)
    db.session.add(step)
    db.session.flush()
    return step


def sign_off(user: User, shift: Shift) -> ShiftReview:
    """The team lead marks an ended shift as reviewed."""
    if not policy.can_review_shift(user, shift):
        raise RuleViolation(_not_reviewable(shift))
    return _decide(user, shift, ReviewDecision.REVIEWED, "")


def return_to_workers(user: User, shift: Shift, comment: str) -> ShiftReview:
    """The team lead sends an ended shift back to its workers with a comment."""
    if not policy.can_review_shift(user, shift):
        raise RuleViolation(_not_reviewable(shift))
    return _decide(user, shift, ReviewDecision.RETURNED, _check_comment(comment, required=True))


def resubmit(user: User, shift: Shift, comment: str) -> ShiftReview:
    """A worker answers a returned shift and sends it back for review."""
    policy.can_resubmit_shift.require(user, shift)
    return _decide(user, shift, ReviewDecision.RESUBMITTED, _check_comment(comment, required=False))


def _not_reviewable(shift: Shift):
    if shift.is_open:
        return _l("The shift is still in progress; it can be reviewed once it has ended.")
    if shift.review_status == ReviewStatus.RETURNED:
        return _l("The shift is with its workers; it can be reviewed when they send it back.")
    if shift.review_status == ReviewStatus.REVIEWED:
        return _l("The shift has already been reviewed.")
    return _l("Only a lead of the shift's team can review it.")


def history(shift: Shift) -> list[ShiftReview]:
    """The review steps of a shift, oldest first."""
    return list(
        db.session.execute(
            select(ShiftReview).where(ShiftReview.shift_id == shift.id).order_by(ShiftReview.id)
        ).scalars()
    )


def returned_to(user: User) -> list[tuple[Shift, ShiftReview]]:
    """The user's shifts that a team lead has returned, with the return that says why."""
    latest = (
        select(func.max(ShiftReview.id))
        .where(ShiftReview.decision == ReviewDecision.RETURNED)
        .group_by(ShiftReview.shift_id)
    )
    rows = db.session.execute(
        select(Shift, ShiftReview)
        .join(ShiftReview, ShiftReview.shift_id == Shift.id)
        .join(shift_worker, shift_worker.c.shift_id == Shift.id)
        .where(
            shift_worker.c.user_id == user.id,
            Shift.review_status == ReviewStatus.RETURNED,
            ShiftReview.id.in_(latest),
        )
        .order_by(Shift.started_at.desc())
    ).unique()
    return [(shift, step) for shift, step in rows]


def waiting_for_review(user: User) -> int:
    """How many ended shifts of the teams the user leads wait for review."""
    if not policy.leads_field_team(user):
        return 0
    return db.session.execute(
        select(func.count()).select_from(
            scopes.visible_shifts(user)
            .where(Shift.review_status == ReviewStatus.PENDING, Shift.ended_at.is_not(None))
            .subquery()
        )
    ).scalar_one()
