"""Two records of the same youth: spotting likely duplicates, and the registry's part of
merging them (casefile/merge.py holds the merge as a whole).

A merge folds the duplicate into the record that is kept. Every area moves its own rows of
the duplicate to the kept record (move_rows); the registry moves the contacts and the grants
of protected identity, fills in on the kept record what it lacks, keeps what the duplicate
said, encrypted, in the merge's record (YouthMerge), and deletes the duplicate, whose id stays
findable for its rows in the access log (youth_ids_of).
"""

import json
from dataclasses import dataclass
from difflib import SequenceMatcher

from sqlalchemy import delete, select, update

from outreach import audit, personnummer, scopes
from outreach.audit import AuditAction
from outreach.auth.models import User
from outreach.clock import now
from outreach.crypto import keys
from outreach.extensions import db
from outreach.youths import tallies
from outreach.youths.models import (
    Guardian,
    ProtectedAccess,
    Youth,
    YouthMerge,
    identified_contact_youth,
)
from outreach.youths.services import fold, search_key

#: How alike two folded aliases or names must be to suggest a duplicate (0–1).
SIMILAR = 0.8
MAX_SUGGESTIONS = 5
#: Fields a merge fills in on the kept record when it lacks them.
FILLED = (
    "name",
    "birth_year",
    "gender",
    "personnummer",
    "home_area_id",
    "school",
    "interpreter_language",
)


def youth_ids_of(youth: Youth) -> list[int]:
    """The youth's id and the ids of the records merged into it (their access-log rows)."""
    merged = db.session.execute(
        select(YouthMerge.merged_youth_id).where(YouthMerge.kept_youth_id == youth.id)
    ).scalars()
    return [youth.id, *merged]


def merges_into(youth: Youth) -> list[YouthMerge]:
    """The records merged into this one, newest first."""
    return list(
        db.session.execute(
            select(YouthMerge)
            .where(YouthMerge.kept_youth_id == youth.id)
            .order_by(YouthMerge.id.desc())
        ).scalars()
    )


# --- likely duplicates -------------------------------------------------------------------------


def _alike(a: str, b: str) -> float:
    a, b = fold(a).strip(), fold(b).strip()
    if not a or not b:
        return 0.0
    if len(a) >= 4 and len(b) >= 4 and (a in b or b in a):
        return 1.0
    return SequenceMatcher(None, a, b).ratio()


@dataclass
class Suggestion:
    """A youth that may be the same person, and why."""

    youth: Youth
    same_personnummer: bool
    likeness: float


def likely_duplicates(
    user: User,
    team_id: int,
    *,
    alias: str,
    name: str = "",
    birth_year: int | None = None,
    pnr: str | None = None,
    besides: Youth | None = None,
) -> list[Suggestion]:
    """Youths of the team the user sees that may be the same person: the same personnummer,
    or a born the same year (or year unknown) with an alias or name much alike."""
    statement = scopes.visible_youths(user).where(Youth.team_id == team_id)
    if besides is not None:
        statement = statement.where(Youth.id != besides.id)
    if birth_year is not None:
        statement = statement.where((Youth.birth_year == birth_year) | Youth.birth_year.is_(None))
    found: dict[int, Suggestion] = {}
    for youth in db.session.execute(statement).scalars():
        likeness = max(
            _alike(alias, youth.alias),
            _alike(name, youth.name),
            _alike(alias, youth.name),
            _alike(name, youth.alias),
        )
        if likeness >= SIMILAR:
            found[youth.id] = Suggestion(youth, False, likeness)
    if pnr:
        try:
            normalised = personnummer.normalise(pnr)
        except personnummer.InvalidPersonnummer:
            normalised = None
        if normalised:
            same = scopes.visible_youths(user).where(
                Youth.team_id == team_id,
                Youth.personnummer_lookup.in_(keys().lookup_hashes(normalised)),
            )
            if besides is not None:
                same = same.where(Youth.id != besides.id)
            for youth in db.session.execute(same).scalars():
                found[youth.id] = Suggestion(youth, True, 1.0)
    ranked = sorted(found.values(), key=lambda s: (not s.same_personnummer, -s.likeness))
    return ranked[:MAX_SUGGESTIONS]


def duplicates_of(user: User, youth: Youth) -> list[Suggestion]:
    """Records of the youth's team that may be the same person as this one."""
    return likely_duplicates(
        user,
        youth.team_id,
        alias=youth.alias,
        name=youth.name,
        birth_year=youth.birth_year,
        pnr=youth.personnummer,
        besides=youth,
    )


# --- the registry's part of a merge ------------------------------------------------------------


def move_rows(model, duplicate: Youth, kept: Youth) -> int:
    """Every row of `model` about the duplicate is about the kept record now; how many."""
    return db.session.execute(
        update(model).where(model.youth_id == duplicate.id).values(youth_id=kept.id),
        execution_options={"synchronize_session": False},
    ).rowcount


def _details(youth: Youth) -> dict:
    """What a record says, for the merge's history."""
    return {
        "public_id": youth.public_id,
        "alias": youth.alias,
        "name": youth.name,
        "birth_year": youth.birth_year,
        "gender": youth.gender.value if youth.gender else None,
        "personnummer": personnummer.formatted(youth.personnummer),
        "home_area": youth.home_area.name if youth.home_area else None,
        "school": youth.school,
        "interpreter_language": youth.interpreter_language,
        "protected_identity": youth.protected_identity,
        "legal_basis": youth.legal_basis.value,
        "guardians": [[g.name, g.phone] for g in youth.guardians],
        "registered_at": youth.created_at.isoformat(),
    }


def move_contacts(duplicate: Youth, kept: Youth) -> int:
    """The duplicate's contacts name the kept record (a contact naming both keeps one link).
    Both records are held first: a contact logged for either meanwhile waits for the merge."""
    db.session.execute(
        select(Youth.id)
        .where(Youth.id.in_([duplicate.id, kept.id]))
        .order_by(Youth.id)
        .with_for_update()
    )
    both = select(identified_contact_youth.c.contact_id).where(
        identified_contact_youth.c.youth_id == kept.id
    )
    theirs = select(identified_contact_youth.c.contact_id).where(
        identified_contact_youth.c.youth_id == duplicate.id
    )
    with tallies.recounting(theirs):
        moved = db.session.execute(
            update(identified_contact_youth)
            .where(
                identified_contact_youth.c.youth_id == duplicate.id,
                identified_contact_youth.c.contact_id.not_in(both),
            )
            .values(youth_id=kept.id)
        ).rowcount
        db.session.execute(
            delete(identified_contact_youth).where(
                identified_contact_youth.c.youth_id == duplicate.id
            )
        )
    return moved


def move_grants(user: User, duplicate: Youth, kept: Youth) -> int:
    """Grants of protected identity move with their history; a user who can see both records
    keeps one grant in force."""
    in_force = select(ProtectedAccess.user_id).where(
        ProtectedAccess.youth_id == kept.id, ProtectedAccess.revoked_at.is_(None)
    )
    db.session.execute(
        update(ProtectedAccess)
        .where(
            ProtectedAccess.youth_id == duplicate.id,
            ProtectedAccess.revoked_at.is_(None),
            ProtectedAccess.user_id.in_(in_force),
        )
        .values(revoked_at=now(), revoked_by_id=user.id),
        execution_options={"synchronize_session": False},
    )
    return move_rows(ProtectedAccess, duplicate, kept)


def fold_into(user: User, kept: Youth, duplicate: Youth, moved: dict[str, int]) -> YouthMerge:
    """The end of a merge, once every area moved its rows (`moved`: how many of each): the
    kept record takes what it lacks, the merge is recorded with what the duplicate said, and
    the duplicate is gone."""
    snapshot = _details(duplicate)
    db.session.execute(
        update(YouthMerge)
        .where(YouthMerge.kept_youth_id == duplicate.id)
        .values(kept_youth_id=kept.id),
        execution_options={"synchronize_session": False},
    )
    values = {
        name: getattr(duplicate, name)
        for name in FILLED
        if getattr(kept, name) in (None, "") and getattr(duplicate, name) not in (None, "")
    }
    if duplicate.protected_identity and not kept.protected_identity:
        values["protected_identity"] = True
    if "personnummer" in values:
        duplicate.personnummer = None  # the number is unique within the team
        db.session.flush()
    changed = audit.apply_changes(kept, values)
    if not kept.guardians and duplicate.guardians:
        changed["guardians"] = ([], [[g.name, g.phone] for g in duplicate.guardians])
        kept.guardians = [
            Guardian(position=g.position, name=g.name, phone=g.phone) for g in duplicate.guardians
        ]
    kept.search_key = search_key(kept)
    kept.updated_at = now()

    merge_record = YouthMerge(
        kept_youth_id=kept.id,
        merged_youth_id=duplicate.id,
        merged_public_id=duplicate.public_id,
        merged_details=json.dumps(snapshot, ensure_ascii=False),
        moved=json.dumps(moved),
        merged_by_id=user.id,
    )
    db.session.add(merge_record)
    db.session.flush()
    audit.record(
        AuditAction.UPDATE,
        "youth",
        kept.id,
        user_id=user.id,
        kommun_id=kept.kommun_id,
        youth_id=kept.id,
        detail=f"merge:{duplicate.id}",
        changes=changed or None,
    )
    audit.record(
        AuditAction.UPDATE,
        "youth",
        duplicate.id,
        user_id=user.id,
        kommun_id=duplicate.kommun_id,
        youth_id=duplicate.id,
        detail=f"merged_into:{kept.id}",
    )
    db.session.execute(delete(Guardian).where(Guardian.youth_id == duplicate.id))
    db.session.execute(delete(Youth).where(Youth.id == duplicate.id))
    db.session.expire_all()
    return merge_record
