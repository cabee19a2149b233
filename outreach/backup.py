"""`flask db backup` and `flask db restore`: the whole database to one file and back.

PostgreSQL goes through pg_dump and pg_restore (custom format, restored in one transaction:
all or nothing). SQLite uses its online backup API, so the app may keep running while a
backup is made. A backup holds every youth's data: it is written readable by its owner only,
and appears under its name only once it is complete.
"""

import os
import shutil
import sqlite3
import subprocess
import tempfile
from contextlib import closing
from pathlib import Path

import click
from flask.cli import with_appcontext
from flask_migrate.cli import db as db_cli
from sqlalchemy.engine import URL

from outreach.extensions import db


class BackupError(Exception):
    """The backup or the restore could not be made; the message says why."""


def backup(url: URL, target: Path) -> None:
    """Write the whole database at `url` to the file `target`."""
    target = target.resolve()
    target.parent.mkdir(parents=True, exist_ok=True)
    handle, partial = tempfile.mkstemp(dir=target.parent, prefix=f".{target.name}.")
    os.close(handle)
    os.chmod(partial, 0o600)
    try:
        if url.get_backend_name() == "postgresql":
            _run(["pg_dump", "--format=custom", "--no-owner", f"--file={partial}"], url)
            _run(["pg_restore", "--list", partial], None)  # the archive reads back whole
        else:
            with _sqlite(url) as source, closing(sqlite3.connect(partial)) as copy:
                source.backup(copy)
                if copy.execute("PRAGMA integrity_check").fetchone()[0] != "ok":
                    raise BackupError("the copy failed SQLite's integrity check")
        os.replace(partial, target)
    finally:
        Path(partial).unlink(missing_ok=True)


def restore(url: URL, source: Path) -> None:
    """Replace everything in the database at `url` with the backup in `source`."""
    if not source.is_file():
        raise BackupError(f"no backup at {source}")
    if url.get_backend_name() == "postgresql":
        _run(
            [
                "pg_restore",
                "--clean",
                "--if-exists",
                "--no-owner",
                "--single-transaction",
                "--exit-on-error",
                str(source),
            ],
            url,
            database_option=True,
        )
        return
    with closing(sqlite3.connect(source)) as backup_file:
        try:
            intact = backup_file.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
        except sqlite3.DatabaseError:
            intact = False
        if not intact:
            raise BackupError(f"{source} is not an intact SQLite database")
        with _sqlite(url) as live:
            backup_file.backup(live)


def _sqlite(url: URL) -> closing[sqlite3.Connection]:
    """The SQLite database file at `url`, opened for as long as the `with` lasts."""
    if not url.database or url.database == ":memory:":
        raise BackupError("an in-memory database has nothing to back up")
    return closing(sqlite3.connect(url.database, timeout=30))


def _run(command: list[str], url: URL | None, database_option: bool = False) -> None:
    """Run a PostgreSQL client program against `url`; the password goes by the environment,
    never on the command line."""
    if shutil.which(command[0]) is None:
        raise BackupError(f"{command[0]} is not installed (Debian: postgresql-client)")
    environment = dict(os.environ)
    if url is not None:
        if url.password:
            environment["PGPASSWORD"] = url.password
        plain = url.set(drivername="postgresql", password=None, query={})
        address = plain.render_as_string(hide_password=False)
        command = [*command, f"--dbname={address}"] if database_option else [*command, address]
    done = subprocess.run(command, capture_output=True, text=True, env=environment)
    if done.returncode != 0:
        raise BackupError(f"{command[0]} failed: {done.stderr.strip()[-500:]}")


@db_cli.command("backup")
@click.argument("target", type=click.Path(dir_okay=False, path_type=Path))
@with_appcontext
def backup_command(target: Path):
    """Write the whole database to TARGET (readable by its owner only)."""
    try:
        backup(db.engine.url, target)
    except BackupError as error:
        raise click.ClickException(str(error)) from error
    click.echo(f"backed up to {target} ({target.stat().st_size:,} bytes)")


@db_cli.command("restore")
@click.argument("source", type=click.Path(dir_okay=False, exists=True, path_type=Path))
@click.option("--yes", is_flag=True, help="Do not ask before replacing the database.")
@with_appcontext
def restore_command(source: Path, yes: bool):
    """Replace everything in the database with the backup SOURCE (stop the app first)."""
    if not yes:
        click.confirm(
            "This replaces everything in the database with the backup. Go on?", abort=True
        )
    db.session.remove()
    db.engine.dispose()  # no connection of ours holds a lock the restore must take
    try:
        restore(db.engine.url, source)
    except BackupError as error:
        raise click.ClickException(str(error)) from error
    click.echo(f"restored from {source}; check it with `flask audit verify`")
