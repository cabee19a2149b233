"""Merging two records of the same youth, as a whole: a team lead folds a duplicate into the
record that is kept, and everything of the duplicate moves along (contacts, risk markings,
consents, handoffs, reports, grants, holds, register-extract requests). Each area moves its
own rows; the registry (youths/duplicates.py) moves the contacts and grants, fills in what the
kept record lacks, records the merge and deletes the duplicate."""

from flask_babel import lazy_gettext as _l

from outreach import policy
from outreach.auth.models import User
from outreach.consent import services as consent
from outreach.errors import RuleViolation
from outreach.handoffs import services as handoffs
from outreach.privacy import services as privacy
from outreach.reports import services as reports
from outreach.risk import services as risk
from outreach.youths import duplicates
from outreach.youths.models import Youth, YouthMerge


def check(user: User, kept: Youth, duplicate: Youth) -> None:
    """Refuse a merge that may not or cannot be made, saying why."""
    policy.can_merge_records.require(user, kept)
    if duplicate.id == kept.id:
        raise RuleViolation(_l("Choose another record than this one."), "duplicate")
    if duplicate.team_id != kept.team_id:
        raise RuleViolation(_l("Only records of the same team can be merged."), "duplicate")
    if kept.personnummer and duplicate.personnummer and kept.personnummer != duplicate.personnummer:
        raise RuleViolation(
            _l(
                "The records have different personal identity numbers: they are not the same "
                "person."
            ),
            "duplicate",
        )
    if handoffs.open_handoff_of(kept) and handoffs.open_handoff_of(duplicate):
        raise RuleViolation(
            _l(
                "Both records have a handoff waiting for VPC's first contact. Withdraw one of "
                "them first."
            ),
            "duplicate",
        )


def merge(user: User, kept: Youth, duplicate: Youth) -> YouthMerge:
    """Merge the duplicate into the kept record; the duplicate record is gone after."""
    check(user, kept, duplicate)
    moved = {
        "contacts": duplicates.move_contacts(duplicate, kept),
        "risk_markings": risk.reassign(duplicate, kept),
        "consents": consent.reassign(duplicate, kept),
        "handoffs": handoffs.reassign(duplicate, kept),
        "reports": reports.reassign(duplicate, kept),
        **privacy.reassign(duplicate, kept),
        "grants": duplicates.move_grants(user, duplicate, kept),
    }
    return duplicates.fold_into(user, kept, duplicate, moved)
