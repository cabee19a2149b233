"""The header's main menu: each role's pages in order, and where a long menu on a tablet puts the
pages that do not fit the row (under "Mer"; the stylesheet shows the row's copies on a wide
screen)."""

import pytest
from lxml import html

from outreach import _initials
from outreach.auth.models import Role
from outreach.extensions import db
from outreach.org.models import Team
from tests.addresses import address_for
from tests.factories import make_kommun, make_team, make_user


def _menu(page: str) -> tuple[list[str], list[str], list[str]]:
    """The main menu's row, the row's items hidden on a tablet, and the items under "Mer"."""
    nav = html.fromstring(page).xpath("//header//nav[@aria-label='Huvudmeny']")[0]
    row = nav.xpath("./ul/li[not(@class='more')]/a/text()")
    occasional = nav.xpath("./ul/li[@class='in-more']/a/text()")
    more = nav.xpath("./ul/li[@class='more']//ul/li/a/text()")
    return row, occasional, more


@pytest.mark.parametrize(
    ("username", "row", "more"),
    [
        ("falt_a", ["Fältpass", "Ungdomar"], []),
        (
            "lead_a",
            ["Fältpass", "Ungdomar", "Granskning", "Statistik", "Dataskydd"],
            ["Statistik", "Dataskydd"],
        ),
        ("vpc", ["Inkorg"], []),
        ("admin", ["Administration", "Dataskydd"], []),
    ],
)
def test_each_role_has_its_pages_and_a_long_menu_puts_the_occasional_ones_under_more(
    world, signed_in, username, row, more
):
    page = signed_in(username).get(address_for("home.start"), follow_redirects=True)
    assert page.status_code == 200
    shown, occasional, under_more = _menu(page.get_data(as_text=True))
    assert shown == row
    assert occasional == more == under_more
    assert "Start" not in shown  # the brand opens the start page


def test_every_page_of_the_menu_opens(world, signed_in):
    client = signed_in("lead_a")
    page = html.fromstring(client.get(address_for("home.start")).get_data(as_text=True))
    links = set(page.xpath("//header//nav//a/@href"))
    assert len(links) == 5
    for link in links:
        assert client.get(link).status_code == 200, link


@pytest.fixture
def leads(app, world):
    """lead_unit: lead of field team A and of VPC; lead_ab: lead of team A and of a field team
    of a second kommun (signed in, acting for the first)."""
    with app.app_context():
        team_a, vpc = db.session.get(Team, world.team_a), db.session.get(Team, world.vpc)
        make_user("lead_unit", Role.TEAM_LEAD, [team_a, vpc], "Lena Ledare")
        other = make_kommun("Grannkommun", "0002")
        make_user("lead_ab", Role.TEAM_LEAD, [team_a, make_team("Centrum", kommun=other)])
        db.session.commit()


def test_a_menu_longer_than_the_row_keeps_the_first_pages_and_puts_the_rest_under_more(
    leads, signed_in
):
    page = signed_in("lead_unit").get(address_for("home.start")).get_data(as_text=True)
    shown, in_more, under_more = _menu(page)
    assert shown == ["Inkorg", "Fältpass", "Ungdomar", "Granskning", "Statistik", "Dataskydd"]
    assert in_more == under_more == ["Granskning", "Statistik", "Dataskydd"]


def test_a_lead_of_two_kommuner_changes_kommun_under_more_on_a_narrow_header(leads, signed_in):
    page = signed_in("lead_ab").get(address_for("home.start")).get_data(as_text=True)
    assert _menu(page)[2] == ["Statistik", "Dataskydd", "Byt kommun (Testkommun)"]
    header = html.fromstring(page).xpath("//header//a[contains(@class, 'kommun')]")[0]
    assert header.get("class") == "kommun wide-only" and header.text == "Testkommun"


@pytest.mark.parametrize(
    ("name", "initials"),
    [("Fatima Ali Berg", "FB"), ("Sara Öberg (vikarie)", "SÖ"), ("Cher", "C"), ("(x)", "(")],
)
def test_initials_are_of_the_first_and_last_word_that_begin_with_a_letter(name, initials):
    assert _initials(name) == initials
