"""Browser fixtures: the app served on a real port, Debian's Chromium through Playwright, and
one call per visited page that saves a screenshot, runs axe-core and checks the console.

The live server is a second app on the session database with CSRF switched on, so the htmx
CSRF header in static/js/app.js is exercised. Browsers are never downloaded: without
/usr/bin/chromium the browser tests are skipped.
"""

import json
import re
import shutil
import subprocess
import threading
import time
import urllib.request
from pathlib import Path

import pytest
from werkzeug.serving import make_server

from outreach import create_app
from outreach.config import ROOT
from outreach.extensions import db
from tests.conftest import test_config
from tests.servers import free_port

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-quic",
]
TABLET = {"width": 768, "height": 1024}
#: The tablet's screen zoomed to 200 %: half as many CSS pixels each way (WCAG 1.4.4, 1.4.10).
ZOOMED = {"width": 384, "height": 512}
#: What a page may cost on the wire (compressed; files the browser already had count nothing).
PAGE_LIMIT = 60 * 1024
#: How much the layout may move while a page loads (Cumulative Layout Shift, without input).
SHIFT_LIMIT = 0.01
ARTIFACTS = ROOT / "test-artifacts"
VNU_JAR = ROOT / "build" / "vnu" / "vnu.jar"

#: How tall the header may be at tablet width: one row of 48 px controls.
HEADER_LIMIT = 64
_HEADER_HEIGHT = "() => document.querySelector('.site-header')?.offsetHeight ?? 0"
#: Buttons, chips and links that act as controls (the header's and its "More", a list's entries,
#: a name that opens its record, tabs, the period's steps) a finger must hit: each visible one at
#: least 44×44 CSS pixels (WCAG 2.5.5).
_SMALL_TARGETS = """() => Array.from(document.querySelectorAll(
    'button, a.button, .chip span, input[type=submit], .site-header a, .entries a, a.target,'
    + ' .tabs a, .period-nav a, .more summary'))
  .filter(element => element.offsetParent !== null)
  .map(element => [element, element.getBoundingClientRect()])
  .filter(([, box]) => box.width < 44 || box.height < 44)
  .map(([element, box]) => `${element.tagName.toLowerCase()}.${element.className} "${
    element.textContent.trim().slice(0, 30)}" ${Math.round(box.width)}×${
    Math.round(box.height)}`)"""

# Adds up how far the layout moves by itself (shifts within 0.5 s of input do not count).
_LAYOUT_SHIFT = """
window.__layoutShift = 0;
new PerformanceObserver((list) => {
  for (const entry of list.getEntries()) {
    if (!entry.hadRecentInput) window.__layoutShift += entry.value;
  }
}).observe({ type: "layout-shift", buffered: true });
"""

#: Bytes the page and its files took on the wire (a file from the cache counts 0), and the
#: layout shift so far; htmx requests made after the page loaded are not part of the page.
#: A page the service worker passed on reports its unpacked size: it is not measured here (the
#: page-size test measures the contact form without the worker).
_PAGE_COST = """() => {
  const navigation = performance.getEntriesByType("navigation")[0];
  const files = performance.getEntriesByType("resource")
    .filter(r => !["fetch", "xmlhttprequest"].includes(r.initiatorType));
  const byWorker = !navigation || navigation.workerStart > 0;
  return {
    bytes: byWorker ? null
      : navigation.transferSize + files.reduce((total, r) => total + r.transferSize, 0),
    shift: window.__layoutShift ?? null,
  };
}"""

#: What sticks out sideways at 200 % zoom: the page scrolling sideways, or an element wider
#: than the screen outside a box of its own that scrolls (a wide table may scroll by itself).
_SIDEWAYS = """() => {
  const width = document.documentElement.clientWidth;
  const scrolls = (element) => {
    for (let e = element.parentElement; e; e = e.parentElement) {
      if (["auto", "scroll"].includes(getComputedStyle(e).overflowX)) return true;
    }
    return false;
  };
  const wide = Array.from(document.body.querySelectorAll("*"))
    .filter(e => e.offsetParent !== null && e.getBoundingClientRect().right > width + 1)
    .filter(e => !scrolls(e))
    .slice(0, 5)
    .map(e => `${e.tagName.toLowerCase()}.${e.className} ${Math.round(
      e.getBoundingClientRect().right)}px`);
  return { scrollWidth: document.documentElement.scrollWidth, width, wide };
}"""

#: Every page checked in this run: (test, page name, bytes, layout shift).
MEASURED = []

# Reports CSP violations to Python even when the page replaces console.error.
_CSP_LISTENER = """
document.addEventListener("securitypolicyviolation", (event) => {
  const element = event.target instanceof Element ? event.target.outerHTML.slice(0, 80) : "";
  window.__reportCspViolation(`${event.effectiveDirective} blocked ${event.blockedURI || "inline"}`
    + ` at ${event.sourceFile || "?"}:${event.lineNumber} ${element}`);
});
"""


@pytest.fixture
def live_server(app, database_url, request):
    """The base URL of a second app (real CSRF) on the session database, in a thread. A test
    marked `server_config(NAME=value)` serves with those settings too."""
    marker = request.node.get_closest_marker("server_config")
    overrides = marker.kwargs if marker else {}
    server_app = create_app(
        test_config(
            database_url, **{"WTF_CSRF_ENABLED": True, "BADGE_POLL_SECONDS": 1, **overrides}
        )
    )
    server = make_server("127.0.0.1", 0, server_app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, name="live-server", daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_port}"
    finally:
        server.shutdown()
        thread.join(timeout=10)
        server.server_close()
        with server_app.app_context():
            db.engine.dispose()


@pytest.fixture(scope="session")
def chromium():
    """Debian's Chromium, headless, driven by Playwright (sync API)."""
    if not CHROMIUM.exists():
        pytest.skip(
            f"{CHROMIUM} is missing (apt-get install chromium); browsers are not downloaded"
        )
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=str(CHROMIUM), headless=True, args=CHROMIUM_ARGS
        )
        yield browser
        browser.close()


#: A form refused (422) or overtaken (409) is re-shown with its messages: Chromium logs the
#: status as a failed load, but the page is what the user should see.
_FORM_ANSWERS = re.compile(r"Failed to load resource: .*status of (422|409) ")


def _collect_console_error(problems: list, message) -> None:
    """Keep console errors (failed loads and CSP refusals show up here too)."""
    if message.type != "error" or _FORM_ANSWERS.match(message.text):
        return
    problems.append(f"console.error: {message.text} ({message.location.get('url', '')})")


class Browsing:
    """Pages opened on the live server in fresh contexts, with the checks every page gets."""

    def __init__(self, browser, base_url: str, test_name: str):
        self.browser = browser
        self.base_url = base_url
        self.test_name = re.sub(r"\W+", "-", test_name).strip("-")
        self.contexts = []
        self.problems = {}  # page → console errors, page errors and CSP violations
        self.no_script = set()  # pages in contexts with JavaScript off
        self.twin = None  # where axe runs for those pages
        self.checked = 0
        self.html = []  # (page name, address, the page's HTML) of every page checked
        for old in ARTIFACTS.glob(f"{self.test_name}-*.png"):
            old.unlink()  # screenshots of an earlier run of this test

    def new_page(self, **context_options):
        """A page in a new tablet-sized, Swedish-locale context. The service worker is off
        unless the test asks for it (`service_workers="allow"`): the pages it passes on report
        their unpacked size, so their cost on the wire could not be measured."""
        options = {
            "viewport": TABLET,
            "locale": "sv-SE",
            "base_url": self.base_url,
            "service_workers": "block",
        }
        options.update(context_options)
        context = self.browser.new_context(**options)
        context.set_default_timeout(10_000)
        self.contexts.append(context)
        page = context.new_page()
        problems = self.problems[page] = []
        page.on("console", lambda message: _collect_console_error(problems, message))
        page.on("pageerror", lambda error: problems.append(f"uncaught: {error}"))
        if not options.get("java_script_enabled", True):
            self.no_script.add(page)
        else:
            page.expose_function(
                "__reportCspViolation", lambda text: problems.append(f"CSP: {text}")
            )
            page.add_init_script(_CSP_LISTENER)
            page.add_init_script(_LAYOUT_SHIFT)
        return page

    def check(self, page, name: str) -> None:
        """Screenshot the page, fail on any axe violation and on console errors."""
        from axe_playwright_python.sync_playwright import Axe

        page.wait_for_load_state("load")
        self.checked += 1
        ARTIFACTS.mkdir(exist_ok=True)
        path = ARTIFACTS / f"{self.test_name}-{self.checked:02d}-{name}.png"
        # caret="initial" leaves the DOM alone: hiding the caret leaves style="" on every
        # input, which an htmx swap with settling would copy into a CSP violation.
        page.screenshot(path=str(path), full_page=True, caret="initial")

        # every violation fails, whatever its impact (minor ones too)
        violations = Axe().run(self._axe_page(page)).response["violations"]
        found = [
            (
                violation["impact"],
                violation["id"],
                [" ".join(map(str, n["target"])) for n in violation["nodes"]],
            )
            for violation in violations
        ]
        assert not found, f"axe on {name} ({page.url}):\n" + "\n".join(
            f"  {impact} {rule}: {', '.join(targets)}" for impact, rule, targets in found
        )
        self.html.append((name, page.url, page.content()))
        small = page.evaluate(_SMALL_TARGETS)
        assert not small, f"touch targets under 44×44 px on {name} ({page.url}):\n" + "\n".join(
            f"  {target}" for target in small
        )
        if page.viewport_size == TABLET:
            header = page.evaluate(_HEADER_HEIGHT)
            assert header <= HEADER_LIMIT, f"the header on {name} ({page.url}) is {header} px tall"
        self._measure(page, name)
        self.assert_quiet(page, name)

    def _measure(self, page, name: str) -> None:
        """The page's cost on the wire and its layout shift (kept for the table at the end),
        and nothing lost sideways at 200 % zoom."""
        cost = page.evaluate(_PAGE_COST)
        MEASURED.append((self.test_name, name, cost["bytes"], cost["shift"]))
        assert (cost["bytes"] or 0) <= PAGE_LIMIT, f"{name} ({page.url}) took {cost['bytes']} bytes"
        assert (cost["shift"] or 0) <= SHIFT_LIMIT, (
            f"{name} ({page.url}) shifted its layout by {cost['shift']:.3f}"
        )
        size = page.viewport_size
        page.set_viewport_size(ZOOMED)
        try:
            sideways = page.evaluate(_SIDEWAYS)
        finally:
            page.set_viewport_size(size)
        assert sideways["scrollWidth"] <= sideways["width"] and not sideways["wide"], (
            f"{name} ({page.url}) at 200 % zoom is {sideways['scrollWidth']} px wide on a "
            f"{sideways['width']} px screen: {sideways['wide']}"
        )

    def _axe_page(self, page):
        """The page axe can run in: with JavaScript off, a twin showing the same HTML.

        axe-core waits on timers, which never fire when JavaScript is off, so the served HTML
        is replayed in a page with JavaScript on and the site's own scripts blocked.
        """
        if page not in self.no_script:
            return page
        if self.twin is None:
            context = self.browser.new_context(viewport=TABLET, locale="sv-SE")
            self.contexts.append(context)
            self.twin = context.new_page()
        url, html = page.url, page.content()

        def replay(route):
            request = route.request
            if request.resource_type == "script":
                route.abort()
            elif request.resource_type == "document" and request.url == url:
                route.fulfill(status=200, content_type="text/html; charset=utf-8", body=html)
            else:
                route.continue_()

        self.twin.unroute("**/*")
        self.twin.route("**/*", replay)
        self.twin.goto(url)
        return self.twin

    def expect_failed_load(self, page, reason: str) -> None:
        """The test made requests fail on purpose (a status like "500", or "net::ERR_FAILED"):
        their console lines are not problems."""
        self.problems[page][:] = [
            problem
            for problem in self.problems[page]
            if not ("Failed to load resource" in problem and reason in problem)
        ]

    def assert_quiet(self, page, name: str = "") -> None:
        """No console errors, uncaught errors or CSP violations so far on this page."""
        problems = self.problems[page]
        assert not problems, f"{name or page.url}:\n" + "\n".join(f"  {p}" for p in problems)

    def validate_html(self, checker: str | None) -> None:
        """Every page checked passes the Nu Html Checker (the `html_checker` service)."""
        if not self.html:
            return
        if checker is None:
            pytest.skip("java is missing: the HTML is not validated")
        errors = []
        for name, url, html in self.html:
            request = urllib.request.Request(  # noqa: S310 (the local checker)
                f"{checker}/?out=json&level=error",
                data=html.encode(),
                headers={"Content-Type": "text/html; charset=utf-8"},
            )
            answer = urllib.request.urlopen(request, timeout=60)  # noqa: S310
            errors += [
                f"  {name} ({url}): line {m.get('lastLine')}: {m['message']}"
                for m in json.load(answer).get("messages", [])
                if m.get("type") == "error"
            ]
        assert not errors, "the Nu Html Checker:\n" + "\n".join(errors)

    def close(self) -> None:
        for context in self.contexts:
            context.close()


@pytest.fixture(scope="session")
def html_checker():
    """The Nu Html Checker (vnu.jar, fetched by `make vnu`) as a local web service for the
    whole run, so Java starts once; its address, or None without Java."""
    if shutil.which("java") is None:
        yield None
        return
    assert VNU_JAR.is_file(), f"{VNU_JAR} is missing: run `make vnu`"
    port = free_port()
    service = subprocess.Popen(
        [
            "java",
            "-Dnu.validator.servlet.bind-address=127.0.0.1",
            "-cp",
            str(VNU_JAR),
            "nu.validator.servlet.Main",
            str(port),
        ],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    address = f"http://127.0.0.1:{port}"
    try:
        for _ in range(240):  # it starts in seconds; a slow machine gets a minute
            try:
                urllib.request.urlopen(address, timeout=2)  # noqa: S310 (the local checker)
                break
            except OSError:
                assert service.poll() is None, "the Nu Html Checker did not start"
                time.sleep(0.25)
        else:
            raise AssertionError("the Nu Html Checker did not answer within a minute")
        yield address
    finally:
        service.terminate()
        service.wait(timeout=10)


@pytest.fixture
def browsing(chromium, live_server, html_checker, request):
    """Open pages on the live server; `browsing.check(page, name)` after each page. At the
    end, every page checked goes through the Nu Html Checker."""
    browsing = Browsing(chromium, live_server, request.node.name)
    yield browsing
    try:
        for page in browsing.problems:  # pages the test did not check are quiet too
            browsing.assert_quiet(page)
    finally:
        browsing.close()
    browsing.validate_html(html_checker)


@pytest.fixture
def page(browsing):
    """A page with JavaScript on."""
    return browsing.new_page()


def pytest_terminal_summary(terminalreporter):
    """The table of every page checked: its cost on the wire and its layout shift."""
    if not MEASURED:
        return
    lines = [f"{'test':<44} {'page':<28} {'bytes':>7} {'shift':>6}"]
    lines += [
        f"{test[:44]:<44} {name[:28]:<28} {size if size is not None else 'worker':>7} "
        + (f"{shift:>6.3f}" if shift is not None else f"{'':>6}")
        for test, name, size, shift in MEASURED
    ]
    ARTIFACTS.mkdir(exist_ok=True)
    (ARTIFACTS / "page-costs.txt").write_text("\n".join(lines) + "\n")
    terminalreporter.write_sep("-", f"pages checked in the browser: {len(MEASURED)}")
    for line in lines:
        terminalreporter.write_line(line)
