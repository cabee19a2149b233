"""What someone with the database would have: every value of every table, the database's
files (SQLite) or a pg_dump (PostgreSQL). For tests that look for personal data that must not
be there."""

import shutil
import subprocess
from pathlib import Path

import pytest
from sqlalchemy import inspect, text

from outreach.extensions import db


def personnummer_shapes(pnr: str) -> list[str]:
    """Every way a 12-digit personnummer could be written down."""
    return [pnr, pnr[2:], f"{pnr[:8]}-{pnr[8:]}", f"{pnr[2:8]}-{pnr[8:]}", pnr[-4:] + pnr[:8]]


def dump_rows() -> str:
    """Every value of every table, as text."""
    parts = []
    for table in inspect(db.engine).get_table_names():
        # the names come from the database's own catalogue
        for row in db.session.execute(text(f'SELECT * FROM "{table}"')):  # noqa: S608
            parts.append(" ".join(str(value) for value in row))
    return "\n".join(parts)


def dump_files(database_url: str, tmp_path: Path) -> bytes:
    """What an attacker with the database's files or a pg_dump would have."""
    if database_url.startswith("sqlite"):
        path = Path(database_url.removeprefix("sqlite:///"))
        db.session.execute(text("PRAGMA wal_checkpoint(TRUNCATE)"))
        return b"".join(p.read_bytes() for p in path.parent.glob(path.name + "*"))
    if shutil.which("pg_dump") is None:
        pytest.skip("pg_dump is not installed")
    url = database_url.replace("postgresql+psycopg://", "postgresql://")
    target = tmp_path / "dump.sql"
    subprocess.run(["pg_dump", "--file", str(target), url], check=True)
    return target.read_bytes()
