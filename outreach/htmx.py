"""htmx request helpers: is this a partial request, render a page or one of its blocks.

A partial is a {% block %} of the page template, rendered alone (jinja2-fragments) when htmx
asks for a partial swap; a full request gets the whole page. Responses vary on HX-Request so
caches keep the two apart.
"""

from flask import Response, make_response, render_template, request
from jinja2_fragments.flask import render_block
from markupsafe import Markup


def is_htmx() -> bool:
    """The request was sent by htmx."""
    return request.headers.get("HX-Request") == "true"


def is_partial() -> bool:
    """htmx asked for a fragment to swap into part of the page."""
    return is_htmx() and request.headers.get("HX-Request-Type", "partial") != "full"


def render(template: str, block: str | None = None, status: int = 200, **context) -> Response:
    """Render the whole page, or only `block` of it for a partial htmx request."""
    if block is not None and is_partial():
        body = render_block(template, block, **context)
    else:
        body = render_template(template, **context)
    response = make_response(body, status)
    response.vary.add("HX-Request")
    return response


def polled(response: Response) -> Response:
    """A fragment htmx polls (the badge): tagged with its content, so the browser may keep it
    and ask again with If-None-Match, and an unchanged one is answered 304 without a body.
    It must hold nothing personal: a kept copy outlives the session (the headers hook keeps
    everything else out of the browser's cache)."""
    response.add_etag()
    response.headers[POLLED] = "1"
    return response.make_conditional(request)


#: The header that marks a polled fragment for the headers hook (which removes it).
POLLED = "X-Outreach-Polled"


def part(template: str, **context) -> Markup:
    """A template rendered as a part of another area's page (a signal's answer): HTML that
    the template engine escaped already, to put in the page as it is."""
    return Markup(render_template(template, **context))  # noqa: S704 (escaped when rendered)


def redirect_whole_page(response: Response) -> Response:
    """Turn a redirect answering an htmx request into HX-Redirect (after_request hook).

    fetch() follows a 303 by itself, so htmx would swap the whole next page into the form's
    place. A 204 with HX-Redirect makes the browser load that page instead.
    """
    if is_htmx() and response.status_code in (301, 302, 303, 307, 308) and response.location:
        response.headers["HX-Redirect"] = response.location
        del response.headers["Location"]
        response.status_code = 204
        response.set_data(b"")
    return response
