"""Withdrawing a record without erasing it (a risk marking, a consent): a withdrawal row beside
it says why, who and when, the audit trail notes it, and the record stays in the history."""

from collections.abc import Callable
from typing import Any

from outreach import audit
from outreach.audit import AuditAction
from outreach.errors import RuleViolation
from outreach.extensions import db


def withdraw(
    user,
    record,
    reason: str,
    make: Callable[[str], Any],
    *,
    entity_type: str,
    already,
    reason_needed,
    check: Callable[[], None] | None = None,
):
    """Withdraw `record` (which has a `withdrawal` and a `youth_id`): refused when it is
    withdrawn already (`already`), when `check` refuses, or without a reason
    (`reason_needed`, at the field "reason"); else `make(reason)` is the withdrawal row."""
    if record.withdrawal is not None:
        raise RuleViolation(already)
    if check is not None:
        check()
    if not reason.strip():
        raise RuleViolation(reason_needed, "reason")
    withdrawal = make(reason.strip())
    db.session.add(withdrawal)
    db.session.flush()
    audit.record(
        AuditAction.UPDATE,
        entity_type,
        record.id,
        user_id=user.id,
        kommun_id=record.youth.kommun_id,
        youth_id=record.youth_id,
        detail="withdrawn",
    )
    return withdrawal
