"""The statistics page, the monthly report and its PDF, as team leads use them."""

import html
import re
from urllib.parse import unquote

import pytest

from outreach import pdf
from outreach.auth.models import Role, User
from outreach.extensions import db
from outreach.org.models import Area, Team
from outreach.vocabulary import Gender
from tests.addresses import address_for
from tests.factories import local, log_tally, make_past_shift, make_user
from tests.sql import statements_run


@pytest.fixture
def month(app, world):
    """Some October contacts of team A and team B, and a VPC team lead."""
    with app.app_context():
        area = db.session.get(Area, world.area)
        for team_id, worker_id, youths in (
            (world.team_a, world.worker_a, 7),
            (world.team_b, world.worker_b, 3),
        ):
            shift = make_past_shift(
                db.session.get(Team, team_id),
                area,
                [db.session.get(User, worker_id)],
                local("2026-10-09 18:00"),
            )
            log_tally(shift, area.places[0], local("2026-10-09 19:00"), youths, {Gender.GIRL: 2})
        make_user("vpc_lead", Role.TEAM_LEAD, [db.session.get(Team, world.vpc)], "Viktor VPC")
        db.session.commit()
    return world


def test_a_field_team_lead_sees_the_own_team_with_exact_counts(month, login):
    response = login("lead_a").get(
        address_for("stats.overview", period="month", day="2026-10-01", show="youths")
    )
    page = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "Statistik: oktober 2026" in page
    assert "Fältgruppen Söder" in page and "Fältgruppen Norr" not in page
    assert '<img class="chart" src="data:image/svg+xml;charset=utf-8,' in page
    assert '<th scope="row">Tjejer</th><td>2</td>' in page
    assert "eftersom siffrorna lämnar teamet" not in page
    assert "day=2026-09-30" in page and "day=2026-11-01" in page  # previous and next month


def test_charts_are_svg_without_external_requests(month, login):
    page = (
        login("lead_a")
        .get(address_for("stats.overview", period="month", day="2026-10-01"))
        .get_data(as_text=True)
    )
    uri = page.split('<img class="chart" src="')[1].split('"')[0]
    svg = unquote(html.unescape(uri).split(",", 1)[1])
    assert svg.lstrip().startswith("<?xml") and "<svg" in svg
    assert "kozea.github.io" not in svg
    assert 'src="http' not in svg and 'href="http' not in svg


def test_a_vpc_lead_sees_every_field_team_with_small_counts_hidden(month, login):
    page = (
        login("vpc_lead")
        .get(address_for("stats.overview", period="month", day="2026-10-01", show="youths"))
        .get_data(as_text=True)
    )
    assert '<option selected value="all">Alla team</option>' in page
    assert "Fältgruppen Norr, Fältgruppen Söder" in page
    assert "eftersom siffrorna lämnar teamet" in page
    assert '<th scope="row">Tjejer</th><td>..</td>' in page  # 2 + 2


def test_only_team_leads_see_statistics(month, login):
    assert login("falt_a").get(address_for("stats.overview")).status_code == 403
    assert login("vpc").get(address_for("stats.overview")).status_code == 403
    assert login("admin").get(address_for("stats.overview")).status_code == 403
    assert login("falt_a").get(address_for("stats.monthly_report")).status_code == 403


@pytest.mark.parametrize(
    "query",
    [
        "period=custom",
        "period=custom&start=2026-10-10&end=2026-10-01",
        "period=custom&start=2020-01-01&end=2026-01-01",
        "period=fortnight",
        "day=2026-02-30",
        "team=999999",
        "show=everything",
    ],
)
def test_bad_choices_answer_400_with_a_message(month, login, query):
    response = login("lead_a").get(f"/statistik?{query}")
    assert response.status_code == 400
    assert 'class="error"' in response.get_data(as_text=True)


def test_a_part_not_there_is_not_kept_so_showing_the_period_again_finds_the_page(month, login):
    client = login("lead_a")
    refused = client.get("/statistik?show=everything&period=month").get_data(as_text=True)
    assert "Del av sidan:" in refused and 'value="everything"' not in refused
    again = client.get("/statistik?period=month")  # the form as "Visa" sends it
    assert again.status_code == 200 and 'aria-current="page">Kontakter<' in again.get_data(
        as_text=True
    )


def _headings(page: str) -> list[str]:
    return re.findall(r'<h2 id="stat-(\w+)">', page)


def test_each_part_of_the_page_is_a_tab_of_its_own_that_keeps_the_period(month, login):
    client = login("lead_a")
    page = client.get(address_for("stats.overview", period="month", day="2026-10-01"))
    text = page.get_data(as_text=True)
    assert _headings(text) == ["weeks", "areas"]  # the first part unless another is chosen
    nav = text.split('<nav class="tabs"')[1].split("</nav>")[0]
    tabs = re.findall(r'<a href="(/statistik\?[^"]+)"( aria-current="page")?>([^<]+)</a>', nav)
    assert [(current != "", title) for _, current, title in tabs] == [
        (True, "Kontakter"),
        (False, "Träffade ungdomar"),
        (False, "Ämnen och insatser"),
        (False, "Överlämningar"),
    ]
    shown = {}
    for address, _current, title in tabs:
        assert "period=month" in address and "day=2026-10-01" in address
        tab = client.get(html.unescape(address))
        assert tab.status_code == 200
        shown[title] = _headings(tab.get_data(as_text=True))
    assert shown == {
        "Kontakter": ["weeks", "areas"],
        "Träffade ungdomar": ["gender", "age", "risk"],
        "Ämnen och insatser": ["topics", "actions"],
        "Överlämningar": ["handoffs", "speed"],
    }
    # another period keeps the tab: the filter form carries it, and so do the period links
    handoffs = client.get(address_for("stats.overview", day="2026-10-01", show="handoffs"))
    text = handoffs.get_data(as_text=True)
    assert '<input type="hidden" name="show" value="handoffs">' in text
    assert re.search(r'href="/statistik\?[^"]*day=2026-09-30[^"]*show=handoffs"', text)


def test_another_teams_figures_are_not_offered_to_a_field_lead(month, login):
    response = login("lead_a").get(address_for("stats.overview", team=month.team_b))
    assert response.status_code == 400


def test_statistics_never_read_the_access_log(app, month, login):
    client = login("vpc_lead")
    with statements_run(app) as statements:
        page = client.get(address_for("stats.overview", period="year", day="2026-10-01"))
        export = client.get(address_for("stats.export", fmt="csv", period="year", day="2026-10-01"))
    assert page.status_code == 200 and export.status_code == 200
    reads = [s for s in statements if s.lstrip().upper().startswith("SELECT")]
    assert reads and not any("audit_event" in s for s in reads)


def test_the_monthly_report_prints(month, login):
    client = login("lead_a")
    response = client.get(address_for("stats.monthly_report", day="2026-10-20", period="year"))
    page = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "Månadsrapport: oktober 2026" in page  # always a month
    assert "Skapad" in page and "Tomas Lead" in page
    assert "data-print" in page


@pytest.mark.skipif(not pdf.available(), reason="WeasyPrint's system libraries are missing")
def test_the_monthly_report_as_pdf(month, login):
    response = login("lead_a").get(address_for("stats.monthly_report_pdf", day="2026-10-20"))
    assert response.status_code == 200
    assert response.mimetype == "application/pdf"
    assert response.get_data().startswith(b"%PDF")
    assert "manadsrapport-2026-10.pdf" in response.headers["Content-Disposition"]


def test_pdf_drawing_reads_only_our_static_files():
    if not pdf.available():
        pytest.skip("WeasyPrint's system libraries are missing")
    fetcher = pdf._fetcher()
    assert fetcher.fetch("http://127.0.0.1:5000/static/css/app.css").status == 200
    for refused in (
        "http://127.0.0.1:5000/static/../outreach/config.py",
        "http://169.254.169.254/latest/meta-data/",
        "file:///etc/passwd",
    ):
        with pytest.raises(ValueError):
            fetcher.fetch(refused)
