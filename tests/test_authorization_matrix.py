"""The authorization matrix: every endpoint × every role × records of team A, of team B in the
same kommun, and of team C in another kommun.

The endpoints come from `app.url_map`, and what an address names comes from its converter
(`<youth:public_id>`), so a new route joins the matrix by being declared; nothing here lists
the routes. What each role may do is written below from DOMAIN.md, apart from policy.py, so
the two can disagree and the test can fail: which roles a declared policy admits, who sees a
team's records, and the few endpoints that narrow further to one relation to the record.
"""

from collections import Counter
from pathlib import Path

import pytest

from outreach import ids, policy
from outreach.auth.models import Role, User
from outreach.extensions import db
from outreach.org.models import Area, Team, TeamKind
from outreach.risk.models import WarningSign
from tests.factories import (
    make_area,
    make_dead_letter,
    make_kommun,
    make_records,
    make_team,
    make_user,
    signs,
)
from tests.routes import ENDPOINTS, Address, address_of

#: The roles, by the username the world gives them; None is a visitor who is not logged in.
#: mottagning works in the intake unit; falt_c and admin_c work for the other kommun; delad
#: works for both (in team A and team C) and acts for the first; samordnare is a regional
#: coordinator of the first kommun; drift is the deployment's operator.
ROLES = (
    None,
    "falt_a",
    "falt_a2",
    "falt_b",
    "lead_a",
    "vpc",
    "vpc_lead",
    "mottagning",
    "admin",
    "falt_c",
    "admin_c",
    "delad",
    "samordnare",
    "drift",
)
#: The kommun each role works for (the operator works for none), and each team is of.
KOMMUN = {"falt_c": 2, "admin_c": 2, "drift": None} | {"A": 1, "B": 1, "C": 2}
TEAMS = "ABC"

#: Which roles each declared policy admits at all.
ADMITS = {
    "anyone_logged_in": {
        "falt_a",
        "falt_a2",
        "falt_b",
        "lead_a",
        "vpc",
        "vpc_lead",
        "mottagning",
        "admin",
        "falt_c",
        "admin_c",
        "delad",
        "samordnare",
        "drift",
    },
    "field_staff": {"falt_a", "falt_a2", "falt_b", "lead_a", "falt_c", "delad"},
    "unit_staff": {"vpc", "vpc_lead", "mottagning"},
    "intake_staff": {"mottagning"},
    "field_or_unit_staff": {
        "falt_a",
        "falt_a2",
        "falt_b",
        "lead_a",
        "vpc",
        "vpc_lead",
        "mottagning",
        "falt_c",
        "delad",
    },
    "admin": {"admin", "admin_c"},
    "leads_field_team": {"lead_a"},
    "leads_a_team": {"lead_a", "vpc_lead"},
    "retention_staff": {"lead_a", "admin", "admin_c"},
    "operator": {"drift"},
    "national_statistics": {"drift", "samordnare"},
}

#: A role's relation to a team's records: the worker who made them (out on the shift, author
#: of every entry), a colleague in the same team, the team's lead, or VPC. Team B has only
#: its worker in the matrix. The intake unit sees the reports delivered to it.
RELATION = {
    "A": {
        "falt_a": "worker",
        "falt_a2": "colleague",
        "lead_a": "lead",
        "vpc": "vpc",
        "vpc_lead": "vpc",
        "delad": "colleague",
        "mottagning": "intake",
    },
    "B": {"falt_b": "worker", "vpc": "vpc", "vpc_lead": "vpc", "mottagning": "intake"},
    "C": {"falt_c": "worker"},
}

#: Who sees a record of each kind: its team; VPC sees the handoffs sent to it and no more;
#: a register-extract request is the team lead's.
SEES = {kind: {"worker", "colleague", "lead"} for kind in ids.RECORD_KINDS} | {
    "handoff": {"worker", "colleague", "lead", "vpc"},
    "request": {"lead"},
}

#: Endpoints that narrow who may act on a record they see.
ONLY = {
    # an open shift is ended, and its note kept, by its workers or the team's lead
    "shifts.end_shift": {"worker", "lead"},
    "shifts.save_note": {"worker", "lead"},
    # an entry is corrected, a risk marking withdrawn, by its author or the team's lead
    "youths.correct_contact": {"worker", "lead"},
    "risk.withdraw": {"worker", "lead"},
    # contacts are logged by the workers out on the shift, not by their lead
    "shifts.new_contact": {"worker"},
    "youths.new_contact": {"worker"},
    # VPC takes the steps on a handoff (the sample step is "acknowledge")
    "handoffs.take_step": {"vpc"},
    # a lead of the shift's team signs off or returns; its workers answer a returned shift
    "review.sign_off": {"lead"},
    "review.return_shift": {"lead"},
    "review.resubmit": {"worker"},
    # the author sends their report of concern (to the intake unit, or on paper)
    "reports.deliver": {"worker"},
    "reports.mark_sent": {"worker"},
    # the intake unit acknowledges a report delivered to it
    "reports.acknowledge": {"intake"},
    # a lead decides who sees a youth with protected identity
    "casefile.grant_access": {"lead"},
    "casefile.revoke_access": {"lead"},
    # a lead keeps records past retention, registers register-extract requests, merges
    "privacy.set_hold": {"lead"},
    "privacy.lift_hold": {"lead"},
    "privacy.register_request": {"lead"},
    "casefile.merge_records": {"lead"},
}

#: How the records must be for an endpoint to have anything to do (make_records arguments):
#: a shift in the state it acts on, a youth with protected identity.
SETUP = {
    "review.sign_off": {"shift_state": "ended"},
    "review.return_shift": {"shift_state": "ended"},
    "review.resubmit": {"shift_state": "returned"},
    "reports.acknowledge": {"report_delivered": True},
    "casefile.grant_access": {"protected": True},
    "casefile.revoke_access": {"protected": True},
}

ARTIFACTS = Path(__file__).resolve().parent.parent / "test-artifacts"


def _expected(endpoint: str, view_policy, role: str | None, team: str, address: Address):
    """What the role should get: "ok" (the request is served), "login", 403 or 404."""
    expected = _expected_before_protection(endpoint, view_policy, role, team, address)
    protected = SETUP.get(endpoint, {}).get("protected")
    if protected and expected != "login" and RELATION[team].get(role) == "colleague":
        return 404  # a youth with protected identity is seen by its lead and granted workers
    return expected


#: Public endpoints whose answer does not depend on who asks: the metrics open to a token of
#: their own, never to a login (the matrix's users carry none, and they hide that they exist);
#: a kommun's SAML addresses are not there while it has no SAML provider (the matrix's has none).
OWN_TOKEN = {"health.metrics_page": 404, "auth.saml_metadata": 404, "auth.saml_slo": 404}


def _expected_before_protection(endpoint, view_policy, role, team, address):
    if endpoint in OWN_TOKEN:
        return OWN_TOKEN[endpoint]
    if view_policy == policy.PUBLIC:
        return "ok"
    if role is None:
        return "login"
    name = view_policy.__name__
    assert name in ADMITS, f"say in ADMITS which roles the new policy {name} admits"
    if role not in ADMITS[name]:
        return 404 if address.kinds else 403
    if (address.kinds or address.numbered) and KOMMUN.get(role, 1) != KOMMUN[team]:
        return 404  # nothing of another kommun exists for anyone
    relation = RELATION[team].get(role)
    for kind in address.kinds:
        if not _sees(endpoint, relation, kind):
            return 404
    if address.kinds and relation not in ONLY.get(endpoint, {relation}):
        return 403
    return "ok"


def _sees(endpoint: str, relation: str | None, kind: str) -> bool:
    """Whether the relation sees the endpoint's record of the kind. The intake unit sees the
    reports delivered to it and nothing else of the team."""
    if relation == "intake":
        return kind == "report" and SETUP.get(endpoint, {}).get("report_delivered", False)
    return relation in SEES[kind]


def _outcome(response) -> str | int:
    """The response as the matrix counts it. The door to the login page is a 302; a 303 there
    answers a form (logged out; a login that was not begun sent back to its start)."""
    status = response.status_code
    assert status < 500, f"{response.request.method} {response.request.path} answered {status}"
    if status == 302 and "/logga-in" in response.location:
        return "login"
    if status in (403, 404):
        return status
    return "ok"


@pytest.fixture
def matrix_world(app, world):
    """The world plus a VPC team lead, the intake unit's caseworker, a user for the admin's
    user pages to act on, the other kommun (team C with its worker, its VPC and intake unit,
    an area, an admin and a spare user), a regional coordinator and the operator."""
    with app.app_context():
        make_user("vpc_lead", Role.TEAM_LEAD, [db.session.get(Team, world.vpc)])
        make_user("mottagning", Role.CASEWORKER, [make_team("Mottagningen", TeamKind.INTAKE)])
        make_user("spare", Role.FIELD_WORKER, [db.session.get(Team, world.team_b)])
        other = make_kommun("Grannkommun", "0002")
        team_c = make_team("Fältgruppen Centrum", kommun=other)
        make_team("Våldspreventivt centrum", TeamKind.VPC, kommun=other)
        intake_c = make_team("Mottagningen", TeamKind.INTAKE, kommun=other)
        make_user("mottagning_c", Role.CASEWORKER, [intake_c])
        area_c = make_area("Centrum", ["Torget"], kommun=other)
        make_user("falt_c", Role.FIELD_WORKER, [team_c])
        make_user("spare_c", Role.FIELD_WORKER, [team_c])
        make_user("admin_c", Role.ADMIN, [], kommuner=[other])
        make_user("delad", Role.FIELD_WORKER, [db.session.get(Team, world.team_a), team_c])
        make_user("samordnare", Role.COORDINATOR, [])
        make_user("drift", Role.OPERATOR, [])
        db.session.commit()
        world.team_c, world.area_c, world.kommun_c = team_c.id, area_c.id, other.id
    return world


#: Requests checked, by method and expected outcome; written to test-artifacts/ at the end.
COUNTS = Counter()


@pytest.fixture(scope="module", autouse=True)
def _report_counts():
    yield
    if not COUNTS:
        return
    lines = [f"endpoints: {len(ENDPOINTS)}", f"roles: {len(ROLES)}"]
    lines += [
        f"{method} expected {outcome}: {n}" for (method, outcome), n in sorted(COUNTS.items())
    ]
    lines.append(f"requests checked: {sum(COUNTS.values())}")
    ARTIFACTS.mkdir(exist_ok=True)
    (ARTIFACTS / "authorization-matrix.txt").write_text("\n".join(lines) + "\n")


@pytest.mark.parametrize(("endpoint", "rule", "methods"), ENDPOINTS, ids=[e[0] for e in ENDPOINTS])
def test_authorization_matrix(app, matrix_world, signed_in, endpoint, rule, methods):
    world = matrix_world
    clients = {role: signed_in(role) if role else app.test_client() for role in ROLES}
    view_policy = app.view_functions[endpoint].access_policy
    setup = SETUP.get(endpoint, {})

    def fresh_records(team: str) -> dict:
        team_id, worker, area, spare = {
            "A": (world.team_a, "falt_a", world.area, "spare"),
            "B": (world.team_b, "falt_b", world.area, "spare"),
            "C": (world.team_c, "falt_c", world.area_c, "spare_c"),
        }[team]
        with app.app_context():
            team_row = db.session.get(Team, team_id)
            worker = db.session.execute(db.select(User).where(User.username == worker)).scalar_one()
            records = make_records(team_row, worker, db.session.get(Area, area), **setup)
            sign_id = db.session.execute(
                signs(WarningSign.id).where(WarningSign.kommun_id == team_row.kommun_id).limit(1)
            ).scalar_one()
            spare = db.session.execute(
                db.select(User.id).where(User.username == spare)
            ).scalar_one()
            mail = make_dead_letter(team_row.kommun)
            return {
                "records": {kind: record.public_id for kind, record in records.items()},
                "numbers": {
                    "sign_id": sign_id,
                    "user_id": spare,
                    "mail_id": mail.id,
                    "team_id": team_id,
                },
            }

    made = {team: fresh_records(team) for team in TEAMS}
    wrong = []
    for role in ROLES:
        for team in TEAMS:
            for method in methods:
                address = address_of(rule, made[team]["records"], made[team]["numbers"])
                expected = _expected(endpoint, view_policy, role, team, address)
                response = clients[role].open(address.url, method=method)
                response.get_data()  # a streamed download runs to its end
                response.close()
                got = _outcome(response)
                COUNTS[(method, str(expected))] += 1
                if got != expected:
                    wrong.append(
                        f"{role or 'anonymous'} {method} {address.url} (team {team}): "
                        f"expected {expected}, got {response.status_code} {response.location}"
                    )
                if method != "GET" and got == "ok":
                    made[team] = fresh_records(team)  # the request may have changed them
            if not address.kinds and not address.numbered:
                break  # an address without a team's record is the same for every team
    assert not wrong, "\n".join(wrong)


RECORD_ENDPOINTS = [e for e in ENDPOINTS if any(f"<{k}:" in e[1] for k in ids.RECORD_KINDS)]


@pytest.mark.parametrize(
    ("endpoint", "rule", "methods"), RECORD_ENDPOINTS, ids=[e[0] for e in RECORD_ENDPOINTS]
)
def test_neighbouring_ids_are_not_found(app, matrix_world, signed_in, endpoint, rule, methods):
    """Guessing: the record's own database id and its neighbours, its public id with one
    character changed, and the public id of another kind of the user's own records all answer
    404 to a user who may open the record itself."""
    world = matrix_world
    with app.app_context():
        records = make_records(
            db.session.get(Team, world.team_a),
            db.session.get(User, world.worker_a),
            db.session.get(Area, world.area),
            **SETUP.get(endpoint, {}),
        )
        public = {kind: record.public_id for kind, record in records.items()}
        numeric = {kind: record.id for kind, record in records.items()}
    only = ONLY.get(endpoint, {"lead"})
    user = "mottagning" if "intake" in only else "lead_a" if "lead" in only else "falt_a"
    client = signed_in(user)
    kinds = [k for k in ids.RECORD_KINDS if f"<{k}:" in rule]
    guesses = []
    for kind in kinds:
        own = public[kind]
        changed = own[:-1] + ("A" if own[-1] != "A" else "B")
        other_kind = public["contact" if kind != "contact" else "youth"]
        for number in (numeric[kind] - 1, numeric[kind], numeric[kind] + 1):
            guesses.append({**public, kind: str(number)})
        guesses += [{**public, kind: changed}, {**public, kind: other_kind}]
    for guess in guesses:
        url = address_of(rule, guess, {"user_id": 1, "sign_id": 1, "mail_id": 1, "team_id": 1}).url
        for method in methods:
            response = client.open(url, method=method)
            assert response.status_code == 404, (method, url, response.status_code)
