"""The request's transaction: one commit per request, at one place, and what a request that
fails leaves behind.

Everything a request changes, and the audit rows that describe it, is one transaction.
Services flush; nothing else commits. When a view returns its answer, commit_request (after
every request, before the answer leaves) commits, if the request wrote anything. A request
that only read ends with its session, with a COMMIT of nothing (end_session): its answer
stands even if the database goes away after it was made.

A request that fails (a form a rule refuses, a record saved by someone else at the same
moment, an error page, an exception) is abandoned: its changes are rolled back, but what it
showed the user stays shown. The access-log rows of its reads, lists, exports and prints
(DOMAIN.md rule 4) are kept and committed with the answer, whatever the answer is. Only with
the database gone is nothing written.

Command-line commands are their own unit of work and commit for themselves.
"""

from flask import Flask, Response, current_app, session
from sqlalchemy import event
from sqlalchemy.exc import DBAPIError
from sqlalchemy.orm import Session

from outreach import audit, refusals
from outreach.errors import database_unavailable
from outreach.extensions import db

#: Where Flask keeps the messages for the next page (flask.flash).
_FLASHES = "_flashes"
#: Set in a session's info when its transaction has written something.
_WROTE = "transaction_wrote"


@event.listens_for(Session, "after_flush")
def _flushed(session: Session, _context) -> None:
    session.info[_WROTE] = True


@event.listens_for(Session, "do_orm_execute")
def _executed(state) -> None:
    if state.is_insert or state.is_update or state.is_delete:
        state.session.info[_WROTE] = True


@event.listens_for(Session, "after_transaction_end")
def _ended(session: Session, transaction) -> None:
    if transaction.parent is None:
        session.info.pop(_WROTE, None)


def wrote() -> bool:
    """The request's transaction has written (on SQLite it then holds the write lock)."""
    return bool(db.session.info.get(_WROTE))


def _writes(request_session: Session) -> bool:
    """The session's transaction has written, or will write at its commit (audit rows)."""
    return bool(
        request_session.info.get(_WROTE)
        or request_session.new
        or request_session.dirty
        or request_session.deleted
        or audit.has_pending()
    )


def init_app(app: Flask) -> None:
    """Commit after every request; end the request's session after it. Call last, after
    every other after_request hook is registered: hooks run in reverse, so the commit runs
    first and the rest see its outcome."""
    app.after_request(commit_request)
    # Registered after Flask-SQLAlchemy's teardown, so it runs first (teardowns run in reverse).
    app.teardown_appcontext(end_session)


def commit_request(response: Response) -> Response:
    """After each request: commit what it did. If the commit fails, nothing of it is saved:
    the answer becomes the error's own page (503 with the database gone), as if the view had
    failed, and the request's "saved" messages are taken back."""
    if not db.session.registry.has() or not _writes(db.session()):
        return response
    try:
        _commit()
    except Exception as error:
        session.pop(_FLASHES, None)
        answer = current_app.make_response(current_app.handle_user_exception(error))
        try:  # what the failed request read, kept by abandon()
            _commit()
        except Exception:
            forget()
        return answer
    return response


def _commit() -> None:
    """Commit the request's session. The request is over: what it loaded stays readable,
    unexpired, for an answer that is still being written while it is sent (an export
    streams its rows after this)."""
    request_session = db.session()
    request_session.expire_on_commit = False
    try:
        request_session.commit()
    except Exception:
        abandon()  # the reads stay, for the error page's answer to commit
        raise
    finally:
        request_session.expire_on_commit = True


def flush() -> None:
    """Send what the request changed so far to the database, so that a broken constraint
    (someone saved the same thing at the same moment) shows now, where it can be answered."""
    db.session.flush()


def abandon() -> None:
    """Roll back what the request changed, keeping its access-log rows (what it read was
    seen) and its refused accesses: they join the transaction that follows, which the answer
    commits."""
    if not db.session.registry.has():
        return
    kept, refused = audit.pending(audit.ACCESSES), refusals.pending()
    if forget():
        audit.add_pending(kept)
        db.session.add_all(refused)


def forget() -> bool:
    """Roll back whatever was begun. With the connection gone there is nothing to roll back:
    the session lets go of it and the pool throws it away. True when it rolled back."""
    try:
        db.session.rollback()
    except DBAPIError:
        db.session.close()
        return False
    return True


def end_session(error: BaseException | None = None) -> None:
    """After each request, before Flask-SQLAlchemy's own teardown: end the request's session.
    A transaction that only read ends with a COMMIT, which changes nothing a ROLLBACK would
    not: psycopg forgets the connection's prepared statements at every ROLLBACK, so a page
    that only reads would have each of its statements parsed and planned afresh on every
    request (docs/performance.md). Anything else is rolled back, as the session's close does.
    When the database went away after the answer was made, the closing statement fails with
    it; the connection is thrown away and what it held with it, and the answer stands (an
    error here would turn it into a server error after the fact)."""
    try:
        if error is None and db.session.registry.has():
            request_session = db.session()
            if request_session.in_transaction() and not _writes(request_session):
                request_session.expire_on_commit = False  # as closing leaves them, readable
                request_session.commit()
        db.session.remove()
    except DBAPIError as failure:
        if not database_unavailable(failure):
            raise
        db.session.remove()  # the dead connection is invalidated now: nothing to roll back
