"""The capacity benchmark: `python -m bench.capacity` (`make capacity`).

How many requests a second one server carries. gunicorn serves the app as the README runs it
(gthread workers, two processes a core, four threads each) on the seeded data (bench/harness.py
prepares it as `make bench` does), and in the same processes a bare Flask endpoint at /bare/.
wrk (Debian's package) drives both at saturation from the same machine, with the Lua script
bench/capacity.lua: first the bare endpoint, then the staff's mix of requests, in the load
test's proportions (bench/locustfile.py: field workers logging contacts, opening their start
page and searching; caseworkers polling the badge and opening the inbox; leads on the review
list and the month's statistics), each carrying the session of a logged-in account of its role.

Printed and written to bench/results/capacity-<database>.json: requests a second for each, the
mix's share of the bare endpoint's, and per kind of request its count, rate, errors and
50th/95th/99th percentile time as wrk saw it. Loopback only, bounded in time (about two
minutes). The goal: the mix at 25 % or more of the bare endpoint's rate, with no errors.
"""

import argparse
import json
import os
import re
import shutil
import statistics
import subprocess
import time
from dataclasses import asdict, dataclass
from pathlib import Path

from flask import Flask
from werkzeug.middleware.dispatcher import DispatcherMiddleware

from bench.harness import POSTGRES, RESULTS, percentile, prepare
from bench.load import ROOT, accounts, print_figures, served
from bench.seed import PASSWORD
from tests.servers import Browser, gunicorn, wait_until_ready

WORK = ROOT / "build" / "capacity"
SCRIPT = Path(__file__).resolve().parent / "capacity.lua"
#: The goal: the mix's rate against the bare endpoint's, and no errors.
SHARE_GOAL = 0.25
#: How many logged-in accounts of each role the requests are spread over.
PEOPLE = {"field_worker": 40, "caseworker": 10, "lead": 10}
SHIFT = re.compile(r'href="/faltpass/([^"/]+)/anonym-kontakt"')


@dataclass(frozen=True)
class Kind:
    """One kind of request in the mix: its weight is its share of all requests."""

    name: str
    role: str
    method: str
    path: str
    weight: float
    body: str | None = None
    partial: bool = False


#: The load test's requests in the proportions its run counted (docs/performance.md: 800 contact
#: forms, 800 submits, 811 badges, 307 start pages, 267 searches, 253 review lists, 64 inboxes and
#: 51 statistics in 150 s), per 100 requests.
CONTACT_FORM = "/faltpass/{shift}/anonym-kontakt"
MIX = (
    Kind("contact form", "field_worker", "GET", CONTACT_FORM, 24),
    Kind(
        "contact submit",
        "field_worker",
        "POST",
        CONTACT_FORM,
        24,
        body="place={place}&youth_count=2&token={token}",
        partial=True,
    ),
    Kind("notification badge", "caseworker", "GET", "/notiser/badge", 24, partial=True),
    Kind("start page", "field_worker", "GET", "/", 9),
    Kind("youth search", "field_worker", "POST", "/ungdomar", 8, body="q=ali", partial=True),
    Kind("review list", "lead", "GET", "/granskning", 7.5),
    Kind("VPC inbox", "caseworker", "GET", "/vpc", 2),
    Kind("statistics, a month", "lead", "GET", "/statistik?period=month", 1.5),
)
BARE = Kind("bare Flask endpoint", "anyone", "GET", "/bare/", 1)


def served_with_bare():
    """What gunicorn serves (`bench.capacity:served_with_bare()`): the load test's app, and in
    the same process a bare Flask endpoint at /bare/, the floor any request stands on."""
    bare = Flask("bare")
    bare.add_url_rule("/", "ok", lambda: "ok")
    app = served()
    app.wsgi_app = DispatcherMiddleware(app.wsgi_app, {"/bare": bare})
    return app


# --- the staff ------------------------------------------------------------------------------


def staff(address: str, database: str) -> dict:
    """The people the requests are made as: logged in, each field worker out on a shift."""
    available = accounts(database)
    people: dict[str, list[dict]] = {"anyone": [{}]}
    for role, wanted in PEOPLE.items():
        people[role] = []
        for account in available[role][:wanted]:
            browser = Browser()
            if browser.log_in(address, account[0], PASSWORD).status != 303:
                raise SystemExit(f"{account[0]} could not log in")
            person = {"cookie": browser.cookie_header}
            if role == "field_worker":
                _username, team, area, place = account
                found = SHIFT.search(browser.get(f"{address}/").text)
                if found is None:
                    browser.post(f"{address}/faltpass/nytt", {"team": team, "area": area})
                    found = SHIFT.search(browser.get(f"{address}/").text)
                if found is None:
                    raise SystemExit(f"{account[0]} could not start a shift")
                person.update(shift=found.group(1), place=place)
            people[role].append(person)
    return people


# --- wrk ------------------------------------------------------------------------------------


def _lua(value) -> str:
    """A Lua literal of plain data (the plan the script reads)."""
    if isinstance(value, dict):
        return "{" + ", ".join(f"[{_lua(k)}] = {_lua(v)}" for k, v in value.items()) + "}"
    if isinstance(value, list | tuple):
        return "{" + ", ".join(_lua(item) for item in value) + "}"
    if isinstance(value, bool):
        return "true" if value else "false"
    if value is None:
        return "nil"
    if isinstance(value, int | float):
        return repr(value)
    if not str(value).isascii():  # JSON's \\u escapes are not Lua's
        raise ValueError(f"not ASCII: {value!r}")
    return json.dumps(str(value))


def drive(address: str, kinds: tuple[Kind, ...], people: dict, seconds: int, connections: int):
    """wrk on `kinds` for `seconds`: the run's duration (s), wrk's socket errors, and each
    answer as (kind, status, milliseconds)."""
    plan = WORK / "plan.lua"
    out = WORK / "answers.tsv"
    kinds_data = [{k: v for k, v in asdict(kind).items() if v is not None} for kind in kinds]
    plan.write_text(
        "return " + _lua({"seed": 2026, "kinds": kinds_data, "people": people}) + "\n",
        encoding="utf-8",
    )
    out.unlink(missing_ok=True)
    subprocess.run(  # noqa: S603 (our own command)
        [
            shutil.which("wrk") or "wrk",
            "--threads",
            str(connections),
            "--connections",
            str(connections),
            "--duration",
            f"{seconds}s",
            "--timeout",
            "10s",
            "--script",
            str(SCRIPT),
            address,
        ],
        env={**os.environ, "CAPACITY_PLAN": str(plan), "CAPACITY_OUT": str(out)},
        check=True,
        stdout=subprocess.DEVNULL,
    )
    lines = out.read_text(encoding="utf-8").splitlines()
    duration, socket_errors = (int(value) for value in lines[0].split("\t"))
    answers = []
    for line in lines[1:]:
        name, status, ms = line.split("\t")
        answers.append((name, int(status), float(ms)))
    return duration / 1e6, socket_errors, answers


def figures(seconds: float, socket_errors: int, answers: list, kinds) -> list[dict]:
    """Per kind of request and for all: count, rate, errors (4xx, 5xx), percentiles."""
    rows = []
    for name in [kind.name for kind in kinds] + ["all"]:
        mine = [(status, ms) for kind, status, ms in answers if name in (kind, "all")]
        if not mine:
            continue
        times = [ms for _status, ms in mine]
        rows.append(
            {
                "request": name,
                "requests": len(mine),
                "per_second": round(len(mine) / seconds, 1),
                "errors": sum(1 for status, _ms in mine if status >= 400)
                + (socket_errors if name == "all" else 0),
                "p50_ms": round(statistics.median(times), 2),
                "p95_ms": round(percentile(times, 0.95), 2),
                "p99_ms": round(percentile(times, 0.99), 2),
            }
        )
    return rows


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(
        prog="python -m bench.capacity", description=__doc__.split("\n")[0]
    )
    parser.add_argument("--database", default=os.environ.get("BENCH_DATABASE_URL", POSTGRES))
    parser.add_argument("--scale", default="national")
    parser.add_argument("--seconds", type=int, default=30, help="each measured run")
    parser.add_argument("--warm-up", type=int, default=10, help="seconds of the mix, not counted")
    parser.add_argument(
        "--workers", type=int, default=2 * (os.cpu_count() or 1), help="gunicorn processes"
    )
    parser.add_argument("--threads", type=int, default=4, help="threads per process")
    parser.add_argument("--connections", type=int, default=16, help="wrk's, one per thread")
    parser.add_argument("--port", type=int, default=8766)
    options = parser.parse_args(argv)
    if shutil.which("wrk") is None:
        raise SystemExit("wrk is missing: `apt-get install wrk` (make capacity does it as root)")
    prepare(options.database, options.scale)
    WORK.mkdir(parents=True, exist_ok=True)
    address = f"http://127.0.0.1:{options.port}"
    environment = {
        **os.environ,
        "OUTREACH_LOAD_DATABASE": options.database,
    }
    served_app = "bench.capacity:served_with_bare()"
    server = subprocess.Popen(  # noqa: S603 (our own command)
        gunicorn(options.port, served_app, options.workers, options.threads),
        env=environment,
        cwd=ROOT,
    )
    started = time.strftime("%Y-%m-%dT%H:%M:%S%z")
    try:
        wait_until_ready(address, server)
        people = staff(address, options.database)
        drive(address, MIX, people, options.warm_up, options.connections)
        runs = {}
        for kinds in ((BARE,), MIX):
            measured = drive(address, kinds, people, options.seconds, options.connections)
            runs[kinds] = figures(*measured, kinds)
        bare, mix = runs[(BARE,)], runs[MIX]
    finally:
        server.terminate()
        server.wait(timeout=30)
    bare_rate = bare[-1]["per_second"]
    mix_rate = mix[-1]["per_second"]
    share = mix_rate / bare_rate if bare_rate else 0
    report = {
        "started": started,
        "cores": os.cpu_count(),
        "database": options.database.split(":")[0].split("+")[0],
        "scale": options.scale,
        "gunicorn": {"workers": options.workers, "threads": options.threads},
        "connections": options.connections,
        "measured_seconds": options.seconds,
        "bare": bare[-1],
        "mix": mix,
        "share_of_bare": round(share, 3),
        "met": share >= SHARE_GOAL and mix[-1]["errors"] == 0,
    }
    RESULTS.mkdir(exist_ok=True)
    written = RESULTS / f"capacity-{report['database']}.json"
    written.write_text(json.dumps(report, indent=2) + "\n", encoding="utf-8")
    print(
        f"\ngunicorn {options.workers} processes × {options.threads} threads, wrk "
        f"{options.connections} connections, {options.seconds} s each, {os.cpu_count()} cores"
    )
    print("\nbare Flask endpoint")
    print_figures(bare[-1:])
    print("\nthe staff's mix")
    print_figures(mix)
    verdict = "ok" if report["met"] else "MISSED"
    print(
        f"\nthe mix at {share:.1%} of the bare endpoint's rate ({mix_rate} against {bare_rate} "
        f"requests/s), {mix[-1]['errors']} errors; goal ≥ {SHARE_GOAL:.0%}, no errors: {verdict}"
        f"\nwritten to {written}"
    )


if __name__ == "__main__":
    main()
