"""What the audit trail's hash chain costs: a commit with audit rows, many writers at once, and
`flask audit verify` over the whole trail.

    .venv/bin/python bench/audit_chain.py                        # SQLite in a temporary folder
    BENCH_DATABASE_URL=postgresql://postgres@127.0.0.1:5432/outreach_bench \\
        .venv/bin/python bench/audit_chain.py                    # a throwaway PostgreSQL database

Every audited request joins the chain at its commit under a lock on the chain's head row; this
prints how long such a commit takes alone and how many go through per second when 8 threads
commit at once, and how fast the chain is verified. Figures, not pass/fail.
"""

import statistics
import sys
import threading
import time
from pathlib import Path

from sqlalchemy import text

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.common import fresh_app  # noqa: E402
from outreach import audit, audit_verify  # noqa: E402
from outreach.audit import AuditAction  # noqa: E402
from outreach.extensions import db  # noqa: E402
from outreach.org.models import Kommun  # noqa: E402

COMMITS = 1000
THREADS = 8
EXTRA_ROWS = 200_000


def _commit_times(rows_per_commit: int, commits: int, kommun_id: int) -> list[float]:
    times = []
    for number in range(commits):
        started = time.perf_counter()
        for row in range(rows_per_commit):
            audit.record(
                AuditAction.READ, "youth", number, user_id=None, kommun_id=kommun_id, youth_id=row
            )
        db.session.commit()
        times.append(time.perf_counter() - started)
    return times


def _report(label: str, times: list[float]) -> None:
    ordered = sorted(times)
    p95 = ordered[int(len(ordered) * 0.95)]
    print(
        f"{label:<34} median {statistics.median(times) * 1000:6.2f} ms   p95 {p95 * 1000:6.2f} ms"
    )


def main() -> None:
    app = fresh_app()
    with app.app_context():
        print(f"database: {db.engine.dialect.name}")
        for _ in range(50):  # warm up
            db.session.execute(text("SELECT 1"))
            db.session.commit()
        db.session.execute(text("CREATE TABLE bench_scratch (id INTEGER PRIMARY KEY, n INTEGER)"))
        kommun = Kommun(name="Benchkommun", code="9999")
        db.session.add(kommun)
        db.session.commit()
        kommun_id = kommun.id
        plain = []
        for number in range(COMMITS):
            started = time.perf_counter()
            db.session.execute(text("INSERT INTO bench_scratch VALUES (:n, :n)"), {"n": number})
            db.session.commit()
            plain.append(time.perf_counter() - started)
        _report("commit of a row, no audit (base)", plain)
        _report("commit with 1 audit row", _commit_times(1, COMMITS, kommun_id))
        _report("commit with 20 audit rows (a list)", _commit_times(20, COMMITS // 4, kommun_id))

    def writer():
        with app.app_context():
            _commit_times(1, COMMITS // THREADS, kommun_id)

    threads = [threading.Thread(target=writer) for _ in range(THREADS)]
    started = time.perf_counter()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    elapsed = time.perf_counter() - started
    print(f"{THREADS} threads at once: {COMMITS / elapsed:,.0f} audited commits/s")

    with app.app_context():
        for _ in range(EXTRA_ROWS // 1000):
            _commit_times(1000, 1, kommun_id)
        started = time.perf_counter()
        report = audit_verify.verify()
        elapsed = time.perf_counter() - started
        assert report.intact, report.problem
        print(
            f"flask audit verify: {report.rows:,} rows in {elapsed:.1f} s "
            f"({report.rows / elapsed:,.0f} rows/s)"
        )


if __name__ == "__main__":
    main()
