"""Static files for a tablet on a slow connection: fingerprinted URLs cached for a year, and
compressed on the way.

Every `url_for('static', …)` carries `v`, a hash of the file's content: a changed file gets a
new address, so the browser may keep each address for a year without asking again. A request
without the current hash (an old page, the service worker's list) is answered with no-cache.

Pages, their parts and static files are compressed (brotli, or gzip and deflate; Flask-Compress).
Compression beside secrets invites BREACH, where an attacker who watches the traffic makes the
victim's browser send many requests and guesses a secret from the sizes. Here the session
cookie is SameSite=Lax, so another site cannot make those requests with the user's session,
and the CSRF token in a page is signed with a timestamp, so it differs from second to second.
"""

import hashlib
from functools import cache
from pathlib import Path

from flask import Flask, request
from flask_compress import Compress

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


@cache
def _fingerprint(path: Path, modified: float) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()[:12]


def fingerprint(app: Flask, filename: str) -> str | None:
    """The hash of a static file's content (None if there is no such file)."""
    path = Path(app.static_folder, filename)
    if not path.is_file():
        return None
    return _fingerprint(path, path.stat().st_mtime)


class StaticCaching:
    """Mixed into the app: how long the browser keeps a static file."""

    def get_send_file_max_age(self, filename: str | None) -> int | None:
        if filename and request.args.get("v") == fingerprint(self, filename):
            return YEAR
        return 0  # asked again every time (a 304 when unchanged)


def init_app(app: Flask) -> None:
    """Fingerprint static URLs and compress static files."""

    @app.url_defaults
    def _static_fingerprint(endpoint: str, values: dict) -> None:
        if endpoint == "static" and "filename" in values and "v" not in values:
            version = fingerprint(app, values["filename"])
            if version:
                values["v"] = version

    app.config.setdefault("COMPRESS_MIMETYPES", COMPRESSED_TYPES)
    app.config.setdefault("COMPRESS_ALGORITHM", ["br", "gzip", "deflate"])
    # files and exports are sent as streams: brotli, or deflate for a browser without it
    app.config.setdefault("COMPRESS_ALGORITHM_STREAMING", ["br", "deflate"])
    compress.init_app(app)
