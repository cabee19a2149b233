"""How many SQL statements each key request runs: bounded, and the same however much data
there is (no statement per row). The generated data at two sizes; the bound per request is
what it runs now, so a change that adds statements fails here and is looked at. Timings stay
in bench/ (`make bench`)."""

from dataclasses import replace

import pytest

from bench.harness import QueryCounter, Scene, _request
from bench.seed import SCALES, Seeder
from outreach.extensions import db
from outreach.risk import services as risk_services

TINY = SCALES["tiny"]
SIZES = [
    TINY,
    replace(
        TINY,
        name="tiny, three times",
        anonymous_contacts=3 * TINY.anonymous_contacts,
        youths=3 * TINY.youths,
        identified_contacts=3 * TINY.identified_contacts,
        risk_markings=3 * TINY.risk_markings,
        handoffs=3 * TINY.handoffs,
        audit_rows=3 * TINY.audit_rows,
    ),
]
#: The statements each request may run (measured; raise one only knowingly).
BOUNDS = {
    "start page": 10,
    "contact form": 6,
    "contact submit": 9,  # 8 on SQLite: PostgreSQL holds the tallies' days (an advisory lock)
    'youth search "ali"': 7,
    'youth search "ö"': 7,
    "youth page, long timeline": 24,
    "VPC inbox": 6,
    "handoff page": 7,
    "risk marking form": 6,
    "notification badge": 2,
    "review list, page 1": 17,
    "review list, 40 rows deep": 17,
    "statistics, a year": 9,
}


@pytest.mark.parametrize("scale", SIZES, ids=lambda scale: scale.name)
def test_each_key_request_runs_a_bounded_number_of_statements(app, scale):
    with app.app_context():
        with db.engine.begin() as connection:
            Seeder(connection, scale).run()
        risk_services.keep_review_due()  # as `flask bench seed` does: the start page lists some
        db.session.commit()
    scene = Scene(app, deep=40)
    with app.app_context():
        counter = QueryCounter(db.engine)
    counts = {}
    for probe in scene.probes():
        client = scene.clients[probe.role]
        _request(client, probe)  # the first request of a client may load what is cached after
        before = counter.count
        _request(client, probe)
        counts[probe.name] = counter.count - before
    print(counts)
    assert counts.keys() == BOUNDS.keys()
    over = {name: (count, BOUNDS[name]) for name, count in counts.items() if count > BOUNDS[name]}
    assert not over, f"more statements than the bound (ran, bound): {over}"
