"""The statistics page, its exports and the printable monthly report."""

from flask import request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from outreach import pdf, policy, scopes
from outreach.clock import now, today
from outreach.errors import RuleViolation
from outreach.exports import Table, csv_response, download, xlsx_response
from outreach.fields import options
from outreach.htmx import render
from outreach.stats import bp, charts, services
from outreach.stats.forms import ALL_TEAMS, StatisticsForm
from outreach.stats.periods import period_for
from outreach.stats.tables import SUPPRESSED
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
    if not form.validate():
        return None
    teams = list(by_id.values()) if form.team.data == ALL_TEAMS else [by_id[form.team.data]]
    try:
        period = period_for(
            Period(form.period.data or Period.MONTH),
            form.day.data or today(),
            form.start.data,
            form.end.data,
        )
    except RuleViolation as refusal:
        attach_error(form, refusal)
        return None
    leaving = leaves_the_team or not scopes.sees_exact_counts(current_user, teams)
    return services.compute(teams, period, suppressed=leaving)


def _address(form: StatisticsForm, **changes) -> dict:
    args = {
        "team": form.team.data,
        "period": form.period.data,
        "day": form.day.data.isoformat() if form.day.data else None,
        "start": form.start.data.isoformat() if form.start.data else None,
        "end": form.end.data.isoformat() if form.end.data else None,
    }
    args.update(changes)
    return {key: value for key, value in args.items() if value}


def _page(template: str, form, stats, **extra):
    charted = {}
    if stats is not None:
        charted = {
            table.key: charts.data_uri(table)
            for table in stats.tables
            if table.chart and table.has_visible_numbers
        }
    return render(
        template,
        status=200 if stats is not None else 400,
        form=form,
        stats=stats,
        charts=charted,
        hidden=SUPPRESSED,
        address=lambda **changes: _address(form, **changes),
        **extra,
    )


@bp.route("/statistik")
@policy.allow(policy.leads_a_team)
def overview():
    """Charts and tables for a team (or all teams, for VPC) and a period."""
    form, by_id = _form()
    if not by_id:
        return render("stats/no_teams.html")
    return _page("stats/overview.html", form, _statistics(form, by_id))


@bp.route("/statistik/export.<any(csv, xlsx):fmt>")
@policy.allow(policy.leads_a_team)
def export(fmt: str):
    """The statistics tables as CSV or XLSX, small counts hidden: these numbers leave the team."""
    form, by_id = _form()
    stats = _statistics(form, by_id, leaves_the_team=True) if by_id else None
    if stats is None:
        return _page("stats/overview.html", form, None)
    exported = [
        _about_table(", ".join(team.name for team in stats.teams), stats),
        *(Table(table.title, table.headers, table.rows_with_total) for table in stats.tables),
    ]
    filename = f"statistik-{stats.period.start.isoformat()}-{stats.period.end.isoformat()}.{fmt}"
    if fmt == "csv":
        return csv_response(filename, exported)
    return xlsx_response(filename, exported)


def _about_table(about: str, stats: services.Statistics) -> Table:
    return Table(
        _("About"),
        [_("What"), _("Value")],
        [
            [_("Teams"), about],
            [_("Period"), stats.period.label],
            [_("From"), stats.period.start],
            [_("To"), stats.period.end],
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
    form.period.data = Period.MONTH.value
    return _statistics(form, by_id, leaves_the_team=True)


def _report_page(form, stats):
    return _page(
        "stats/report.html",
        form,
        stats,
        made_at=now(),
        pdf_available=pdf.available(),
        back=url_for("stats.overview", **_address(form)),
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
