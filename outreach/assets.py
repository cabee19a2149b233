"""Static files for a tablet on a slow connection: fingerprinted names cached for a year, and
compressed on the way.

Every `url_for('static', …)` names the file with a hash of its content: `css/app.css` becomes
`css/app.<hash>.css`. A changed file gets a new name, so the browser may keep each name for a
year without asking again. The file is served under its plain name too (the service worker's
first visit, a link kept from before), and under a hash that is no longer current (a page
loaded before a deploy), but then with no-cache.

Pages, their parts and static files are compressed (brotli, or gzip and deflate; Flask-Compress).
Compression beside secrets invites BREACH, where an attacker who watches the traffic makes the
victim's browser send many requests and guesses a secret from the sizes. Here the session
cookie is SameSite=Lax, so another site cannot make those requests with the user's session,
and the CSRF token in a page is signed with a timestamp, so it differs from second to second.
"""

import hashlib
import re
from functools import cache
from pathlib import Path

from flask import Flask, send_from_directory
from flask_compress import Compress
from werkzeug.security import safe_join

#: A year: how long a fingerprinted static file may be kept.
YEAR = 365 * 24 * 3600
COMPRESSED_TYPES = [
    "text/html",
    "text/css",
    "text/javascript",
    "application/javascript",
    "application/json",
    "image/svg+xml",
]

compress = Compress()
#: A fingerprinted name: the plain name's stem, the hash, the extension.
_FINGERPRINTED = re.compile(r"^(?P<stem>.+)\.(?P<hash>[0-9a-f]{12})(?P<extension>\.[^./]+)$")


@cache
def _fingerprint(path: Path, modified: float) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()[:12]


def fingerprint(app: Flask, filename: str) -> str | None:
    """The hash of a static file's content (None if there is no such file, or the name
    points outside the static folder)."""
    joined = safe_join(app.static_folder, filename)
    if joined is None or not Path(joined).is_file():
        return None
    path = Path(joined)
    return _fingerprint(path, path.stat().st_mtime)


def fingerprinted(app: Flask, filename: str) -> str:
    """The file's name with its hash: `css/app.css` → `css/app.<hash>.css` (unchanged when
    there is no such file, or no extension)."""
    version = fingerprint(app, filename)
    stem, dot, extension = filename.rpartition(".")
    if version is None or not dot or "/" in extension:
        return filename
    return f"{stem}.{version}.{extension}"


def plain_name(filename: str) -> tuple[str, str | None]:
    """A requested name without its hash, and the hash (None for a plain name)."""
    match = _FINGERPRINTED.match(filename)
    if match is None:
        return filename, None
    return match["stem"] + match["extension"], match["hash"]


def with_fingerprints(app: Flask, script: str) -> str:
    """A script with each quoted static address ("/static/…") given its fingerprinted name:
    the service worker keeps the files the pages ask for."""
    return re.sub(
        r'"/static/([^"]+)"',
        lambda match: f'"{app.static_url_path}/{fingerprinted(app, match[1])}"',
        script,
    )


class StaticCaching:
    """Mixed into the app: static files found by their fingerprinted names, and how long the
    browser keeps them."""

    def send_static_file(self, filename: str):
        name, version = plain_name(filename)
        if version is not None and fingerprint(self, name) is None:
            name, version = filename, None  # a file whose own name looks fingerprinted
        current = version is not None and version == fingerprint(self, name)
        # a plain or outdated name is asked again every time (a 304 when unchanged)
        return send_from_directory(self.static_folder, name, max_age=YEAR if current else 0)


def init_app(app: Flask) -> None:
    """Fingerprint static file names and compress static files."""

    #: The names already given, kept for the process's life: a deploy restarts the processes
    #: with its files (a page names six or so, each of which took two file lookups). In debug
    #: mode a changed file gets its new name at once.
    given: dict[str, str] = {}

    @app.url_defaults
    def _static_fingerprint(endpoint: str, values: dict) -> None:
        if endpoint == "static" and "filename" in values:
            name = values["filename"]
            if app.debug:
                values["filename"] = fingerprinted(app, name)
                return
            if name not in given:
                given[name] = fingerprinted(app, name)
            values["filename"] = given[name]

    app.config.setdefault("COMPRESS_MIMETYPES", COMPRESSED_TYPES)
    app.config.setdefault("COMPRESS_ALGORITHM", ["br", "gzip", "deflate"])
    # files and exports are sent as streams: brotli, or deflate for a browser without it
    app.config.setdefault("COMPRESS_ALGORITHM_STREAMING", ["br", "deflate"])
    compress.init_app(app)
