"""Steps the browser journeys share."""

import re

from playwright.sync_api import expect

from tests import factories


def log_in(browsing, page, username: str, lands_on: str = "/") -> None:
    """Open the site, get sent to the login page, log in and land on the user's start page."""
    page.goto("/")
    expect(page).to_have_url(re.compile(r"/logga-in"))
    browsing.check(page, "login")
    page.fill("#username", username)
    page.fill("#password", factories.PASSWORD)
    page.locator("main form button[type=submit]").click()
    expect(page).to_have_url(f"{browsing.base_url}{lands_on}")
    expect(page.locator("form.logout")).to_be_visible()


def chip(form, name: str, value):
    """The chip (a label around a visually covered input) for one choice."""
    return form.locator("label.chip", has=form.page.locator(f"input[name={name}][value='{value}']"))
