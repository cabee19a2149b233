"""The statistics page, its exports and the printable monthly report; the national page of
every kommun's anonymous tallies and its exports."""

from flask import Response, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from outreach import pdf, policy, scopes
from outreach.clock import now
from outreach.errors import RuleViolation
from outreach.exports import Table, csv_response, download, xlsx_response
from outreach.fields import options
from outreach.htmx import render
from outreach.stats import bp, charts, national, services
from outreach.stats.forms import ALL_KOMMUNER, ALL_TEAMS, NationalForm, PeriodForm, StatisticsForm
from outreach.stats.periods import StatsPeriod
from outreach.stats.tables import NATIONAL_SECTIONS, SUPPRESSED, TEAM_SECTIONS, in_section
from outreach.views_common import attach_error
from outreach.vocabulary import Period


def _form() -> tuple[StatisticsForm, dict]:
    form = StatisticsForm(request.args)
    teams = scopes.statistics_teams(current_user)
    by_id = {str(team.id): team for team in teams}
    choices = [(team_id, team.name) for team_id, team in by_id.items()]
    if len(teams) > 1:
        choices.insert(0, (ALL_TEAMS, _("All teams")))
    form.team.choices = options(choices)
    if not form.team.data and choices:
        form.team.data = choices[0][0]
    return form, by_id


def _statistics(
    form: StatisticsForm, by_id: dict, leaves_the_team: bool = False
) -> services.Statistics | None:
    """The figures the form asks for, or None with the reason at the form's fields. Figures
    made to leave the team (exports, the monthly report) hide small counts."""
    period = _period(form)
    if period is None:
        return None
    teams = list(by_id.values()) if form.team.data == ALL_TEAMS else [by_id[form.team.data]]
    leaving = leaves_the_team or not scopes.sees_exact_counts(current_user, teams)
    return services.compute(teams, period, suppressed=leaving)


def _period(form: PeriodForm) -> StatsPeriod | None:
    """The period a valid form names, or None with the reason at the form's fields."""
    if not form.validate():
        return None
    try:
        return form.chosen_period()
    except RuleViolation as refusal:
        attach_error(form, refusal)
        return None


def _page(template: str, form, stats, sections=None, **extra):
    """A statistics page: of `sections` (the tabs) the chosen one's tables, or every table."""
    chosen = (form.show.data or sections[0].slug) if sections else None
    shown = []
    if stats is not None:
        shown = in_section(stats.tables, sections, chosen) if sections else stats.tables
    return render(
        template,
        status=200 if stats is not None else 400,
        form=form,
        stats=stats,
        sections=sections,
        chosen=chosen,
        shown=shown,
        charts={
            table.key: charts.drawn(table)
            for table in shown
            if table.chart and table.has_visible_numbers
        },
        hidden=SUPPRESSED,
        address=form.address,
        **extra,
    )


@bp.route("/statistik")
@policy.allow(policy.leads_a_team)
def overview():
    """Charts and tables for a team (or all teams, for VPC) and a period."""
    form, by_id = _form()
    if not by_id:
        return render("stats/no_teams.html")
    return _page("stats/overview.html", form, _statistics(form, by_id), TEAM_SECTIONS)


@bp.route("/statistik/export.<any(csv, xlsx):fmt>")
@policy.allow(policy.leads_a_team)
def export(fmt: str):
    """The statistics tables as CSV or XLSX, small counts hidden: these numbers leave the team."""
    form, by_id = _form()
    stats = _statistics(form, by_id, leaves_the_team=True) if by_id else None
    if stats is None:
        return _page("stats/overview.html", form, None, TEAM_SECTIONS)
    teams = ", ".join(team.name for team in stats.teams)
    return _exported(fmt, "statistik", [_("Teams"), teams], stats.period, stats.tables)


def _exported(fmt: str, name: str, about: list, period: StatsPeriod, tables) -> Response:
    """The tables as a CSV or XLSX download, after a table of what they count."""
    exported = [
        _about_table(about, period),
        *(Table(table.title, table.headers, table.rows_with_total) for table in tables),
    ]
    filename = f"{name}-{period.start.isoformat()}-{period.end.isoformat()}.{fmt}"
    if fmt == "csv":
        return csv_response(filename, exported)
    return xlsx_response(filename, exported)


def _about_table(about: list, period: StatsPeriod) -> Table:
    return Table(
        _("About"),
        [_("What"), _("Value")],
        [
            about,
            [_("Period"), period.label],
            [_("From"), period.start],
            [_("To"), period.end],
            [_("Made"), now()],
            [
                _(
                    "Counts from 1 to 4, and where needed one more so that a total does not "
                    "give them away, are shown as %(hidden)s.",
                    hidden=SUPPRESSED,
                ),
                "",
            ],
        ],
    )


def _report(form, by_id):
    form.period.data = Period.MONTH
    return _statistics(form, by_id, leaves_the_team=True)


def _report_page(form, stats):
    return _page(
        "stats/report.html",
        form,
        stats,
        made_at=now(),
        pdf_available=pdf.available(),
        back=url_for("stats.overview", **form.address()),
    )


@bp.route("/statistik/manadsrapport")
@policy.allow(policy.leads_a_team)
def monthly_report():
    """The month's figures as a report to print."""
    form, by_id = _form()
    if not by_id:
        return render("stats/no_teams.html")
    return _report_page(form, _report(form, by_id))


@bp.route("/statistik/manadsrapport.pdf")
@policy.allow(policy.leads_a_team)
def monthly_report_pdf():
    """The monthly report as a PDF file."""
    form, by_id = _form()
    if not by_id:
        return render("stats/no_teams.html")
    stats = _report(form, by_id)
    page = _report_page(form, stats)
    if stats is None:
        return page
    if not pdf.available():
        message = _("PDF cannot be made on this server. Open the report and print it instead.")
        return render("errors/error.html", status=503, code=503, message=message)
    body = pdf.render(page.get_data(as_text=True), request.url_root)
    return download(body, "application/pdf", f"manadsrapport-{stats.period.start:%Y-%m}.pdf")


def _national_form() -> tuple[NationalForm, dict]:
    form = NationalForm(request.args)
    by_id = {str(kommun.id): kommun for kommun in national.kommuner()}
    form.kommun.choices = options(
        [(ALL_KOMMUNER, _("All kommuner")), *((key, k.name) for key, k in by_id.items())]
    )
    if not form.kommun.data:
        form.kommun.data = ALL_KOMMUNER
    return form, by_id


def _national(form: NationalForm, by_id: dict) -> national.NationalStatistics | None:
    period = _period(form)
    if period is None:
        return None
    return national.compute(period, by_id.get(form.kommun.data))


@bp.route("/statistik/nationell")
@policy.allow(policy.national_statistics)
def national_overview():
    """The anonymous street contacts of every kommun, side by side and summed, or of one
    kommun; small counts always hidden."""
    form, by_id = _national_form()
    return _page("stats/national.html", form, _national(form, by_id), NATIONAL_SECTIONS)


@bp.route("/statistik/nationell/export.<any(csv, xlsx):fmt>")
@policy.allow(policy.national_statistics)
def national_export(fmt: str):
    """The national tables as CSV or XLSX."""
    form, by_id = _national_form()
    stats = _national(form, by_id)
    if stats is None:
        return _page("stats/national.html", form, None, NATIONAL_SECTIONS)
    about = [_("Kommun"), stats.kommun.name if stats.kommun else _("All kommuner")]
    return _exported(fmt, "nationell-statistik", about, stats.period, stats.tables)
