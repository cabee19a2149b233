"""A realistic, deterministic data set for the benchmarks: the whole country's street work over
five years, or a smaller share of it.

The same seed gives the same rows every time. Shifts follow the week and the evening: most on
Friday and Saturday, few on Monday, starting between 16 and 21 and lasting three to five hours;
contacts are spread through each shift. Everything is written in bulk (bench/bulk.py) with
ids given here, so rows point at each other without asking the database.

Here: the organisation (teams, areas, places, staff) and the shifts with their anonymous
contacts; bench/youth_records.py makes the youths and what is recorded about them.
"""

import base64
import random
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from sqlalchemy import Connection, func, select

from bench import bulk
from bench.names import FIRST_NAMES, KOMMUNER, LAST_NAMES
from bench.youth_records import TABLES as YOUTH_TABLES
from bench.youth_records import YouthRecords
from outreach.auth.models import Role, User, membership
from outreach.auth.services import hash_password
from outreach.clock import LOCAL_ZONE, local_date
from outreach.org.models import (
    UNIT_RECIPIENT,
    Area,
    Kommun,
    Place,
    PlaceKind,
    Team,
    TeamKind,
    kommun_member,
)
from outreach.risk.models import WarningSign
from outreach.shifts.models import (
    AnonymousContact,
    ContactAction,
    ContactCount,
    ContactTopic,
    Shift,
    shift_worker,
)
from outreach.vocabulary import Action, AgeBand, Gender, ReviewStatus, Topic

#: Every generated user logs in with this password (the benchmarks and the load test do).
PASSWORD = "bench-outreach-2026"  # noqa: S105 (generated data only, never a real user)


@dataclass(frozen=True)
class Scale:
    """How much to make."""

    name: str
    #: How many kommuner, each with its VPC and its intake unit, and how many field teams
    #: among them (at least one each; the large cities have more).
    kommuner: int
    field_teams: int
    users: int
    places: int
    anonymous_contacts: int
    youths: int
    identified_contacts: int
    risk_markings: int
    handoffs: int
    audit_rows: int
    years: int = 5

    @property
    def records(self) -> int:
        """How many records of the kinds the scale names (what the progress bar counts)."""
        return (
            self.anonymous_contacts
            + self.youths
            + self.identified_contacts
            + self.risk_markings
            + self.handoffs
            + self.audit_rows
        )


SCALES = {
    scale.name: scale
    for scale in (
        Scale(
            "national",
            kommuner=40,
            field_teams=60,
            users=1000,
            places=3000,
            anonymous_contacts=1_000_000,
            youths=50_000,
            identified_contacts=200_000,
            risk_markings=100_000,
            handoffs=20_000,
            audit_rows=2_000_000,
        ),
        Scale(
            "regional",
            kommuner=3,
            field_teams=10,
            users=200,
            places=600,
            anonymous_contacts=100_000,
            youths=10_000,
            identified_contacts=40_000,
            risk_markings=20_000,
            handoffs=4_000,
            audit_rows=400_000,
        ),
        Scale(
            "municipal",
            kommuner=1,
            field_teams=3,
            users=40,
            places=150,
            anonymous_contacts=10_000,
            youths=1_000,
            identified_contacts=4_000,
            risk_markings=2_000,
            handoffs=400,
            audit_rows=40_000,
        ),
        Scale(
            "tiny",
            kommuner=2,
            field_teams=2,
            users=12,
            places=20,
            anonymous_contacts=300,
            youths=40,
            identified_contacts=120,
            risk_markings=60,
            handoffs=20,
            audit_rows=600,
            years=1,
        ),
    )
}

PLACE_WORDS = {
    PlaceKind.SQUARE: "torget",
    PlaceKind.SCHOOL: "skolan",
    PlaceKind.YOUTH_CENTRE: "fritidsgården",
    PlaceKind.STATION: "stationen",
    PlaceKind.MALL: "centrum",
    PlaceKind.PARK: "parken",
    PlaceKind.OTHER: "gångtunneln",
}
#: How likely a shift is on each weekday (Monday first): the weekly rhythm.
WEEKDAY_WEIGHTS = [2, 4, 6, 8, 18, 17, 5]
#: When shifts start (local hour) and how likely each is: the evening rhythm.
START_HOURS = {16: 2, 17: 5, 18: 8, 19: 9, 20: 5, 21: 2}
CONTACTS_PER_SHIFT = 6
#: The tables of the records a scale names, and how often the progress bar moves.
COUNTED = {
    "anonymous_contact",
    "youth",
    "identified_contact",
    "risk_marking",
    "handoff",
    "audit_event",
}
PROGRESS_STEP = 10_000


class Seeder:
    """Writes one scale's data through a connection, deterministically from the seed."""

    def __init__(
        self, connection: Connection, scale: Scale, seed: int = 2026, *, now=None, progress=None
    ):
        self.connection = connection
        #: Told how many more of the scale's records are written, now and then.
        self.progress = progress or (lambda _rows: None)
        self.scale = scale
        self.random = random.Random(seed)
        self.now = now or datetime.now(UTC).replace(minute=0, second=0, microsecond=0)
        self.counts: dict[str, int] = {}
        self.teams: list[int] = []  # field teams
        self.kommun_of_team: dict[int, int] = {}  # team (and area) → its kommun
        self.kommun_of_user: dict[int, int] = {}
        self.vpc_of: dict[int, int] = {}  # kommun → its VPC
        self.signs_of: dict[int, list[int]] = {}  # kommun → its warning signs
        self.workers: dict[int, list[int]] = {}  # team → field workers
        self.leads: dict[int, list[int]] = {}  # team → leads
        self.areas: dict[int, int] = {}  # team → its area
        self.places: dict[int, list[int]] = {}  # area → places
        self.vpc_staff: dict[int, list[int]] = {}  # kommun → its VPC's caseworkers and leads
        #: team → its shifts as (started, id, the pair out), in time order
        self.shifts: dict[int, list[tuple[datetime, int, tuple[int, int]]]] = {}

    def public_id(self) -> str:
        return base64.urlsafe_b64encode(self.random.getrandbits(96).to_bytes(12, "big")).decode()

    def write(self, model_or_table, columns, rows, kommun_by: tuple | None = None) -> None:
        """Write the rows; `kommun_by` (column, {value: kommun}) adds each row's kommun_id,
        found from that column's value."""
        table = getattr(model_or_table, "__table__", model_or_table)
        if kommun_by is not None:
            index, kommun_of = columns.index(kommun_by[0]), kommun_by[1]
            columns = [*columns, "kommun_id"]
            rows = (tuple(row) + (kommun_of[row[index]],) for row in rows)
        if table.name in COUNTED:
            rows = self._counted(rows)
        self.counts[table.name] = self.counts.get(table.name, 0) + bulk.write(
            self.connection, table, columns, rows
        )

    def _counted(self, rows):
        done = 0
        for done, row in enumerate(rows, start=1):
            if done % PROGRESS_STEP == 0:
                self.progress(PROGRESS_STEP)
            yield row
        self.progress(done % PROGRESS_STEP)

    def person(self) -> str:
        return f"{self.random.choice(FIRST_NAMES)} {self.random.choice(LAST_NAMES)}"

    # --- the organisation ---------------------------------------------------------------

    def organisation(self) -> None:
        """Kommuner of uneven size, each with its standard warning-sign catalogue, its field
        teams (one area each, with its places), its VPC and its intake unit; the staff: field
        workers and a lead or two per field team, caseworkers and a lead in each VPC, two at
        the intake, an admin per kommun, and the deployment's operator."""
        scale = self.scale
        kommuner = KOMMUNER[: scale.kommuner]
        self.write(
            Kommun,
            ["id", "name", "code", "created_at"],
            [(k, name, code, self.now) for k, (name, code) in enumerate(kommuner, start=1)],
        )
        self._catalogues(len(kommuner))
        teams, team_id = [], 0
        units: dict[int, TeamKind] = {}
        for kommun, count in enumerate(self._field_teams_per_kommun(), start=1):
            town = kommuner[kommun - 1][0]
            for number in range(1, count + 1):
                team_id += 1
                teams.append((team_id, f"Fältgruppen {town} {number}", TeamKind.FIELD, kommun))
                self.teams.append(team_id)
                self.kommun_of_team[team_id] = kommun
            for name, kind in (
                ("Våldspreventivt centrum", TeamKind.VPC),
                ("Socialtjänstens mottagning", TeamKind.INTAKE),
            ):
                team_id += 1
                teams.append((team_id, name, kind, kommun))
                self.kommun_of_team[team_id] = kommun
                units[team_id] = kind
                if kind == TeamKind.VPC:
                    self.vpc_of[kommun] = team_id
        self.write(
            Team,
            ["id", "name", "kind", "kommun_id", "recipient"],
            [(*team, UNIT_RECIPIENT.get(team[2])) for team in teams],
        )
        self.write(
            Area,
            ["id", "name"],
            [(t, f"{name.split(' ', 1)[1]}") for t, name, _k, _m in teams if t in self.teams],
            kommun_by=("id", self.kommun_of_team),
        )
        places, place_id = [], 0
        per_area = max(1, scale.places // len(self.teams))
        kinds = list(PLACE_WORDS)
        for area in self.teams:
            self.areas[area] = area
            self.places[area] = []
            for number in range(per_area):
                place_id += 1
                kind = kinds[number % len(kinds)]
                places.append(
                    (place_id, area, f"{PLACE_WORDS[kind].capitalize()} {number + 1}", kind)
                )
                self.places[area].append(place_id)
        self.write(
            Place,
            ["id", "area_id", "name", "kind"],
            places,
            kommun_by=("area_id", self.kommun_of_team),
        )
        self._staff(len(kommuner), units)

    def _field_teams_per_kommun(self) -> list[int]:
        """How many field teams each kommun has: one, and the rest to the larger ones (by the
        largest remainder of a share that falls with the kommun's rank)."""
        count, extra = self.scale.kommuner, self.scale.field_teams - self.scale.kommuner
        weights = [1 / rank**1.2 for rank in range(1, count + 1)]
        shares = [extra * weight / sum(weights) for weight in weights]
        teams = [1 + int(share) for share in shares]
        left = sorted(range(count), key=lambda k: int(shares[k]) - shares[k])
        for kommun in left[: self.scale.field_teams - sum(teams)]:
            teams[kommun] += 1
        return teams

    def _catalogues(self, kommuner: int) -> None:
        """Each kommun's catalogue: a copy of the standard one."""
        standard = self.connection.execute(
            select(WarningSign.group, WarningSign.label)
            .where(WarningSign.kommun_id.is_(None))
            .order_by(WarningSign.id)
        ).all()
        last = self.connection.execute(select(func.max(WarningSign.id))).scalar() or 0
        rows = []
        for kommun in range(1, kommuner + 1):
            self.signs_of[kommun] = []
            for group, label in standard:
                last += 1
                rows.append((last, kommun, group, label, True))
                self.signs_of[kommun].append(last)
        self.write(WarningSign, ["id", "kommun_id", "group", "label", "is_active"], rows)

    def _staff(self, kommuner: int, units: dict[int, TeamKind]) -> None:
        scale = self.scale
        password = hash_password(PASSWORD)
        users, members, user_id = [], [], 0

        def add(role: Role, kommun: int | None, team: int | None, prefix: str) -> int:
            nonlocal user_id
            user_id += 1
            users.append(
                (
                    user_id,
                    f"{prefix}{user_id}",
                    self.person(),
                    role,
                    password,
                    "sv",
                    True,
                    0,
                    0,
                    self.now - timedelta(days=self.scale.years * 365),
                )
            )
            if kommun is not None:
                self.kommun_of_user[user_id] = kommun
            if team is not None:
                members.append((user_id, team))
            return user_id

        add(Role.OPERATOR, None, None, "drift")
        for kommun in range(1, kommuner + 1):
            add(Role.ADMIN, kommun, None, "admin")
        staff_per_team = max(3, (scale.users - 1 - kommuner) // (len(self.teams) + kommuner))
        for team in self.teams:
            kommun = self.kommun_of_team[team]
            leads = [
                add(Role.TEAM_LEAD, kommun, team, "lead") for _ in range(1 + (staff_per_team > 10))
            ]
            rest = [
                add(Role.FIELD_WORKER, kommun, team, "falt")
                for _ in range(staff_per_team - len(leads))
            ]
            self.leads[team], self.workers[team] = leads, rest
        for unit, kind in units.items():
            kommun = self.kommun_of_team[unit]
            if kind == TeamKind.VPC:
                staff = [add(Role.TEAM_LEAD, kommun, unit, "lead")]
                staff += [
                    add(Role.CASEWORKER, kommun, unit, "vpc") for _ in range(staff_per_team - 1)
                ]
                self.vpc_staff[kommun] = staff
            else:
                add(Role.CASEWORKER, kommun, unit, "intag")
                add(Role.CASEWORKER, kommun, unit, "intag")
        self.write(
            User,
            [
                "id",
                "username",
                "display_name",
                "role",
                "password_hash",
                "locale",
                "is_enabled",
                "failed_logins",
                "session_epoch",
                "created_at",
            ],
            users,
        )
        self.write(kommun_member, ["user_id", "kommun_id"], list(self.kommun_of_user.items()))
        self.write(
            membership, ["user_id", "team_id"], members, kommun_by=("team_id", self.kommun_of_team)
        )

    # --- shifts and anonymous contacts ----------------------------------------------------

    def shifts_and_contacts(self) -> None:
        """Shifts over the years for every field team, CONTACTS_PER_SHIFT contacts each on
        average, until the scale's number of anonymous contacts is reached."""
        shifts_needed = self.scale.anonymous_contacts // CONTACTS_PER_SHIFT
        days = self.scale.years * 365
        first_day = local_date(self.now) - timedelta(days=days)
        shifts, workers, contacts, counts, topics, actions = [], [], [], [], [], []
        contact_id = 0
        for shift_id in range(1, shifts_needed + 1):
            team = self.teams[shift_id % len(self.teams)]
            day = self._evening(first_day, days)
            hour = self.random.choices(list(START_HOURS), list(START_HOURS.values()))[0]
            started = datetime(
                day.year, day.month, day.day, hour, self.random.choice((0, 30)), tzinfo=LOCAL_ZONE
            ).astimezone(UTC)
            ended = started + timedelta(hours=self.random.choice((3, 4, 4, 5)))
            if ended > self.now:
                ended = None
            pair = self.random.sample(self.workers[team], 2)
            old = started < self.now - timedelta(days=30)
            status = ReviewStatus.REVIEWED if old else ReviewStatus.PENDING
            shifts.append(
                (
                    shift_id,
                    self.public_id(),
                    team,
                    self.areas[team],
                    started,
                    ended,
                    "",
                    pair[0],
                    started,
                    status,
                )
            )
            workers += [(shift_id, pair[0]), (shift_id, pair[1])]
            self.shifts.setdefault(team, []).append((started, shift_id, tuple(pair)))
            remaining = self.scale.anonymous_contacts - contact_id
            many = (
                remaining
                if shift_id == shifts_needed
                else min(remaining, self.random.randint(2, 2 * CONTACTS_PER_SHIFT - 2))
            )
            for number in range(many):
                contact_id += 1
                at = started + timedelta(minutes=10 + number * 25 + self.random.randint(0, 15))
                youths = self.random.choices((1, 2, 3, 4, 5, 8), (30, 30, 18, 10, 8, 4))[0]
                contacts.append(
                    (
                        contact_id,
                        self.public_id(),
                        shift_id,
                        team,
                        self.random.choice(self.places[self.areas[team]]),
                        at,
                        local_date(at),
                        youths,
                        "",
                        pair[number % 2],
                        at,
                        # a contact logged through the form carries the form's token (unique,
                        # as the app's are: its index is then one a planner will use)
                        f"{contact_id:032x}",
                    )
                )
                counts.extend(self._counts(contact_id, youths))
                for topic in self.random.sample(list(Topic), self.random.choice((0, 1, 1, 2))):
                    topics.append((contact_id, topic))
                for action in self.random.sample(list(Action), self.random.choice((0, 1, 1, 2))):
                    actions.append((contact_id, action))
        self.write(
            Shift,
            [
                "id",
                "public_id",
                "team_id",
                "area_id",
                "started_at",
                "ended_at",
                "situation_note",
                "created_by_id",
                "created_at",
                "review_status",
            ],
            shifts,
            kommun_by=("team_id", self.kommun_of_team),
        )
        self.write(
            shift_worker,
            ["shift_id", "user_id"],
            workers,
            kommun_by=("user_id", self.kommun_of_user),
        )
        self.write(
            AnonymousContact,
            [
                "id",
                "public_id",
                "shift_id",
                "team_id",
                "place_id",
                "occurred_at",
                "occurred_on",
                "youth_count",
                "note",
                "created_by_id",
                "created_at",
                "submission_token",
            ],
            contacts,
            kommun_by=("team_id", self.kommun_of_team),
        )
        self.write(ContactCount, ["contact_id", "category", "count"], counts)
        self.write(ContactTopic, ["contact_id", "topic"], topics)
        self.write(ContactAction, ["contact_id", "action"], actions)

    def _evening(self, first_day, days):
        """A day in the period, more often a Friday or Saturday."""
        while True:
            day = first_day + timedelta(days=self.random.randrange(days))
            if self.random.random() * max(WEEKDAY_WEIGHTS) < WEEKDAY_WEIGHTS[day.weekday()]:
                return day

    def _counts(self, contact_id: int, youths: int) -> Iterator[tuple]:
        """Counts by gender and age for most contacts; the rest stays unknown."""
        if self.random.random() < 0.3:
            return
        boys = self.random.randint(0, youths)
        for category, count in ((Gender.BOY, boys), (Gender.GIRL, youths - boys)):
            if count:
                yield (contact_id, str(category), count)
        band = self.random.choice((AgeBand.AGE_13_15, AgeBand.AGE_16_17, AgeBand.AGE_18_20))
        yield (contact_id, str(band), youths)

    def run(self) -> dict[str, int]:
        self.organisation()
        self.shifts_and_contacts()
        for shifts in self.shifts.values():
            shifts.sort()
        YouthRecords(self).run()
        bulk.move_sequences(
            self.connection,
            [
                model.__table__
                for model in (
                    Kommun,
                    WarningSign,
                    Team,
                    Area,
                    Place,
                    User,
                    Shift,
                    AnonymousContact,
                    *YOUTH_TABLES,
                )
            ],
        )
        return self.counts
