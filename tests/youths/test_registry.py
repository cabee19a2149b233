"""The youth registry: pseudonym first, a legal basis always, personnummer validated, search."""

import pytest
from sqlalchemy import func, select

from outreach.audit import AuditAction, AuditEvent
from outreach.auth.models import User
from outreach.extensions import db
from outreach.org.models import Team
from outreach.youths.models import Youth
from tests.addresses import address_for
from tests.factories import make_youth


def _youths(app) -> list[Youth]:
    with app.app_context():
        youths = db.session.execute(select(Youth).order_by(Youth.id)).scalars().all()
        for youth in youths:
            _ = youth.guardians
            db.session.expunge(youth)
        return youths


def _register(client, **data):
    data = {"legal_basis": "consent", **data}
    return client.post(address_for("youths.new_youth"), data=data)


def test_alias_alone_with_a_legal_basis_is_enough(app, world, login):
    response = _register(login("falt_a"), alias="Tjej med grön jacka")
    assert response.status_code == 303
    (youth,) = _youths(app)
    assert youth.alias == "Tjej med grön jacka" and youth.team_id == world.team_a
    assert youth.created_by_id == world.worker_a and youth.name == ""


def test_invisible_direction_and_zero_width_characters_are_taken_out(app, world, login):
    """What is shown is what was written: an override (U+202E) would show "kcaj" as "jack",
    a zero-width space would split a word no one sees split."""
    alias = "\u202eTjej\u200b med\u2066 grön jacka\u2069\u202c\u200f"
    response = _register(login("falt_a"), alias=alias, school="\ufeffRo\u200dsen\u2060skolan")
    assert response.status_code == 303
    (youth,) = _youths(app)
    assert (youth.alias, youth.school) == ("Tjej med grön jacka", "Rosenskolan")


def test_full_registration(app, world, login):
    response = _register(
        login("falt_a"),
        alias="Ali",
        name="Ali Östlin",
        personnummer="101218-9872",
        gender="boy",
        home_area=world.area,
        school="Rosengårdsskolan",
        guardian1_name="Amina Östlin",
        guardian1_phone="070-123 45 67",
        guardian2_name="Omar Östlin",
        interpreter_language="arabiska",
        protected_identity="y",
        legal_basis="report_of_concern",
    )
    assert response.status_code == 303, response.get_data(as_text=True)
    (youth,) = _youths(app)
    assert youth.personnummer == "201012189872"  # normalised to 12 digits
    assert youth.birth_year == 2010  # taken from the personnummer
    assert [(g.position, g.name) for g in youth.guardians] == [
        (1, "Amina Östlin"),
        (2, "Omar Östlin"),
    ]
    assert youth.protected_identity and youth.interpreter_language == "arabiska"


@pytest.mark.parametrize(
    "data",
    [
        {"alias": ""},
        {"alias": "   "},
        {"alias": "x" * 121},
        {"alias": "Kalle", "legal_basis": ""},  # no purpose/legal basis
        {"alias": "Kalle", "legal_basis": "curiosity"},
        {"alias": "Kalle", "personnummer": "101218-9873"},  # bad check digit
        {"alias": "Kalle", "personnummer": "20101318-9872"},  # no 13th month
        {"alias": "Kalle", "personnummer": "hemligt"},
        {"alias": "Kalle", "personnummer": "101218-9872", "birth_year": "2009"},  # mismatch
        {"alias": "Kalle", "birth_year": "1850"},
        {"alias": "Kalle", "birth_year": "tvåtusen"},
        {"alias": "Kalle", "gender": "robot"},
        {"alias": "Kalle", "home_area": "999999"},
        {"alias": "Kalle", "home_area": "Möllan"},
        {"alias": "Kalle", "guardian1_phone": "070-1234567"},  # phone without a name
        {"alias": "Kalle", "team": "999999"},
        {"alias": "Kalle", "school": "s" * 121},
    ],
)
def test_bad_registrations_are_refused_and_nothing_saved(app, world, login, data):
    data.setdefault("legal_basis", "consent")
    response = login("falt_a").post(address_for("youths.new_youth"), data=data)
    assert response.status_code == 422
    assert _youths(app) == []


def test_registering_in_another_team_is_refused(app, world, login):
    assert _register(login("falt_a"), alias="Kalle", team=world.team_b).status_code == 422
    assert _youths(app) == []


def test_the_same_personnummer_twice_in_a_team_is_refused(app, world, login):
    client = login("falt_a")
    assert _register(client, alias="Ett", personnummer="201012189872").status_code == 303
    assert _register(client, alias="Två", personnummer="101218-9872").status_code == 422
    assert len(_youths(app)) == 1


def test_personnummer_is_masked_in_lists_and_shown_on_the_page(app, world, login):
    client = login("falt_a")
    _register(client, alias="Kalle", personnummer="201012189872")
    listing = client.post(address_for("casefile.search"), data={"q": "kalle"}).get_data(
        as_text=True
    )
    assert "20101218-XXXX" in listing and "9872" not in listing
    (youth,) = _youths(app)
    assert "20101218-9872" in client.get(
        address_for("casefile.youth", public_id=youth.public_id)
    ).get_data(as_text=True)


@pytest.fixture
def registry(app, world):
    with app.app_context():
        worker = db.session.get(User, world.worker_a)
        team_a = db.session.get(Team, world.team_a)
        make_youth(worker, team_a, "Kille i keps", name="Ali Östlin", birth_year=2009)
        make_youth(worker, team_a, "Tjej vid stationen", name="Åsa Lund", birth_year=2011)
        make_youth(worker, team_a, "50% rabatt-killen")
        worker_b = db.session.get(User, world.worker_b)
        make_youth(worker_b, db.session.get(Team, world.team_b), "Annan Östlin", name="Bo Östlin")
        db.session.commit()


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("ostlin", ["Kille i keps"]),
        ("ÖSTLIN", ["Kille i keps"]),
        ("asa", ["Tjej vid stationen"]),
        ("Åsa", ["Tjej vid stationen"]),
        ("2011", ["Tjej vid stationen"]),
        ("ali 2009", ["Kille i keps"]),
        ("keps", ["Kille i keps"]),
        ("%", ["50% rabatt-killen"]),  # LIKE wildcards are literal
        ("_", []),
        ("finns inte", []),
        ("\u200bost\u200dlin\u202c", ["Kille i keps"]),  # invisible characters taken out
    ],
)
def test_search_is_case_and_accent_insensitive_and_team_scoped(login, registry, query, expected):
    page = (
        login("falt_a")
        .post(address_for("casefile.search"), data={"q": query})
        .get_data(as_text=True)
    )
    for alias in ["Kille i keps", "Tjej vid stationen", "50% rabatt-killen"]:
        assert (alias in page) == (alias in expected), (query, alias)
    assert "Annan Östlin" not in page  # team B's youth


def test_live_search_answers_with_the_results_block_only(login, registry):
    response = login("falt_a").post(
        address_for("casefile.search"),
        data={"q": "ostl"},
        headers={"HX-Request": "true", "HX-Request-Type": "partial"},
    )
    body = response.get_data(as_text=True)
    assert "Kille i keps" in body and "<html" not in body and "<form" not in body


def test_full_page_search_works_without_javascript_and_keeps_names_out_of_urls(login, registry):
    client = login("falt_a")
    page = client.post(address_for("casefile.search"), data={"q": "keps"}).get_data(as_text=True)
    assert "<html" in page and 'value="keps"' in page and "Kille i keps" in page
    assert "Kille i keps" not in client.get(address_for("casefile.search", q="keps")).get_data(
        as_text=True
    )
    assert 'method="get"' not in page


def test_every_youth_listed_by_a_search_is_in_the_access_log(app, world, login, registry):
    login("falt_a").post(address_for("casefile.search"), data={"q": "östlin"})
    with app.app_context():
        listed = (
            db.session.execute(
                select(Youth.alias)
                .join(AuditEvent, AuditEvent.youth_id == Youth.id)
                .where(AuditEvent.action == AuditAction.LIST, AuditEvent.user_id == world.worker_a)
            )
            .scalars()
            .all()
        )
    assert listed == ["Kille i keps"]


def test_the_same_personnummer_may_be_in_two_teams(app, world, login):
    assert _register(login("falt_a"), alias="Ett", personnummer="201012189872").status_code == 303
    assert _register(login("falt_b"), alias="Två", personnummer="201012189872").status_code == 303
    assert len(_youths(app)) == 2


def test_edit_adds_what_became_known_and_is_audited(app, world, login):
    client = login("falt_a")
    _register(client, alias="Kalle")
    (youth,) = _youths(app)
    response = client.post(
        address_for("youths.edit_youth", public_id=youth.public_id),
        data={
            "alias": "Kalle",
            "legal_basis": "consent",
            "name": "Karl Åberg",
            "birth_year": "2010",
        },
    )
    assert response.status_code == 303
    (youth,) = _youths(app)
    assert youth.name == "Karl Åberg" and youth.birth_year == 2010
    assert "aberg" in youth.search_key
    with app.app_context():
        update = db.session.execute(
            select(AuditEvent).where(AuditEvent.action == AuditAction.UPDATE)
        ).scalar_one()
        assert update.youth_id == youth.id and "name" in update.detail
        assert update.changed["name"] == ["", "Karl Åberg"]  # old value kept
    page = client.get(address_for("casefile.youth", public_id=youth.public_id)).get_data(
        as_text=True
    )
    assert "Ändrat:" in page and "Namn" in page
    bad = client.post(
        address_for("youths.edit_youth", public_id=youth.public_id),
        data={"alias": "", "legal_basis": "consent"},
    )
    assert bad.status_code == 422
    assert _youths(app)[0].alias == "Kalle"


def test_every_read_of_a_youth_is_logged(app, world, login):
    client = login("falt_a")
    _register(client, alias="Kalle")
    (youth,) = _youths(app)
    client.get(address_for("casefile.youth", public_id=youth.public_id))
    login("lead_a").get(address_for("youths.edit_youth", public_id=youth.public_id))
    with app.app_context():
        reads = (
            db.session.execute(
                select(AuditEvent.user_id).where(
                    AuditEvent.action == AuditAction.READ, AuditEvent.youth_id == youth.id
                )
            )
            .scalars()
            .all()
        )
    assert sorted(reads) == sorted([world.worker_a, world.lead_a])


def test_a_youth_cannot_exist_without_a_legal_basis(app):
    column = Youth.__table__.columns["legal_basis"]
    assert not column.nullable


def test_caseworker_and_admin_cannot_register(world, login):
    for username in ("vpc", "admin"):
        assert _register(login(username), alias="Kalle").status_code == 403


def test_count_of_youths_is_unchanged_by_refusals(app, world, login):
    with app.app_context():
        before = db.session.execute(select(func.count(Youth.id))).scalar_one()
    login("falt_b").post(
        address_for("youths.new_youth"), data={"alias": "", "legal_basis": "consent"}
    )
    with app.app_context():
        assert db.session.execute(select(func.count(Youth.id))).scalar_one() == before
