"""Gallring: what is deleted when, what holds a record, and the run that deletes.

An identified youth with no activity for RETENTION_YEARS (5) years is due: it becomes due the
day after the anniversary of its last activity, and must be gone by the end of the following
calendar year. Activity is anything recorded about the youth: its registration and edits,
contacts, risk markings and their withdrawal, consents and their withdrawal, handoffs and
every step on them, reports of concern. Reading the record is not activity.

A due youth is kept while something holds it: a handoff VPC has not finished (sent up to
accepted), a legal hold set by a team lead, a register extract being answered. A youth born
on the 5th, 15th or 25th is written to the archive file before it is deleted (the sample
kept for research).

Deleting a youth deletes everything that is theirs (erasure.py), the mail about their handoffs
and their own key, which leaves the old and new values the append-only audit trail keeps of
them unreadable. Anonymous tallies are not personal data and stay for statistics; their
free-text notes are cleared after ANONYMOUS_NOTE_MONTHS.
"""

import hashlib
import json
import os
from collections import Counter
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from pathlib import Path

from flask import current_app
from flask_babel import lazy_gettext as _l
from sqlalchemy import func, select, union_all

from outreach import audit, submissions
from outreach.audit import AuditAction
from outreach.auth.models import User
from outreach.clock import local_date, months_after, now, start_of_day, today
from outreach.consent.models import Consent, ConsentWithdrawal
from outreach.errors import RuleViolation
from outreach.extensions import db
from outreach.handoffs.models import Handoff, HandoffEvent
from outreach.handoffs.services import ACTIVE as ACTIVE_HANDOFF
from outreach.org.models import Kommun
from outreach.personnummer import birth_date
from outreach.privacy import erasure, extract
from outreach.privacy.access_log import LISTED_IN_GALLRING
from outreach.privacy.models import AccessRequest, LegalHold, RetentionRun
from outreach.reports.models import ReportOfConcern
from outreach.risk.models import RiskMarking, RiskMarkingWithdrawal
from outreach.vocabulary import RetentionHold
from outreach.youths.models import (
    IdentifiedContact,
    Youth,
    identified_contact_youth,
)

#: Youths born on these days of the month are archived before they are deleted.
ARCHIVE_DAYS = (5, 15, 25)


def years(kommun: Kommun) -> int:
    """The years without activity after which a youth of the kommun is deleted (the kommun's
    setting, or the deployment's)."""
    return kommun.retention_years or current_app.config["RETENTION_YEARS"]


def eligible_on(last_activity: date, retention_years: int) -> date:
    """The first day on which the full retention time has passed since the last activity (a
    29 February ages to 1 March in a year without one)."""
    return months_after(last_activity, 12 * retention_years) + timedelta(days=1)


def deadline(eligible: date) -> date:
    """The day the youth must be deleted by: the end of the calendar year after it became
    due."""
    return date(eligible.year + 1, 12, 31)


def latest_due_activity(as_of: date, retention_years: int) -> date:
    """The latest day of last activity that is due on `as_of`."""
    before = as_of - timedelta(days=1)
    latest = months_after(before, -12 * retention_years)
    while eligible_on(latest + timedelta(days=1), retention_years) <= as_of:
        latest += timedelta(days=1)
    return latest


def activity_times():
    """(youth_id, at) for every activity recorded about a youth, as one subquery."""
    marking_withdrawn = select(RiskMarking.youth_id, RiskMarkingWithdrawal.withdrawn_at).join(
        RiskMarking, RiskMarking.id == RiskMarkingWithdrawal.marking_id
    )
    consent_withdrawn = select(Consent.youth_id, ConsentWithdrawal.created_at).join(
        Consent, Consent.id == ConsentWithdrawal.consent_id
    )
    handoff_steps = select(Handoff.youth_id, HandoffEvent.at).join(
        Handoff, Handoff.id == HandoffEvent.handoff_id
    )
    contacts = select(identified_contact_youth.c.youth_id, IdentifiedContact.created_at).join(
        IdentifiedContact, IdentifiedContact.id == identified_contact_youth.c.contact_id
    )
    sources = [
        select(Youth.id, Youth.created_at),
        select(Youth.id, Youth.updated_at).where(Youth.updated_at.is_not(None)),
        contacts,
        select(RiskMarking.youth_id, RiskMarking.created_at),
        marking_withdrawn,
        select(Consent.youth_id, Consent.created_at),
        consent_withdrawn,
        select(Handoff.youth_id, Handoff.sent_at),
        handoff_steps,
        select(ReportOfConcern.youth_id, ReportOfConcern.created_at),
        select(ReportOfConcern.youth_id, ReportOfConcern.sent_at).where(
            ReportOfConcern.sent_at.is_not(None)
        ),
    ]
    labelled = [
        source.with_only_columns(
            *(
                column.label(name)
                for column, name in zip(source.selected_columns, ("youth_id", "at"), strict=True)
            )
        )
        for source in sources
    ]
    return union_all(*labelled).subquery("activity")


def last_activity(youth_ids=None) -> dict[int, datetime]:
    """The time of each youth's last activity (of the given youths, or all)."""
    activity = activity_times()
    statement = select(activity.c.youth_id, func.max(activity.c.at)).group_by(activity.c.youth_id)
    if youth_ids is not None:
        statement = statement.where(activity.c.youth_id.in_(list(youth_ids)))
    return {youth_id: _aware(at) for youth_id, at in db.session.execute(statement)}


def _aware(value) -> datetime:
    """A max() over a union comes back without the column type on SQLite: as text or naive."""
    if isinstance(value, str):
        value = datetime.fromisoformat(value)
    return value if value.tzinfo else value.replace(tzinfo=now().tzinfo)


@dataclass
class Due:
    """A youth whose retention time has passed, and what (if anything) keeps it."""

    youth_id: int
    team_id: int
    last_activity: date
    eligible_on: date
    due_by: date
    archive: bool
    holds: list[RetentionHold] = field(default_factory=list)


def _holds(youth_ids: list[int]) -> dict[int, list[RetentionHold]]:
    found: dict[int, list[RetentionHold]] = {}
    checks = [
        (
            RetentionHold.OPEN_HANDOFF,
            select(Handoff.youth_id).where(Handoff.status.in_(ACTIVE_HANDOFF)),
        ),
        (RetentionHold.LEGAL_HOLD, select(LegalHold.youth_id).where(LegalHold.lifted_at.is_(None))),
        (
            RetentionHold.ACCESS_REQUEST,
            select(AccessRequest.youth_id).where(AccessRequest.delivered_on.is_(None)),
        ),
    ]
    for hold, query in checks:
        column = query.selected_columns[0]
        for youth_id in set(db.session.execute(query.where(column.in_(youth_ids))).scalars()):
            found.setdefault(youth_id, []).append(hold)
    return found


def is_archived(youth: Youth) -> bool:
    """The youth is kept in the archive: born on the 5th, 15th or 25th (known only from the
    personnummer)."""
    return bool(youth.personnummer) and birth_date(youth.personnummer).day in ARCHIVE_DAYS


def due(kommun: Kommun, as_of: date, team_ids: list[int] | None = None) -> list[Due]:
    """The kommun's youths due for deletion on `as_of` (of the given teams, or all), with
    their holds, longest overdue first."""
    retention_years = years(kommun)
    cutoff = start_of_day(latest_due_activity(as_of, retention_years) + timedelta(days=1))
    activity = activity_times()
    last = func.max(activity.c.at).label("last")
    statement = (
        select(activity.c.youth_id, last).group_by(activity.c.youth_id).having(last < cutoff)
    )
    of_kommun = select(Youth.id).where(Youth.kommun_id == kommun.id)
    if team_ids is not None:
        of_kommun = of_kommun.where(Youth.team_id.in_(team_ids))
    statement = statement.where(activity.c.youth_id.in_(of_kommun))
    found = {youth_id: _aware(at) for youth_id, at in db.session.execute(statement)}
    if not found:
        return []
    holds = _holds(list(found))
    youths = db.session.execute(select(Youth).where(Youth.id.in_(list(found)))).scalars()
    result = [
        _standing(youth, found[youth.id], retention_years, holds.get(youth.id, []))
        for youth in youths
    ]
    return sorted(result, key=lambda d: (d.eligible_on, d.youth_id))


def _standing(youth: Youth, last: datetime, retention_years: int, holds) -> Due:
    """Where a youth stands, from the time of its last activity."""
    last_day = local_date(last)
    eligible = eligible_on(last_day, retention_years)
    return Due(
        youth_id=youth.id,
        team_id=youth.team_id,
        last_activity=last_day,
        eligible_on=eligible,
        due_by=deadline(eligible),
        archive=is_archived(youth),
        holds=holds,
    )


#: How far ahead the gallring page lists records that are about to become due.
UPCOMING_DAYS = 60


def due_and_upcoming(
    kommun: Kommun, as_of: date, team_ids: list[int] | None = None, days: int = UPCOMING_DAYS
) -> tuple[list[Due], list[Due]]:
    """The youths due on `as_of`, and those that become due within `days` after it: the time a
    lead has to set a legal hold on a record that must be kept. One look at the activity."""
    later = due(kommun, as_of + timedelta(days=days), team_ids)
    return (
        [item for item in later if item.eligible_on <= as_of],
        [item for item in later if item.eligible_on > as_of],
    )


def youths_listed(user: User, youth_ids: list[int]) -> dict[int, Youth]:
    """The youths of the gallring page by id, written to the access log as listed there."""
    found = db.session.execute(select(Youth).where(Youth.id.in_(youth_ids))).scalars()
    youths = {youth.id: youth for youth in found}
    audit.record_youths(
        AuditAction.LIST,
        list(youths),
        user_id=user.id,
        kommun_id=user.kommun_id,
        detail=LISTED_IN_GALLRING,
    )
    return youths


def status_of(youth: Youth) -> Due:
    """Where the youth stands: last activity, when it becomes due, by when it must be gone,
    and what holds it."""
    last = last_activity([youth.id]).get(youth.id, youth.created_at)
    return _standing(youth, last, years(youth.team.kommun), _holds([youth.id]).get(youth.id, []))


# --- a run -----------------------------------------------------------------------------------


@dataclass
class Report:
    """What a run did, or would do (a dry run): counts only, never who."""

    as_of: date
    due: int
    held: Counter
    to_delete: int
    to_archive: int
    by_team: dict[int, int]
    deleted_rows: Counter
    notes: int
    overdue: int
    run: RetentionRun | None = None
    archive_path: Path | None = None

    @property
    def held_total(self) -> int:
        return self.due - self.to_delete


def _report(as_of: date, found: list[Due], deletable: list[Due], rows: Counter, notes: int):
    held = Counter(hold for item in found for hold in item.holds)
    return Report(
        as_of=as_of,
        due=len(found),
        held=held,
        to_delete=len(deletable),
        to_archive=sum(1 for item in deletable if item.archive),
        by_team=dict(Counter(item.team_id for item in deletable)),
        deleted_rows=rows,
        notes=notes,
        overdue=sum(1 for item in found if item.due_by < as_of),
    )


def dry_run(kommun: Kommun, as_of: date) -> Report:
    """What a run in the kommun on `as_of` would delete, counted by table; nothing is changed
    (the deletion runs inside a savepoint that is rolled back)."""
    found = due(kommun, as_of)
    deletable = [item for item in found if not item.holds]
    savepoint = db.session.begin_nested()
    try:
        rows = erasure.erase([item.youth_id for item in deletable])
    finally:
        savepoint.rollback()
    db.session.expire_all()
    return _report(as_of, found, deletable, rows, erasure.notes_to_clear(kommun.id, as_of))


def apply(kommun: Kommun, as_of: date, user: User | None = None) -> Report:
    """Archive, then delete, every due youth of the kommun that nothing holds, clear its old
    anonymous notes,
    forget week-old form tokens, and record the run. The caller commits; the archive file is
    written first, so a run that fails to commit leaves an archive of records that are still
    there (the next run archives them again). A day after today is refused: it would delete
    records before they are due."""
    if as_of > today():
        raise RuleViolation(_l("Gallring cannot be run as of a day that has not come yet."))
    found = due(kommun, as_of)
    deletable = [item for item in found if not item.holds]
    archived = [item.youth_id for item in deletable if item.archive]
    path, digest = (None, "")
    if archived:
        youths = db.session.execute(select(Youth).where(Youth.id.in_(archived))).scalars()
        path, digest = _write_archive(kommun, as_of, [extract.build(youth) for youth in youths])
    rows = erasure.erase([item.youth_id for item in deletable])
    notes = erasure.clear_anonymous_notes(kommun.id, as_of)
    submissions.forget_old()
    report = _report(as_of, found, deletable, rows, notes)
    run = RetentionRun(
        kommun_id=kommun.id,
        as_of=as_of,
        ran_by_id=user.id if user else None,
        youths_deleted=report.to_delete,
        youths_archived=report.to_archive,
        youths_held=report.held_total,
        notes_cleared=notes,
        counts=json.dumps(dict(sorted(rows.items()))),
        archive_file=path.name if path else "",
        archive_sha256=digest,
    )
    db.session.add(run)
    db.session.flush()
    audit.record(
        AuditAction.CREATE,
        "retention_run",
        run.id,
        user_id=user.id if user else None,
        kommun_id=run.kommun_id,
        detail=f"deleted={report.to_delete},archived={report.to_archive}",
    )
    report.run, report.archive_path = run, path
    return report


def _write_archive(kommun: Kommun, as_of: date, extracts: list[dict]) -> tuple[Path, str]:
    """Write the archive file (JSON, readable by the owner only); its path and SHA-256."""
    directory = Path(current_app.config["ARCHIVE_DIR"])
    directory.mkdir(parents=True, exist_ok=True)
    stamp = now().strftime("%Y%m%dT%H%M%S")
    path = directory / f"gallring-{kommun.code}-{as_of.isoformat()}-{stamp}.json"
    document = {
        "kind": "outreach-archive",
        "kommun": {"name": kommun.name, "code": kommun.code},
        "as_of": as_of.isoformat(),
        "written_at": now().isoformat(),
        "youths": extracts,
    }
    data = json.dumps(document, ensure_ascii=False, indent=2, default=str).encode()
    descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(descriptor, "wb") as file:
        file.write(data)
        file.flush()
        os.fsync(file.fileno())
    return path, hashlib.sha256(data).hexdigest()


def runs(kommun: Kommun, limit: int = 20) -> list[RetentionRun]:
    """The kommun's latest applied runs, newest first."""
    return list(
        db.session.execute(
            select(RetentionRun)
            .where(RetentionRun.kommun_id == kommun.id)
            .order_by(RetentionRun.id.desc())
            .limit(limit)
        ).scalars()
    )
