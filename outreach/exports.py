"""Downloads: CSV and XLSX written while they are sent so memory stays flat for any length.

CSV uses semicolons and a byte-order mark, which is what Excel set to Swedish expects. XLSX is
written by openpyxl's write-only workbook into a temporary file (a zip can only be finished at
its end) and then sent from that file. Cells that a spreadsheet would run as a formula are
quoted, so text typed in the street cannot become a formula on a team lead's computer.

A long export is one statement whose cells are already what is written
(outreach/review/export.py): PostgreSQL writes its CSV itself (COPY … TO STDOUT), and SQLite's
rows go through the csv module without objects in between.
"""

import csv
import io
import tempfile
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from datetime import date, datetime

from flask import Response, send_file, stream_with_context
from openpyxl import Workbook
from sqlalchemy import Select, func, text

from outreach.clock import LOCAL_ZONE, to_local
from outreach.extensions import db

CSV_MIMETYPE = "text/csv; charset=utf-8"
XLSX_MIMETYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
#: Rows gathered before a piece of a CSV is sent.
CSV_BATCH = 500
#: Bytes of PostgreSQL's CSV gathered before a piece is sent.
COPY_PIECE = 32 * 1024
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
#: Sheet names: at most 31 characters, none of these.
SHEET_FORBIDDEN = str.maketrans({c: " " for c in "[]:*?/\\"})


@dataclass
class Table:
    """A table to export: a title (the sheet's name), column headings and rows."""

    title: str
    header: Sequence[str]
    rows: Iterable[Sequence]


def cell(value):
    """A value as it goes into a cell: local time, plain text, never a formula."""
    if isinstance(value, datetime):
        return to_local(value).replace(tzinfo=None, microsecond=0)
    if value is None or isinstance(value, bool | int | float | date):
        return value
    text = str(value)
    return "'" + text if text.startswith(FORMULA_START) else text


def _csv_text(value) -> str:
    kind = type(value)  # the common cases first: an export writes a hundred thousand cells
    if kind is str:
        return "'" + value if value.startswith(FORMULA_START) else value
    if kind is int:
        return str(value)
    if value is None:
        return ""
    value = cell(value)
    if isinstance(value, datetime):
        return value.strftime("%Y-%m-%d %H:%M")
    if isinstance(value, date):
        return value.isoformat()
    return "" if value is None else str(value)


def _in_pieces(rows: Iterable, buffer: io.StringIO, writer) -> Iterator[str]:
    """The rows written into the buffer as CSV, and what it holds taken out every CSV_BATCH
    rows (the rest stays for the caller)."""
    for count, row in enumerate(rows, start=1):
        writer.writerow([_csv_text(value) for value in row])
        if count % CSV_BATCH == 0:
            yield buffer.getvalue()
            buffer.seek(0)
            buffer.truncate()


def csv_response(filename: str, tables: list[Table]) -> Response:
    """A CSV download; several tables follow each other, each under its title."""
    several = len(tables) > 1

    def generate():
        buffer = io.StringIO()
        writer = csv.writer(buffer, delimiter=";", lineterminator="\r\n")
        buffer.write("\ufeff")
        for number, table in enumerate(tables):
            if number:
                writer.writerow([])
            if several:
                writer.writerow([table.title])
            writer.writerow(table.header)
            yield from _in_pieces(table.rows, buffer, writer)
        yield buffer.getvalue()

    return download(stream_with_context(generate()), CSV_MIMETYPE, filename)


def minute_text(moment, dialect: str):
    """A moment as its cell in a CSV ("2026-10-31 23:30", Stockholm time): on PostgreSQL
    written by the database; on SQLite the moment itself, which _csv_text writes so."""
    if dialect != "postgresql":
        return moment
    return func.to_char(func.timezone(LOCAL_ZONE.key, moment), "YYYY-MM-DD HH24:MI")


def _driver_sql(statement: Select) -> tuple[str, dict]:
    """The statement as the driver runs it: its SQL and its parameters as bound."""
    compiled = statement.compile(
        dialect=db.session.get_bind().dialect, compile_kwargs={"render_postcompile": True}
    )
    processors = compiled._bind_processors
    params = {}
    for name, value in compiled.construct_params().items():
        process = processors.get(name) or processors.get(name.rpartition("_")[0])
        params[name] = process(value) if process is not None and value is not None else value
    return str(compiled), params


def _copied(statement: Select) -> Iterator[bytes]:
    """PostgreSQL writes the statement's rows as CSV, sent in pieces as they come."""
    sql, params = _driver_sql(statement)
    # The planner overestimates the joined aggregates a hundredfold, and would compile the
    # statement to machine code (JIT) for longer than it then runs.
    db.session.execute(text("SET LOCAL jit = off"))
    connection = db.session.connection().connection.driver_connection
    piece = bytearray()
    with (
        connection.cursor() as cursor,
        cursor.copy(f"COPY ({sql}) TO STDOUT WITH (FORMAT csv, DELIMITER ';')", params) as copy,
    ):
        for block in copy:
            piece += block
            if len(piece) >= COPY_PIECE:
                yield bytes(piece).replace(b"\n", b"\r\n")
                piece.clear()
    yield bytes(piece).replace(b"\n", b"\r\n")


def _written(statement: Select) -> Iterator[str]:
    """Any other database: the rows through the csv module, in pieces."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, delimiter=";", lineterminator="\r\n")
    yield from _in_pieces(
        db.session.execute(statement.execution_options(yield_per=CSV_BATCH)), buffer, writer
    )
    yield buffer.getvalue()


def statement_csv_response(filename: str, header: Sequence[str], statement: Select) -> Response:
    """A CSV download of a statement whose cells are written as they are (text quoted where
    it could run as a formula, times through minute_text), read while it is sent."""

    def generate():
        buffer = io.StringIO()
        buffer.write("\ufeff")
        csv.writer(buffer, delimiter=";", lineterminator="\r\n").writerow(header)
        yield buffer.getvalue().encode()
        if db.session.get_bind().dialect.name == "postgresql":
            yield from _copied(statement)
        else:
            for piece in _written(statement):
                yield piece.encode()

    return download(stream_with_context(generate()), CSV_MIMETYPE, filename)


def statement_table(title: str, header: Sequence[str], statement: Select) -> Table:
    """A statement's rows as a table to export (to XLSX), read as they are written."""
    return Table(title, header, db.session.execute(statement.execution_options(yield_per=1000)))


def xlsx_response(filename: str, tables: list[Table]) -> Response:
    """An XLSX download with one sheet per table."""
    workbook = Workbook(write_only=True)
    for table in tables:
        sheet = workbook.create_sheet(title=table.title.translate(SHEET_FORBIDDEN)[:31])
        sheet.append(list(table.header))
        for row in table.rows:
            sheet.append([cell(value) for value in row])
    spool = tempfile.TemporaryFile()  # noqa: SIM115 (send_file closes it when sent)
    workbook.save(spool)
    spool.seek(0)
    return send_file(spool, mimetype=XLSX_MIMETYPE, as_attachment=True, download_name=filename)


def download(body, mimetype: str, filename: str) -> Response:
    """A file to save (a CSV, a PDF, a JSON copy): the body under its name."""
    response = Response(body, mimetype=mimetype)
    response.headers["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response
