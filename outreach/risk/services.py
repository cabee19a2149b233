"""The rules of risk marking: signs from the catalogue, a level, a review date; markings are
only ever added, and withdrawing one needs a reason."""

from collections.abc import Iterable
from datetime import date, timedelta

from flask_babel import lazy_gettext as _l
from sqlalchemy import Row, Select, func, select, update
from sqlalchemy.orm import aliased

from outreach import audit, policy, scopes, withdrawals
from outreach.audit import AuditAction
from outreach.auth.models import User
from outreach.clock import today
from outreach.errors import RuleViolation
from outreach.extensions import db
from outreach.risk.models import RiskMarking, RiskMarkingWithdrawal, WarningSign
from outreach.vocabulary import RiskLevel, SignGroup
from outreach.youths.duplicates import move_rows
from outreach.youths.models import Youth

DEFAULT_REVIEW_DAYS = 90
LONGEST_REVIEW = timedelta(days=2 * 365)


def default_review_date() -> date:
    """A new marking is looked at again after 90 days."""
    return today() + timedelta(days=DEFAULT_REVIEW_DAYS)


def catalogue(
    kommun_id: int | None, include_retired: bool = False
) -> dict[SignGroup, list[WarningSign]]:
    """The kommun's warning signs by group, in the catalogue's order."""
    query = (
        select(WarningSign).where(WarningSign.kommun_id == kommun_id).order_by(WarningSign.label)
    )
    if not include_retired:
        query = query.where(WarningSign.is_active.is_(True))
    grouped: dict[SignGroup, list[WarningSign]] = {group: [] for group in SignGroup}
    for sign in db.session.execute(query).scalars():
        grouped[sign.group].append(sign)
    return grouped


def copy_standard_catalogue(kommun_id: int) -> None:
    """A new kommun's catalogue: the standard signs (those of no kommun), its own to change."""
    standard = db.session.execute(
        select(WarningSign)
        .where(WarningSign.kommun_id.is_(None), WarningSign.is_active.is_(True))
        .order_by(WarningSign.id)
    ).scalars()
    db.session.add_all(
        WarningSign(kommun_id=kommun_id, group=sign.group, label=sign.label, is_active=True)
        for sign in standard
    )
    db.session.flush()


def mark(
    user: User,
    youth: Youth,
    *,
    level: RiskLevel | None,
    sign_ids: Iterable[int],
    comment: str,
    review_on: date | None,
) -> RiskMarking:
    """Add a marking on top of the youth's history."""
    policy.can_mark_risk.require(user, youth)
    if level is None:
        raise RuleViolation(_l("Choose a level."), "level")
    wanted = set(sign_ids)
    signs = list(
        db.session.execute(
            select(WarningSign).where(
                WarningSign.id.in_(wanted),
                WarningSign.kommun_id == youth.kommun_id,
                WarningSign.is_active.is_(True),
            )
        ).scalars()
    )
    if len(signs) != len(wanted):
        raise RuleViolation(_l("Choose warning signs from the list."), "signs")
    if level != RiskLevel.NONE and not signs:
        raise RuleViolation(_l("Choose the warning signs you have seen."), "signs")
    review_on = review_on or default_review_date()
    if not today() <= review_on <= today() + LONGEST_REVIEW:
        raise RuleViolation(
            _l("The review date must be from today and at most two years ahead."), "review_on"
        )
    _hold(youth.id)
    marking = RiskMarking(
        youth_id=youth.id,
        level=level,
        comment=comment.strip(),
        review_on=review_on,
        author_id=user.id,
        signs=signs,
    )
    db.session.add(marking)
    db.session.flush()
    keep_review_due([youth.id])
    audit.record_about(
        AuditAction.CREATE, "risk_marking", marking, user_id=user.id, detail=level.value
    )
    return marking


def withdraw(user: User, marking: RiskMarking, reason: str) -> RiskMarkingWithdrawal:
    """Withdraw a marking; the reason is required and the marking stays in the history."""
    policy.can_withdraw_risk.require(user, marking)
    _hold(marking.youth_id)
    withdrawal = withdrawals.withdraw(
        user,
        marking,
        reason,
        lambda why: RiskMarkingWithdrawal(marking=marking, reason=why, withdrawn_by_id=user.id),
        entity_type="risk_marking",
        already=_l("The marking is already withdrawn."),
        reason_needed=_l("Give a reason for withdrawing the marking."),
    )
    keep_review_due([marking.youth_id])
    return withdrawal


def _hold(*youth_ids: int) -> None:
    """Hold the youths' rows until the transaction ends: two changes to one youth's markings
    at once are made one after the other, and the later one's marking is the latest (so
    keep_review_due counts what the other wrote). Held in the order of their ids, so that
    two merges of the same two records, each keeping the other, cannot wait for each other."""
    db.session.execute(
        select(Youth.id).where(Youth.id.in_(youth_ids)).order_by(Youth.id).with_for_update()
    )


def keep_review_due(youth_ids: Iterable[int] | None = None) -> None:
    """Set each youth's `review_due_on` to the review date of their current marking (the
    latest, unless it was withdrawn or is at level none), or none: in the transaction of every
    change to a youth's markings; without ids, for every youth (after a bulk load)."""
    newest = aliased(RiskMarking)
    due = (
        select(RiskMarking.review_on)
        .where(
            RiskMarking.id
            == select(func.max(newest.id))
            .where(newest.youth_id == Youth.id)
            .correlate(Youth)
            .scalar_subquery(),
            RiskMarking.level != RiskLevel.NONE,
            ~RiskMarking.withdrawal.has(),
        )
        .scalar_subquery()
    )
    statement = update(Youth).values(review_due_on=due)
    if youth_ids is not None:
        statement = statement.where(Youth.id.in_(list(youth_ids)))
    db.session.execute(statement, execution_options={"synchronize_session": False})


def history(youth: Youth, limit: int | None = None) -> list[RiskMarking]:
    """The youth's markings, newest first (every one, or the latest `limit`)."""
    return list(
        db.session.execute(
            select(RiskMarking)
            .where(RiskMarking.youth_id == youth.id)
            .order_by(RiskMarking.id.desc())
            .limit(limit)
        ).scalars()
    )


def current_in(history: list[RiskMarking]) -> RiskMarking | None:
    """The current marking of a youth's history read newest first (history): the latest,
    unless it was withdrawn (as `current` finds it for many youths)."""
    return history[0] if history and history[0].withdrawal is None else None


def _latest_ids(youth_ids) -> Select:
    """The ids of the latest marking of each of these youths (ids or a subquery of them):
    always for a set of youths, never the whole country's markings."""
    return (
        select(func.max(RiskMarking.id))
        .where(RiskMarking.youth_id.in_(youth_ids))
        .group_by(RiskMarking.youth_id)
    )


def youths_at_level(level: RiskLevel, among: Select) -> Select:
    """The ids of the youths among `among` (a subquery of ids) whose current marking has the
    level (a subquery)."""
    return select(RiskMarking.youth_id).where(
        RiskMarking.id.in_(_latest_ids(among)),
        RiskMarking.level == level,
        ~RiskMarking.withdrawal.has(),
    )


def current(youth_ids: Iterable[int]) -> dict[int, RiskMarking]:
    """The youths' current markings: the latest of each, unless it was withdrawn."""
    ids = list(youth_ids)
    if not ids:
        return {}
    # Joined to the latest ids first, written before what a marking brings along (youth, team,
    # author …): as `id IN (…)`, PostgreSQL joined those to all 100,000 markings first.
    latest = _latest_ids(ids).subquery()
    markings = db.session.execute(
        select(RiskMarking).join(latest, RiskMarking.id == latest.c[0])
    ).scalars()
    return {m.youth_id: m for m in markings if m.withdrawal is None}


def due_for_review(user: User, limit: int = 20) -> list[Row]:
    """The user's visible youths whose current marking's review date has passed: each youth's
    public id, alias, level and review date, the earliest first (on the same day, in the
    order the youths were registered)."""
    # `review_due_on` is kept with the youth (keep_review_due): one index range of the team's
    # youths, not the latest marking of each of them. Only the shown rows are joined to theirs.
    overdue = (
        scopes.visible_youths(user)
        .with_only_columns(Youth.id, Youth.public_id, Youth.alias, Youth.review_due_on)
        .where(Youth.review_due_on < today())
        .order_by(Youth.review_due_on, Youth.id)
        .limit(limit)
        .subquery()
    )
    latest = _latest_ids(select(overdue.c.id)).subquery()
    return list(
        db.session.execute(
            select(overdue.c.public_id, overdue.c.alias, RiskMarking.level, RiskMarking.review_on)
            .join(RiskMarking, RiskMarking.youth_id == overdue.c.id)
            .join(latest, RiskMarking.id == latest.c[0])
            .order_by(overdue.c.review_due_on, overdue.c.id)
        )
    )


def reassign(duplicate: Youth, kept: Youth) -> int:
    """A merge: the duplicate's markings are the kept record's now (how many)."""
    _hold(kept.id, duplicate.id)
    moved = move_rows(RiskMarking, duplicate, kept)
    keep_review_due([duplicate.id, kept.id])
    return moved
