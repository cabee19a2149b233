"""Two people edit the same record: the second save, from a form shown before the first, is
refused with both versions side by side and nothing overwritten; saved again from there, it
lands. Two saves of one row at the same moment cannot both land (the version column)."""

import threading
from dataclasses import dataclass

import pytest
from sqlalchemy import update

from outreach.audit import AuditAction, AuditEvent
from outreach.auth.models import User
from outreach.clock import now
from outreach.extensions import db
from outreach.org.models import Area, Team
from outreach.reports.models import ReportOfConcern
from outreach.shifts.models import Shift
from outreach.youths.models import Youth
from tests.factories import draft_report, make_shift, make_youth
from tests.html_forms import form_on


@dataclass
class Case:
    """An edit form: the two who edit, its page and address, the field, and how to read it."""

    who: tuple[str, str]
    page: str
    action: str
    field: str
    model: type
    public_id: str
    column: str


@pytest.fixture
def records(app, world):
    """A youth, a draft report about them, and an open shift of two workers."""
    with app.app_context():
        worker = db.session.get(User, world.worker_a)
        team = db.session.get(Team, world.team_a)
        youth = make_youth(worker, team, "Kille med röd keps", birth_year=2012)
        report = draft_report(worker, youth, concern="Oro.")
        shift = make_shift(
            worker,
            team,
            db.session.get(Area, world.area),
            colleagues=[db.session.get(User, world.worker_a2)],
        )
        db.session.commit()
        return {"youth": youth.public_id, "report": report.public_id, "shift": shift.public_id}


def _cases(world, ids) -> dict[str, Case]:
    youth, report, shift = ids["youth"], ids["report"], ids["shift"]
    return {
        "youth": Case(
            ("falt_a", "lead_a"),
            f"/ungdomar/{youth}/andra",
            f"/ungdomar/{youth}/andra",
            "school",
            Youth,
            youth,
            "school",
        ),
        "report of concern": Case(
            ("falt_a", "falt_a"),
            f"/orosanmalningar/{report}",
            f"/orosanmalningar/{report}",
            "concern",
            ReportOfConcern,
            report,
            "concern",
        ),
        "situation note": Case(
            ("falt_a", "falt_a2"),
            f"/faltpass/{shift}",
            f"/faltpass/{shift}/lagesbild",
            "situation_note",
            Shift,
            shift,
            "situation_note",
        ),
        "user": Case(
            ("admin", "admin"),
            f"/admin/anvandare/{world.worker_a2}",
            f"/admin/anvandare/{world.worker_a2}",
            "display_name",
            User,
            world.worker_a2,
            "display_name",
        ),
    }


def _saved(app, case: Case) -> str:
    with app.app_context():
        if case.model is User:
            record = db.session.get(User, case.public_id)
        else:
            record = db.session.execute(
                db.select(case.model).where(case.model.public_id == case.public_id)
            ).scalar_one()
        return getattr(record, case.column)


def _shown(client, case: Case) -> dict[str, list[str]]:
    page = client.get(case.page)
    assert page.status_code == 200
    return form_on(page.get_data(as_text=True), case.action)


@pytest.mark.parametrize("name", ["youth", "report of concern", "situation note", "user"])
def test_a_stale_edit_shows_both_versions_and_overwrites_nothing(
    app, world, records, signed_in, name
):
    case = _cases(world, records)[name]
    first, second = (signed_in(who) for who in case.who)
    form_first, form_second = _shown(first, case), _shown(second, case)
    assert form_first["version"] and form_first["shown"]

    form_first[case.field] = ["Skrivet av den första"]
    assert first.post(case.action, data=form_first).status_code == 303
    form_second[case.field] = ["Skrivet av den andra"]
    refused = second.post(case.action, data=form_second)

    assert refused.status_code == 409
    page = refused.get_data(as_text=True)
    assert "Två versioner" in page
    assert "Skrivet av den första" in page and "Skrivet av den andra" in page
    assert _saved(app, case) == "Skrivet av den första"  # nothing overwritten

    # the form on the conflict page keeps what the second wrote and builds on the saved version
    again = form_on(page, case.action)
    assert again[case.field] == ["Skrivet av den andra"]
    assert again["shown"] != form_second["shown"]
    assert second.post(case.action, data=again).status_code == 303
    assert _saved(app, case) == "Skrivet av den andra"


@pytest.mark.parametrize("name", ["youth", "report of concern"])
def test_the_conflict_page_is_written_to_the_access_log(app, world, records, signed_in, name):
    """It shows what someone else saved about the youth: a read like the edit form itself
    (DOMAIN rule 4)."""
    case = _cases(world, records)[name]
    first, second = (signed_in(who) for who in case.who)
    form_first, form_second = _shown(first, case), _shown(second, case)
    form_first[case.field], form_second[case.field] = ["Den första"], ["Den andra"]
    assert first.post(case.action, data=form_first).status_code == 303
    assert second.post(case.action, data=form_second).status_code == 409
    with app.app_context():
        reader = db.session.execute(
            db.select(User.id).where(User.username == case.who[1])
        ).scalar_one()
        logged = db.session.scalars(
            db.select(AuditEvent.user_id).where(
                AuditEvent.action == AuditAction.READ, AuditEvent.detail == "edit conflict"
            )
        ).all()
    assert logged == [reader]


def test_a_change_elsewhere_in_the_record_does_not_stop_an_edit(app, world, records, signed_in):
    case = _cases(world, records)["youth"]
    worker = signed_in("falt_a")
    form = _shown(worker, case)
    with app.app_context():  # the row changes in a column this form does not show
        db.session.execute(
            update(Youth)
            .where(Youth.public_id == case.public_id)
            .values(version=Youth.version + 1, updated_at=now())
        )
        db.session.commit()
    form["school"] = ["Värnhemsskolan"]
    assert worker.post(case.action, data=form).status_code == 303
    assert _saved(app, case) == "Värnhemsskolan"


def test_saves_of_one_record_at_the_same_moment_cannot_both_land(app, world, records, signed_in):
    """Two people send their change of the same field at the same moment, both from the same
    version: one lands, the other is refused (the row is locked while a save checks and
    writes; on SQLite the version in the UPDATE stands in), and nothing is overwritten."""
    case = _cases(world, records)["youth"]
    clients = [signed_in("falt_a"), signed_in("lead_a")]
    forms = [_shown(client, case) for client in clients]
    start, answers = threading.Barrier(2), {}

    def save(index: int) -> None:
        forms[index]["school"] = [f"Skola {index}"]
        start.wait()
        answers[index] = clients[index].post(case.action, data=forms[index])

    savers = [threading.Thread(target=save, args=(index,)) for index in range(2)]
    for saver in savers:
        saver.start()
    for saver in savers:
        saver.join()
    statuses = sorted(answer.status_code for answer in answers.values())
    assert statuses == [303, 409], statuses
    (landed,) = [index for index, answer in answers.items() if answer.status_code == 303]
    assert _saved(app, case) == f"Skola {landed}"
    refused = answers[1 - landed].get_data(as_text=True)
    assert "samma ögonblick" in refused or "Två versioner" in refused


def test_a_change_only_someone_else_made_is_not_undone(app, world, records, signed_in):
    """Saving a form shown before a colleague's change, or saving again from the conflict
    page, keeps what the colleague changed in the fields this user left alone."""
    case = _cases(world, records)["youth"]
    colleague, worker = signed_in("lead_a"), signed_in("falt_a")
    theirs, mine = _shown(colleague, case), _shown(worker, case)
    theirs["school"], theirs["interpreter_language"] = ["Sofielundsskolan"], ["arabiska"]
    assert colleague.post(case.action, data=theirs).status_code == 303

    mine["interpreter_language"] = ["somaliska"]  # both changed it: a conflict
    mine["name"] = ["Ali"]  # only this user changed it
    refused = worker.post(case.action, data=mine)
    assert refused.status_code == 409
    page = refused.get_data(as_text=True)
    assert "somaliska" in page and "arabiska" in page
    again = form_on(page, case.action)
    assert again["school"] == ["Sofielundsskolan"]  # taken in, not undone
    assert again["name"] == ["Ali"] and again["interpreter_language"] == ["somaliska"]
    assert page.count("<tr>") == 2  # the head and the one field both changed
    assert worker.post(case.action, data=again).status_code == 303
    with app.app_context():
        youth = db.session.execute(
            db.select(Youth).where(Youth.public_id == case.public_id)
        ).scalar_one()
        assert (youth.school, youth.name, youth.interpreter_language) == (
            "Sofielundsskolan",
            "Ali",
            "somaliska",
        )


def test_an_edit_crossing_one_on_other_fields_is_merged_and_saved(app, world, records, signed_in):
    case = _cases(world, records)["youth"]
    colleague, worker = signed_in("lead_a"), signed_in("falt_a")
    theirs, mine = _shown(colleague, case), _shown(worker, case)
    theirs["school"] = ["Sofielundsskolan"]
    assert colleague.post(case.action, data=theirs).status_code == 303
    mine["name"] = ["Ali"]
    assert worker.post(case.action, data=mine).status_code == 303
    with app.app_context():
        youth = db.session.execute(
            db.select(Youth).where(Youth.public_id == case.public_id)
        ).scalar_one()
        assert (youth.school, youth.name) == ("Sofielundsskolan", "Ali")


def test_a_partial_save_of_the_note_lets_the_next_save_build_on_it(app, world, records, signed_in):
    """The note form answered after a save (htmx) carries the new version: saving the same
    form again is no conflict with oneself."""
    case = _cases(world, records)["situation note"]
    worker = signed_in("falt_a")
    form = _shown(worker, case)
    partial = {"HX-Request": "true", "HX-Request-Type": "partial"}
    for text in ("Lugnt vid torget.", "Lugnt vid torget. Grupp vid stationen."):
        form["situation_note"] = [text]
        answer = worker.post(case.action, data=form, headers=partial)
        assert answer.status_code == 200, answer.get_data(as_text=True)
        form = form_on(answer.get_data(as_text=True), case.action)
    assert _saved(app, case) == "Lugnt vid torget. Grupp vid stationen."
