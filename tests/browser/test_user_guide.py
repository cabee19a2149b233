"""The field workers' guide (docs/guide/README.md) and its pictures: this journey walks the
guide's steps on a Friday evening and takes each picture the guide shows, into docs/guide/. A
step the app no longer has fails here, and a changed page changes its picture.

The server's clock is held at the same Friday evening (it runs on, from 19:30), so the
pictures show the same times on every run and only change when a page does."""

import re
from datetime import datetime

import pytest
import time_machine
from playwright.sync_api import expect
from sqlalchemy import func, select

from outreach.clock import LOCAL_ZONE
from outreach.config import ROOT
from outreach.extensions import db
from outreach.shifts.models import AnonymousContact
from outreach.vocabulary import Gender, Topic
from tests.addresses import address_for
from tests.browser.steps import chip, log_in

pytestmark = [pytest.mark.browser, pytest.mark.server_config(BADGE_POLL_SECONDS=600)]

GUIDE = ROOT / "docs" / "guide"
FRIDAY_EVENING = datetime(2026, 3, 13, 19, 30, tzinfo=LOCAL_ZONE)


@pytest.fixture
def friday_evening():
    """The clock at the guide's Friday evening, before the world is made."""
    with time_machine.travel(FRIDAY_EVENING, tick=True):
        yield


class Pictures:
    """The guide's pictures, taken of the page or a part of it."""

    def __init__(self, browsing):
        self.browsing = browsing
        self.taken = []

    def take(self, page, name: str, part=None) -> None:
        self.browsing.check(page, name)
        page.evaluate("document.activeElement && document.activeElement.blur()")
        path = GUIDE / f"{name}.png"
        (part or page).screenshot(path=str(path), caret="initial", animations="disabled")
        self.taken.append(path.name)


def test_the_guide_shows_each_step_of_a_shift(app, friday_evening, world, browsing):
    pictures = Pictures(browsing)
    page = browsing.new_page(service_workers="allow")
    log_in(browsing, page, "falt_a")
    pictures.take(page, "01-startsidan")

    page.locator("main a[href='/faltpass/nytt']").click()
    form = page.locator("#start-shift")
    form.locator("select[name=area]").select_option(str(world.area))
    form.locator(f"input[name=colleagues][value='{world.worker_a2}']").check()
    pictures.take(page, "02-starta-faltpass", form)
    form.locator("button[type=submit]").click()
    expect(page.locator(".flash.success")).to_be_visible()
    pictures.take(page, "03-under-faltpasset")

    page.locator("main a[href$='/anonym-kontakt']").click()
    form = page.locator("#contact-form")
    chip(form, "place", world.place).click()
    stepper = form.locator("button.step[data-for=youth_count][data-step='1']")
    stepper.click()
    for gender in (Gender.BOY, Gender.GIRL):
        form.locator(f"button.step[data-for=gender_{gender}][data-step='1']").click()
    chip(form, "topics", Topic.LEISURE).click()
    pictures.take(page, "04-anonym-kontakt", form)
    form.locator("button[type=submit]").click()
    expect(form.locator(".flash.success")).to_be_visible()
    pictures.take(page, "05-kontakten-sparad", form.locator(".flash.success"))

    page.context.set_offline(True)
    chip(form, "place", world.place).click()
    form.locator("button[type=submit]").click()
    status = page.locator("#outbox-status")
    expect(status).to_contain_text("uppkoppling")
    expect(form.locator("button[type=submit]")).to_be_enabled()  # the status is complete
    pictures.take(page, "06-utan-uppkoppling")
    page.context.set_offline(False)
    page.evaluate("window.dispatchEvent(new Event('online'))")
    expect(status).to_be_hidden()
    with app.app_context():
        assert db.session.execute(select(func.count(AnonymousContact.id))).scalar_one() == 2

    page.locator("nav a[href='/ungdomar']").click()
    page.locator("main a[href='/ungdomar/ny']").click()
    form = page.locator("#youth-form")
    form.locator("input[name=alias]").fill("Kille i grön jacka vid torget")
    chip(form, "legal_basis", "consent").click()
    form.locator("input[name=birth_year]").fill("2010")
    pictures.take(page, "07-registrera-ungdom", form)
    form.locator("button[type=submit]").click()
    expect(page.locator("h1")).to_have_text("Kille i grön jacka vid torget")
    youth = page.url.rsplit("/", 1)[-1]

    page.locator("a.brand").click()
    page.locator("main a[href$='/namngiven-kontakt']").click()
    form = page.locator("#identified-contact")
    form.locator("#contact-q").press_sequentially("grön", delay=30)
    chip(form, "youths", youth).click()
    form.locator("textarea[name=facts]").fill("Satt med äldre killar vid torget, ville prata.")
    form.locator("textarea[name=assessment]").fill("Orolig. Vill träffas igen på fredag.")
    form.locator("select[name=place]").select_option(str(world.place))
    pictures.take(page, "08-namngiven-kontakt", form)
    form.locator("button[type=submit]:not([value=search])").click()
    expect(page).to_have_url(re.compile(f"/ungdomar/{youth}$"))

    page.goto(address_for("risk.new_marking", public_id=youth))
    form = page.locator("#risk-form")
    form.locator("label.chip", has_text="Äldre kamrater").click()
    chip(form, "level", "elevated").click()
    pictures.take(page, "09-orosmarkering", form)
    form.locator("button[type=submit]").click()
    expect(page).to_have_url(re.compile(f"/ungdomar/{youth}$"))
    pictures.take(page, "10-ungdomens-sida")

    page.locator("a.brand").click()
    page.locator("main a[href^='/faltpass/']", has_text="lägesbild").click()
    page.locator("#situation_note").fill("Lugn kväll. Många vid torget efter matchen.")
    page.locator("#note-form button[type=submit]").click()
    expect(page.locator("#note-form .flash.success")).to_be_visible()
    pictures.take(page, "11-lagesbild-och-avslut")
    page.locator("form[action$='/avsluta'] button").click()
    expect(page.locator(".flash.success")).to_be_visible()

    shown = re.findall(r"!\[[^\]]*\]\(([^)]+\.png)\)", (GUIDE / "README.md").read_text())
    assert shown == pictures.taken, "the guide shows other pictures than this journey takes"
    kept = sorted(path.name for path in GUIDE.glob("*.png"))
    assert kept == sorted(pictures.taken), "docs/guide/ keeps pictures the guide does not show"
