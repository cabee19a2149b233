"""Error pages: a clear Swedish message and the right status, never a stack trace."""

from flask import Flask, g, request, url_for
from flask_babel import lazy_gettext as _l
from flask_wtf.csrf import CSRFError
from werkzeug.exceptions import HTTPException

from outreach import transaction
from outreach.errors import database_unavailable
from outreach.extensions import login_manager
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
    503: _l("The service cannot reach its database right now. Try again in a minute."),
}

#: How long a client is asked to wait before trying again while the database is away.
RETRY_AFTER_SECONDS = 30


def _page(status: int, message):
    return render("errors/error.html", "content", status=status, code=status, message=message)


def register(app: Flask) -> None:
    """Install the error handlers."""

    @app.errorhandler(CSRFError)
    def csrf_error(error):
        transaction.abandon()
        return _page(
            400,
            _l("The form has expired or was sent from elsewhere. Reload the page and try again."),
        )

    @app.errorhandler(HTTPException)
    def http_error(error: HTTPException):
        status = error.code or 500
        if database_unavailable(getattr(error, "original_exception", None)):
            # an outage met while another error's page was being made
            transaction.forget()
            return _unavailable()
        transaction.abandon()  # a request that fails saves nothing but what it showed
        default = MESSAGES.get(status, MESSAGES[400] if status < 500 else MESSAGES[500])
        return _page(status, getattr(error, "message", None) or default)

    @app.errorhandler(Exception)
    def unexpected(error: Exception):
        if database_unavailable(error):
            transaction.forget()
            app.logger.warning("database unavailable", exc_info=error)
            return _unavailable()
        transaction.abandon()
        app.logger.exception("unhandled error")
        return _page(500, MESSAGES[500])


def _unavailable():
    """503 without asking the database anything: the user is taken as anonymous for this
    page (the usual layout would ask who is logged in, and a user read before the outage
    was forgotten with the rollback: reading them again would fail)."""
    g._login_user = login_manager.anonymous_user()
    again = request.url if request.method == "GET" else url_for("home.start")
    response = render(
        "errors/unavailable.html", "content", status=503, message=MESSAGES[503], again=again
    )
    response.headers["Retry-After"] = str(RETRY_AFTER_SECONDS)
    return response
