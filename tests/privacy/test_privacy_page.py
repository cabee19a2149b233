"""The privacy page (open to anyone) and the data-protection overview (leads and the admin)."""

from tests.addresses import address_for


def test_the_privacy_page_says_what_is_kept_and_for_how_long(app, client, monkeypatch):
    monkeypatch.setitem(app.config, "RETENTION_YEARS", 7)
    page = client.get(address_for("privacy.privacy_page"))
    assert page.status_code == 200
    text = page.get_data(as_text=True)
    assert "Så hanterar Outreach personuppgifter" in text
    assert "på 7 år" in text  # the configured retention time
    assert "5, 15, 25" in text
    assert "registerutdrag" in text


def test_every_page_links_to_it(app, world, signed_in, client):
    assert 'href="/integritet"' in client.get(address_for("auth.login")).get_data(as_text=True)
    assert 'href="/integritet"' in signed_in("falt_a").get(address_for("home.start")).get_data(
        as_text=True
    )


def test_the_overview_is_for_leads_and_the_admin(app, world, signed_in):
    lead = signed_in("lead_a").get(address_for("privacy.overview")).get_data(as_text=True)
    assert "Loggkontroll" in lead and "Registerutdrag" in lead and "Gallring" in lead
    admin = signed_in("admin").get(address_for("privacy.overview")).get_data(as_text=True)
    assert "Gallring" in admin and "Loggkontroll" not in admin
    assert signed_in("falt_a").get(address_for("privacy.overview")).status_code == 403
    assert signed_in("vpc").get(address_for("privacy.overview")).status_code == 403
