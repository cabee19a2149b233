"""The generated youths and what is recorded about them: identified contacts (a few youths with
long timelines), risk markings, handoffs to VPC in every status with their steps and
notifications, and years of audit trail as one valid hash chain.

Runs after the organisation and the shifts (bench/seed.py), on the same seeded random source,
so the same seed gives the same records. Values go through the columns' own conversions, so the
personnummer, the youths' own keys and the handoffs' shared data are encrypted as the app
encrypts them.
"""

import base64
import json
from bisect import bisect_right
from collections import namedtuple
from datetime import date, datetime, timedelta

from sqlalchemy import update

from bench.names import (
    ALIAS_WEARING,
    ALIAS_WHERE,
    ALIAS_WHO,
    FIRST_NAMES,
    LANGUAGES,
    LAST_NAMES,
    SCHOOLS,
)
from outreach import audit
from outreach.audit import AuditAction, AuditChain, AuditEvent
from outreach.clock import local_date
from outreach.crypto import SubjectKey, keys
from outreach.handoffs.models import Handoff, HandoffEvent
from outreach.handoffs.services import OPEN
from outreach.notifications.models import Notification
from outreach.personnummer import for_birth_date
from outreach.risk.models import RiskMarking, RiskMarkingWithdrawal, risk_marking_sign
from outreach.vocabulary import (
    Gender,
    HandoffBasis,
    HandoffStatus,
    LegalBasis,
    RiskLevel,
    Urgency,
)
from outreach.youths.models import Guardian, IdentifiedContact, Youth, identified_contact_youth
from outreach.youths.services import fold

FACTS = [
    "Stod med en grupp äldre killar vid busshållplatsen, pratade om skolan.",
    "Berättade att hen inte varit i skolan på två veckor.",
    "Hade en ny telefon och dyra skor, ville inte säga varifrån.",
    "Sa att hen blivit hotad av några från ett annat område.",
    "Pratade om sommarjobb, vi gav information om kommunens feriejobb.",
    "Var på fritidsgården hela kvällen, spelade pingis med personalen.",
]
ASSESSMENTS = [
    "Verkar orolig, behöver följas upp.",
    "Positiv kontakt, öppnade sig mer än förra gången.",
    "Tecken på att hen används som springpojke.",
    "",
]
#: How likely each level of a marking is.
LEVELS = {RiskLevel.NONE: 10, RiskLevel.LOW: 40, RiskLevel.ELEVATED: 35, RiskLevel.ACUTE: 15}
BASES = {
    LegalBasis.CONSENT: 60,
    LegalBasis.REPORT_OF_CONCERN: 20,
    LegalBasis.HANDOFF: 10,
    LegalBasis.PROTECTION_ASSESSMENT: 10,
}
#: Share of a team's identified contacts that are with its first youth (a long timeline).
REGULAR_SHARE = 0.08
#: The audit trail's mix: (action, entity type, detail, weight).
AUDIT_MIX = [
    (AuditAction.READ, "youth", "page", 45),
    (AuditAction.LIST, "youth", "search", 25),
    (AuditAction.LOGIN, "user", "password", 12),
    (AuditAction.LOGOUT, "user", "user", 6),
    (AuditAction.CREATE, "identified_contact", "", 10),
    (AuditAction.READ, "youth", "print", 2),
]

#: The tables written here with ids of their own (their sequences move past them).
TABLES = [Youth, IdentifiedContact, RiskMarking, Handoff, AuditEvent]

_Link = namedtuple(
    "_Link",
    "seq prev_hash occurred_at user_id action entity_type entity_id youth_id detail changes "
    "kommun_id",
)


class YouthRecords:
    """Writes the youth side of one scale through the seeder (bench.seed.Seeder)."""

    def __init__(self, seeder):
        self.seeder = seeder
        self.random = seeder.random
        self.now = seeder.now
        self.first_day = seeder.now - timedelta(days=seeder.scale.years * 365)
        #: team → its youths as (created_at, id), in time order; all youths likewise
        self.by_team: dict[int, list[tuple[datetime, int]]] = {}
        self.everyone: list[tuple[datetime, int]] = []
        self.team_of: dict[int, int] = {}
        self.kommun_of: dict[int, int] = {}  # youth → its kommun
        self.alias_of: dict[int, str] = {}
        self.contact_ids = 0

    def run(self) -> None:
        self.youths()
        self.identified_contacts()
        self.risk_markings()
        self.handoffs()
        self.audit_trail()

    def _moment(self, after: datetime) -> datetime:
        """A whole second between `after` and now."""
        span = int((self.now - after).total_seconds())
        return after + timedelta(seconds=self.random.randrange(max(span, 1)))

    # --- youths ---------------------------------------------------------------------------

    def youths(self) -> None:
        """Youths in every field team, registered through the years (each team's first at
        the start, the regular with the long timeline); most with a name, some with a
        personnummer, guardians, a school; a few with protected identity. Each gets its own
        key, as the app gives one."""
        seeder, rng = self.seeder, self.random
        teams = seeder.teams
        born = [self._moment(self.first_day) for _ in range(seeder.scale.youths)]
        born.sort()
        for index in range(min(len(teams), len(born))):  # each team's first: from the start
            born[index] = self.first_day
        rows, guardians, subject_keys, used = [], [], [], set()
        for youth_id, created in enumerate(born, start=1):
            team = teams[(youth_id - 1) % len(teams)]
            alias = (
                f"{rng.choice(ALIAS_WHO)} i {rng.choice(ALIAS_WEARING)} vid "
                f"{rng.choice(ALIAS_WHERE)}"
            )
            first, last = rng.choice(FIRST_NAMES), rng.choice(LAST_NAMES)
            name = f"{first} {last}" if rng.random() < 0.7 else ""
            birth_year = created.year - rng.randint(12, 19)
            pnr = lookup = None
            if name and rng.random() < 0.35:
                while pnr is None or pnr in used:
                    day = date(birth_year, rng.randint(1, 12), rng.randint(1, 28))
                    pnr = for_birth_date(day, rng.randrange(1000))
                used.add(pnr)
                lookup = keys().lookup_hash(pnr)
            worker = rng.choice(seeder.workers[team])
            rows.append(
                (
                    youth_id,
                    seeder.public_id(),
                    team,
                    alias,
                    name,
                    birth_year,
                    rng.choice(list(Gender)),
                    pnr,
                    lookup,
                    seeder.areas[team] if rng.random() < 0.8 else None,
                    rng.choice(SCHOOLS) if rng.random() < 0.5 else "",
                    rng.choice(LANGUAGES) if rng.random() < 0.1 else "",
                    rng.random() < 0.01,
                    rng.choices(list(BASES), list(BASES.values()))[0],
                    fold(" ".join(part for part in (alias, name, str(birth_year)) if part))[:400],
                    worker,
                    created,
                )
            )
            if name and rng.random() < 0.5:
                for position in range(1, rng.choice((2, 3))):
                    guardians.append(
                        (
                            youth_id,
                            position,
                            f"{rng.choice(FIRST_NAMES)} {last}",
                            f"070-{rng.randrange(10**7):07d}",
                        )
                    )
            subject_keys.append(
                (youth_id, base64.urlsafe_b64encode(rng.getrandbits(256).to_bytes(32)).decode())
            )
            self.by_team.setdefault(team, []).append((created, youth_id))
            self.everyone.append((created, youth_id))
            self.team_of[youth_id] = team
            self.kommun_of[youth_id] = seeder.kommun_of_team[team]
            self.alias_of[youth_id] = alias
        seeder.write(
            Youth,
            [
                "id",
                "public_id",
                "team_id",
                "alias",
                "name",
                "birth_year",
                "gender",
                "personnummer",
                "personnummer_lookup",
                "home_area_id",
                "school",
                "interpreter_language",
                "protected_identity",
                "legal_basis",
                "search_key",
                "created_by_id",
                "created_at",
            ],
            rows,
            kommun_by=("team_id", seeder.kommun_of_team),
        )
        seeder.write(Guardian, ["youth_id", "position", "name", "phone"], guardians)
        seeder.write(SubjectKey, ["youth_id", "key"], subject_keys)

    def _registered_by(self, at: datetime) -> int:
        """One of all the youths registered by then (every team's first is there from the
        start)."""
        registered = bisect_right(self.everyone, (at, float("inf")))
        return self.everyone[self.random.randrange(registered)][1]

    def _youth_of(self, team: int, at: datetime) -> int | None:
        """One of the team's youths registered by then: often the team's regular."""
        known = self.by_team.get(team, [])
        registered = bisect_right(known, (at, float("inf")))
        if not registered:
            return None
        if self.random.random() < REGULAR_SHARE:
            return known[0][1]
        return known[self.random.randrange(registered)][1]

    # --- identified contacts --------------------------------------------------------------

    def identified_contacts(self) -> None:
        """Contacts with named youths in the teams' shifts (now and then with two youths), and
        now and then a correction of one."""
        seeder, rng = self.seeder, self.random
        contacts, links = [], []
        teams = [team for team in seeder.teams if seeder.shifts.get(team)]
        while len(contacts) < seeder.scale.identified_contacts:
            team = rng.choice(teams)
            started, shift_id, pair = rng.choice(seeder.shifts[team])
            youth = self._youth_of(team, started)
            if youth is None:
                continue
            youths = {youth}
            if rng.random() < 0.15:
                youths.add(self._youth_of(team, started))
            at = started + timedelta(minutes=rng.randint(10, 200))
            author = rng.choice(pair)
            place = rng.choice(seeder.places[seeder.areas[team]]) if rng.random() < 0.7 else None
            entry = [
                None,
                seeder.public_id(),
                shift_id,
                team,
                at,
                local_date(at),
                place,
                rng.choice(FACTS),
                rng.choice(ASSESSMENTS),
                None,
                author,
                at + timedelta(minutes=rng.randint(1, 30)),
            ]
            corrected = None
            for _ in range(2 if rng.random() < 0.02 else 1):
                self.contact_ids += 1
                entry[0] = self.contact_ids
                contacts.append(tuple(entry))
                links += [(self.contact_ids, youth) for youth in youths]
                corrected = self.contact_ids
                entry = [*entry]
                entry[1] = seeder.public_id()
                entry[7] = f"Rättelse: {rng.choice(FACTS)}"
                entry[9] = corrected
                entry[11] = entry[11] + timedelta(hours=rng.randint(1, 48))
        seeder.write(
            IdentifiedContact,
            [
                "id",
                "public_id",
                "shift_id",
                "team_id",
                "occurred_at",
                "occurred_on",
                "place_id",
                "facts",
                "assessment",
                "corrects_id",
                "author_id",
                "created_at",
            ],
            contacts,
            kommun_by=("team_id", seeder.kommun_of_team),
        )
        seeder.write(
            identified_contact_youth,
            ["contact_id", "youth_id"],
            links,
            kommun_by=("youth_id", self.kommun_of),
        )

    # --- risk markings --------------------------------------------------------------------

    def risk_markings(self) -> None:
        """Markings with signs from the catalogue, a level and a review date; a few withdrawn
        with a reason."""
        seeder, rng = self.seeder, self.random
        markings, marked_signs, withdrawals = [], [], []
        regulars = [youths[0][1] for youths in self.by_team.values()]
        for marking_id in range(1, seeder.scale.risk_markings + 1):
            at = self._moment(self.first_day)
            youth = rng.choice(regulars) if rng.random() < 0.01 else self._registered_by(at)
            team = self.team_of[youth]
            markings.append(
                (
                    marking_id,
                    seeder.public_id(),
                    youth,
                    rng.choices(list(LEVELS), list(LEVELS.values()))[0],
                    rng.choice(ASSESSMENTS),
                    local_date(at) + timedelta(days=90),
                    rng.choice(seeder.workers[team]),
                    at,
                )
            )
            kommun = self.kommun_of[youth]
            signs = seeder.signs_of[kommun]
            for sign in rng.sample(signs, rng.randint(1, min(4, len(signs)))):
                marked_signs.append((marking_id, sign, kommun))
            if rng.random() < 0.03:
                withdrawals.append(
                    (
                        marking_id,
                        "Felaktig uppgift, gällde en annan ungdom.",
                        rng.choice(seeder.leads[team]),
                        self._moment(at),
                    )
                )
        seeder.write(
            RiskMarking,
            [
                "id",
                "public_id",
                "youth_id",
                "level",
                "comment",
                "review_on",
                "author_id",
                "created_at",
            ],
            markings,
            kommun_by=("youth_id", self.kommun_of),
        )
        seeder.write(risk_marking_sign, ["marking_id", "sign_id", "kommun_id"], marked_signs)
        seeder.write(
            RiskMarkingWithdrawal,
            ["marking_id", "reason", "withdrawn_by_id", "withdrawn_at"],
            withdrawals,
        )

    # --- handoffs -------------------------------------------------------------------------

    def handoffs(self) -> None:
        """Handoffs through the years, each as far along as its age makes likely: the last
        day's still waiting for first contact, older ones accepted, declined, closed or
        withdrawn, a share late; every step an event, the last month's notified."""
        seeder, rng, now = self.seeder, self.random, self.now
        total = seeder.scale.handoffs
        recent = max(3, total // 500)  # sent within the last day and a bit
        open_youths: set[int] = set()
        handoffs, events, notices = [], [], []
        handoff_id = 0
        while handoff_id < total:
            if handoff_id >= total - recent:
                sent = now - timedelta(minutes=rng.randint(10, 30 * 60))
            else:
                sent = self._moment(self.first_day)
            youth = self._registered_by(sent)
            team = self.team_of[youth]
            kommun = self.kommun_of[youth]
            vpc = seeder.vpc_staff[kommun]
            sender = rng.choice(seeder.workers[team])
            urgent = rng.random() < 0.15
            due = sent + timedelta(hours=4 if urgent else 24)
            steps = self._steps(sent, due)
            status = steps[-1][0]
            if status in OPEN:
                if youth in open_youths:  # one open handoff a youth
                    continue
                open_youths.add(youth)
            handoff_id += 1
            first_contact = next((at for s, at in steps if s == HandoffStatus.FIRST_CONTACT), None)
            late = (first_contact or now) > due
            warned = sent + (due - sent) * 0.75
            handoffs.append(
                (
                    handoff_id,
                    seeder.public_id(),
                    youth,
                    team,
                    seeder.vpc_of[kommun],
                    sender,
                    "Tecken på rekrytering till ett kriminellt nätverk.",
                    "Ses med äldre killar i nätverket, har fått pengar och en ny telefon.",
                    Urgency.URGENT if urgent else Urgency.NORMAL,
                    rng.random() < 0.1,
                    rng.choice((HandoffBasis.OSL_10_2, HandoffBasis.OSL_10_18B)),
                    seeder.person(),
                    json.dumps({"alias": self.alias_of[youth]}, ensure_ascii=False),
                    status,
                    sent,
                    due,
                    first_contact,
                    warned if (first_contact or now) > warned else None,
                    due if late else None,
                    "Träffades på fritidsgården." if first_contact else "",
                    "Har redan kontakt med socialtjänsten."
                    if status == HandoffStatus.DECLINED
                    else "",
                )
            )
            for step, at in steps:
                by = sender if step in (HandoffStatus.SENT, HandoffStatus.WITHDRAWN) else None
                events.append((handoff_id, step, by or rng.choice(vpc), at, ""))
            if now - sent < timedelta(days=30):
                notices += [
                    (member, "new_handoff", handoff_id, sent, sent + timedelta(hours=2))
                    for member in vpc
                ]
        seeder.write(
            Handoff,
            [
                "id",
                "public_id",
                "youth_id",
                "from_team_id",
                "to_unit_id",
                "sender_id",
                "reason",
                "summary",
                "urgency",
                "wants_to_leave_crime",
                "basis",
                "secrecy_assessed_by",
                "shared_data",
                "status",
                "sent_at",
                "first_contact_due_at",
                "first_contact_at",
                "warned_at",
                "breached_at",
                "first_contact_how",
                "decline_reason",
            ],
            handoffs,
            kommun_by=("youth_id", self.kommun_of),
        )
        seeder.write(HandoffEvent, ["handoff_id", "status", "user_id", "at", "note"], events)
        seeder.write(
            Notification,
            ["user_id", "kind", "handoff_id", "created_at", "read_at"],
            [
                (*notice[:4], notice[4] if notice[4] < now - timedelta(hours=6) else None)
                for notice in notices
            ],
            kommun_by=("user_id", seeder.kommun_of_user),
        )

    def _steps(self, sent: datetime, due: datetime) -> list[tuple[HandoffStatus, datetime]]:
        """The steps a handoff sent then has taken by now, with their times."""
        rng, now = self.random, self.now
        steps = [(HandoffStatus.SENT, sent)]
        if rng.random() < 0.03:
            at = sent + timedelta(hours=rng.randint(1, 12))
            return steps + [(HandoffStatus.WITHDRAWN, at)] if at < now else steps
        # mostly in time; one in ten after the deadline
        fraction = rng.uniform(1.05, 1.6) if rng.random() < 0.1 else rng.uniform(0.05, 0.95)
        plan = [
            (HandoffStatus.ACKNOWLEDGED, sent + (due - sent) * fraction * 0.3),
            (HandoffStatus.FIRST_CONTACT, sent + (due - sent) * fraction),
        ]
        decided = plan[-1][1] + timedelta(hours=rng.randint(4, 96))
        declined = rng.random() < 0.15
        plan.append((HandoffStatus.DECLINED if declined else HandoffStatus.ACCEPTED, decided))
        # a declined one is closed within weeks, an accepted one after months of work
        worked = rng.randint(1, 21) if declined else rng.randint(30, 240)
        plan.append((HandoffStatus.CLOSED, decided + timedelta(days=worked)))
        for step, at in plan:
            if at > now:
                break
            steps.append((step, at.replace(microsecond=0)))
        return steps

    # --- the audit trail ------------------------------------------------------------------

    def audit_trail(self) -> None:
        """Years of reads, searches, logins and entries as one hash chain (audit.row_hash),
        its head where the app carries on from. Streamed: the rows are never all in memory."""
        seeder = self.seeder
        total = seeder.scale.audit_rows
        staff = [
            (user, seeder.kommun_of_team[team])
            for team, workers in seeder.workers.items()
            for user in workers
        ]
        span = (self.now - self.first_day).total_seconds()
        head = {"hash": audit.GENESIS}

        def links():
            rng, previous = self.random, audit.GENESIS
            weights = [weight for *_rest, weight in AUDIT_MIX]
            for seq in range(1, total + 1):
                at = self.first_day + timedelta(seconds=int(span * seq / (total + 1)))
                action, entity, detail, _weight = rng.choices(AUDIT_MIX, weights)[0]
                if entity == "user":
                    (user, kommun), youth = rng.choice(staff), None
                    entity_id = user
                else:
                    youth = self._registered_by(at)
                    user = rng.choice(seeder.workers[self.team_of[youth]])
                    kommun = self.kommun_of[youth]
                    entity_id = youth if entity == "youth" else rng.randint(1, self.contact_ids)
                link = _Link(
                    seq, previous, at, user, action, entity, entity_id, youth, detail, None, kommun
                )
                previous = audit.row_hash(link)
                head["hash"] = previous
                yield (seq, *link, previous)

        seeder.write(
            AuditEvent,
            [
                "id",
                "seq",
                "prev_hash",
                "occurred_at",
                "user_id",
                "action",
                "entity_type",
                "entity_id",
                "youth_id",
                "detail",
                "changes",
                "kommun_id",
                "row_hash",
            ],
            links(),
        )
        seeder.connection.execute(
            update(AuditChain.__table__)
            .where(AuditChain.__table__.c.id == audit.HEAD_ID)
            .values(seq=total, last_hash=head["hash"])
        )
