"""What the deployment's operator (driftansvarig) sees: the kommuner with counts of what each
holds, the versions, and the health of the whole. Counts only: never a name, never a record."""

from dataclasses import dataclass
from importlib.metadata import PackageNotFoundError, version

from sqlalchemy import func, select

from outreach.auth.models import Role, User
from outreach.extensions import db
from outreach.handoffs.models import Handoff
from outreach.health import services
from outreach.notifications.services import dead_letter_count
from outreach.org.models import Kommun, Team, TeamKind, kommun_member
from outreach.shifts.models import AnonymousContact
from outreach.youths.models import Youth


@dataclass(frozen=True)
class KommunCounts:
    """One kommun as the operator sees it."""

    kommun: Kommun
    field_teams: int
    units: int
    users: int
    admins: int
    anonymous_contacts: int
    youths: int
    handoffs: int


def _by_kommun(column, *conditions) -> dict[int, int]:
    query = select(column, func.count()).group_by(column)
    if conditions:
        query = query.where(*conditions)
    return dict(db.session.execute(query).all())


def kommuner() -> list[KommunCounts]:
    """Every kommun with its counts, by name."""
    field = _by_kommun(Team.kommun_id, Team.kind == TeamKind.FIELD)
    units = _by_kommun(Team.kommun_id, Team.kind != TeamKind.FIELD)
    users = _by_kommun(kommun_member.c.kommun_id)
    admins = dict(
        db.session.execute(
            select(kommun_member.c.kommun_id, func.count())
            .join(User, User.id == kommun_member.c.user_id)
            .where(User.role == Role.ADMIN, User.is_enabled.is_(True))
            .group_by(kommun_member.c.kommun_id)
        ).all()
    )
    contacts = _by_kommun(AnonymousContact.kommun_id)
    youths = _by_kommun(Youth.kommun_id)
    handoffs = _by_kommun(Handoff.kommun_id)
    return [
        KommunCounts(
            kommun,
            field.get(kommun.id, 0),
            units.get(kommun.id, 0),
            users.get(kommun.id, 0),
            admins.get(kommun.id, 0),
            contacts.get(kommun.id, 0),
            youths.get(kommun.id, 0),
            handoffs.get(kommun.id, 0),
        )
        for kommun in db.session.execute(select(Kommun).order_by(Kommun.name)).scalars()
    ]


def health() -> dict[str, object]:
    """The versions and the readiness of the whole deployment."""
    checks = services.readiness()
    try:
        release = version("outreach")
    except PackageNotFoundError:  # run from a checkout that is not installed
        release = "?"
    return {
        "version": release,
        "checks": checks,
        "database": db.engine.dialect.name,
        "code_migrations": ", ".join(sorted(services.code_heads())),
        "database_migrations": ", ".join(sorted(services.database_heads())),
        "dead_letters": dead_letter_count(),
    }
