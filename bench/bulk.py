"""Rows written in bulk, the fastest way each database takes them: COPY on PostgreSQL, multi-row
INSERTs in large batches on SQLite.

Values go through each column's own conversion first (enums to their codes, times to UTC,
encrypted columns encrypted), so what lands is what the app itself would have written. Ids are
given by the generator, so that rows can point at each other without asking the database; the
sequences are moved past them afterwards (`move_sequences`).
"""

from collections.abc import Iterable, Sequence

from sqlalchemy import Connection, Table, text

#: Rows per INSERT batch on SQLite.
BATCH = 5000


def write(connection: Connection, table: Table, columns: Sequence[str], rows: Iterable) -> int:
    """Write the rows (tuples in the order of `columns`) into the table; how many."""
    dialect = connection.dialect
    # columns left out take their plain default, as the ORM would have given them
    defaults = [
        (column.name, column.default.arg)
        for column in table.columns
        if column.name not in columns and column.default is not None and column.default.is_scalar
    ]
    columns = [*columns, *(name for name, _value in defaults)]
    tail = tuple(value for _name, value in defaults)
    convert = [table.c[name].type._cached_bind_processor(dialect) for name in columns]

    def converted(row):
        return [
            value if to is None else to(value)
            for to, value in zip(convert, (*row, *tail), strict=True)
        ]

    written = 0
    if dialect.name == "postgresql":
        names = ", ".join(f'"{name}"' for name in columns)
        cursor = connection.connection.driver_connection.cursor()
        with cursor.copy(f'COPY "{table.name}" ({names}) FROM STDIN') as copy:
            for row in rows:
                copy.write_row(converted(row))
                written += 1
        return written
    statement = table.insert()
    batch = []
    for row in rows:
        batch.append(dict(zip(columns, (*row, *tail), strict=True)))
        if len(batch) == BATCH:
            connection.execute(statement, batch)
            written += len(batch)
            batch = []
    if batch:
        connection.execute(statement, batch)
        written += len(batch)
    return written


def move_sequences(connection: Connection, tables: Iterable[Table]) -> None:
    """PostgreSQL: each table's id sequence past the largest id written (SQLite needs none)."""
    if connection.dialect.name != "postgresql":
        return
    for table in tables:
        if "id" not in table.c:
            continue
        # the table names are the app's own, never input
        largest = f'SELECT COALESCE(MAX(id), 0) + 1 FROM "{table.name}"'  # noqa: S608
        connection.execute(
            text(f"SELECT setval(pg_get_serial_sequence(:table, 'id'), ({largest}), false)"),
            {"table": f'"{table.name}"'},
        )
