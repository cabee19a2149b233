"""The app's addresses for tests: address_for(endpoint, **values) is the path the app itself builds
(flask.url_for), so a test says which page it means, not how its address is spelled today."""

from flask import url_for

from outreach import create_app

#: An app of its own, for building addresses (the routes are every app's).
_ROUTES = create_app(
    {
        "SECRET_KEY": "addresses-only",
        "FIELD_KEY": "addresses-only-never-encrypts-anything-0123",
        "SQLALCHEMY_DATABASE_URI": "sqlite://",
    }
)


def address_for(endpoint: str, **values) -> str:
    """The path of an endpoint, with its address parts and any query arguments."""
    with _ROUTES.test_request_context():
        return url_for(endpoint, **values)
