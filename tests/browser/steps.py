"""Steps the browser journeys share."""

import re

from playwright.sync_api import expect

from tests import factories
from tests.addresses import address_for


def log_in(browsing, page, username: str, lands_on: str = "/") -> None:
    """Open the site, get sent to the login page, log in and land on the user's start page."""
    page.goto(address_for("home.start"))
    expect(page).to_have_url(re.compile(r"/logga-in"))
    browsing.check(page, "login")
    page.fill("#username", username)
    page.fill("#password", factories.PASSWORD)
    page.locator("#password").press("Enter")
    expect(page).to_have_url(f"{browsing.base_url}{lands_on}")
    expect(page.locator("form.logout")).to_be_visible()


def open_from_menu(page, name: str) -> None:
    """Open a page of the header's main menu: where a crowded menu meets a tablet's header, the
    pages opened now and then are under "Mer"."""
    link = page.locator(".site-header nav").get_by_role("link", name=name, exact=True)
    if not link.first.is_visible():
        page.locator(".site-header .more summary").click()
    link.filter(visible=True).click()


def chip(form, name: str, value):
    """The chip (a label around a visually covered input) for one choice."""
    return form.locator("label.chip", has=form.page.locator(f"input[name={name}][value='{value}']"))


def record_consent(browsing, page, youth_id: str, recipient: str, purpose: str) -> None:
    """The youth's own written consent to sharing with the recipient, through the form."""
    page.goto(address_for("consent.new_consent", public_id=youth_id))
    browsing.check(page, "consent")
    form = page.locator("#consent-form")
    chip(form, "given_by", "youth").click()
    chip(form, "recipients", recipient).click()
    form.locator("#purpose").fill(purpose)
    chip(form, "given_as", "written").click()
    form.locator("button[type=submit]").click()
    expect(page).to_have_url(f"{browsing.base_url}/ungdomar/{youth_id}")


def fill_handoff(form, reason: str, summary: str) -> None:
    """The handoff form filled: normal urgency, on the youth's consent, sharing the name."""
    form.locator("#reason").fill(reason)
    form.locator("#summary").fill(summary)
    chip(form, "urgency", "normal").click()
    chip(form, "basis", "consent").click()
    chip(form, "shared_fields", "name").click()


#: Where the focus is after a key press, and whether it shows: an outline or a ring on the
#: element, or on the chip's face for an input the chip covers.
_FOCUS = """(target) => {
  const element = document.activeElement;
  const shows = (e) => {
    const style = getComputedStyle(e);
    return (style.outlineStyle !== "none" && parseFloat(style.outlineWidth) > 0)
      || style.boxShadow !== "none";
  };
  const face = element.matches(".chip input") ? element.nextElementSibling : null;
  const box = (face || element).getBoundingClientRect();
  return {
    there: element === target,
    shows: shows(element) || (face !== null && shows(face)),
    onScreen: box.bottom > 0 && box.top < innerHeight && box.width > 0,
    what: element.outerHTML.slice(0, 120),
  };
}"""


def tab_to(page, target, backwards: bool = False, limit: int = 80) -> None:
    """Press Tab (Shift+Tab backwards) until the target has the focus. Every element passed on
    the way shows its focus and is on the screen."""
    element = target.element_handle()
    for _ in range(limit):
        page.keyboard.press("Shift+Tab" if backwards else "Tab")
        focus = page.evaluate(_FOCUS, element)
        assert focus["shows"], f"the focus does not show on {focus['what']}"
        assert focus["onScreen"], f"the focus is off the screen on {focus['what']}"
        if focus["there"]:
            return
    raise AssertionError(f"{limit} presses of Tab never reached {target}")


def log_in_by_keyboard(browsing, page, username: str, lands_on: str = "/") -> None:
    """The login with the keyboard alone (the focus starts on the username). On the page the
    user lands on, the first Tab reaches the skip link, which takes the focus to the content."""
    page.goto(address_for("home.start"))
    expect(page).to_have_url(re.compile(r"/logga-in"))
    expect(page.locator("#username")).to_be_focused()
    page.keyboard.type(username)
    tab_to(page, page.locator("#password"))
    page.keyboard.type(factories.PASSWORD)
    page.keyboard.press("Enter")
    expect(page).to_have_url(f"{browsing.base_url}{lands_on}")
    page.keyboard.press("Tab")
    skip = page.locator(".skip-link")
    expect(skip).to_be_focused()
    expect(skip).to_be_in_viewport()
    page.keyboard.press("Enter")
    expect(page.locator("#main")).to_be_focused()


def open_contact_form(page, shift) -> None:
    """The shift's contact form, once the service worker is active and controls the page."""
    page.goto(address_for("shifts.new_contact", public_id=shift))
    page.evaluate("navigator.serviceWorker.ready.then(() => true)")
    page.reload()
    assert page.evaluate("navigator.serviceWorker.controller !== null")


def log_contact(page, world, youths: int = 1) -> None:
    """Log an anonymous contact at the world's place on the open contact form."""
    form = page.locator("#contact-form")
    chip(form, "place", world.place).click()
    form.locator("input[name=youth_count]").fill(str(youths))
    form.locator("button[type=submit]").click()
