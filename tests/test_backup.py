"""`flask db backup` and `flask db restore`: back up, change, restore, and every value of
every table is as it was, the audit trail's chain intact. A broken backup changes nothing."""

import stat

from outreach import audit_verify
from outreach.auth.models import User
from outreach.extensions import db
from outreach.org.models import Team
from outreach.youths.models import Youth
from tests.dumps import dump_rows
from tests.factories import make_youth


def _rows(app) -> list[str]:
    with app.app_context():
        rows = sorted(dump_rows().splitlines())
        db.session.remove()
        return rows


def _register(app, world, alias: str) -> None:
    with app.app_context():
        make_youth(db.session.get(User, world.worker_a), db.session.get(Team, world.team_a), alias)
        db.session.commit()


def test_back_up_change_restore_gives_back_every_value(app, world, runner, tmp_path):
    _register(app, world, "Kille med röd keps")
    before = _rows(app)
    target = tmp_path / "backups" / "outreach.backup"

    made = runner.invoke(args=["db", "backup", str(target)])
    assert made.exit_code == 0, made.output
    assert "backed up to" in made.output
    assert stat.S_IMODE(target.stat().st_mode) == 0o600  # every youth's data is in it
    assert [p.name for p in target.parent.iterdir()] == ["outreach.backup"]  # no leftovers

    # the day goes on: a new youth, an alias changed
    _register(app, world, "Tjej med grön jacka")
    with app.app_context():
        db.session.execute(db.select(Youth)).scalars().first().alias = "Ändrat alias"
        db.session.commit()
    assert _rows(app) != before

    undone = runner.invoke(args=["db", "restore", "--yes", str(target)])
    assert undone.exit_code == 0, undone.output
    assert _rows(app) == before
    with app.app_context():
        assert audit_verify.verify().intact
        # the app goes on working on the restored database
        assert db.session.scalar(db.select(db.func.count(Youth.id))) == 1
    _register(app, world, "Efter återläsningen")


def test_restore_asks_first(app, world, runner, tmp_path):
    target = tmp_path / "outreach.backup"
    assert runner.invoke(args=["db", "backup", str(target)]).exit_code == 0
    _register(app, world, "Finns kvar")
    before = _rows(app)
    answer = runner.invoke(args=["db", "restore", str(target)], input="n\n")
    assert answer.exit_code != 0 and "Aborted" in answer.output
    assert _rows(app) == before


def test_a_broken_backup_changes_nothing(app, world, runner, tmp_path):
    _register(app, world, "Finns kvar")
    before = _rows(app)
    broken = tmp_path / "broken.backup"
    broken.write_bytes(b"not a backup at all" * 100)
    result = runner.invoke(args=["db", "restore", "--yes", str(broken)])
    assert result.exit_code != 0
    assert "Error:" in result.output
    assert "Traceback" not in result.output
    assert _rows(app) == before
