"""Error pages: a clear Swedish message and the right status, never a stack trace."""

from flask import Flask
from flask_babel import lazy_gettext as _l
from flask_wtf.csrf import CSRFError
from werkzeug.exceptions import HTTPException

from outreach.extensions import db
from outreach.htmx import render

MESSAGES = {
    400: _l("The request could not be understood. Reload the page and try again."),
    403: _l("You do not have permission to do that."),
    404: _l("The page could not be found, or you do not have access to it."),
    405: _l("That is not possible on this page."),
    409: _l("Someone else changed this at the same time. Reload the page and try again."),
    413: _l("What you sent is too large."),
    422: _l("Please check the form."),
    429: _l("Too many attempts. Wait a moment and try again."),
    500: _l("Something went wrong on our side. Nothing was saved. Try again in a while."),
}


def _page(status: int, message):
    return render("errors/error.html", "content", status=status, code=status, message=message)


def register(app: Flask) -> None:
    """Install the error handlers."""

    @app.errorhandler(CSRFError)
    def csrf_error(error):
        return _page(
            400,
            _l("The form has expired or was sent from elsewhere. Reload the page and try again."),
        )

    @app.errorhandler(HTTPException)
    def http_error(error: HTTPException):
        status = error.code or 500
        return _page(status, MESSAGES.get(status, MESSAGES[400] if status < 500 else MESSAGES[500]))

    @app.errorhandler(Exception)
    def unexpected(error: Exception):
        db.session.rollback()
        app.logger.exception("unhandled error")
        return _page(500, MESSAGES[500])
