"""The SQL statements a piece of a test runs."""

from contextlib import contextmanager

from sqlalchemy import event

from outreach.extensions import db


@contextmanager
def statements_run(app):
    """The statements run on the app's database inside the block: a list, filled as they
    run."""
    with app.app_context():
        engine = db.engine
    run: list[str] = []

    def seen(_conn, _cursor, statement, *_args, **_kwargs):
        run.append(statement)

    event.listen(engine, "before_cursor_execute", seen)
    try:
        yield run
    finally:
        event.remove(engine, "before_cursor_execute", seen)
