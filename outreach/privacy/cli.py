"""`flask privacy retention`: the gallring run, for cron once a day (or by hand)."""

from datetime import date

import click
from flask.cli import with_appcontext

from outreach.clock import today
from outreach.errors import RuleViolation
from outreach.extensions import db
from outreach.org.models import Kommun, Team
from outreach.privacy import retention


@click.group("privacy")
def privacy_cli():
    """Data protection: retention (gallring)."""


def report_lines(kommun: Kommun, report: retention.Report) -> list[str]:
    """A run's report in a kommun as lines of text: counts only, never who."""
    teams = {
        team.id: team.name
        for team in db.session.execute(db.select(Team).where(Team.kommun_id == kommun.id)).scalars()
    }
    lines = [
        f"{kommun.name} ({kommun.code}): retention as of {report.as_of.isoformat()} "
        f"({retention.years(kommun)} years without activity)",
        f"youths due: {report.due}",
        f"  held: {report.held_total}"
        + "".join(f"; {hold.value}: {n}" for hold, n in sorted(report.held.items())),
        f"  overdue (past the end of the year after they became due): {report.overdue}",
        f"youths to delete: {report.to_delete}, of which archived first: {report.to_archive}",
    ]
    lines += [
        f"  {teams.get(team_id, team_id)}: {n}" for team_id, n in sorted(report.by_team.items())
    ]
    lines.append("rows deleted by table:" if report.run else "rows a run would delete:")
    lines += [f"  {table}: {n}" for table, n in sorted(report.deleted_rows.items())] or ["  none"]
    lines.append(f"anonymous contact notes cleared: {report.notes}")
    if report.archive_path:
        lines.append(f"archive: {report.archive_path} (sha256 {report.run.archive_sha256})")
    return lines


@privacy_cli.command("retention")
@click.option("--dry-run", "mode", flag_value="dry-run", help="Report what a run would do.")
@click.option("--apply", "mode", flag_value="apply", help="Archive and delete what is due.")
@click.option(
    "--as-of",
    type=click.DateTime(formats=["%Y-%m-%d"]),
    help="Judge retention as on this day instead of today: any day for a dry run (to "
    "rehearse), today or earlier for --apply.",
)
@click.option("--kommun", "code", help="The kommun's code (1280); every kommun when not given.")
@with_appcontext
def retention_command(mode: str | None, as_of, code: str | None):
    """Delete identified youths with no activity for the retention time, unless held; archive
    those born on the 5th, 15th or 25th first; clear old notes of anonymous contacts. Each
    kommun is run on its own, with its own retention time, archive and record."""
    if mode is None:
        raise click.UsageError("say --dry-run or --apply")
    day: date = as_of.date() if as_of else today()
    query = db.select(Kommun).order_by(Kommun.code)
    if code:
        query = query.where(Kommun.code == code)
    kommuner = list(db.session.execute(query).scalars())
    if code and not kommuner:
        raise click.ClickException(f"No kommun with the code {code!r}.")
    for kommun in kommuner:
        if mode == "dry-run":
            report = retention.dry_run(kommun, day)
        else:
            try:
                report = retention.apply(kommun, day)
            except RuleViolation as refusal:
                raise click.ClickException(str(refusal.message)) from None
            db.session.commit()
        for line in report_lines(kommun, report):
            click.echo(line)
