"""What every response shares: security headers, CSRF, error pages, htmx conventions."""

import re

import pytest

from outreach import assets, create_app
from tests.addresses import address_for
from tests.conftest import test_config
from tests.factories import PASSWORD

PAGES = ["/", "/faltpass", "/faltpass/nytt", "/ungdomar", "/ungdomar/ny", "/installningar"]


def test_strict_content_security_policy_and_no_inline_script(world, login):
    client = login("falt_a")
    for url in PAGES:
        response = client.get(url)
        assert response.status_code == 200, url
        csp = response.headers["Content-Security-Policy"]
        assert (
            "script-src 'self'" in csp and "unsafe-inline" not in csp and "unsafe-eval" not in csp
        )
        body = response.get_data(as_text=True)
        assert not re.search(r"<script(?![^>]*\bsrc=)[^>]*>", body), url  # no inline <script>
        assert not re.search(r"\son[a-z]+=", body), url  # no inline event handlers
        assert "hx-on" not in body and "js:" not in body
        assert 'style="' not in body, url  # style-src 'self' allows no inline styles
        assert response.headers["Cache-Control"] == "no-store"
        assert response.headers["X-Frame-Options"] == "DENY"


def test_static_files_may_be_cached(client):
    response = client.get("/static/css/app.css")
    assert response.status_code == 200
    assert "no-store" not in response.headers.get("Cache-Control", "")


@pytest.fixture
def csrf_app(database_url, app):
    return create_app(test_config(database_url, WTF_CSRF_ENABLED=True))


def test_csrf_is_required_and_travels_in_a_header_for_htmx(csrf_app, world):
    client = csrf_app.test_client()
    refused = client.post(
        address_for("auth.login"), data={"username": "falt_a", "password": PASSWORD}
    )
    assert refused.status_code == 400
    assert "Ladda om sidan" in refused.get_data(as_text=True)
    page = client.get(address_for("auth.login")).get_data(as_text=True)
    token = re.search(r'name="csrf-token" content="([^"]+)"', page).group(1)
    logged_in = client.post(
        address_for("auth.login"),
        data={"username": "falt_a", "password": PASSWORD, "csrf_token": token},
    )
    assert logged_in.status_code == 303
    token = re.search(
        r'name="csrf-token" content="([^"]+)"',
        client.get(address_for("home.start")).get_data(as_text=True),
    ).group(1)
    htmx = {"HX-Request": "true", "HX-Request-Type": "partial"}
    assert (
        client.post(address_for("auth.settings"), data={"locale": "sv"}, headers=htmx).status_code
        == 400
    )
    ok = client.post(
        address_for("auth.settings"), data={"locale": "sv"}, headers={**htmx, "X-CSRFToken": token}
    )
    assert ok.status_code == 204 and ok.headers["HX-Redirect"] == "/installningar"


def test_error_pages_are_swedish_and_4xx(world, login):
    client = login("falt_a")
    missing = client.get("/finns-inte")
    assert missing.status_code == 404 and "Sidan finns inte" in missing.get_data(as_text=True)
    assert client.get(address_for("auth.logout")).status_code == 405
    too_big = client.post(address_for("youths.new_youth"), data={"alias": "x" * (2 * 1024 * 1024)})
    assert too_big.status_code == 413


def test_partial_request_gets_the_block_and_full_request_the_page(world, login):
    client = login("falt_a")
    partial = client.get(
        address_for("casefile.search", q="x"),
        headers={"HX-Request": "true", "HX-Request-Type": "partial"},
    )
    full = client.get(
        address_for("casefile.search", q="x"),
        headers={"HX-Request": "true", "HX-Request-Type": "full"},
    )
    assert "<html" not in partial.get_data(as_text=True)
    assert "<html" in full.get_data(as_text=True)
    assert "HX-Request" in partial.headers["Vary"]


def test_every_form_works_without_javascript(world, login):
    """Each htmx form is also a plain form: method and action on the element itself."""
    client = login("falt_a")
    for url in ["/faltpass/nytt", "/ungdomar/ny", "/installningar"]:
        body = client.get(url).get_data(as_text=True)
        for form in re.findall(r"<form[^>]*>", body):
            if "hx-post" in form:
                assert 'method="post"' in form and "action=" in form, form


def test_htmx_is_served_from_our_own_static_folder(world, login):
    body = login("falt_a").get(address_for("home.start")).get_data(as_text=True)
    assert re.search(r'<script src="/static/vendor/htmx\.min\.[0-9a-f]{12}\.js"', body)
    assert "cdn" not in body.lower() and "unpkg" not in body


@pytest.mark.parametrize(
    ("method", "url", "data"),
    [
        ("post", "/logga-in", {"username": "falt_a\x00", "password": "x"}),
        ("post", "/ungdomar/ny", {"alias": "Kalle\x00", "legal_basis": "consent"}),
        ("post", "/ungdomar", {"q": "a\x00b"}),
        ("get", "/ungdomar/ny?x=%00", None),
        ("post", "/faltpass/nytt", {"situation_note": "a\x1bb"}),
    ],
)
def test_control_characters_are_refused_before_anything_runs(world, login, method, url, data):
    client = login("falt_a")
    response = getattr(client, method)(url, data=data)
    assert response.status_code == 400


def test_line_breaks_and_tabs_in_text_are_fine(world, login):
    client = login("falt_a")
    response = client.post(
        address_for("youths.new_youth"),
        data={"alias": "Kalle", "legal_basis": "consent", "school": "A\tB"},
    )
    assert response.status_code == 303


def test_security_headers_on_every_response(world, login):
    client = login("falt_a")
    for response in (
        client.get(address_for("home.start")),
        client.get("/static/css/app.css"),
        client.get("/nope"),
    ):
        headers = response.headers
        csp = dict(
            part.strip().split(" ", 1) for part in headers["Content-Security-Policy"].split(";")
        )
        assert csp["default-src"] == "'self'"
        assert csp["frame-ancestors"] == "'none'"
        assert csp["form-action"] == "'self'"
        assert csp["base-uri"] == "'none'"
        assert "unsafe" not in headers["Content-Security-Policy"]
        assert headers["X-Content-Type-Options"] == "nosniff"
        assert headers["Referrer-Policy"] == "no-referrer"
        assert "camera=()" in headers["Permissions-Policy"]
        assert "geolocation=()" in headers["Permissions-Policy"]
        assert "Strict-Transport-Security" not in headers  # development: plain http


def test_https_deployments_send_hsts_and_secure_cookies(database_url, world):
    https = create_app(test_config(database_url, SESSION_COOKIE_SECURE=True))
    client = https.test_client()
    response = client.post(
        address_for("auth.login"),
        data={"username": "falt_a", "password": PASSWORD},
        base_url="https://outreach.example",
    )
    assert response.status_code == 303
    assert response.headers["Strict-Transport-Security"].startswith("max-age=31536000")
    cookie = response.headers["Set-Cookie"]
    assert "Secure" in cookie and "HttpOnly" in cookie and "SameSite=Lax" in cookie


def test_static_files_have_fingerprinted_names_kept_for_a_year(app, client):
    page = client.get(address_for("auth.login")).get_data(as_text=True)
    css = re.search(r'href="(/static/css/app\.[0-9a-f]{12}\.css)"', page).group(1)
    script = re.search(r'src="(/static/js/app\.[0-9a-f]{12}\.js)"', page).group(1)
    plain = client.get("/static/css/app.css")
    for address in (css, script):
        response = client.get(address)
        assert response.status_code == 200
        assert response.headers["Cache-Control"] == "public, max-age=31536000"
    assert client.get(css).data == plain.data
    # an outdated hash (a page from before a deploy) and the plain name are asked again
    for address in ("/static/css/app.000000000000.css", "/static/css/app.css"):
        response = client.get(address)
        assert response.status_code == 200 and response.data == plain.data
        assert "max-age=0" in response.headers["Cache-Control"]
    assert client.get("/static/css/nothing.000000000000.css").status_code == 404
    assert assets.fingerprint(app, "../outreach/config.py") is None  # nothing outside is read


def test_the_service_worker_keeps_the_files_by_the_names_the_pages_use(app, client):
    page = client.get(address_for("auth.login")).get_data(as_text=True)
    worker = client.get(address_for("shifts.service_worker"))
    assert worker.mimetype == "text/javascript" and "no-store" in worker.headers["Cache-Control"]
    script = worker.get_data(as_text=True)
    for address in re.findall(r'(?:href|src)="(/static/[^"]+)"', page):
        assert f'"{address}"' in script
    assert '"/static/css/app.css"' not in script


def test_static_files_and_pages_are_compressed(app, client):
    css = re.search(
        r'href="(/static/css/app\.[^"]*)"',
        client.get(address_for("auth.login")).get_data(as_text=True),
    ).group(1)
    plain = client.get(css)
    for encoding in ("br", "deflate"):
        packed = client.get(css, headers={"Accept-Encoding": encoding})
        assert packed.headers["Content-Encoding"] == encoding
        assert len(packed.data) < len(plain.data) / 2
    page = client.get(address_for("auth.login"), headers={"Accept-Encoding": "br, gzip"})
    assert page.headers["Content-Encoding"] == "br"
    assert "Accept-Encoding" in page.headers["Vary"]


def test_the_accessibility_statement_is_linked_from_every_page(app, client):
    login_page = client.get(address_for("auth.login")).get_data(as_text=True)
    assert address_for("home.accessibility_statement") in login_page
    statement = client.get(address_for("home.accessibility_statement"))
    text = statement.get_data(as_text=True)
    assert statement.status_code == 200
    assert "WCAG 2.1 på nivå AA" in text and "Myndigheten för digital förvaltning" in text
    assert "kontakta kommunens systemförvaltare" in text
    app.config["ACCESSIBILITY_CONTACT"] = "tillganglighet@region.se"
    try:
        text = client.get(address_for("home.accessibility_statement")).get_data(as_text=True)
        assert "skriv till tillganglighet@region.se" in text
    finally:
        app.config["ACCESSIBILITY_CONTACT"] = ""
