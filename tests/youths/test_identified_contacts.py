"""Contacts with named youths: linked from a shift, facts apart from assessment, corrections
appended and never overwritten, shown on the youth's timeline."""

import re

import pytest
from sqlalchemy import func, select

from outreach.auth.models import User
from outreach.extensions import db
from outreach.org.models import Area, Team
from outreach.youths import contacts as youth_contacts
from outreach.youths.models import IdentifiedContact
from tests.addresses import address_for
from tests.factories import make_shift, make_youth


@pytest.fixture
def setting(app, world):
    """An open shift of falt_a, two team A youths and one team B youth; public ids."""
    with app.app_context():
        worker = db.session.get(User, world.worker_a)
        team_a = db.session.get(Team, world.team_a)
        shift = make_shift(worker, team_a, db.session.get(Area, world.area))
        ali = make_youth(worker, team_a, "Ali med keps")
        bea = make_youth(worker, team_a, "Bea vid torget")
        other = make_youth(
            db.session.get(User, world.worker_b), db.session.get(Team, world.team_b), "Norr-ungdom"
        )
        db.session.commit()
        return {
            "shift": shift.public_id,
            "ali": ali.public_id,
            "bea": bea.public_id,
            "other": other.public_id,
        }


def _contacts(app):
    with app.app_context():
        contacts = (
            db.session.execute(select(IdentifiedContact).order_by(IdentifiedContact.id))
            .scalars()
            .all()
        )
        for contact in contacts:
            _ = contact.youths
            db.session.expunge(contact)
        return contacts


def _record(client, setting, **data):
    return client.post(address_for("youths.new_contact", public_id=setting["shift"]), data=data)


def test_contact_with_two_youths_shows_on_both_timelines(app, login, setting):
    client = login("falt_a")
    response = _record(
        client,
        setting,
        youths=[setting["ali"], setting["bea"]],
        facts="Satt vid torget med äldre killar.",
        assessment="Jag är orolig.",
    )
    assert response.status_code == 303
    (contact,) = _contacts(app)
    assert {y.public_id for y in contact.youths} == {setting["ali"], setting["bea"]}
    assert (
        contact.facts == "Satt vid torget med äldre killar."
        and contact.assessment == "Jag är orolig."
    )
    for youth in ("ali", "bea"):
        page = client.get(address_for("casefile.youth", public_id=setting[youth])).get_data(
            as_text=True
        )
        assert "Satt vid torget med äldre killar." in page
        assert "Jag är orolig." in page
        assert "Fatima Fält" in page  # the author


def test_form_preselects_the_youth_and_searches_without_javascript(login, setting):
    client = login("falt_a")
    page = client.get(
        address_for("youths.new_contact", public_id=setting["shift"], ungdom=setting["ali"])
    )
    body = page.get_data(as_text=True)
    assert re.search(rf'<input checked[^>]*value="{setting["ali"]}"', body)
    assert f'data-hx-post="/faltpass/{setting["shift"]}/namngiven-kontakt"' in body
    url = address_for("youths.new_contact", public_id=setting["shift"])
    # Without JavaScript "Search" posts the whole form: ticked youths and typed text stay.
    found = client.post(
        url,
        data={"action": "search", "q": "bea", "youths": [setting["ali"]], "facts": "Halvskrivet"},
    ).get_data(as_text=True)
    assert re.search(rf'<input checked[^>]*value="{setting["ali"]}"', found)
    assert re.search(rf'<input id="youths-1"[^>]*value="{setting["bea"]}"', found)
    assert "Halvskrivet" in found
    # a second search keeps both once ticked
    again = client.post(
        url, data={"action": "search", "q": "zzz", "youths": [setting["ali"], setting["bea"]]}
    ).get_data(as_text=True)
    assert "Ali med keps" in again and "Bea vid torget" in again
    norr = client.post(url, data={"action": "search", "q": "norr"}).get_data(as_text=True)
    assert "Norr-ungdom" not in norr


def test_live_search_replaces_the_candidates_once(login, setting):
    response = login("falt_a").post(
        address_for("youths.new_contact", public_id=setting["shift"]),
        data={"action": "search", "q": "bea"},
        headers={"HX-Request": "true", "HX-Request-Type": "partial"},
    )
    body = response.get_data(as_text=True)
    assert body.count('id="youth-candidates"') == 1 and "<form" not in body
    assert "Bea vid torget" in body


def test_companions_under_protected_identity_are_not_named(app, world, login, setting):
    with app.app_context():
        worker = db.session.get(User, world.worker_a)
        hidden = make_youth(
            worker, db.session.get(Team, world.team_a), "Skyddad ungdom", protected_identity=True
        )
        db.session.commit()
        hidden_id = hidden.public_id
    _record(login("falt_a"), setting, youths=[setting["ali"], hidden_id], facts="Två stycken.")
    colleague_view = (
        login("falt_a2")
        .get(address_for("casefile.youth", public_id=setting["ali"]))
        .get_data(as_text=True)
    )
    assert "Skyddad ungdom" not in colleague_view
    assert '<span class="badge warning">Skyddad</span>' in colleague_view  # masked
    assert "Skyddad ungdom" in login("falt_a").get(
        address_for("casefile.youth", public_id=setting["ali"])
    ).get_data(as_text=True)


@pytest.mark.parametrize(
    "data",
    [
        {"facts": "Pratade."},  # no youth
        {"youths": ["other"], "facts": "Pratade."},  # team B's youth: a foreign id
        {"youths": ["made-up-id"], "facts": "Pratade."},
        {"youths": ["ali"], "facts": ""},
        {"youths": ["ali"], "facts": "x" * 4001},
        {"youths": ["ali"], "facts": "Pratade.", "occurred_at": "2999-12-31T23:00"},
        {"youths": ["ali"], "facts": "Pratade.", "place": "999999"},
    ],
)
def test_bad_contacts_are_refused_and_nothing_saved(app, login, setting, data):
    data = {**data, "youths": [setting.get(y, y) for y in data.get("youths", [])]}
    response = _record(login("falt_a"), setting, **data)
    assert response.status_code == 422
    assert _contacts(app) == []


def test_a_correction_is_appended_and_the_original_kept(app, login, setting):
    client = login("falt_a")
    _record(client, setting, youths=[setting["ali"]], facts="Hade en kniv.", assessment="Akut.")
    (original,) = _contacts(app)
    response = client.post(
        address_for("youths.correct_contact", public_id=original.public_id),
        data={
            "facts": "Hade en kniv, enligt en kamrat.",
            "assessment": "Akut.",
            "ungdom": setting["ali"],
        },
    )
    assert response.status_code == 303
    original_again, correction = _contacts(app)
    assert original_again.facts == "Hade en kniv."  # never overwritten
    assert correction.corrects_id == original.id
    assert [y.public_id for y in correction.youths] == [setting["ali"]]
    page = client.get(address_for("casefile.youth", public_id=setting["ali"])).get_data(
        as_text=True
    )
    assert page.index("Hade en kniv.") < page.index("Hade en kniv, enligt en kamrat.")
    # a correction of the correction chains under the same entry
    client.post(
        address_for("youths.correct_contact", public_id=correction.public_id),
        data={"facts": "Hade en kniv, sa han själv.", "assessment": "Akut."},
    )
    page = client.get(address_for("casefile.youth", public_id=setting["ali"])).get_data(
        as_text=True
    )
    assert page.count('class="correction"') == 2


def test_only_author_or_lead_corrects(app, login, setting):
    _record(login("falt_a"), setting, youths=[setting["ali"]], facts="Pratade.")
    (original,) = _contacts(app)
    url = address_for("youths.correct_contact", public_id=original.public_id)
    assert login("falt_a2").post(url, data={"facts": "Annat."}).status_code == 403
    assert login("falt_b").post(url, data={"facts": "Annat."}).status_code == 404
    assert login("lead_a").post(url, data={"facts": "Rättat av lead."}).status_code == 303
    unchanged = login("falt_a").post(url, data={"facts": "Pratade.", "assessment": ""})
    assert unchanged.status_code == 422
    with app.app_context():
        assert db.session.execute(select(func.count(IdentifiedContact.id))).scalar_one() == 2


def test_a_long_timeline_is_read_a_page_at_a_time(app, login, setting):
    """The latest contacts first; further back through a link, corrections with their entry."""
    client = login("falt_a")
    size = youth_contacts.TIMELINE_PAGE
    for number in range(size + 2):
        _record(client, setting, youths=[setting["ali"]], facts=f"Kontakt nr {number:02d}.")
    oldest = _contacts(app)[0]
    client.post(
        address_for("youths.correct_contact", public_id=oldest.public_id),
        data={"facts": "Kontakt nr 00, rättad.", "ungdom": setting["ali"]},
    )
    first = client.get(address_for("casefile.youth", public_id=setting["ali"])).get_data(
        as_text=True
    )
    shown = re.findall(r"Kontakt nr (\d\d)\.", first)
    assert shown == [f"{n:02d}" for n in range(size + 1, 1, -1)]
    after = re.search(r'href="/ungdomar/[^"?]+\?after=([^"#]+)#timeline-heading"', first).group(1)
    second = client.get(
        address_for("casefile.youth", public_id=setting["ali"], after=after)
    ).get_data(as_text=True)
    assert re.findall(r"Kontakt nr (\d\d)\.", second) == ["01", "00"]
    assert "Kontakt nr 00, rättad." in second and "Tillbaka till de senaste kontakterna" in second
    assert "Tidigare kontakter" not in second
    damaged = client.get(address_for("casefile.youth", public_id=setting["ali"], after="skadad"))
    assert damaged.status_code == 400
