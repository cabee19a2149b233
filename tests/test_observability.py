"""Logs: one JSON line per request with its id, user, route, status and duration, and no
personal data in any line, from the app or any library, however the request ends."""

import io
import json
import logging

import pytest

from outreach import observability
from outreach.auth.models import User
from outreach.extensions import db
from outreach.org.models import Team
from tests.addresses import address_for
from tests.dumps import personnummer_shapes
from tests.factories import make_youth, personnummer_for, years_ago

NAME = ("Zlatan", "Åkesson-Öberg")
ALIAS = "Tjej med grön mössa"


@pytest.fixture
def log(app):
    """Every line the app and the libraries log during the test, as text."""
    stream = io.StringIO()
    handler = logging.StreamHandler(stream)
    handler.setFormatter(observability.JsonLines())
    handler.addFilter(observability.RequestFields())
    library_handler = logging.StreamHandler(stream)
    library_handler.setFormatter(logging.Formatter("%(name)s %(message)s"))
    root = logging.getLogger()
    app.logger.addHandler(handler)
    root.addHandler(library_handler)
    saved_level = root.level
    root.setLevel(logging.DEBUG)
    yield stream
    root.setLevel(saved_level)
    root.removeHandler(library_handler)
    app.logger.removeHandler(handler)


def _request_lines(stream: io.StringIO) -> list[dict]:
    lines = [line for line in stream.getvalue().splitlines() if line.startswith("{")]
    return [entry for entry in map(json.loads, lines) if entry["message"] == "request"]


def test_each_request_is_one_json_line(app, world, signed_in, log):
    client = signed_in("falt_a")
    response = client.get(address_for("shifts.shift_list"))
    lines = _request_lines(log)
    assert len(lines) == 1
    line = lines[0]
    assert line["request_id"] == response.headers["X-Request-ID"]
    assert line["user_id"] == world.worker_a
    assert (line["method"], line["route"], line["status"]) == ("GET", "/faltpass", 200)
    assert line["endpoint"] == "shifts.shift_list"
    assert isinstance(line["duration_ms"], float)


def test_a_request_id_from_the_proxy_is_kept_and_a_strange_one_replaced(app, client, log):
    assert (
        client.get(address_for("health.healthz"), headers={"X-Request-ID": "lb-12345678"}).headers[
            "X-Request-ID"
        ]
        == "lb-12345678"
    )
    strange = client.get(address_for("health.healthz"), headers={"X-Request-ID": "<script>"})
    assert strange.headers["X-Request-ID"] != "<script>"
    assert len(strange.headers["X-Request-ID"]) == 32
    assert [line["request_id"] for line in _request_lines(log)][0] == "lb-12345678"


def test_an_anonymous_request_and_a_refused_one_are_logged_too(app, client, log):
    client.get(address_for("casefile.search"))  # to the login page
    client.get("/inte-en-sida")
    statuses = [(line["status"], line.get("user_id")) for line in _request_lines(log)]
    assert statuses == [(302, None), (404, None)]


def test_no_line_holds_a_personnummer_or_a_youths_name(app, world, signed_in, log, monkeypatch):
    pnr = personnummer_for(years_ago(16, 2))
    with app.app_context():
        youth = make_youth(
            db.session.get(User, world.worker_a),
            db.session.get(Team, world.team_a),
            ALIAS,
            name=" ".join(NAME),
            personnummer=pnr,
        )
        db.session.commit()
        public_id = youth.public_id
    client = signed_in("falt_a")
    # searching by name, by personnummer; reading; registering the same personnummer again
    # (refused); an edit with a broken personnummer (refused)
    assert client.post(address_for("casefile.search"), data={"q": NAME[1]}).status_code == 200
    assert client.post(address_for("casefile.search"), data={"q": pnr}).status_code == 200
    assert client.get(address_for("casefile.youth", public_id=public_id)).status_code == 200
    duplicate = {"alias": ALIAS, "legal_basis": "consent", "name": NAME[0], "personnummer": pnr}
    assert client.post(address_for("youths.new_youth"), data=duplicate).status_code in (
        200,
        409,
        422,
    )
    broken = {"alias": ALIAS, "legal_basis": "consent", "personnummer": pnr[:-1] + "x"}
    assert (
        client.post(address_for("youths.edit_youth", public_id=public_id), data=broken).status_code
        == 422
    )
    # an unexpected error whose message holds what was searched for
    from outreach.youths import services as youth_services

    def failing(_user, query):
        raise ValueError(f"could not search for {query}")

    monkeypatch.setattr(youth_services, "search", failing)
    assert client.post(address_for("casefile.search"), data={"q": NAME[0]}).status_code == 500

    text = log.getvalue()
    assert len(_request_lines(log)) == 6
    assert '"error": "builtins.ValueError"' in text  # the error is there, by its kind
    for personal in (*NAME, ALIAS, "grön mössa", *personnummer_shapes(pnr)):
        assert personal not in text, personal
