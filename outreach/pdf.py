"""HTML to PDF with WeasyPrint, for printable reports.

WeasyPrint needs the Pango library from the operating system; where it is missing, PDF is not
offered and reports are printed from the browser. Only our own static files and data: images
are read while drawing: a report can never make the server fetch anything else.
"""

import mimetypes
from functools import cache

from outreach.config import ROOT

STATIC = (ROOT / "static").resolve()


@cache
def available() -> bool:
    """WeasyPrint and its system libraries load on this machine."""
    try:
        import weasyprint  # noqa: F401
    except (ImportError, OSError):
        return False
    return True


def _fetcher():
    from weasyprint.urls import URLFetcher, URLFetcherResponse

    class StaticOnly(URLFetcher):
        """Our static files from disk and data: addresses; nothing else."""

        def fetch(self, url, headers=None):
            if url.startswith("data:"):
                return super().fetch(url, headers)
            relative = url.split("/static/", 1)[1].split("?", 1)[0] if "/static/" in url else ""
            path = (STATIC / relative).resolve()
            if relative and path.is_relative_to(STATIC) and path.is_file():
                mime = mimetypes.guess_type(path.name)[0] or "application/octet-stream"
                return URLFetcherResponse(url, path.read_bytes(), {"Content-Type": mime})
            raise ValueError(f"not read while drawing a PDF: {url}")

    return StaticOnly()


def render(html: str, base_url: str) -> bytes:
    """The page as PDF (A4, the print stylesheet)."""
    from weasyprint import HTML

    return HTML(string=html, base_url=base_url, url_fetcher=_fetcher()).write_pdf()
