"""The house's shape (tools/layers.py, docs/architecture.md): no import cycle between modules
or areas, no import against the layers, no view that queries or commits, no module too long.
The checker is shown to find each kind of fault in a small package made for it."""

from pathlib import Path

import pytest

from tools import layers


def test_the_app_has_no_cycle_and_no_import_against_the_layers():
    report = layers.findings(layers.read_package())
    assert report == {heading: [] for heading in report}, report


def _package(root: Path, files: dict[str, str]) -> dict:
    for name, text in files.items():
        path = root / "outreach" / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
    return layers.findings(layers.read_package(root))


#: A fault planted in a package of its own, and what the checker says of it.
FAULTS = {
    "module cycle": (
        {
            "__init__.py": "",
            "clock.py": "from outreach import paging\n",
            "paging.py": "import outreach.clock\n",
        },
        "module cycles",
        "outreach.clock → outreach.paging → outreach.clock",
    ),
    "area cycle": (
        {
            "__init__.py": "",
            "shifts/__init__.py": "",
            "shifts/views.py": "from outreach.youths import services\n",
            "youths/__init__.py": "",
            "youths/services.py": "from outreach.shifts.models import Shift\n",
            "shifts/models.py": "",
        },
        "area cycles",
        "shifts ↔ youths",
    ),
    "an area above": (
        {
            "__init__.py": "",
            "shifts/__init__.py": "",
            "shifts/views.py": "from outreach.review import services\n",
            "review/__init__.py": "",
            "review/services.py": "",
        },
        "imports against the layers",
        "shifts imports outreach.review.services of review, an area above it",
    ),
    "a shared module importing an area": (
        {
            "__init__.py": "",
            "crypto.py": "from outreach.youths.models import Youth\n",
            "youths/__init__.py": "",
            "youths/models.py": "",
        },
        "imports against the layers",
        "the shared module outreach.crypto imports outreach.youths.models",
    ),
    "an area nobody placed": (
        {"__init__.py": "", "parking/__init__.py": "", "parking/services.py": ""},
        "imports against the layers",
        "the area parking is not in AREA_ORDER",
    ),
    "a view that queries": (
        {
            "__init__.py": "",
            "risk/__init__.py": "",
            "risk/views.py": "from sqlalchemy import select\n\ndef page():\n    return select(1)\n",
        },
        "imports against the layers",
        "outreach/risk/views.py:4: a view queries the database itself",
    ),
    "a second commit": (
        {
            "__init__.py": "",
            "risk/__init__.py": "",
            "risk/services.py": "def mark(db):\n    db.session.commit()\n",
        },
        "imports against the layers",
        "outreach/risk/services.py:2: commits (transaction.py does, once)",
    ),
    "a service reading the request": (
        {
            "__init__.py": "",
            "risk/__init__.py": "",
            "risk/services.py": "from flask import request\n",
        },
        "imports against the layers",
        "outreach.risk.services reads flask.request",
    ),
    "a long module": (
        {"__init__.py": "", "paging.py": "x = 1\n" * (layers.MAX_LINES + 1)},
        "long modules",
        f"outreach/paging.py: {layers.MAX_LINES + 1} lines",
    ),
}


@pytest.mark.parametrize("fault", FAULTS, ids=list(FAULTS))
def test_the_checker_finds_each_kind_of_fault(tmp_path, fault):
    files, heading, said = FAULTS[fault]
    report = _package(tmp_path, files)
    assert any(said in finding for finding in report[heading]), report[heading]
