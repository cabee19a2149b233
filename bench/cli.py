"""`flask bench …`: the benchmarks' commands (registered through the flask.commands entry point,
so the app itself knows nothing of them)."""

import time

import click
from flask.cli import with_appcontext
from sqlalchemy import func, select, text

from bench.seed import SCALES, Scale, Seeder
from outreach.auth.models import User
from outreach.extensions import db
from outreach.risk import services as risk_services
from outreach.youths import tallies


@click.group()
def bench() -> None:
    """Benchmark data and figures."""


@bench.command()
@click.option("--scale", type=click.Choice(list(SCALES)), default="municipal", show_default=True)
@click.option(
    "--seed", type=int, default=2026, show_default=True, help="The same seed, the same data."
)
@with_appcontext
def seed(scale: str, seed: int) -> None:
    """Fill an empty, migrated database with generated data of the given scale."""
    if db.session.execute(select(func.count(User.id))).scalar_one():
        raise click.ClickException(
            "The database already holds users: seed only an empty, migrated database."
        )
    fill(SCALES[scale], seed)


def fill(scale: Scale, seed: int = 2026) -> None:
    """Seed the app's (empty, migrated) database with a progress bar, then what was made."""
    started = time.perf_counter()
    with (
        click.progressbar(length=scale.records, label=f"Seeding the {scale.name} scale") as bar,
        db.engine.begin() as connection,
    ):
        counts = Seeder(connection, scale, seed, progress=bar.update).run()
    # The contacts and markings went in round the ORM and the services, which keep their
    # tallies and each youth's review date as they are logged: counted here, from them.
    counts["contact_tally"] = tallies.rebuild()
    risk_services.keep_review_due()
    db.session.commit()
    # The planner's statistics of the new rows; on PostgreSQL also the visibility map, which
    # index-only scans need (autovacuum would set it in time, a benchmark right after not).
    tidy = "VACUUM ANALYZE" if db.engine.dialect.name == "postgresql" else "ANALYZE"
    with db.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as connection:
        connection.execute(text(tidy))
    for table, rows in counts.items():
        click.echo(f"{table:<24} {rows:>10,}".replace(",", " "))
    click.echo(f"seeded the {scale.name} scale in {time.perf_counter() - started:.1f} s")
