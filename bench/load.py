"""The load test: `python -m bench.load` (`make load`).

Starts the app under gunicorn on localhost against the seeded national data (bench/harness.py
prepares it as `make bench` does), lets locust play a thousand staff at work
(bench/locustfile.py) for a few minutes, and prints what the server held: requests a second,
the 50th, 95th and 99th percentile time as the clients saw it, and the errors, for each kind
of request and in all. The figures are counted from half a minute after every simulated
person has logged in and started (the logins of an evening are not its steady load).
Written as JSON to bench/results/load-<database>.json. Localhost only, bounded in time.
"""

import argparse
import csv
import json
import os
import subprocess
import sys
from pathlib import Path

from sqlalchemy import func, select

from bench.common import bench_app
from bench.harness import POSTGRES, RESULTS, prepare
from outreach.auth.models import Role, User, membership
from outreach.clock import now
from outreach.extensions import db
from outreach.org.models import Place, Team, TeamKind
from outreach.shifts.models import Shift
from tests.servers import gunicorn, wait_until_ready

ROOT = Path(__file__).resolve().parent.parent
WORK = ROOT / "build" / "load"
#: The issue's targets: p95 as the clients saw it, and no errors.
P95_MS = 100
#: Seconds between the last person starting and the figures starting (bench/locustfile.py).
SETTLE = 30


def served():
    """The app gunicorn serves (`bench.load:served()`): the bench app, with room for a
    thousand logins from one address in a few minutes."""
    return bench_app(os.environ["OUTREACH_LOAD_DATABASE"], LOGIN_RATE_LIMIT="100000 per minute")


def accounts(url: str) -> dict:
    """The generated accounts the simulated staff log in as; a field worker's with the team,
    an area the team works in and a place there."""
    app = bench_app(url)
    with app.app_context():
        areas = dict(
            db.session.execute(
                select(Shift.team_id, func.min(Shift.area_id)).group_by(Shift.team_id)
            ).all()
        )
        places = dict(
            db.session.execute(
                select(Place.area_id, func.min(Place.id)).group_by(Place.area_id)
            ).all()
        )
        workers = db.session.execute(
            select(User.username, membership.c.team_id)
            .join(membership, membership.c.user_id == User.id)
            .join(Team, Team.id == membership.c.team_id)
            .where(User.role == Role.FIELD_WORKER, Team.kind == TeamKind.FIELD)
            .order_by(User.id)
        ).all()

        def names(role: Role, kind: TeamKind) -> list[list[str]]:
            return [
                [name]
                for name in db.session.execute(
                    select(User.username)
                    .join(membership, membership.c.user_id == User.id)
                    .join(Team, Team.id == membership.c.team_id)
                    .where(User.role == role, Team.kind == kind)
                    .order_by(User.id)
                ).scalars()
            ]

        return {
            "field_worker": [
                [name, team, areas[team], places[areas[team]]]
                for name, team in workers
                if team in areas
            ],
            "caseworker": names(Role.CASEWORKER, TeamKind.VPC),
            "lead": names(Role.TEAM_LEAD, TeamKind.FIELD),
        }


def figures(stats_csv: Path) -> list[dict]:
    """Locust's statistics, one entry per kind of request and one for all."""
    rows = []
    with stats_csv.open(encoding="utf-8") as file:
        for row in csv.DictReader(file):
            if not int(row["Request Count"]):  # only before the counting began (logins)
                continue
            rows.append(
                {
                    "request": row["Name"],
                    "requests": int(row["Request Count"]),
                    "errors": int(row["Failure Count"]),
                    "per_second": round(float(row["Requests/s"]), 1),
                    "p50_ms": float(row["50%"]),
                    "p95_ms": float(row["95%"]),
                    "p99_ms": float(row["99%"]),
                }
            )
    return rows


def print_figures(rows: list[dict]) -> None:
    """A table of what a run held, per kind of request (the load test's and the capacity
    benchmark's rows)."""
    headings = ("requests", "errors", "per s", "p50 ms", "p95 ms", "p99 ms")
    print(f"{'request':<24} " + " ".join(f"{heading:>8}" for heading in headings))
    for row in rows:
        print(
            f"{row['request']:<24} {row['requests']:>8} {row['errors']:>8} {row['per_second']:>8} "
            f"{row['p50_ms']:>8.1f} {row['p95_ms']:>8.1f} {row['p99_ms']:>8.1f}"
        )


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(
        prog="python -m bench.load", description=__doc__.split("\n")[0]
    )
    parser.add_argument("--database", default=os.environ.get("BENCH_DATABASE_URL", POSTGRES))
    parser.add_argument("--users", type=int, default=1000)
    parser.add_argument(
        "--spawn-rate", type=float, default=5, help="people starting a second (each logs in)"
    )
    parser.add_argument("--seconds", type=int, default=150, help="measured, after all log in")
    parser.add_argument("--workers", type=int, default=4, help="gunicorn processes")
    parser.add_argument("--port", type=int, default=8765)
    options = parser.parse_args(argv)
    prepare(options.database, "national")
    WORK.mkdir(parents=True, exist_ok=True)
    accounts_file = WORK / "accounts.json"
    accounts_file.write_text(json.dumps(accounts(options.database)), encoding="utf-8")
    address = f"http://127.0.0.1:{options.port}"
    environment = {
        **os.environ,
        "OUTREACH_LOAD_DATABASE": options.database,
        "OUTREACH_LOAD_ACCOUNTS": str(accounts_file),
        "OUTREACH_LOAD_SETTLE": str(SETTLE),
    }
    server = subprocess.Popen(  # noqa: S603 (our own command)
        gunicorn(options.port, "bench.load:served()", options.workers), env=environment, cwd=ROOT
    )
    try:
        wait_until_ready(address, server)
        ramp = options.users / options.spawn_rate
        started = now()
        subprocess.run(  # noqa: S603 (our own command)
            [
                sys.executable,
                "-m",
                "locust",
                "--locustfile",
                str(ROOT / "bench" / "locustfile.py"),
                "--headless",
                "--users",
                str(options.users),
                "--spawn-rate",
                str(options.spawn_rate),
                "--run-time",
                f"{int(ramp + options.seconds)}s",
                "--host",
                address,
                "--only-summary",
                "--csv",
                str(WORK / "load"),
                "--loglevel",
                "WARNING",
            ],
            env=environment,
            cwd=ROOT,
            check=False,
        )
    finally:
        server.terminate()
        server.wait(timeout=30)
    rows = figures(WORK / "load_stats.csv")
    total = next(row for row in rows if row["request"] == "Aggregated")
    report = {
        "users": options.users,
        "measured_seconds": options.seconds,
        "gunicorn_workers": options.workers,
        "started": started.isoformat(timespec="seconds"),
        "cores": os.cpu_count(),
        "figures": rows,
        "met": total["p95_ms"] < P95_MS and total["errors"] == 0,
    }
    RESULTS.mkdir(exist_ok=True)
    written = RESULTS / f"load-{options.database.split(':')[0].split('+')[0]}.json"
    written.write_text(json.dumps(report, indent=2) + "\n", encoding="utf-8")
    print(f"\n{options.users} simulated staff, {options.seconds} s measured after all logged in")
    print_figures(rows)
    verdict = "ok" if report["met"] else "MISSED"
    print(f"target: p95 < {P95_MS} ms and no errors: {verdict}\nwritten to {written}")


if __name__ == "__main__":
    main()
