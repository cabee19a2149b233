"""The systemd units in deploy/systemd pass `systemd-analyze verify` (with the checkout standing
in for /opt/outreach), and each names what it runs."""

import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
UNITS = ROOT / "deploy" / "systemd"


@pytest.fixture
def installed(tmp_path) -> Path:
    """The units as installed with the checkout in /opt/outreach's place (and the
    environment running the tests in its .venv's)."""
    if shutil.which("systemd-analyze") is None:
        pytest.skip("systemd-analyze is missing")
    venv = Path(sys.executable).parent.parent  # the environment running the tests
    for unit in UNITS.iterdir():
        text = unit.read_text().replace("/opt/outreach/.venv", str(venv))
        (tmp_path / unit.name).write_text(text.replace("/opt/outreach", str(ROOT)))
    return tmp_path


def _verify(folder: Path, *names: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        ["systemd-analyze", "verify", *(f"./{name}" for name in names)],
        cwd=folder,
        capture_output=True,
        text=True,
        timeout=60,
    )


def test_the_units_verify(installed):
    names = sorted(path.name for path in installed.iterdir())
    assert names == [
        "outreach-clock.service",
        "outreach-clock.timer",
        "outreach-mail.service",
        "outreach-retention.service",
        "outreach-retention.timer",
        "outreach-web.service",
    ]
    result = _verify(installed, *names)
    assert result.returncode == 0 and not result.stderr.strip(), result.stderr


def test_a_broken_unit_does_not_verify(installed):
    unit = installed / "outreach-mail.service"
    unit.write_text(unit.read_text().replace("/.venv/bin/flask", "/.venv/bin/no-such-program"))
    assert _verify(installed, unit.name).returncode != 0


def test_each_unit_runs_a_command_the_app_has():
    commands = {
        re.search(r"^ExecStart=(.+)$", unit.read_text(), re.M).group(1)
        for unit in UNITS.glob("*.service")
    }
    assert any("gunicorn" in command and "outreach:create_app()" in command for command in commands)
    for expected in ("handoffs tick", "notifications send --loop", "privacy retention --apply"):
        assert any(expected in command for command in commands), expected
