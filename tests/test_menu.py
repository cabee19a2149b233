"""The header's main menu: each role's pages in order, and where a long menu on a tablet puts the
pages opened now and then (under "Mer"; the stylesheet shows the row's copies on a wide screen)."""

import pytest
from lxml import html

from tests.addresses import address_for


def _menu(page: str) -> tuple[list[str], list[str], list[str]]:
    """The main menu's row, the row's items hidden on a tablet, and the items under "Mer"."""
    nav = html.fromstring(page).xpath("//header//nav[@aria-label='Huvudmeny']")[0]
    row = nav.xpath("./ul/li[not(@class='more')]/a/text()")
    occasional = nav.xpath("./ul/li[@class='occasional']/a/text()")
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
