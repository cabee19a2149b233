"""`flask crypto rotate-key`: every encrypted field, and every lookup hash, rewritten with the
current field key (crypto.py says how keys are rotated). The audit trail is append-only and
keeps what it was written with: the command says how many of its rows still need a retired key.
"""

import click
from flask.cli import with_appcontext
from sqlalchemy import Text, select, type_coerce

from outreach.audit import AuditEvent
from outreach.crypto import EncryptedText, keys, under_subject_key
from outreach.extensions import db


@click.group("crypto")
def crypto_cli():
    """Keys of the encrypted fields."""


@crypto_cli.command("rotate-key")
@click.option("--batch", default=1000, show_default=True, help="Rows per transaction.")
@with_appcontext
def rotate_key_command(batch: int):
    """Re-encrypt every encrypted field, and recompute every lookup hash, with the current key.

    Run it after moving the old key to OUTREACH_FIELD_KEYS_RETIRED. It can be run again; rows
    already on the current key are rewritten the same way.
    """
    for table in db.metadata.sorted_tables:
        for column in table.columns:
            if isinstance(column.type, EncryptedText):
                count = _rotate_column(db, table, column, batch)
                click.echo(f"{table.name}.{column.name}: {count} rows on the current key")
    waiting = sum(
        1
        for youth_id, token in db.session.execute(
            select(AuditEvent.youth_id, AuditEvent.changes).where(AuditEvent.changes.is_not(None))
        )
        if not keys().is_current(token) and not under_subject_key(youth_id, token)
    )
    click.echo(
        f"audit_event.changes: {waiting} rows (append-only) still need a retired key; keep "
        "it in OUTREACH_FIELD_KEYS_RETIRED while they are kept"
        if waiting
        else "audit_event.changes: every row on the current key"
    )


def _rotate_column(db, table, column, batch: int) -> int:
    """Rewrite one encrypted column (and its `<name>_lookup` hash column, if any) in batches."""
    lookup = table.columns.get(f"{column.name}_lookup")
    raw = type_coerce(column, Text)
    (key_column,) = table.primary_key.columns  # every encrypted table has a one-column key
    last_id, count = 0, 0
    while True:
        rows = db.session.execute(
            select(key_column, raw)
            .where(key_column > last_id, column.is_not(None))
            .order_by(key_column)
            .limit(batch)
        ).all()
        if not rows:
            return count
        for row_id, token in rows:
            values = {column.name: type_coerce(keys().rotate(token), Text)}
            if lookup is not None:
                values[lookup.name] = keys().lookup_hash(keys().decrypt(token))
            db.session.execute(table.update().where(key_column == row_id).values(values))
        db.session.commit()
        count += len(rows)
        last_id = rows[-1][0]
