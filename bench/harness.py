"""The key requests timed against a seeded database: `python -m bench` (and `make bench`).

    python -m bench                                     # PostgreSQL, national scale
    python -m bench --database sqlite:///instance/bench.sqlite --scale regional

The database is created, migrated and seeded (`flask bench seed`, in a process of its own) the
first time; later runs measure at once. Each request is made many times through the app
(Flask's test client, in this process) as the staff member who makes it, and the figures are
the server's: the median and 95th percentile time, the SQL statements it ran and the bytes it
answered. A bare Flask endpoint measured in the same run is the baseline the ratios are to. The
CSV export of a year is measured for rows per second and for how much the process's peak
resident memory grows while it streams. The table is printed and written as JSON to
bench/results/<database>-<scale>.json. Figures, not pass/fail: the query counts are held by the
test suite, the times here.
"""

import argparse
import contextlib
import cProfile
import functools
import gc
import io
import json
import os
import platform
import pstats
import resource
import statistics
import subprocess
import sys
import time
import uuid
from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from datetime import timedelta
from pathlib import Path

from flask import Flask
from flask_migrate import upgrade
from sqlalchemy import create_engine, event, func, select, text
from sqlalchemy.engine import make_url

from bench.common import bench_app
from bench.seed import PASSWORD, SCALES
from outreach.auth.models import Role, User
from outreach.clock import local_date, now
from outreach.extensions import db
from outreach.handoffs.models import Handoff
from outreach.org.models import Place
from outreach.paging import Cursor
from outreach.shifts.models import AnonymousContact, Shift, shift_worker
from outreach.youths.models import Youth, identified_contact_youth

POSTGRES = "postgresql://postgres@127.0.0.1:5432/outreach_bench"
#: PostgreSQL planner settings for this kind of load (docs/performance.md): reading by index
#: costs little more than in order when the data is in memory or on SSD (the default, 4, is
#: for disks); and a request's small queries are not split over parallel workers, whose start
#: costs more than they save on two cores.
PLANNER = {"random_page_cost": 1.1, "max_parallel_workers_per_gather": 0}
RESULTS = Path(__file__).resolve().parent / "results"
#: The issue's targets: p95 of an interactive request, the statistics of a year (ms); the
#: export's pace (rows/s) and its memory (MB of peak growth).
INTERACTIVE_MS = {"postgresql": 10, "sqlite": 15}
STATISTICS_MS = 30
EXPORT_ROWS_PER_SECOND = {"postgresql": 100_000, "sqlite": 40_000}
EXPORT_MEMORY_MB = 50
RUNS, WARM_UP = 50, 3
#: The export is long: fewer runs, the first one not counted.
EXPORT_RUNS = 5
EXPORT = {"csv": "CSV export, a year", "xlsx": "XLSX export, a year"}
#: A request slower than this on its warm-up is run fewer times (the run stays short).
SLOW_SECONDS, SLOW_RUNS = 0.3, 10
#: How deep the deep review page is: the contacts before it, newest first.
DEEP = 10_000


@dataclass
class Probe:
    """One request to measure."""

    name: str
    role: str
    path: str
    method: str = "GET"
    #: The form posted (made afresh for each run: a new contact has a new token).
    data: Callable[[], dict] | None = None
    partial: bool = False
    target_ms: float | None = None


@dataclass
class Figures:
    """What one request measured."""

    name: str
    runs: int
    median_ms: float
    p95_ms: float
    ratio: float
    queries: int
    queries_vary: bool
    bytes: int
    target_ms: float | None
    met: bool | None
    extra: dict = field(default_factory=dict)


# --- the database -------------------------------------------------------------------------


def prepare(url: str, scale: str) -> Flask:
    """The app on the benchmark database: created, migrated and seeded if it is not yet."""
    parsed = make_url(url)
    if parsed.get_backend_name() == "postgresql":
        server = create_engine(
            parsed.set(drivername="postgresql+psycopg", database="postgres"),
            isolation_level="AUTOCOMMIT",
        )
        with server.connect() as connection:
            exists = connection.execute(
                text("SELECT 1 FROM pg_database WHERE datname = :name"), {"name": parsed.database}
            ).first()
            if not exists:  # the name is the operator's own, quoted
                connection.execute(text(f'CREATE DATABASE "{parsed.database}"'))
            # the planner settings docs/performance.md asks of a deployment
            for setting, value in PLANNER.items():
                connection.execute(
                    text(f'ALTER DATABASE "{parsed.database}" SET {setting} = {value}')
                )
        server.dispose()
    elif parsed.database:
        Path(parsed.database).parent.mkdir(parents=True, exist_ok=True)
    app = bench_app(url)
    with app.app_context():
        upgrade()
        users = db.session.execute(select(func.count(User.id))).scalar_one()
        contacts = db.session.execute(select(func.count(AnonymousContact.id))).scalar_one()
    wanted = SCALES[scale].anonymous_contacts
    if not users:
        environment = {
            **os.environ,
            "OUTREACH_DATABASE_URL": app.config["SQLALCHEMY_DATABASE_URI"],
            "OUTREACH_FIELD_KEY": app.config["FIELD_KEY"],
            "OUTREACH_SECRET_KEY": app.config["SECRET_KEY"],
        }
        command = [sys.executable, "-m", "flask", "--app", "outreach", "bench", "seed"]
        subprocess.run([*command, "--scale", scale], env=environment, check=True)  # noqa: S603
    elif not wanted <= contacts < wanted * 1.1:
        raise SystemExit(
            f"{url} holds {contacts:,} anonymous contacts, not the {scale} scale's {wanted:,}: "
            "drop it, or name its scale with --scale."
        )
    return app


# --- the scene: who makes the requests, on what -------------------------------------------


class Scene:
    """The staff who make the requests (logged in), and what they ask for."""

    def __init__(self, app: Flask, deep: int = DEEP):
        self.app = app
        self.deep = deep
        with app.app_context():
            first = lambda statement: db.session.execute(statement.limit(1)).scalar_one()  # noqa: E731
            self.worker = first(
                select(User).where(User.role == Role.FIELD_WORKER).order_by(User.id)
            )
            team = self.worker.teams[0].id
            self.team = team
            names = {
                "lead": first(
                    select(User.username)
                    .where(User.role == Role.TEAM_LEAD, User.all_teams.any(id=team))
                    .order_by(User.id)
                ),
                "caseworker": first(
                    select(User.username).where(User.role == Role.CASEWORKER).order_by(User.id)
                ),
            }
            caseworker = db.session.execute(
                select(User).where(User.username == names["caseworker"])
            ).scalar_one()
            # the newest handoff to the caseworker's unit
            self.handoff = first(
                select(Handoff.public_id)
                .where(Handoff.to_unit_id.in_([unit.id for unit in caseworker.teams]))
                .order_by(Handoff.sent_at.desc())
            )
            self.regular = first(
                select(Youth.public_id)
                .join(identified_contact_youth, identified_contact_youth.c.youth_id == Youth.id)
                .where(Youth.team_id == team)
                .group_by(Youth.id)
                .order_by(func.count().desc())
            )
            team_contacts = db.session.execute(
                select(func.count(AnonymousContact.id)).where(AnonymousContact.team_id == team)
            ).scalar_one()
            self.deep = deep = min(deep, team_contacts // 2)  # a smaller scale has fewer
            deep = db.session.execute(
                select(AnonymousContact.occurred_at, AnonymousContact.public_id)
                .where(AnonymousContact.team_id == team)
                .order_by(AnonymousContact.occurred_at.desc(), AnonymousContact.public_id.desc())
                .offset(deep)
                .limit(1)
            ).one()
            self.deep_cursor = Cursor(deep.occurred_at, 0, deep.public_id).encode()
            self.today = local_date(now())
            worker_name = self.worker.username
        self.clients = {role: self._logged_in(name) for role, name in names.items()}
        self.clients["field_worker"] = self._logged_in(worker_name)
        self.shift, self.place = self._open_shift()

    def _logged_in(self, username: str):
        client = self.app.test_client()
        answer = client.post("/logga-in", data={"username": username, "password": PASSWORD})
        if answer.status_code != 303:
            raise SystemExit(f"{username} could not log in ({answer.status_code})")
        return client

    def _open_shift(self) -> tuple[str, int]:
        """The field worker's open shift (started now if there is none) and a place in it."""

        def find():
            return db.session.execute(
                select(Shift)
                .join(shift_worker, shift_worker.c.shift_id == Shift.id)
                .where(shift_worker.c.user_id == self.worker.id, Shift.ended_at.is_(None))
                .order_by(Shift.id.desc())
                .limit(1)
            ).scalar()

        with self.app.app_context():
            shift = find()
            if shift is None:
                area = db.session.execute(
                    select(Shift.area_id).where(Shift.team_id == self.team).limit(1)
                ).scalar_one()
                started = self.clients["field_worker"].post(
                    "/faltpass/nytt", data={"team": self.team, "area": area}
                )
                if started.status_code != 303:
                    raise SystemExit(f"no shift could be started ({started.status_code})")
                shift = find()
            place = db.session.execute(
                select(Place.id).where(Place.area_id == shift.area_id).limit(1)
            ).scalar_one()
            return shift.public_id, place

    def export_probe(self, fmt: str = "csv") -> Probe:
        """The export of the last year (measured on its own: rows a second, memory)."""
        year = f"date_from={self.today - timedelta(days=365)}&date_to={self.today}"
        return Probe(EXPORT[fmt], "lead", f"/granskning/export.{fmt}?{year}")

    def probes(self) -> list[Probe]:
        def contact() -> dict:
            return {"place": self.place, "youth_count": 2, "token": uuid.uuid4().hex}

        contact_form = f"/faltpass/{self.shift}/anonym-kontakt"
        with self.app.app_context():
            target = INTERACTIVE_MS[db.engine.dialect.name]
        interactive = functools.partial(Probe, target_ms=target)
        return [
            interactive("start page", "field_worker", "/"),
            interactive("contact form", "field_worker", contact_form),
            interactive(
                "contact submit", "field_worker", contact_form, "POST", contact, partial=True
            ),
            interactive(
                'youth search "ali"',
                "field_worker",
                "/ungdomar",
                "POST",
                lambda: {"q": "ali"},
                partial=True,
            ),
            interactive(
                'youth search "ö"',
                "field_worker",
                "/ungdomar",
                "POST",
                lambda: {"q": "ö"},
                partial=True,
            ),
            interactive("youth page, long timeline", "field_worker", f"/ungdomar/{self.regular}"),
            interactive("VPC inbox", "caseworker", "/vpc"),
            interactive("handoff page", "caseworker", f"/overlamningar/{self.handoff}"),
            interactive(
                "risk marking form", "field_worker", f"/ungdomar/{self.regular}/orosmarkering"
            ),
            interactive("notification badge", "caseworker", "/notiser/badge", partial=True),
            interactive("review list, page 1", "lead", "/granskning"),
            interactive(
                f"review list, {self.deep:,} rows deep",
                "lead",
                f"/granskning?after={self.deep_cursor}",
            ),
            Probe(
                "statistics, a year",
                "lead",
                f"/statistik?team={self.team}&period=year&day={self.today}",
                target_ms=STATISTICS_MS,
            ),
        ]


# --- measuring ------------------------------------------------------------------------------


class QueryCounter:
    """How many SQL statements the engine has run."""

    def __init__(self, engine):
        self.count = 0
        event.listen(engine, "before_cursor_execute", self._one)

    def _one(self, *_args) -> None:
        self.count += 1


def _request(client, probe: Probe) -> tuple[float, int]:
    """One request: the seconds until the whole answer was read, and its bytes."""
    headers = {"HX-Request": "true", "HX-Request-Type": "partial"} if probe.partial else {}
    data = probe.data() if probe.data else None
    started = time.perf_counter()
    answer = client.open(probe.path, method=probe.method, data=data, headers=headers)
    size = sum(len(piece) for piece in answer.response)
    seconds = time.perf_counter() - started
    answer.close()
    if answer.status_code >= 400:
        raise SystemExit(f"{probe.name}: {probe.path} answered {answer.status_code}")
    return seconds, size


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(len(ordered) * share))]


def measure(client, probe: Probe, counter: QueryCounter, baseline_ms: float) -> Figures:
    """Warm up, then time the request RUNS times (fewer when it is slow)."""
    warm = [_request(client, probe)[0] for _ in range(WARM_UP)]
    runs = SLOW_RUNS if min(warm) > SLOW_SECONDS else RUNS
    times, queries, size = [], set(), 0
    for _ in range(runs):
        before = counter.count
        seconds, size = _request(client, probe)
        times.append(seconds * 1000)
        queries.add(counter.count - before)
    median, p95 = statistics.median(times), percentile(times, 0.95)
    return Figures(
        name=probe.name,
        runs=runs,
        median_ms=round(median, 2),
        p95_ms=round(p95, 2),
        ratio=round(median / baseline_ms, 1),
        queries=max(queries),
        queries_vary=len(queries) > 1,
        bytes=size,
        target_ms=probe.target_ms,
        met=None if probe.target_ms is None else p95 < probe.target_ms,
    )


def baseline() -> Figures:
    """A bare Flask endpoint through the same test client: what any request costs at least."""
    bare = Flask("baseline")
    bare.add_url_rule("/", "ok", lambda: "ok")
    client = bare.test_client()
    probe = Probe("bare Flask endpoint (baseline)", "", "/", target_ms=None)
    for _ in range(WARM_UP * 10):
        _request(client, probe)
    times = [_request(client, probe)[0] * 1000 for _ in range(RUNS * 10)]
    median = statistics.median(times)
    return Figures(
        probe.name,
        len(times),
        round(median, 3),
        round(percentile(times, 0.95), 3),
        1.0,
        0,
        False,
        2,
        None,
        None,
    )


def _memory_kb(field_name: str) -> int:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith(field_name + ":"):
            return int(line.split()[1])
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss


def _export_once(client, path: str) -> tuple[float, int, int, float]:
    """One export read to its end: seconds, data rows, bytes, growth of the peak memory (MB)."""
    with contextlib.suppress(OSError):
        Path("/proc/self/clear_refs").write_text("5")  # resets the peak (VmHWM)
    resident = _memory_kb("VmRSS")
    started = time.perf_counter()
    answer = client.get(path)
    size = lines = 0
    for piece in answer.response:
        size += len(piece)
        lines += piece.count(b"\n")
    seconds = time.perf_counter() - started
    answer.close()
    return seconds, lines - 1, size, (_memory_kb("VmHWM") - resident) / 1024


def export(scene: Scene, counter: QueryCounter, fmt: str = "csv", rows: int = 0) -> Figures:
    """The export of the last year, streamed, a few times after one unmeasured run: rows a
    second at the median time, and the largest growth of the peak resident memory while one
    ran (the peak is reset before each, where Linux allows it). An XLSX file has no lines to
    count: its rows are the CSV's (`rows`), and its pace has no target."""
    probe = scene.export_probe(fmt)
    client = scene.clients[probe.role]
    _export_once(client, probe.path)
    before = counter.count
    runs = [_export_once(client, probe.path) for _ in range(EXPORT_RUNS)]
    times = sorted(seconds for seconds, *_ in runs)
    median = times[len(times) // 2]
    _, lines, size, _ = runs[0]
    rows = lines if fmt == "csv" else rows
    grown = max(growth for *_, growth in runs)
    pace = rows / median
    with scene.app.app_context():
        wanted = EXPORT_ROWS_PER_SECOND[db.engine.dialect.name]
    return Figures(
        name=probe.name,
        runs=EXPORT_RUNS,
        median_ms=round(median * 1000, 1),
        p95_ms=round(times[-1] * 1000, 1),
        ratio=0,
        queries=(counter.count - before) // EXPORT_RUNS,
        queries_vary=False,
        bytes=size,
        target_ms=None,
        met=(pace >= wanted if fmt == "csv" else True) and grown < EXPORT_MEMORY_MB,
        extra={
            "rows": rows,
            "rows_per_second": round(pace),
            "peak_memory_growth_mb": round(grown, 1),
        },
    )


@contextlib.contextmanager
def statements_timed(engine):
    """The statements run inside the block, each as (seconds in the driver's execute, its SQL
    on one line): a list, filled as they run."""
    statements: list[tuple[float, str]] = []
    started: list[float] = []

    def before(*_args):
        started.append(time.perf_counter())

    def after(_connection, _cursor, statement, *_args):
        statements.append((time.perf_counter() - started.pop(), " ".join(statement.split())))

    event.listen(engine, "before_cursor_execute", before)
    event.listen(engine, "after_cursor_execute", after)
    try:
        yield statements
    finally:
        event.remove(engine, "before_cursor_execute", before)
        event.remove(engine, "after_cursor_execute", after)


def profile(client, probe: Probe, engine) -> str:
    """Where one request's time goes: its SQL statements by time, and the functions by
    cumulative time (cProfile)."""
    _request(client, probe)  # warm
    profiler = cProfile.Profile()
    with statements_timed(engine) as statements:
        seconds = profiler.runcall(_request, client, probe)[0]
    out = io.StringIO()
    sql = sum(spent for spent, _statement in statements)
    print(
        f"{probe.name}: {seconds * 1000:.1f} ms under the profiler, {len(statements)} "
        f"statements taking {sql * 1000:.1f} ms",
        file=out,
    )
    for spent, statement in sorted(statements, reverse=True)[:8]:
        print(f"  {spent * 1000:8.2f} ms  {statement[:300]}", file=out)
    order = os.environ.get("BENCH_SORT", "cumulative")
    pstats.Stats(profiler, stream=out).sort_stats(order).print_stats(30)
    return out.getvalue()


#: Where a function's own time is counted in a breakdown: the first part whose names start
#: its package's path (under site-packages, or the project's own); builtins count for their
#: caller's part, but the drivers' own.
PARTS = [
    ("SQLAlchemy", ("sqlalchemy/",)),
    ("templates", ("jinja2/", "markupsafe/", "outreach/templates/")),
    ("forms", ("wtforms/", "flask_wtf/")),
    ("Babel", ("babel/", "flask_babel/")),
    ("crypto", ("cryptography/",)),
    ("Flask", ("flask/", "werkzeug/", "flask_login/", "flask_limiter/", "itsdangerous/")),
    ("Outreach", ("outreach/",)),
]
DRIVERS = ("psycopg", "sqlite3")
OTHER = "Python"


def _part(function: tuple) -> str | None:
    """A profiled function's part; None for a builtin (counted for its caller)."""
    filename, _line, name = function
    if filename == "~":
        return "driver" if any(driver in name for driver in DRIVERS) else None
    if any(f"/{driver}" in filename for driver in DRIVERS):
        return "driver"
    path = filename.rpartition("site-packages/")[2]
    path = path[path.find("outreach/") :] if "outreach/" in path else path
    return next((part for part, starts in PARTS if path.startswith(starts)), OTHER)


def _parts(stats: pstats.Stats) -> dict[str, float]:
    """Seconds of own time per part; a builtin's time goes to the parts of its callers."""
    spent: dict[str, float] = {}
    for function, (_calls, _primitive, own, _cumulative, callers) in stats.stats.items():
        part = _part(function)
        if part is not None:
            spent[part] = spent.get(part, 0.0) + own
            continue
        for caller, figures in callers.items():
            caller_part = _part(caller) or OTHER
            spent[caller_part] = spent.get(caller_part, 0.0) + figures[2]
    return spent


def breakdown(client, probe: Probe, engine, runs: int = 20) -> dict[str, float]:
    """Where a request's median time goes, in ms: the statements (the driver's execute and
    the database server, timed around each without a profiler; their mean) and the rest of
    the median shared among the Python parts as cProfile shares their own time. Reading the
    rows after execute is in the rest: SQLite steps to the first row in execute, psycopg has
    them all by then."""
    for _ in range(WARM_UP):
        _request(client, probe)
    with statements_timed(engine) as timed:
        times = [_request(client, probe)[0] for _ in range(runs)]
    median = statistics.median(times) * 1000
    statements = sum(seconds for seconds, _statement in timed) * 1000 / runs
    profiler = cProfile.Profile()
    for _ in range(runs):
        profiler.runcall(_request, client, probe)
    spent = _parts(pstats.Stats(profiler))
    spent.pop("driver", None)  # timed without the profiler, above
    python = sum(spent.values()) or 1.0
    rest = max(median - statements, 0.0)
    return {
        "median": median,
        "statements": statements,
        **{part: rest * seconds / python for part, seconds in spent.items()},
    }


def breakdown_table(rows: dict[str, dict[str, float]]) -> str:
    columns = ["statements", *(part for part, _starts in PARTS), OTHER]
    lines = [f"{'request':<34} {'median':>7} " + " ".join(f"{c:>10}" for c in columns)]
    for name, figures in rows.items():
        cells = " ".join(f"{figures.get(c, 0.0):>10.1f}" for c in columns)
        lines.append(f"{name:<34} {figures['median']:>7.1f} {cells}")
    return "\n".join(lines)


# --- the report -----------------------------------------------------------------------------


def machine(app: Flask) -> dict:
    """What the figures were measured on."""
    model = next(
        (
            line.split(":", 1)[1].strip()
            for line in Path("/proc/cpuinfo").read_text().splitlines()
            if line.startswith("model name")
        ),
        platform.processor(),
    )
    with app.app_context():
        dialect = db.engine.dialect.name
        version = db.session.execute(
            text("SELECT version()" if dialect == "postgresql" else "SELECT sqlite_version()")
        ).scalar_one()
    return {
        "cpu": model,
        "cores": os.cpu_count(),
        "memory_gb": round(os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES") / 2**30, 1),
        "python": platform.python_version(),
        "database": f"{dialect} {version.split(' on ')[0]}",
    }


def table(figures: list[Figures]) -> str:
    lines = [
        f"{'request':<34} {'runs':>4} {'median ms':>10} {'p95 ms':>8} {'× base':>7} "
        f"{'queries':>7} {'bytes':>9}  target",
    ]
    for figure in figures:
        queries = f"{figure.queries}{'*' if figure.queries_vary else ''}"
        if figure.extra:
            target = (
                f"{figure.extra['rows']:,} rows at {figure.extra['rows_per_second']:,}/s, "
                f"peak +{figure.extra['peak_memory_growth_mb']} MB"
            )
            target += " ok" if figure.met else " MISSED"
        elif figure.target_ms is None:
            target = ""
        else:
            target = f"p95 < {figure.target_ms:g} ms {'ok' if figure.met else 'MISSED'}"
        ratio = f"{figure.ratio:g}" if figure.ratio else ""
        lines.append(
            f"{figure.name:<34} {figure.runs:>4} {figure.median_ms:>10.2f} {figure.p95_ms:>8.2f} "
            f"{ratio:>7} {queries:>7} {figure.bytes:>9,}  {target}"
        )
    lines.append("* the statement count varied between runs; the largest is shown")
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m bench", description=__doc__.split("\n")[0])
    parser.add_argument("--database", default=os.environ.get("BENCH_DATABASE_URL", POSTGRES))
    parser.add_argument("--scale", choices=list(SCALES), default="national")
    parser.add_argument(
        "--profile", metavar="REQUEST", help="profile the named request instead of measuring"
    )
    parser.add_argument(
        "--breakdown",
        action="store_true",
        help="where each request's time goes (ms by part) instead of measuring",
    )
    options = parser.parse_args(argv)
    started = time.perf_counter()
    app = prepare(options.database, options.scale)
    scene = Scene(app)
    gc.freeze()  # as gunicorn.conf.py does in each worker once the app is loaded
    if options.profile:
        everything = [*scene.probes(), scene.export_probe(), scene.export_probe("xlsx")]
        # a name, or its start ("review list, 9" for the deep page, whose depth varies)
        probe = next((p for p in everything if p.name == options.profile), None) or next(
            (p for p in everything if p.name.startswith(options.profile)), None
        )
        if probe is None:
            raise SystemExit(f"no request named {options.profile!r}")
        with app.app_context():
            engine = db.engine
        print(profile(scene.clients[probe.role], probe, engine))
        return
    if options.breakdown:
        with app.app_context():
            engine = db.engine
        # each request in an app context of its own, as served (no g carried between them)
        rows = {
            probe.name: breakdown(scene.clients[probe.role], probe, engine)
            for probe in scene.probes()
        }
        print(f"ms of each request's median by part ({options.scale}, {options.database})")
        print(breakdown_table(rows))
        return
    base = baseline()
    figures = [base]
    with app.app_context():
        counter = QueryCounter(db.engine)
    for probe in scene.probes():
        figures.append(measure(scene.clients[probe.role], probe, counter, base.median_ms))
        print(f"  measured {probe.name}", file=sys.stderr)
    figures.append(export(scene, counter))
    figures.append(export(scene, counter, "xlsx", figures[-1].extra["rows"]))
    report = {
        "scale": options.scale,
        "machine": machine(app),
        "measured_at": now().isoformat(timespec="seconds"),
        "seconds": round(time.perf_counter() - started, 1),
        "figures": [asdict(figure) for figure in figures],
    }
    RESULTS.mkdir(exist_ok=True)
    written = RESULTS / f"{report['machine']['database'].split()[0]}-{options.scale}.json"
    written.write_text(json.dumps(report, indent=2, ensure_ascii=False) + "\n")
    where = report["machine"]
    print(f"\n{options.scale} scale on {where['database']}, {where['cores']} cores")
    print(table(figures))
    print(f"\nwritten to {written} ({report['seconds']} s)")
